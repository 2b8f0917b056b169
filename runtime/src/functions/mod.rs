//! Function hosting: modules of WebAssembly handlers bound to events, run by
//! wasmtime with per-execution limits.
//!
//! - `manifest` / `patterns` / `limits`: what a module declares.
//! - `engine`: the wasmtime engine and compile cache.
//! - `module`: a deployed module (`LoadedModule`) and one of its functions (`Handler`).
//! - `registry`: the table of deployed modules and the lookups triggers use.
//! - `deploy`: deploy, undeploy, restore: validation, persistence, atomic replacement.
//! - `executor`: one instance per event (fresh, or warm for JavaScript), with limits and failure reports.
//! - `javascript` / `block`: JavaScript modules on the bundled JS engine; `block.json` projects.
//! - `snapshot`: the bundled JS engine, pre-initialised once (Wizer) so fresh instances start warm.
//! - `warm`: the warm instances a JavaScript module keeps between events.
//! - `interval`: the On Interval scheduler.
//! - `host/`: the imports guests call, one file per WIT interface.

pub mod block;
mod deploy;
mod engine;
mod executor;
pub mod host;
mod interval;
pub mod javascript;
pub mod limits;
pub mod logs;
pub mod manifest;
mod module;
pub mod patterns;
mod registry;
mod snapshot;
mod warm;

pub use deploy::{DeployError, ModuleCode};
pub use engine::content_hash;
pub use executor::{BeforeOutcome, ExecutionError, HttpReply, IntervalError};
pub use limits::LimitExceeded;
pub use manifest::{EventKind, Manifest};
pub use module::{FunctionSummary, Handler, LoadedModule, ModuleSummary};

use std::path::Path;
use std::sync::Arc;

use tokio::sync::Semaphore;
use wasmtime::Engine;
use wasmtime::component::Linker;

use self::deploy::Deployments;
use self::engine::CompileCache;
use self::host::HostState;
use self::logs::LogBook;
use self::registry::Registry;
use self::snapshot::EngineSnapshot;

pub struct FunctionHost {
    engine: Engine,
    linker: Linker<HostState>,
    cache: CompileCache,
    registry: Registry,
    deployments: Deployments,
    /// Bounds live instances to the pool's size: callers queue instead of failing.
    slots: Arc<Semaphore>,
    /// The JavaScript engine component every JavaScript module runs on (none:
    /// this build cannot deploy JavaScript).
    js_engine: Option<EngineSnapshot>,
    /// The client every module's `xhr` uses (connection pooling across executions).
    pub http: reqwest::Client,
    pub logs: LogBook,
}

impl FunctionHost {
    pub fn new(data_dir: &Path, js_engine: Option<&'static [u8]>) -> anyhow::Result<Self> {
        let engine = engine::new_engine()?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker)?;
        let cache_dir = data_dir.join("cache");
        Ok(Self {
            cache: CompileCache::new(&engine, &cache_dir)?,
            registry: Registry::default(),
            deployments: Deployments::new(&data_dir.join("modules"))?,
            slots: Arc::new(Semaphore::new(engine::MAX_CONCURRENT_INSTANCES as usize)),
            js_engine: js_engine.map(|source| EngineSnapshot::new(source, &cache_dir)),
            http: reqwest::Client::builder()
                .user_agent(concat!("pigdin/", env!("CARGO_PKG_VERSION")))
                .build()?,
            logs: LogBook::default(),
            engine,
            linker,
        })
    }

    /// The functions bound to `event` on `channel`, in execution order.
    pub fn channel_handlers(&self, event: EventKind, channel: &str) -> Vec<Handler> {
        self.registry.channel_handlers(event, channel)
    }

    /// The On Request function whose path pattern matches `path`.
    pub fn request_handler(&self, path: &str) -> Option<Handler> {
        self.registry.request_handler(path)
    }

    /// A function by module and name.
    pub fn handler(&self, module: &str, function: &str) -> Option<Handler> {
        self.registry.handler(module, function)
    }

    pub fn modules(&self) -> Vec<ModuleSummary> {
        self.registry.summaries()
    }

    pub fn module(&self, name: &str) -> Option<Arc<LoadedModule>> {
        self.registry.get(name)
    }
}
