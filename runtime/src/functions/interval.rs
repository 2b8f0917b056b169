//! On Interval: each function runs at a fixed rate from its deployment (no
//! drift: a slow run does not push later runs back; a missed tick is skipped).

use std::sync::Arc;

use tokio::task::AbortHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::manifest::Binding;
use super::module::{Handler, LoadedModule};
use crate::Runtime;

pub(super) fn start(runtime: &Arc<Runtime>, module: &Arc<LoadedModule>) -> Vec<AbortHandle> {
    module
        .functions
        .iter()
        .enumerate()
        .filter_map(|(index, spec)| {
            let Binding::Interval(period) = spec.binding else {
                return None;
            };
            let handler = Handler {
                module: module.clone(),
                index,
            };
            let runtime = runtime.clone();
            let task = tokio::spawn(async move {
                let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
                loop {
                    ticks.tick().await;
                    // Failures are logged by the executor; the schedule goes on.
                    let _ = runtime.functions.run_interval(&runtime, &handler).await;
                }
            });
            Some(task.abort_handle())
        })
        .collect()
}
