//! Turning what `pigdin deploy` is given into a manifest and the module's
//! code: a module directory (`module.toml` with a crate, a prebuilt
//! `component`, or JavaScript `source` files), a PubNub BLOCKS project
//! (`block.json`), or one JavaScript file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use pigdin_runtime::functions::block::manifest_from_block;
use pigdin_runtime::functions::javascript::Sources;
use pigdin_runtime::functions::manifest::FunctionManifest;
use pigdin_runtime::functions::{EventKind, Manifest};

pub struct BuiltModule {
    pub manifest_text: String,
    pub manifest: Manifest,
    pub code: BuiltCode,
}

pub enum BuiltCode {
    Component { wasm: Vec<u8>, path: PathBuf },
    JavaScript(Sources),
}

impl BuiltModule {
    /// What was deployed, for the confirmation line.
    pub fn describe(&self) -> String {
        match &self.code {
            BuiltCode::Component { wasm, path } => {
                format!("{} bytes from {}", wasm.len(), path.display())
            }
            BuiltCode::JavaScript(files) => {
                let names: Vec<&str> = files.keys().map(String::as_str).collect();
                format!("JavaScript: {}", names.join(", "))
            }
        }
    }
}

/// The one-file shortcut's bindings: `pigdin deploy handler.js --name N --event E ...`.
#[derive(clap::Args, Default)]
pub struct SingleFile {
    /// Module name (one-file deploys; or to rename a block.json project).
    #[arg(long)]
    pub name: Option<String>,
    /// Event of a one-file deploy: before-publish, after-publish, before-signal,
    /// after-signal, after-presence, on-request, on-interval.
    #[arg(long)]
    pub event: Option<String>,
    /// Channel or `prefix.*` pattern a one-file deploy binds to (repeatable).
    #[arg(long = "channel", value_name = "PATTERN")]
    pub channels: Vec<String>,
    /// On Request path of a one-file deploy.
    #[arg(long)]
    pub path: Option<String>,
    /// Seconds between runs of a one-file On Interval deploy.
    #[arg(long)]
    pub interval_secs: Option<u64>,
}

impl SingleFile {
    fn given(&self) -> bool {
        self.event.is_some()
            || !self.channels.is_empty()
            || self.path.is_some()
            || self.interval_secs.is_some()
    }
}

pub fn build(target: &Path, single: &SingleFile) -> anyhow::Result<BuiltModule> {
    if target.is_file() {
        return single_file(target, single);
    }
    if single.given() {
        bail!(
            "--event, --channel, --path and --interval-secs describe a one-file deploy (pigdin deploy handler.js ...); {} is a directory, whose module.toml says all that",
            target.display()
        );
    }
    let manifest_path = target.join("module.toml");
    let block_path = target.join("block.json");
    if !manifest_path.exists() && block_path.exists() {
        return block_project(target, &block_path, single.name.as_deref());
    }
    if single.name.is_some() {
        bail!(
            "--name renames a one-file or block.json deploy; a module.toml names its module itself"
        );
    }
    let manifest_text = std::fs::read_to_string(&manifest_path).with_context(|| {
        format!(
            "cannot read {} — a module directory needs a module.toml (or a PubNub block.json)",
            manifest_path.display()
        )
    })?;
    let manifest = checked(&manifest_text, &manifest_path)?;
    let code = if manifest.is_javascript() {
        BuiltCode::JavaScript(read_sources(target, &manifest)?)
    } else {
        let path = match &manifest.component {
            Some(component) => target.join(component),
            None => cargo_build(target)?,
        };
        let wasm = std::fs::read(&path)
            .with_context(|| format!("cannot read the component {}", path.display()))?;
        BuiltCode::Component { wasm, path }
    };
    Ok(BuiltModule {
        manifest_text,
        manifest,
        code,
    })
}

fn checked(text: &str, origin: &Path) -> anyhow::Result<Manifest> {
    let manifest = Manifest::parse(text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {}", origin.display()))?;
    manifest
        .resolve()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {}", origin.display()))?;
    Ok(manifest)
}

/// Every file the manifest's functions name, read from `dir`.
fn read_sources(dir: &Path, manifest: &Manifest) -> anyhow::Result<Sources> {
    let mut sources = Sources::new();
    for function in &manifest.functions {
        let Some(name) = &function.source else {
            continue;
        };
        if sources.contains_key(name) {
            continue;
        }
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "function {:?} names source {name:?}, but {} cannot be read",
                function.name,
                path.display()
            )
        })?;
        sources.insert(name.clone(), text);
    }
    Ok(sources)
}

fn with_manifest(manifest: Manifest, dir: &Path, origin: &Path) -> anyhow::Result<BuiltModule> {
    let manifest_text = toml::to_string(&manifest).context("cannot write the manifest")?;
    let manifest = checked(&manifest_text, origin)?;
    let sources = read_sources(dir, &manifest)?;
    Ok(BuiltModule {
        manifest_text,
        manifest,
        code: BuiltCode::JavaScript(sources),
    })
}

fn block_project(dir: &Path, block_path: &Path, name: Option<&str>) -> anyhow::Result<BuiltModule> {
    let text = std::fs::read_to_string(block_path)
        .with_context(|| format!("cannot read {}", block_path.display()))?;
    let manifest = manifest_from_block(&text, name)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {}", block_path.display()))?;
    with_manifest(manifest, dir, block_path)
}

fn single_file(file: &Path, single: &SingleFile) -> anyhow::Result<BuiltModule> {
    if !file.extension().is_some_and(|e| e == "js" || e == "mjs") {
        bail!(
            "{} is a file but not JavaScript; deploy a .js file, or a module directory",
            file.display()
        );
    }
    let name = single.name.clone().with_context(|| {
        format!(
            "deploying the one file {} needs --name NAME (the module's name)",
            file.display()
        )
    })?;
    let event_name = single.event.as_deref().with_context(|| {
        "deploying one file needs --event (before-publish, after-publish, before-signal, after-signal, after-presence, on-request or on-interval)"
    })?;
    let event: EventKind = serde_json::from_value(serde_json::Value::String(event_name.into()))
        .map_err(|_| {
            anyhow::anyhow!(
                "--event {event_name:?} is not an event; use before-publish, after-publish, before-signal, after-signal, after-presence, on-request or on-interval"
            )
        })?;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let source = file
        .file_name()
        .and_then(|n| n.to_str())
        .context("the file name is not UTF-8")?
        .to_owned();
    let manifest = Manifest {
        name: name.clone(),
        allowed_hosts: None,
        component: None,
        limits: Default::default(),
        functions: vec![FunctionManifest {
            name,
            event,
            channels: single.channels.clone(),
            path: single.path.clone(),
            interval_secs: single.interval_secs,
            source: Some(source),
            limits: Default::default(),
        }],
    };
    with_manifest(manifest, dir, file)
}

/// `cargo build --release --target wasm32-wasip2` in `dir`; returns the component's path.
fn cargo_build(dir: &Path) -> anyhow::Result<PathBuf> {
    let cargo_toml = dir.join("Cargo.toml");
    if !cargo_toml.exists() {
        bail!(
            "{} has no Cargo.toml to build; add the crate, name a prebuilt component with `component = \"file.wasm\"`, or JavaScript files with `source = \"file.js\"` per function in module.toml",
            dir.display()
        );
    }
    let output = Command::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--message-format=json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(&cargo_toml)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo to build the module (is the Rust toolchain installed?)")?;
    if !output.status.success() {
        bail!(
            "building {} failed (see the compiler output above); if the target is missing run `rustup target add wasm32-wasip2`",
            dir.display()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let wasm = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact"
                && m["manifest_path"].as_str()
                    == cargo_toml
                        .canonicalize()
                        .ok()
                        .as_deref()
                        .and_then(Path::to_str)
        })
        .flat_map(|m| {
            m["filenames"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| f.as_str().map(PathBuf::from))
        })
        .find(|f| f.extension().is_some_and(|e| e == "wasm"));
    wasm.with_context(|| {
        format!(
            "building {} produced no .wasm component; its Cargo.toml needs `[lib] crate-type = [\"cdylib\"]`",
            dir.display()
        )
    })
}
