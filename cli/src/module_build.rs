//! Turning a module directory into a manifest and a component: read
//! `module.toml`, then either its prebuilt `component` or build the crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use pigdin_runtime::functions::Manifest;

pub struct BuiltModule {
    pub manifest_text: String,
    pub manifest: Manifest,
    pub wasm: Vec<u8>,
    pub wasm_path: PathBuf,
}

pub fn build(dir: &Path) -> anyhow::Result<BuiltModule> {
    let manifest_path = dir.join("module.toml");
    let manifest_text = std::fs::read_to_string(&manifest_path).with_context(|| {
        format!(
            "cannot read {} — a module directory needs a module.toml",
            manifest_path.display()
        )
    })?;
    let manifest = Manifest::parse(&manifest_text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {}", manifest_path.display()))?;
    manifest
        .resolve()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {}", manifest_path.display()))?;
    let wasm_path = match &manifest.component {
        Some(component) => dir.join(component),
        None => cargo_build(dir)?,
    };
    let wasm = std::fs::read(&wasm_path)
        .with_context(|| format!("cannot read the component {}", wasm_path.display()))?;
    Ok(BuiltModule {
        manifest_text,
        manifest,
        wasm,
        wasm_path,
    })
}

/// `cargo build --release --target wasm32-wasip2` in `dir`; returns the component's path.
fn cargo_build(dir: &Path) -> anyhow::Result<PathBuf> {
    let cargo_toml = dir.join("Cargo.toml");
    if !cargo_toml.exists() {
        bail!(
            "{} has no Cargo.toml to build; add the crate, or name a prebuilt component with `component = \"file.wasm\"` in module.toml",
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
