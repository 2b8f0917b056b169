//! A deployed module as the host holds it: its functions, its compiled
//! component ready to instantiate, and the summary `pigdin functions` shows.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::host::{HostState, ModulePre};
use super::manifest::{EventKind, FunctionSpec};
use super::warm::WarmPool;

pub struct LoadedModule {
    pub name: String,
    /// Short content hash of the component.
    pub version: String,
    pub manifest_text: String,
    pub functions: Vec<FunctionSpec>,
    pub allowed_hosts: Option<Arc<[String]>>,
    pub deployed_at_ms: u64,
    /// Deployed by `pigdin serve` from the binary, not by a user.
    pub bundled: bool,
    pub(super) pre: ModulePre<HostState>,
    /// A JavaScript module's bundle (what its engine instances load).
    pub(super) javascript: Option<Arc<str>>,
    /// A JavaScript module's warm instances.
    pub(super) warm: WarmPool,
}

/// One function of one module, as found by a trigger.
#[derive(Clone)]
pub struct Handler {
    pub module: Arc<LoadedModule>,
    pub index: usize,
}

impl Handler {
    pub fn spec(&self) -> &FunctionSpec {
        &self.module.functions[self.index]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleSummary {
    pub name: String,
    pub version: String,
    /// `javascript` or `component`.
    #[serde(default)]
    pub language: String,
    pub deployed_at_ms: u64,
    pub bundled: bool,
    pub allowed_hosts: Option<Vec<String>>,
    pub functions: Vec<FunctionSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionSummary {
    pub name: String,
    pub event: EventKind,
    pub binding: String,
}

impl LoadedModule {
    pub fn is_javascript(&self) -> bool {
        self.javascript.is_some()
    }

    /// The largest linear memory of a warm instance, in bytes (0 when none is warm).
    pub fn warm_memory_bytes(&self) -> usize {
        self.warm.memory_bytes()
    }

    /// Drops the warm instances, so the next event starts a fresh one (the
    /// benchmarks measure that first call).
    pub fn cool(&self) {
        self.warm.clear();
    }

    pub fn summary(&self) -> ModuleSummary {
        ModuleSummary {
            name: self.name.clone(),
            version: self.version.clone(),
            language: if self.is_javascript() {
                "javascript"
            } else {
                "component"
            }
            .into(),
            deployed_at_ms: self.deployed_at_ms,
            bundled: self.bundled,
            allowed_hosts: self.allowed_hosts.as_ref().map(|h| h.to_vec()),
            functions: self
                .functions
                .iter()
                .map(|f| FunctionSummary {
                    name: f.name.clone(),
                    event: f.event,
                    binding: f.binding.to_string(),
                })
                .collect(),
        }
    }
}
