//! The host side of the WIT world: the per-execution state every import sees,
//! and one file per imported interface (named after it).

mod kvstore;
mod log;
mod pubnub;
pub(super) mod types;
mod vault;
mod xhr;

use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::{Budget, Budgeted, Limit, LimitExceeded, Limits};
use crate::Runtime;
use crate::store::KvNamespace;

wasmtime::component::bindgen!({
    path: "wit",
    world: "module",
    imports: { default: async | trappable },
    exports: { default: async },
});

/// How much a guest may print to stderr (panic messages) before it is cut.
const STDERR_CAPACITY: usize = 16 * 1024;

/// Everything one execution's imports can reach.
pub struct HostState {
    pub runtime: Arc<Runtime>,
    pub module: Arc<str>,
    pub function: Arc<str>,
    pub limits: Limits,
    pub allowed_hosts: Option<Arc<[String]>>,
    pub budget: Budget,
    pub deadline: Instant,
    /// Chaining depth of the message that triggered this execution (0 for external events).
    pub hops: u8,
    pub kv: KvNamespace,
    pub stderr: MemoryOutputPipe,
    /// The guest's linear memory as last grown, in bytes (a warm instance's footprint).
    pub memory_bytes: usize,
    store_limits: StoreLimits,
    wasi: WasiCtx,
    table: ResourceTable,
}

impl HostState {
    pub fn new(
        runtime: Arc<Runtime>,
        module: Arc<str>,
        function: Arc<str>,
        limits: Limits,
        allowed_hosts: Option<Arc<[String]>>,
        hops: u8,
        javascript: Option<&str>,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        // Guests get no arguments, files or sockets: only stderr, collected so
        // a panic message can be logged, and — for the JavaScript engine — the
        // module's bundle in its environment.
        let mut wasi = WasiCtx::builder();
        wasi.stderr(stderr.clone());
        if let Some(bundle) = javascript {
            wasi.env(super::javascript::BUNDLE_ENV, bundle);
        }
        let wasi = wasi.build();
        let kv = runtime.store.kv.namespace(
            &module,
            limits.max_key_len as usize,
            limits.max_value_len as usize,
        );
        let store_limits = wasmtime::StoreLimitsBuilder::new()
            .memory_size(limits.memory_mib as usize * 1024 * 1024)
            .trap_on_grow_failure(true)
            .build();
        Self {
            runtime,
            module,
            function,
            deadline: Instant::now() + limits.wall_time(),
            limits,
            allowed_hosts,
            budget: Budget::default(),
            hops,
            kv,
            stderr,
            memory_bytes: 0,
            store_limits,
            wasi,
            table: ResourceTable::new(),
        }
    }

    /// Readies a warm instance's state for its next execution: a fresh
    /// deadline and budget, and the new event's chaining depth.
    pub fn begin(&mut self, hops: u8) {
        self.deadline = Instant::now() + self.limits.wall_time();
        self.budget = Budget::default();
        self.hops = hops;
    }

    /// Counts a budgeted call; over budget, the execution traps with the reason.
    fn spend(&mut self, kind: Budgeted) -> wasmtime::Result<()> {
        self.budget
            .spend(kind, &self.limits)
            .map_err(wasmtime::Error::new)
    }

    /// Runs a host call, trapping if it would outlive the execution's deadline.
    /// The returned future does not borrow the state (which is not `Sync`).
    fn bounded<T, F: Future<Output = T>>(
        &self,
        what: &'static str,
        call: F,
    ) -> impl Future<Output = wasmtime::Result<T>> + use<T, F> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let exceeded = LimitExceeded::new(Limit::WallTime, &self.limits).during(what);
        async move {
            tokio::time::timeout(remaining, call)
                .await
                .map_err(|_| wasmtime::Error::new(exceeded))
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.memory_bytes = desired;
        self.store_limits
            .memory_growing(current, desired, maximum)
            .map_err(|_| wasmtime::Error::new(LimitExceeded::new(Limit::Memory, &self.limits)))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.store_limits.table_growing(current, desired, maximum)
    }
}

/// Links the world's imports (and the WASI a Rust guest's std needs) for `HostState`.
pub fn add_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    Module::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |state| {
        state
    })
}
