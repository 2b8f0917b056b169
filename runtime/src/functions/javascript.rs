//! JavaScript modules: their source files, and the bundle each instance of
//! the JS engine component (functions/js, bundled with `pigdin`) receives in
//! its `PIGDIN_JS` environment variable. Every JavaScript module runs on that
//! one component, so it is compiled once; what differs is the bundle.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::manifest::{FunctionSpec, validate_source_name};
use crate::Config;

/// The environment variable the engine reads its bundle from.
pub const BUNDLE_ENV: &str = "PIGDIN_JS";

/// The most source text one module may carry (all files together).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// A JavaScript module's files: name (relative to the module directory) → source.
pub type Sources = BTreeMap<String, String>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle<'a> {
    module: &'a str,
    publish_key: &'a str,
    subscribe_key: &'a str,
    origin: String,
    functions: Vec<BundledFunction<'a>>,
    files: &'a Sources,
}

#[derive(Serialize)]
struct BundledFunction<'a> {
    name: &'a str,
    event: &'static str,
    source: &'a str,
}

/// Checks that every function's `source` is among the files and the files
/// are what a module may carry.
pub fn check(functions: &[FunctionSpec], sources: &Sources) -> Result<(), String> {
    let total: usize = sources.values().map(String::len).sum();
    if total > MAX_SOURCE_BYTES {
        return Err(format!(
            "the module's JavaScript is {total} bytes; at most {MAX_SOURCE_BYTES} bytes may be deployed"
        ));
    }
    for name in sources.keys() {
        validate_source_name(name)?;
    }
    for spec in functions {
        let source = spec.source.as_deref().unwrap_or_default();
        if !sources.contains_key(source) {
            return Err(format!(
                "function {:?} names source {source:?}, which was not deployed with the module (files: {})",
                spec.name,
                sources.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// The `PIGDIN_JS` value for a module's instances.
pub fn bundle(
    module: &str,
    functions: &[FunctionSpec],
    sources: &Sources,
    config: &Config,
) -> String {
    let bundle = Bundle {
        module,
        publish_key: &config.publish_key,
        subscribe_key: &config.subscribe_key,
        origin: config.listen.to_string(),
        functions: functions
            .iter()
            .map(|f| BundledFunction {
                name: &f.name,
                event: f.event.name(),
                source: f.source.as_deref().unwrap_or_default(),
            })
            .collect(),
        files: sources,
    };
    serde_json::to_string(&bundle).expect("a bundle serializes")
}

/// A JavaScript module's version: its files and the engine that runs them.
pub fn version(engine: &[u8], sources: &Sources) -> String {
    let mut hash = Sha256::new();
    hash.update(super::content_hash(engine));
    for (name, text) in sources {
        // Lengths first, so file boundaries cannot shift between versions unseen.
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name);
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text);
    }
    hex::encode(&hash.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::Manifest;

    fn specs(source: &str) -> Vec<FunctionSpec> {
        Manifest::parse(&format!(
            "name = \"m\"\n[[function]]\nname = \"f\"\nevent = \"on-request\"\npath = \"p\"\nsource = \"{source}\"\n"
        ))
        .unwrap()
        .resolve()
        .unwrap()
    }

    fn sources(files: &[(&str, &str)]) -> Sources {
        files
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn every_named_source_must_be_deployed() {
        let err = check(&specs("f.js"), &sources(&[("g.js", "")])).unwrap_err();
        assert!(
            err.contains("names source \"f.js\"") && err.contains("files: g.js"),
            "{err}"
        );
        check(
            &specs("f.js"),
            &sources(&[("f.js", "export default () => 1")]),
        )
        .unwrap();
    }

    #[test]
    fn file_names_stay_inside_the_module_and_size_is_bounded() {
        let err = check(&specs("f.js"), &sources(&[("f.js", ""), ("../x.js", "")])).unwrap_err();
        assert!(err.contains("inside the module directory"), "{err}");
        let big = "x".repeat(MAX_SOURCE_BYTES + 1);
        let err = check(&specs("f.js"), &sources(&[("f.js", &big)])).unwrap_err();
        assert!(err.contains("at most"), "{err}");
    }

    #[test]
    fn the_version_follows_the_files_and_the_engine() {
        let a = version(b"engine", &sources(&[("f.js", "1")]));
        assert_eq!(a, version(b"engine", &sources(&[("f.js", "1")])));
        assert_ne!(a, version(b"engine", &sources(&[("f.js", "2")])));
        assert_ne!(a, version(b"engine2", &sources(&[("f.js", "1")])));
        assert_ne!(
            version(b"e", &sources(&[("ab.js", "c")])),
            version(b"e", &sources(&[("a.js", "bc")]))
        );
    }
}
