//! The README's complete example must stay `examples/counter` verbatim: that
//! module is built and tested, so the README's copy is known to compile.

use std::path::Path;

#[test]
fn readme_example_is_examples_counter() {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(sdk.join("README.md")).unwrap();
    for file in ["Cargo.toml", "module.toml", "src/lib.rs"] {
        let source = std::fs::read_to_string(sdk.join("../examples/counter").join(file)).unwrap();
        let fence = if file.ends_with(".rs") {
            "rust"
        } else {
            "toml"
        };
        assert!(
            readme.contains(&format!("```{fence}\n{source}```")),
            "README.md no longer shows examples/counter/{file} verbatim: copy it in again"
        );
    }
}
