//! The wasmtime engine: pooling allocator, copy-on-write memory images,
//! epoch interruption, and an on-disk cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::limits::MAX_MEMORY_MIB;

/// How often the epoch advances: the granularity of wall-time checks and of
/// yielding a busy guest back to the async executor.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Instances that may be alive at once; further executions wait for a slot.
pub const MAX_CONCURRENT_INSTANCES: u32 = 1000;

/// The native stack a guest's wasm frames may use. Wasmtime's default
/// (512 KiB) lets the JavaScript engine's interpreter recurse only ~1,000
/// JS calls deep; 4 MiB gives ~10,000 (node's default is ~11,000) and keeps
/// QuickJS's own stack check (a catchable RangeError) the limit that is hit.
pub(super) const MAX_WASM_STACK_BYTES: usize = 4 * 1024 * 1024;
/// Each execution's fiber stack: the wasm stack above plus room for host calls.
pub(super) const ASYNC_STACK_BYTES: usize = MAX_WASM_STACK_BYTES + 1024 * 1024;

/// Linear memory (and table) kept resident per pool slot between instances.
const KEEP_RESIDENT_BYTES: usize = 2 * 1024 * 1024;
/// Slots whose memory is decommitted in one batch.
const DECOMMIT_BATCH: usize = 32;

pub fn new_engine() -> anyhow::Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(MAX_CONCURRENT_INSTANCES)
        .total_core_instances(MAX_CONCURRENT_INSTANCES * 4)
        .total_memories(MAX_CONCURRENT_INSTANCES * 2)
        .total_tables(MAX_CONCURRENT_INSTANCES * 4)
        .total_stacks(MAX_CONCURRENT_INSTANCES)
        .max_memory_size(MAX_MEMORY_MIB as usize * 1024 * 1024)
        // Reset reused slots by scanning and rewriting only the pages a guest
        // touched (where the kernel allows), and batch the rest of the
        // decommits: both keep a fresh instance per event cheap.
        .pagemap_scan(wasmtime::Enabled::Auto)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES)
        .decommit_batch_size(DECOMMIT_BATCH);
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .memory_init_cow(true)
        .max_wasm_stack(MAX_WASM_STACK_BYTES)
        .async_stack_size(ASYNC_STACK_BYTES)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    // `PIGDIN_PERFMAP=1` names guest code for `perf` (/tmp/perf-<pid>.map), to profile a module.
    if std::env::var_os("PIGDIN_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    let engine = Engine::new(&config)
        .map_err(anyhow::Error::from)
        .context("cannot create the wasmtime engine")?;
    start_epoch_ticker(&engine);
    Ok(engine)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] for as long as the engine lives.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("pigdin-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawn epoch thread");
}

/// Compiled components on disk, keyed by the component's hash and the
/// engine's compatibility hash (wasmtime version and settings).
pub struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    pub fn new(engine: &Engine, dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create cache directory {}", dir.display()))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(Self {
            dir: dir.to_owned(),
            engine_key: format!("{:016x}", hasher.finish()),
        })
    }

    /// Loads the compiled form of `wasm` from the cache, compiling (and
    /// caching) it on a miss. Compilation runs on the blocking pool.
    pub async fn load(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<Component> {
        let path = self
            .dir
            .join(format!("{}-{}.cwasm", content_hash(wasm), self.engine_key));
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of an engine
            // with the same compatibility hash, into our own data directory.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable compile cache entry")
                }
            }
        }
        let (engine, wasm) = (engine.clone(), wasm.to_vec());
        let component = tokio::task::spawn_blocking(move || Component::new(&engine, &wasm))
            .await?
            .map_err(|e| anyhow::anyhow!("not a valid WebAssembly component: {e:#}"))?;
        let bytes = component
            .serialize()
            .map_err(|e| anyhow::anyhow!("cannot serialize compiled component: {e}"))?;
        let tmp = path.with_extension("tmp");
        if let Err(e) = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &path)) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write compile cache entry");
        }
        Ok(component)
    }
}

/// Hex SHA-256 of a component, shortened: its version identity.
pub fn content_hash(wasm: &[u8]) -> String {
    hex::encode(&Sha256::digest(wasm)[..8])
}
