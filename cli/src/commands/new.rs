//! `pigdin new NAME [--template T] [--lang js|rust]`: writes a module
//! directory `NAME/` from a template, ready for `pigdin deploy NAME`.
//!
//! The templates are `cli/templates/TEMPLATE/LANG/`, embedded by
//! `cli/build.rs`. A Rust module also gets the guest SDK (`functions/sdk`
//! and the WIT it binds to, embedded the same way) under `NAME/.pigdin/`,
//! laid out as in this repository so the SDK's own relative paths hold: the
//! crate then builds with cargo alone, away from any checkout.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};
use pigdin_runtime::functions::manifest::validate_module_name;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_files.rs"));
}

/// Every template with what it makes, as `--list` prints them.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "on-request",
        "On Request: a small JSON API over the module's KV store (GET counts calls or reads a key, POST stores)",
    ),
    (
        "before-publish",
        "Before Publish on chat.*: a moderation filter (rejects banned words, trims and masks the rest)",
    ),
    (
        "after-publish",
        "After Publish on chat.*: counts each channel's messages, publishes a notice every fifth",
    ),
    (
        "on-interval",
        "On Interval: a heartbeat publishing a numbered tick on `heartbeat` every 10 s",
    ),
    (
        "webhook",
        "On Request: a webhook receiver checking an HMAC-SHA256 signature against a vault secret (401 on mismatch)",
    ),
];

const DEFAULT_TEMPLATE: &str = "on-request";

/// Where the guest SDK goes in a Rust module: `.pigdin/functions/sdk` and
/// `.pigdin/runtime/wit`, as in the repository (its bindings read `../../runtime/wit`).
const SDK_DIR: &str = ".pigdin";

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Lang {
    /// JavaScript, run on the bundled engine (no build step).
    #[value(alias = "javascript")]
    Js,
    /// A Rust crate using the guest SDK, built for wasm32-wasip2 on deploy.
    Rust,
}

impl Lang {
    fn dir(self) -> &'static str {
        match self {
            Lang::Js => "js",
            Lang::Rust => "rust",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Lang::Js => "JavaScript",
            Lang::Rust => "Rust",
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// The module's name (1 to 64 lower-case letters, digits and `-`); the
    /// directory ./NAME is created for it.
    #[arg(required_unless_present = "list")]
    name: Option<String>,
    /// The template to start from (`pigdin new --list` shows them).
    #[arg(long, short, default_value = DEFAULT_TEMPLATE)]
    template: String,
    /// The module's language.
    #[arg(long, value_enum, default_value_t = Lang::Js)]
    lang: Lang,
    /// List the templates, one a line.
    #[arg(long)]
    list: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.list {
        for (name, about) in TEMPLATES {
            println!("{name:<16}{about}");
        }
        return Ok(());
    }
    let name = args
        .name
        .context("pigdin new needs the module's NAME (or --list to see the templates)")?;
    validate_module_name(&name).map_err(|e| {
        anyhow::anyhow!("{e} (it names the module and its directory), e.g. `pigdin new my-module`")
    })?;
    let files = render(&args.template, args.lang, &name)?;
    let dir = Path::new(&name);
    write_new(dir, &files)?;

    let shown: Vec<&str> = files
        .iter()
        .map(|(path, _)| path.as_str())
        .filter(|path| !path.starts_with(SDK_DIR))
        .collect();
    println!(
        "created {name}/ from the {} template ({}): {}",
        args.template,
        args.lang.title(),
        shown.join(", ")
    );
    if args.lang == Lang::Rust {
        println!("  {SDK_DIR}/ holds the guest SDK this pigdin ships, which the crate depends on");
    }
    println!("next: pigdin deploy {name}   (then {name}/README.md says how to try it)");
    Ok(())
}

/// The files of `template` in `lang` for module `name`: each path inside the
/// new directory, and its contents.
fn render(template: &str, lang: Lang, name: &str) -> anyhow::Result<Vec<(String, String)>> {
    if !TEMPLATES.iter().any(|(known, _)| *known == template) {
        let names: Vec<&str> = TEMPLATES.iter().map(|(known, _)| *known).collect();
        bail!(
            "unknown template {template:?}; the templates are: {} (`pigdin new --list` describes them)",
            names.join(", ")
        );
    }
    let prefix = format!("{template}/{}/", lang.dir());
    let crate_name = crate_name(name);
    let workspace_package = workspace_package()?;
    let mut files: Vec<(String, String)> = embedded::TEMPLATES
        .iter()
        .filter_map(|(path, text)| {
            let relative = path.strip_prefix(&prefix)?;
            // Cargo.toml is kept as Cargo.toml.tmpl so cargo never takes the
            // template for a package of this repository.
            let relative = relative.strip_suffix(".tmpl").unwrap_or(relative);
            let text = text
                .replace("{{name}}", name)
                .replace("{{crate}}", &crate_name)
                .replace("{{workspace_package}}", &workspace_package);
            Some((relative.to_owned(), text))
        })
        .collect();
    if lang == Lang::Rust {
        files.push((".gitignore".into(), "/target\n".into()));
        // The versions this pigdin's own guests build with: the first build
        // resolves nothing new, and finds what cargo has already fetched.
        files.push(("Cargo.lock".into(), embedded::GUEST_LOCK.into()));
        files.extend(
            embedded::SDK
                .iter()
                .map(|(path, text)| (format!("{SDK_DIR}/{path}"), (*text).to_owned())),
        );
    }
    Ok(files)
}

/// The guest workspace's `[workspace.package]` keys, which the SDK's
/// Cargo.toml inherits (`edition.workspace = true`, ...).
fn workspace_package() -> anyhow::Result<String> {
    let manifest: toml::Table = embedded::GUEST_WORKSPACE
        .parse()
        .context("the embedded functions/Cargo.toml is not TOML")?;
    let package = manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(toml::Value::as_table)
        .context("the embedded functions/Cargo.toml has no [workspace.package]")?;
    let text = toml::to_string(package).context("cannot write [workspace.package]")?;
    Ok(text.trim_end().to_owned())
}

/// Cargo's package name for module `name`: the name itself, unless Cargo or
/// rustc would refuse it or it would clash with a crate the module builds
/// with (a leading digit, a keyword, `std`, `pigdin-sdk`, `serde`, ...).
fn crate_name(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "abstract",
        "alloc",
        "as",
        "async",
        "await",
        "become",
        "box",
        "break",
        "const",
        "continue",
        "core",
        "crate",
        "do",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "final",
        "fn",
        "for",
        "gen",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "macro",
        "match",
        "mod",
        "move",
        "mut",
        "override",
        "pigdin-sdk",
        "priv",
        "proc-macro",
        "pub",
        "ref",
        "return",
        "self",
        "static",
        "std",
        "struct",
        "super",
        "test",
        "trait",
        "true",
        "try",
        "type",
        "typeof",
        "unsafe",
        "unsized",
        "use",
        "virtual",
        "where",
        "while",
        "yield",
    ];
    let clashes = RESERVED.contains(&name) || locked_packages().contains(name);
    if name.starts_with(|c: char| c.is_ascii_digit()) || clashes {
        format!("module-{name}")
    } else {
        name.to_owned()
    }
}

/// The names of the embedded guest lock file's registry packages (its path
/// packages, the repository's own modules, are not in a generated crate's build).
fn locked_packages() -> BTreeSet<String> {
    let lock: toml::Table = embedded::GUEST_LOCK.parse().unwrap_or_default();
    lock.get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("source").is_some())
        .filter_map(|p| p.get("name")?.as_str().map(str::to_owned))
        .collect()
}

/// Creates `dir` (refusing one that exists) and writes `files` into it; on
/// failure removes it again rather than leave half a module behind.
fn write_new(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} already exists; pigdin new writes a new directory: choose another name, or move the existing one away",
            dir.display()
        ),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot create the directory {}", dir.display()));
        }
    }
    let written = files.iter().try_for_each(|(relative, text)| {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigdin_runtime::functions::Manifest;

    fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
        files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "no {path} among {:?}",
                    files.iter().map(|f| &f.0).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn every_template_dir_is_listed_and_every_listed_template_has_both_languages() {
        let dirs: BTreeSet<&str> = embedded::TEMPLATES
            .iter()
            .map(|(path, _)| path.split('/').next().unwrap())
            .collect();
        let listed: BTreeSet<&str> = TEMPLATES.iter().map(|(name, _)| *name).collect();
        assert_eq!(dirs, listed, "cli/templates/ and TEMPLATES disagree");
    }

    #[test]
    fn every_template_renders_a_module_that_parses_with_its_sources() {
        for (template, _) in TEMPLATES {
            for lang in [Lang::Js, Lang::Rust] {
                let files = render(template, lang, "my-mod").unwrap();
                for (path, text) in &files {
                    if !path.starts_with(SDK_DIR) {
                        assert!(
                            !text.contains("{{"),
                            "{template}/{lang:?}: {path} keeps a placeholder"
                        );
                    }
                }
                assert!(file(&files, "README.md").contains("pigdin deploy my-mod"));
                let manifest = Manifest::parse(file(&files, "module.toml")).unwrap();
                manifest.resolve().unwrap();
                assert_eq!(manifest.name, "my-mod");
                match lang {
                    Lang::Js => {
                        assert!(manifest.is_javascript(), "{template}");
                        for function in &manifest.functions {
                            file(&files, function.source.as_deref().unwrap());
                        }
                    }
                    Lang::Rust => {
                        assert!(!manifest.is_javascript(), "{template}");
                        let cargo: toml::Table = file(&files, "Cargo.toml").parse().unwrap();
                        assert_eq!(cargo["package"]["name"].as_str(), Some("my-mod"));
                        assert_eq!(
                            cargo["workspace"]["package"]["edition"].as_str(),
                            Some("2024"),
                            "the SDK's inherited settings are there"
                        );
                        for function in &manifest.functions {
                            assert!(
                                file(&files, "src/lib.rs")
                                    .contains(&format!("\"{}\" =>", function.name)),
                                "{template}: src/lib.rs registers {}",
                                function.name
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_rust_module_carries_the_sdk_where_its_relative_paths_hold() {
        let files = render("on-request", Lang::Rust, "x").unwrap();
        assert!(file(&files, ".pigdin/functions/sdk/Cargo.toml").contains("name = \"pigdin-sdk\""));
        assert!(
            file(&files, ".pigdin/runtime/wit/pigdin.wit").contains("package pigdin:functions")
        );
        // The layout under .pigdin/ follows this path; if the SDK's bindings
        // move their WIT, SDK_DIR's layout must follow.
        assert!(
            file(&files, ".pigdin/functions/sdk/src/bindings.rs")
                .contains("path: \"../../runtime/wit\""),
            "functions/sdk/src/bindings.rs no longer reads ../../runtime/wit"
        );
        assert!(file(&files, "Cargo.toml").contains("path = \".pigdin/functions/sdk\""));
        assert!(file(&files, "Cargo.lock").contains("name = \"wit-bindgen\""));
        assert!(
            !files
                .iter()
                .any(|(path, _)| path.starts_with(".pigdin/functions/sdk/tests/")),
            "the SDK's own tests read this repository; they are not shipped"
        );
    }

    #[test]
    fn crate_names_avoid_what_cargo_refuses_or_the_build_already_has() {
        assert_eq!(crate_name("counter"), "counter");
        assert_eq!(crate_name("3d"), "module-3d");
        assert_eq!(crate_name("fn"), "module-fn");
        assert_eq!(crate_name("std"), "module-std");
        assert_eq!(crate_name("pigdin-sdk"), "module-pigdin-sdk");
        assert_eq!(crate_name("serde"), "module-serde");
    }

    #[test]
    fn unknown_templates_are_refused_naming_the_list() {
        let error = render("chatbot", Lang::Js, "x").unwrap_err().to_string();
        assert!(error.contains("unknown template \"chatbot\""), "{error}");
        for (name, _) in TEMPLATES {
            assert!(error.contains(name), "{error}");
        }
    }
}
