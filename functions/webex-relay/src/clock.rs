//! Time: the wall clock for token expiry, and the execution's deadline for
//! deciding whether a retry still fits.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The host's default wall-time budget is 10 s; stop retrying with this much
/// left so the handler can still answer or abort with a clear reason.
const BUDGET: Duration = Duration::from_millis(8_500);

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// When this execution must stop waiting.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    /// The deadline of an execution starting now.
    pub fn start() -> Self {
        Self(Instant::now() + BUDGET)
    }

    /// Whether `wait` still fits before the deadline.
    pub fn allows(&self, wait: Duration) -> bool {
        Instant::now() + wait < self.0
    }
}
