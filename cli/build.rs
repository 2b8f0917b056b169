//! Builds the bundled function modules and the JavaScript engine for
//! wasm32-wasip2 so the binary can embed them (`pigdin serve` deploys the
//! modules on start; JavaScript modules run on the engine), and lists the
//! files `pigdin new` writes (its templates, and the guest SDK a Rust
//! template builds with) so the binary embeds them as they are in the tree.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Module directories (relative to the workspace root) compiled into the binary.
const BUNDLED: &[&str] = &["functions/examples/counter", "functions/webex-relay"];
/// The JavaScript engine component (QuickJS-ng; needs clang-19 and wasi-libc).
const JS_ENGINE: &str = "functions/js";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    // Not `functions/` as a whole: its target directory changes on every build.
    for input in [
        "functions/sdk",
        "functions/Cargo.toml",
        "functions/Cargo.lock",
        "functions/.cargo/config.toml",
        "runtime/wit",
        "cli/templates",
        JS_ENGINE,
    ]
    .iter()
    .chain(BUNDLED)
    {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    let mut generated = String::from("pub const BUNDLED: &[pigdin_runtime::BundledModule] = &[\n");
    for dir in BUNDLED {
        let dir = root.join(dir);
        let wasm = build_component(&root, &dir);
        generated.push_str(&format!(
            "    pigdin_runtime::BundledModule {{ manifest: include_str!({:?}), component: include_bytes!({:?}) }},\n",
            dir.join("module.toml"),
            wasm
        ));
    }
    generated.push_str("];\n");
    let engine = build_component(&root, &root.join(JS_ENGINE));
    generated.push_str(&format!(
        "/// The JavaScript engine every JavaScript module runs on.\npub const JS_ENGINE: &[u8] = include_bytes!({engine:?});\n"
    ));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("bundled.rs"), generated).unwrap();
    std::fs::write(out_dir.join("embedded_files.rs"), embedded_files(&root)).unwrap();
}

/// `TEMPLATES` (every file under `cli/templates/`, by its path there) and
/// `SDK` (`functions/sdk/` and the WIT under `runtime/wit/` its bindings
/// read, by their paths in the repository), each an `include_str!`, so what
/// `pigdin new` writes is what this tree holds.
fn embedded_files(root: &Path) -> String {
    let list = |name: &str, doc: &str, dirs: &[&str], skip: &[&str], strip: &Path| {
        let mut files = Vec::new();
        for dir in dirs {
            walk(&root.join(dir), skip, &mut files);
        }
        files.sort();
        let mut text = format!("/// {doc}\npub const {name}: &[(&str, &str)] = &[\n");
        for file in files {
            let relative = file.strip_prefix(strip).unwrap().to_str().unwrap();
            text.push_str(&format!("    ({relative:?}, include_str!({file:?})),\n"));
        }
        text.push_str("];\n");
        text
    };
    let mut text = list(
        "TEMPLATES",
        "`cli/templates/TEMPLATE/LANG/...`, by their path under `cli/templates/`.",
        &["cli/templates"],
        &[],
        &root.join("cli/templates"),
    );
    text.push_str(&list(
        "SDK",
        "The guest SDK and the WIT it binds to, by their path in the repository.",
        &["functions/sdk", "runtime/wit"],
        // The SDK's own tests read this repository (examples/); a generated
        // crate's workspace would run them with `cargo test --workspace`.
        &["functions/sdk/tests"],
        root,
    ));
    text.push_str(&format!(
        "/// The guest workspace's manifest (the SDK inherits its `[workspace.package]`).\npub const GUEST_WORKSPACE: &str = include_str!({:?});\n/// The guest workspace's lock file: a generated crate starts from the versions this tree builds with.\npub const GUEST_LOCK: &str = include_str!({:?});\n",
        root.join("functions/Cargo.toml"),
        root.join("functions/Cargo.lock"),
    ));
    text
}

/// Every file under `dir`, skipping build output (`target/`) and the
/// directories `skip` names (relative to the repository root).
fn walk(dir: &Path, skip: &[&str], files: &mut Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let skipped = skip.iter().any(|s| path == root.join(s));
            if !skipped && path.file_name().is_some_and(|n| n != "target") {
                walk(&path, skip, files);
            }
        } else {
            files.push(path);
        }
    }
}

fn build_component(root: &Path, dir: &Path) -> PathBuf {
    let manifest = dir.join("Cargo.toml");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // The outer build's settings (target, flags, jobserver) must not leak into
    // the guest build, which has its own workspace and target directory.
    for (key, _) in std::env::vars() {
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.starts_with("RUSTC")
            || key == "RUSTFLAGS"
        {
            cargo.env_remove(key);
        }
    }
    let status = cargo
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--manifest-path",
        ])
        .arg(&manifest)
        // From the guest workspace, so its .cargo/config.toml (the C toolchain
        // the JavaScript engine builds with) applies.
        .current_dir(root.join("functions"))
        .env("CARGO_TARGET_DIR", root.join("functions/target"))
        .status()
        .expect("run cargo to build the bundled function modules");
    if !status.success() {
        panic!(
            "building {} for wasm32-wasip2 failed; run ./scripts/setup (it installs the wasm32-wasip2 target, and clang-19 and wasi-libc for the JavaScript engine)",
            dir.display()
        );
    }
    let package: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
    let name = package["package"]["name"]
        .as_str()
        .expect("package name in Cargo.toml");
    root.join("functions/target/wasm32-wasip2/release")
        .join(format!("{}.wasm", name.replace('-', "_")))
}
