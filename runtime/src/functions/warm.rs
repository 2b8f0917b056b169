//! Warm instances of a JavaScript module: an instance whose execution ended
//! well is kept, per function, and reused for the next event, so the engine,
//! the module's top-level code and its module-level state persist between
//! invocations of the same deployed version (as hosted PubNub's isolates do).
//! The pool lives inside the `LoadedModule`, so nothing is ever shared
//! between modules or versions: a redeploy starts from fresh instances, and
//! the old version's pool goes when its last execution ends. Component
//! (Rust) modules keep a fresh instance per event and have no pool.

use parking_lot::Mutex;
use tokio::sync::OwnedSemaphorePermit;
use wasmtime::Store;

use super::host::{HostState, Module};

/// Idle instances kept per function. A fresh JavaScript instance costs
/// milliseconds (BENCHMARKS.md), so under 64 concurrent requests a pool of 4
/// kept missing and halved throughput; 16 warm instances of ~1.6 MiB each
/// bound a hot function's idle memory at ~25 MiB.
const IDLE_PER_FUNCTION: usize = 16;

/// A live instance and the permit holding its pool slot.
pub(super) struct Live {
    pub store: Store<HostState>,
    pub instance: Module,
    pub _slot: OwnedSemaphorePermit,
}

pub(super) struct WarmPool {
    /// One list per function of the module; empty when the module has no pool.
    idle: Vec<Mutex<Vec<Live>>>,
}

impl WarmPool {
    pub fn new(functions: usize, enabled: bool) -> Self {
        Self {
            idle: if enabled {
                (0..functions).map(|_| Mutex::default()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// An idle instance of function `index`, if one is warm.
    pub fn take(&self, index: usize) -> Option<Live> {
        self.idle.get(index)?.lock().pop()
    }

    /// Keeps an instance whose execution ended well (or drops it when the
    /// pool is full or the module has none).
    pub fn put(&self, index: usize, live: Live) {
        if let Some(idle) = self.idle.get(index) {
            let mut idle = idle.lock();
            if idle.len() < IDLE_PER_FUNCTION {
                idle.push(live);
            }
        }
    }

    pub fn clear(&self) {
        for idle in &self.idle {
            idle.lock().clear();
        }
    }

    /// The largest linear memory among the idle instances, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.idle
            .iter()
            .flat_map(|i| i.lock().iter().map(|l| l.store.data().memory_bytes).max())
            .max()
            .unwrap_or(0)
    }
}
