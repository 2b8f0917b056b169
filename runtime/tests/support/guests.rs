//! Guest modules from `functions/`, built once per process for tests and benchmarks.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn functions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions")
}

/// Builds the guest workspace for wasm32-wasip2 (a no-op when up to date).
fn build_guests() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(functions_dir().join("Cargo.toml"))
            // From the guest workspace, so its .cargo/config.toml (the JS engine's C toolchain) applies.
            .current_dir(functions_dir())
            .env("CARGO_TARGET_DIR", functions_dir().join("target"))
            .status()
            .expect("run cargo");
        assert!(status.success(), "building the guest modules failed");
    });
}

/// `(module.toml, component)` of the module in `functions/{dir}` whose crate is `crate_name`.
pub fn module(dir: &str, crate_name: &str) -> (String, Vec<u8>) {
    build_guests();
    let manifest = std::fs::read_to_string(functions_dir().join(dir).join("module.toml")).unwrap();
    let wasm = std::fs::read(
        functions_dir()
            .join("target/wasm32-wasip2/release")
            .join(format!("{}.wasm", crate_name.replace('-', "_"))),
    )
    .unwrap();
    (manifest, wasm)
}
