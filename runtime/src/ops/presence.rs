//! Presence as the network sees it: events on `{channel}-pnpres`, After
//! Presence functions, the guard that keeps a held subscriber present, and
//! the background sweeps (timeouts, idle topics).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::Runtime;
use crate::broker::presence::{PresenceAction, PresenceChange};
use crate::broker::wildcard::PRESENCE_SUFFIX;
use crate::functions::EventKind;
use crate::message::{PublishInput, Verb};

/// How often presence timeouts are looked for.
const EXPIRY_PERIOD: Duration = Duration::from_millis(500);
/// How often idle topics are dropped.
const TOPIC_SWEEP_PERIOD: Duration = Duration::from_secs(60);

impl Runtime {
    /// Publishes each change on its presence channel and runs the After
    /// Presence functions bound to the channel.
    pub fn announce_presence(self: &Arc<Self>, changes: Vec<PresenceChange>) {
        for change in changes {
            let event = presence_event(&change);
            let presence_channel = format!("{}{PRESENCE_SUFFIX}", change.channel);
            let timetoken =
                self.broker
                    .announce(&presence_channel, event.clone(), Some(&change.uuid), 0);
            let input = PublishInput {
                channel: change.channel.clone(),
                message: event,
                meta: None,
                publisher: Some(change.uuid.clone()),
                verb: Verb::Publish,
                store: false,
                ttl_hours: None,
                params: Vec::new(),
                custom_message_type: None,
                hops: 0,
            };
            self.spawn_after(EventKind::AfterPresence, input, timetoken);
        }
    }

    /// A heartbeat (or subscribe) from `uuid` on `channels`.
    pub fn presence_heartbeat(
        self: &Arc<Self>,
        uuid: &str,
        channels: &[String],
        timeout: Duration,
    ) {
        let joins = self
            .broker
            .presence
            .heartbeat(uuid, channels, timeout, Instant::now());
        self.announce_presence(joins);
    }

    pub fn presence_leave(self: &Arc<Self>, uuid: &str, channels: &[String]) {
        let leaves = self.broker.presence.leave(uuid, channels);
        self.announce_presence(leaves);
    }

    pub fn presence_set_state(self: &Arc<Self>, uuid: &str, channels: &[String], state: &Value) {
        let changes = self.broker.presence.set_state(uuid, channels, state);
        self.announce_presence(changes);
    }
}

/// The presence event payload SDKs parse (`timestamp` and `occupancy` are
/// integers; `data` is the state, an object, when there is one).
fn presence_event(change: &PresenceChange) -> Value {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut event = json!({
        "action": change.action.name(),
        "timestamp": timestamp,
        "uuid": change.uuid,
        "occupancy": change.occupancy,
    });
    if let Some(state) = &change.state
        && matches!(
            change.action,
            PresenceAction::Join | PresenceAction::StateChange
        )
    {
        event["data"] = state.clone();
    }
    event
}

/// Keeps `uuid` present on its channels while a subscribe request is held;
/// when dropped (answered or abandoned), its presence timeout starts.
pub struct PresenceHold {
    runtime: Arc<Runtime>,
    uuid: String,
    channels: Vec<String>,
}

impl PresenceHold {
    pub fn new(runtime: &Arc<Runtime>, uuid: &str, channels: Vec<String>) -> Self {
        runtime.broker.presence.hold(uuid, &channels);
        Self {
            runtime: runtime.clone(),
            uuid: uuid.to_owned(),
            channels,
        }
    }
}

impl Drop for PresenceHold {
    fn drop(&mut self) {
        self.runtime
            .broker
            .presence
            .release(&self.uuid, &self.channels, Instant::now());
    }
}

/// Starts the presence-timeout and topic sweeps; they stop with the runtime.
pub fn spawn_maintenance(runtime: &Arc<Runtime>) {
    let weak: Weak<Runtime> = Arc::downgrade(runtime);
    tokio::spawn(async move {
        let mut expiry = tokio::time::interval(EXPIRY_PERIOD);
        let mut sweep = tokio::time::interval(TOPIC_SWEEP_PERIOD);
        expiry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = expiry.tick() => {
                    let Some(runtime) = weak.upgrade() else { return };
                    let timeouts = runtime.broker.presence.expire(Instant::now());
                    runtime.announce_presence(timeouts);
                }
                _ = sweep.tick() => {
                    let Some(runtime) = weak.upgrade() else { return };
                    runtime.broker.topics.sweep();
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_events_have_integer_timestamp_and_occupancy() {
        let change = PresenceChange {
            channel: "c".into(),
            uuid: "u".into(),
            action: PresenceAction::Join,
            occupancy: 3,
            state: Some(json!({"k": 1})),
        };
        let event = presence_event(&change);
        assert_eq!(event["action"], "join");
        assert!(event["timestamp"].is_u64());
        assert_eq!(event["occupancy"], 3);
        assert_eq!(event["data"], json!({"k": 1}));
        let leave = presence_event(&PresenceChange {
            action: PresenceAction::Leave,
            ..change
        });
        assert!(leave.get("data").is_none());
    }
}
