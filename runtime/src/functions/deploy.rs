//! The deploy lifecycle: validate, compile and check a module, persist it
//! under `data_dir/modules`, swap it into the registry and (re)start its
//! interval functions; undeploy; restore at start-up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::task::AbortHandle;

use super::FunctionHost;
use super::engine::content_hash;
use super::host::ModulePre;
use super::javascript::{self, Sources};
use super::manifest::{EventKind, Manifest};
use super::module::{LoadedModule, ModuleSummary};
use super::warm::WarmPool;
use crate::Runtime;

/// What a module runs: a component of its own, or JavaScript on the bundled engine.
#[derive(Clone, Copy)]
pub enum ModuleCode<'a> {
    Component(&'a [u8]),
    JavaScript(&'a Sources),
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The module itself is wrong: the user must change it.
    #[error("{0}")]
    Rejected(String),
    /// The manifest is wrong: the user must change it.
    #[error(transparent)]
    Manifest(#[from] super::manifest::ManifestError),
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

/// The deploy side's own state: where modules are persisted, the running
/// interval tasks, and the lock that makes changes one at a time.
pub(super) struct Deployments {
    intervals: Mutex<HashMap<String, Vec<AbortHandle>>>,
    /// Deploys and undeploys happen one at a time.
    changes: tokio::sync::Mutex<()>,
    dir: PathBuf,
}

impl Deployments {
    pub(super) fn new(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create module directory {}", dir.display()))?;
        Ok(Self {
            intervals: Mutex::default(),
            changes: tokio::sync::Mutex::new(()),
            dir: dir.to_owned(),
        })
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
        let _one_at_a_time = self.deployments.changes.lock().await;
        let module = self
            .load(runtime, manifest_text, code, bundled, now_ms())
            .await?;
        self.deployments.persist(&module, code)?;
        let name = module.name.clone();
        self.install(runtime, module);
        tracing::info!(module = %name, "deployed");
        Ok(self.registry.get(&name).expect("just installed").summary())
    }

    /// Removes a module; its KV data and secrets stay. False when it was not deployed.
    pub async fn undeploy(&self, name: &str) -> anyhow::Result<bool> {
        let _one_at_a_time = self.deployments.changes.lock().await;
        self.deployments.stop_intervals(name);
        let existed = self.registry.remove(name);
        let (manifest, component, meta) = self.deployments.files(name);
        for path in [
            meta,
            manifest,
            component,
            self.deployments.sources_file(name),
        ] {
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
        let mut names: Vec<String> = std::fs::read_dir(&self.deployments.dir)?
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
        let (manifest, component, meta) = self.deployments.files(name);
        let persisted: Persisted = serde_json::from_slice(&std::fs::read(&meta)?)?;
        let manifest_text = std::fs::read_to_string(&manifest)?;
        let sources_file = self.deployments.sources_file(name);
        let (wasm, sources): (Vec<u8>, Option<Sources>) = if sources_file.exists() {
            let sources = serde_json::from_slice(&std::fs::read(&sources_file)?)?;
            (Vec::new(), Some(sources))
        } else {
            let wasm = std::fs::read(&component)?;
            anyhow::ensure!(
                content_hash(&wasm) == persisted.version,
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
        let manifest = Manifest::parse(manifest_text)?;
        let functions = manifest.resolve()?;
        self.registry
            .check_paths(&manifest.name, &functions)
            .map_err(DeployError::Rejected)?;
        // The JS engine's snapshot, which `wasm` borrows for a JavaScript module.
        let snapshot: Arc<[u8]>;
        let (wasm, version, javascript) = match code {
            ModuleCode::Component(wasm) => {
                if manifest.is_javascript() {
                    return Err(DeployError::Rejected(
                        "module.toml names JavaScript `source` files but a component was deployed; deploy the directory with `pigdin deploy DIR`".into(),
                    ));
                }
                (wasm, content_hash(wasm), None)
            }
            ModuleCode::JavaScript(sources) => {
                if !manifest.is_javascript() {
                    return Err(DeployError::Rejected(
                        "JavaScript files were deployed but no function in module.toml names a `source = \"file.js\"`".into(),
                    ));
                }
                let engine = self.js_engine.as_ref().ok_or_else(|| {
                    DeployError::Rejected(
                        "this pigdin was built without the JavaScript engine, so it cannot run JavaScript modules".into(),
                    )
                })?;
                javascript::check(&functions, sources).map_err(DeployError::Rejected)?;
                let bundle =
                    javascript::bundle(&manifest.name, &functions, sources, &runtime.config);
                snapshot = engine
                    .get(runtime)
                    .await
                    .map_err(|e| DeployError::Rejected(format!("{e:#}")))?;
                (
                    &*snapshot,
                    javascript::version(engine.source, sources),
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
                        .map(|f| format!("{} ({})", f.name, EventKind::from(f.kind)))
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
                Some(f) if EventKind::from(f.kind) != spec.event => {
                    return Err(DeployError::Rejected(format!(
                        "module.toml binds function {:?} as {} but the component implements it as {}",
                        spec.name,
                        spec.event,
                        EventKind::from(f.kind)
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
        self.deployments.stop_intervals(&name);
        self.registry.insert(module.clone());
        let tasks = super::interval::start(runtime, &module);
        self.deployments.intervals.lock().insert(name, tasks);
    }
}
