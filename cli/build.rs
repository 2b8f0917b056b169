//! Builds the bundled function modules and the JavaScript engine for
//! wasm32-wasip2 so the binary can embed them (`pigdin serve` deploys the
//! modules on start; JavaScript modules run on the engine).

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
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundled.rs");
    std::fs::write(out, generated).unwrap();
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
