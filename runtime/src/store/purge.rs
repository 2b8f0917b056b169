//! Expiry sweeps: stores whose entries carry a TTL (KV values, history)
//! delete the expired ones on a timer, off the async workers.

use std::fmt::Display;
use std::time::Duration;

/// Runs `purge` on the blocking pool every `period` (the first time one
/// period from now) until the task is dropped, logging what it removed as
/// `what` ("KV values", "history messages").
pub async fn every<E: Display + Send + 'static>(
    period: Duration,
    what: &'static str,
    purge: impl Fn() -> Result<usize, E> + Clone + Send + 'static,
) {
    let mut tick = tokio::time::interval(period);
    tick.tick().await;
    loop {
        tick.tick().await;
        let purge = purge.clone();
        match tokio::task::spawn_blocking(purge).await {
            Ok(Ok(0)) => {}
            Ok(Ok(purged)) => tracing::debug!(purged, what, "purged expired entries"),
            Ok(Err(e)) => tracing::warn!(error = %e, what, "purging expired entries failed"),
            Err(e) => tracing::warn!(error = %e, what, "the purge task failed"),
        }
    }
}
