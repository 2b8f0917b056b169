//! Deployed modules. The set of modules is an immutable map behind a lock
//! that is only held to swap it: a deploy builds the new module completely,
//! then replaces the map, so executions in flight finish on the code they
//! started with. Deployed modules are persisted under `data_dir/modules`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use tokio::task::AbortHandle;

use super::FunctionHost;
use super::host::{ModulePre, WitEventKind};
use super::javascript::{self, Sources};
use super::manifest::{Binding, EventKind, FunctionSpec, Manifest};
use super::warm::WarmPool;
use crate::Runtime;

/// What a module runs: a component of its own, or JavaScript on the bundled engine.
#[derive(Clone, Copy)]
pub enum ModuleCode<'a> {
    Component(&'a [u8]),
    JavaScript(&'a Sources),
}

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
    pub(super) pre: ModulePre<super::host::HostState>,
    /// A JavaScript module's bundle (what its engine instances load).
    pub(super) javascript: Option<Arc<str>>,
    /// A JavaScript module's warm instances.
    pub(super) warm: WarmPool,
}

impl LoadedModule {
    pub fn is_javascript(&self) -> bool {
        self.javascript.is_some()
    }

    /// Instances kept warm between events right now.
    pub fn warm_instances(&self) -> usize {
        self.warm.idle()
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

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The module itself is wrong: the user must change it.
    #[error("{0}")]
    Rejected(String),
    #[error("deploy failed: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// What is written to disk beside the manifest and component.
#[derive(Serialize, Deserialize)]
struct Persisted {
    version: String,
    deployed_at_ms: u64,
    bundled: bool,
}

pub(super) struct Registry {
    modules: RwLock<Arc<BTreeMap<String, Arc<LoadedModule>>>>,
    intervals: Mutex<HashMap<String, Vec<AbortHandle>>>,
    /// Deploys and undeploys happen one at a time.
    changes: tokio::sync::Mutex<()>,
    dir: PathBuf,
}

impl Registry {
    pub(super) fn new(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create module directory {}", dir.display()))?;
        Ok(Self {
            modules: RwLock::default(),
            intervals: Mutex::default(),
            changes: tokio::sync::Mutex::new(()),
            dir: dir.to_owned(),
        })
    }

    fn snapshot(&self) -> Arc<BTreeMap<String, Arc<LoadedModule>>> {
        self.modules.read().clone()
    }

    pub(super) fn get(&self, name: &str) -> Option<Arc<LoadedModule>> {
        self.snapshot().get(name).cloned()
    }

    /// Handlers in module-name order, then manifest order.
    pub(super) fn channel_handlers(&self, event: EventKind, channel: &str) -> Vec<Handler> {
        let mut found = Vec::new();
        for module in self.snapshot().values() {
            for (index, spec) in module.functions.iter().enumerate() {
                if spec.event == event
                    && let Binding::Channels(patterns) = &spec.binding
                    && patterns.iter().any(|p| p.matches(channel))
                {
                    found.push(Handler {
                        module: module.clone(),
                        index,
                    });
                }
            }
        }
        found
    }

    pub(super) fn request_handler(&self, path: &str) -> Option<Handler> {
        self.find(|spec| matches!(&spec.binding, Binding::Path(p) if p.matches(path)))
    }

    pub(super) fn handler(&self, module: &str, function: &str) -> Option<Handler> {
        let module = self.get(module)?;
        let index = module.functions.iter().position(|f| f.name == function)?;
        Some(Handler { module, index })
    }

    fn find(&self, wanted: impl Fn(&FunctionSpec) -> bool) -> Option<Handler> {
        self.snapshot().values().find_map(|module| {
            let index = module.functions.iter().position(&wanted)?;
            Some(Handler {
                module: module.clone(),
                index,
            })
        })
    }

    pub(super) fn summaries(&self) -> Vec<ModuleSummary> {
        self.snapshot()
            .values()
            .map(|m| ModuleSummary {
                name: m.name.clone(),
                version: m.version.clone(),
                language: if m.is_javascript() {
                    "javascript"
                } else {
                    "component"
                }
                .into(),
                deployed_at_ms: m.deployed_at_ms,
                bundled: m.bundled,
                allowed_hosts: m.allowed_hosts.as_ref().map(|h| h.to_vec()),
                functions: m
                    .functions
                    .iter()
                    .map(|f| FunctionSummary {
                        name: f.name.clone(),
                        event: f.event,
                        binding: f.binding.to_string(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Checks that no other module's On Request path overlaps this one's.
    fn check_paths(&self, candidate: &str, functions: &[FunctionSpec]) -> Result<(), String> {
        for other in self.snapshot().values().filter(|m| m.name != candidate) {
            for mine in functions {
                let Binding::Path(path) = &mine.binding else {
                    continue;
                };
                for theirs in &other.functions {
                    if let Binding::Path(their_path) = &theirs.binding
                        && path.overlaps(their_path)
                    {
                        return Err(format!(
                            "on-request path /{} of function {:?} overlaps /{} of {}/{}; choose a distinct path",
                            path.as_str(),
                            mine.name,
                            their_path.as_str(),
                            other.name,
                            theirs.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn files(&self, name: &str) -> (PathBuf, PathBuf, PathBuf) {
        (
            self.dir.join(format!("{name}.toml")),
            self.dir.join(format!("{name}.wasm")),
            self.dir.join(format!("{name}.json")),
        )
    }

    /// Where a JavaScript module's files are kept (one JSON map of name → source).
    fn sources_file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.js.json"))
    }

    /// Writes the module's files; the metadata file goes last and names the
    /// code's hash, so a torn write is detected on restore. A module keeps
    /// either a component or JavaScript sources: the other is removed.
    fn persist(&self, module: &LoadedModule, code: ModuleCode<'_>) -> anyhow::Result<()> {
        let (manifest, component, meta) = self.files(&module.name);
        let sources = self.sources_file(&module.name);
        match code {
            ModuleCode::Component(wasm) => {
                write_atomically(&component, wasm)?;
                remove_if_present(&sources)?;
            }
            ModuleCode::JavaScript(files) => {
                write_atomically(&sources, &serde_json::to_vec(files)?)?;
                remove_if_present(&component)?;
            }
        }
        write_atomically(&manifest, module.manifest_text.as_bytes())?;
        let persisted = Persisted {
            version: module.version.clone(),
            deployed_at_ms: module.deployed_at_ms,
            bundled: module.bundled,
        };
        write_atomically(&meta, &serde_json::to_vec_pretty(&persisted)?)
    }

    fn stop_intervals(&self, name: &str) {
        for task in self.intervals.lock().remove(name).unwrap_or_default() {
            task.abort();
        }
    }
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn wit_kind(kind: WitEventKind) -> EventKind {
    match kind {
        WitEventKind::BeforePublish => EventKind::BeforePublish,
        WitEventKind::AfterPublish => EventKind::AfterPublish,
        WitEventKind::BeforeSignal => EventKind::BeforeSignal,
        WitEventKind::AfterSignal => EventKind::AfterSignal,
        WitEventKind::AfterPresence => EventKind::AfterPresence,
        WitEventKind::OnRequest => EventKind::OnRequest,
        WitEventKind::OnInterval => EventKind::OnInterval,
    }
}

impl FunctionHost {
    /// Validates, compiles and installs a module, replacing any older version
    /// atomically. On any error the running version is untouched.
    pub async fn deploy(
        &self,
        runtime: &Arc<Runtime>,
        manifest_text: &str,
        wasm: &[u8],
        bundled: bool,
    ) -> Result<ModuleSummary, DeployError> {
        self.deploy_code(runtime, manifest_text, ModuleCode::Component(wasm), bundled)
            .await
    }

    /// Deploys a component or JavaScript module; see [`Self::deploy`].
    pub async fn deploy_code(
        &self,
        runtime: &Arc<Runtime>,
        manifest_text: &str,
        code: ModuleCode<'_>,
        bundled: bool,
    ) -> Result<ModuleSummary, DeployError> {
        let _one_at_a_time = self.registry.changes.lock().await;
        let module = self
            .load(runtime, manifest_text, code, bundled, now_ms())
            .await?;
        self.registry.persist(&module, code)?;
        let name = module.name.clone();
        self.install(runtime, module);
        tracing::info!(module = %name, "deployed");
        Ok(self
            .registry
            .summaries()
            .into_iter()
            .find(|m| m.name == name)
            .expect("just installed"))
    }

    /// Removes a module; its KV data and secrets stay. False when it was not deployed.
    pub async fn undeploy(&self, name: &str) -> anyhow::Result<bool> {
        let _one_at_a_time = self.registry.changes.lock().await;
        self.registry.stop_intervals(name);
        let existed = {
            let mut modules = self.registry.modules.write();
            let mut next = (**modules).clone();
            let existed = next.remove(name).is_some();
            *modules = Arc::new(next);
            existed
        };
        let (manifest, component, meta) = self.registry.files(name);
        for path in [meta, manifest, component, self.registry.sources_file(name)] {
            remove_if_present(&path)?;
        }
        if existed {
            tracing::info!(module = name, "undeployed");
        }
        Ok(existed)
    }

    /// Loads every module persisted in the data directory (at start-up).
    pub async fn restore(&self, runtime: &Arc<Runtime>) -> anyhow::Result<Vec<String>> {
        let mut restored = Vec::new();
        let mut names: Vec<String> = std::fs::read_dir(&self.registry.dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect();
        names.sort();
        for name in names {
            match self.restore_one(runtime, &name).await {
                Ok(()) => restored.push(name),
                Err(e) => {
                    tracing::error!(module = %name, error = %format!("{e:#}"), "cannot restore deployed module; deploy it again")
                }
            }
        }
        Ok(restored)
    }

    async fn restore_one(&self, runtime: &Arc<Runtime>, name: &str) -> anyhow::Result<()> {
        let (manifest, component, meta) = self.registry.files(name);
        let persisted: Persisted = serde_json::from_slice(&std::fs::read(&meta)?)?;
        let manifest_text = std::fs::read_to_string(&manifest)?;
        let sources_file = self.registry.sources_file(name);
        let (wasm, sources): (Vec<u8>, Option<Sources>) = if sources_file.exists() {
            (
                Vec::new(),
                Some(serde_json::from_slice(&std::fs::read(&sources_file)?)?),
            )
        } else {
            let wasm = std::fs::read(&component)?;
            anyhow::ensure!(
                super::content_hash(&wasm) == persisted.version,
                "component file does not match its recorded version (interrupted deploy?)"
            );
            (wasm, None)
        };
        let code = match &sources {
            Some(files) => ModuleCode::JavaScript(files),
            None => ModuleCode::Component(&wasm),
        };
        let module = self
            .load(
                runtime,
                &manifest_text,
                code,
                persisted.bundled,
                persisted.deployed_at_ms,
            )
            .await?;
        self.install(runtime, module);
        Ok(())
    }

    /// Whether a bundled module should be (re)deployed: absent, or an older
    /// bundled version. A user's own deploy of the same name is left alone.
    pub fn wants_bundled(&self, name: &str, version: &str) -> bool {
        match self.registry.get(name) {
            None => true,
            Some(existing) => existing.bundled && existing.version != version,
        }
    }

    async fn load(
        &self,
        runtime: &Arc<Runtime>,
        manifest_text: &str,
        code: ModuleCode<'_>,
        bundled: bool,
        deployed_at_ms: u64,
    ) -> Result<LoadedModule, DeployError> {
        let manifest = Manifest::parse(manifest_text).map_err(DeployError::Rejected)?;
        let functions = manifest.resolve().map_err(DeployError::Rejected)?;
        self.registry
            .check_paths(&manifest.name, &functions)
            .map_err(DeployError::Rejected)?;
        let (wasm, version, javascript) = match code {
            ModuleCode::Component(wasm) => {
                if manifest.is_javascript() {
                    return Err(DeployError::Rejected(
                        "module.toml names JavaScript `source` files but a component was deployed; deploy the directory with `pigdin deploy DIR`".into(),
                    ));
                }
                (wasm, super::content_hash(wasm), None)
            }
            ModuleCode::JavaScript(sources) => {
                if !manifest.is_javascript() {
                    return Err(DeployError::Rejected(
                        "JavaScript files were deployed but no function in module.toml names a `source = \"file.js\"`".into(),
                    ));
                }
                let engine = self.js_engine.ok_or_else(|| {
                    DeployError::Rejected(
                        "this pigdin was built without the JavaScript engine, so it cannot run JavaScript modules".into(),
                    )
                })?;
                javascript::check(&functions, sources).map_err(DeployError::Rejected)?;
                let bundle =
                    javascript::bundle(&manifest.name, &functions, sources, &runtime.config);
                (
                    engine,
                    javascript::version(engine, sources),
                    Some(bundle.into()),
                )
            }
        };
        let component = self
            .cache
            .load(&self.engine, wasm)
            .await
            .map_err(|e| DeployError::Rejected(format!("{e:#}")))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(ModulePre::new)
            .map_err(|e| {
                DeployError::Rejected(format!(
                    "the component does not fit pigdin's `module` world (build it with the pigdin-sdk crate): {e:#}"
                ))
            })?;
        let module = LoadedModule {
            name: manifest.name.clone(),
            version,
            manifest_text: manifest_text.to_owned(),
            warm: WarmPool::new(functions.len(), javascript.is_some()),
            functions,
            allowed_hosts: manifest.allowed_hosts.clone().map(Into::into),
            deployed_at_ms,
            bundled,
            pre,
            javascript,
        };
        let exported = self
            .describe_component(runtime, &module)
            .await
            .map_err(|e| {
                DeployError::Rejected(if module.is_javascript() {
                    format!("the module's JavaScript does not load: {e}")
                } else {
                    format!("the component's `describe` export failed: {e}")
                })
            })?;
        for spec in &module.functions {
            match exported.iter().find(|f| f.name == spec.name) {
                None => {
                    let available: Vec<String> = exported
                        .iter()
                        .map(|f| format!("{} ({})", f.name, wit_kind(f.kind)))
                        .collect();
                    return Err(DeployError::Rejected(format!(
                        "module.toml declares function {:?} but the component does not implement it (it implements: {})",
                        spec.name,
                        if available.is_empty() {
                            "nothing".into()
                        } else {
                            available.join(", ")
                        }
                    )));
                }
                Some(f) if wit_kind(f.kind) != spec.event => {
                    return Err(DeployError::Rejected(format!(
                        "module.toml binds function {:?} as {} but the component implements it as {}",
                        spec.name,
                        spec.event,
                        wit_kind(f.kind)
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(module)
    }

    /// Swaps the module in and (re)starts its interval functions.
    fn install(&self, runtime: &Arc<Runtime>, module: LoadedModule) {
        let module = Arc::new(module);
        let name = module.name.clone();
        self.registry.stop_intervals(&name);
        {
            let mut modules = self.registry.modules.write();
            let mut next = (**modules).clone();
            next.insert(name.clone(), module.clone());
            *modules = Arc::new(next);
        }
        let tasks = super::interval::start(runtime, &module);
        self.registry.intervals.lock().insert(name, tasks);
    }
}
