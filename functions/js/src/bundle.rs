//! What the host hands the engine: the module's functions and source files,
//! as JSON in the `PIGDIN_JS` environment variable (the component itself is
//! the same for every JavaScript module, so it is compiled once).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The environment variable the host sets on every JavaScript instance.
pub const ENV_VAR: &str = "PIGDIN_JS";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub module: String,
    pub publish_key: String,
    pub subscribe_key: String,
    /// host:port the runtime listens on (`request.meta.origin`).
    #[serde(default)]
    pub origin: String,
    pub functions: Vec<FunctionEntry>,
    /// File name → JavaScript source.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct FunctionEntry {
    pub name: String,
    /// The manifest's event name (`before-publish`, `on-request`, ...).
    pub event: String,
    /// The file whose default export handles it.
    pub source: String,
}

impl Bundle {
    pub fn from_env() -> Result<Self, String> {
        let text = std::env::var(ENV_VAR).map_err(|_| {
            format!("the JavaScript engine was started without its {ENV_VAR} bundle")
        })?;
        serde_json::from_str(&text).map_err(|e| format!("the {ENV_VAR} bundle is malformed: {e}"))
    }

    pub fn function(&self, name: &str) -> Result<&FunctionEntry, String> {
        self.functions
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| format!("module {} has no function {name:?}", self.module))
    }

    pub fn source(&self, file: &str) -> Result<&str, String> {
        self.files
            .get(file)
            .map(String::as_str)
            .ok_or_else(|| format!("module {} has no file {file:?}", self.module))
    }
}
