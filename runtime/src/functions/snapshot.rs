//! The bundled JavaScript engine and its snapshot. Starting QuickJS and
//! evaluating the JS layer (`prelude.js`) is most of a JavaScript instance's
//! cold start, and the same for every module, so it is done once: the
//! engine's `wizer-initialize` export runs in a throwaway instance and Wizer
//! rewrites the component with the resulting memory as its initial state.
//! Every JavaScript instance is then instantiated from that snapshot (a
//! copy-on-write mapping) and only reads its bundle and loads its files.
//!
//! The snapshot is a component like any other, kept beside the compile cache
//! under the engine's hash, so a restart neither re-runs nor recompiles it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use tokio::sync::OnceCell;
use wasmtime::component::{Component, Instance, Lift, Linker, WasmList};
use wasmtime::{Config, Engine, OptLevel, Store};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use super::engine::{ASYNC_STACK_BYTES, MAX_WASM_STACK_BYTES, content_hash};
use super::host::HostState;
use super::limits::Limits;
use crate::Runtime;

/// Bumped when what the engine's initialisation does changes in a way its
/// bytes do not show (they always do today; this guards the file format).
const SNAPSHOT_FORMAT: u32 = 1;

pub struct EngineSnapshot {
    /// The engine component as built (`functions/js`): a JavaScript module's
    /// version is reckoned from these bytes, whatever the snapshot holds.
    pub source: &'static [u8],
    path: PathBuf,
    snapshot: OnceCell<Arc<[u8]>>,
}

impl EngineSnapshot {
    pub fn new(source: &'static [u8], cache_dir: &Path) -> Self {
        Self {
            source,
            path: cache_dir.join(format!(
                "js-engine-{}-snapshot-{SNAPSHOT_FORMAT}.wasm",
                content_hash(source)
            )),
            snapshot: OnceCell::new(),
        }
    }

    /// The pre-initialised engine component: read from the cache, or made
    /// now (once per process; seconds, mostly compiling).
    pub async fn get(&self, runtime: &Arc<Runtime>) -> anyhow::Result<Arc<[u8]>> {
        self.snapshot
            .get_or_try_init(|| async {
                if let Ok(bytes) = std::fs::read(&self.path) {
                    return Ok(bytes.into());
                }
                let started = Instant::now();
                let bytes = self
                    .make(runtime)
                    .await
                    .context("cannot pre-initialise the JavaScript engine")?;
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    bytes = bytes.len(),
                    "pre-initialised the JavaScript engine"
                );
                let tmp = self.path.with_extension("tmp");
                if let Err(e) =
                    std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, &self.path))
                {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot cache the JavaScript engine's snapshot");
                }
                Ok(bytes.into())
            })
            .await
            .cloned()
    }

    async fn make(&self, runtime: &Arc<Runtime>) -> anyhow::Result<Vec<u8>> {
        let engine = &initialisation_engine()?;
        let mut linker = Linker::new(engine);
        super::host::add_to_linker(&mut linker).map_err(anyhow::Error::from)?;
        let mut wizer = Wizer::new();
        // Wizer drops the init function's core export but not the component's
        // lift of it, which would leave the rewritten component invalid; the
        // engine's initialisation is idempotent, so keeping it is harmless.
        wizer.keep_init_func(true);
        let (context, instrumented) = wizer
            .instrument_component(self.source)
            .map_err(anyhow::Error::from)?;
        let component = {
            let engine = engine.clone();
            tokio::task::spawn_blocking(move || Component::new(&engine, &instrumented))
                .await?
                .map_err(anyhow::Error::from)?
        };
        // The initialisation sees no bundle: it must not depend on a module.
        let limits = Limits::default();
        let state = HostState::new(
            runtime.clone(),
            "pigdin-js".into(),
            "wizer-initialize".into(),
            limits,
            None,
            0,
            None,
        );
        let mut store = Store::new(engine, state);
        store.limiter(|state| state);
        let instance = linker
            .instantiate_async(&mut store, &component)
            .await
            .map_err(anyhow::Error::from)?;
        let initialize = instance
            .get_typed_func::<(), ()>(&mut store, wizer.get_init_func())
            .map_err(anyhow::Error::from)?;
        initialize
            .call_async(&mut store, ())
            .await
            .map_err(anyhow::Error::from)
            .with_context(|| {
                let stderr = String::from_utf8_lossy(&store.data().stderr.contents()).into_owned();
                format!("its `wizer-initialize` failed: {stderr}")
            })?;
        let snapshot = wizer
            .snapshot_component(
                &context,
                &mut Snapshotting {
                    store: &mut store,
                    instance,
                },
            )
            .await
            .map_err(anyhow::Error::from)?;
        Ok(snapshot)
    }
}

/// The engine the instrumented component runs on, once: compiled without
/// optimisation, since it runs for milliseconds and compiling it is half the
/// snapshot's cost; allocated on demand, outside the executions' pool.
fn initialisation_engine() -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .cranelift_opt_level(OptLevel::None)
        .max_wasm_stack(MAX_WASM_STACK_BYTES)
        .async_stack_size(ASYNC_STACK_BYTES);
    Engine::new(&config).map_err(anyhow::Error::from)
}

/// What Wizer reads the initialised state through: the accessor functions
/// its instrumentation exported from the component.
struct Snapshotting<'a> {
    store: &'a mut Store<HostState>,
    instance: Instance,
}

impl Snapshotting<'_> {
    async fn call<R: Lift + Send + Sync + 'static, T>(
        &mut self,
        interface: &str,
        func: &str,
        read: impl FnOnce(&Store<HostState>, R) -> T,
    ) -> T {
        // The accessors are Wizer's own, added by its instrumentation: if one
        // is missing or traps, the snapshot cannot be taken at all.
        let (_, exported) = self
            .instance
            .get_export(&mut *self.store, None, interface)
            .unwrap_or_else(|| panic!("wizer's instrumentation exports {interface}"));
        let (_, index) = self
            .instance
            .get_export(&mut *self.store, Some(&exported), func)
            .unwrap_or_else(|| panic!("wizer's instrumentation exports {interface}#{func}"));
        let accessor = self
            .instance
            .get_typed_func::<(), (R,)>(&mut *self.store, index)
            .expect("wizer's accessor has the type it declares");
        let (value,) = accessor
            .call_async(&mut *self.store, ())
            .await
            .expect("wizer's accessor runs");
        read(self.store, value)
    }
}

impl ComponentInstanceState for Snapshotting<'_> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        self.call(instance, func, |store, list: WasmList<u8>| {
            contents(list.as_le_slice(store))
        })
        .await
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, value| value).await
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, value| value).await
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, value: f32| value.to_bits())
            .await
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, value: f64| value.to_bits())
            .await
    }
}
