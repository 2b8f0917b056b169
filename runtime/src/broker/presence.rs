//! Who is on which channel: members join with a subscribe or heartbeat,
//! leave explicitly, or time out when their heartbeats stop. A held
//! subscribe request counts as a continuous heartbeat, so a client is only
//! timed out once it has neither a request in flight nor a recent heartbeat.
//!
//! State (`setState`) is kept per uuid and channel apart from membership,
//! so it can be set before subscribing; it is dropped on leave and timeout.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::Value;

/// The presence timeout when a client names none (`heartbeat` parameter).
pub const DEFAULT_PRESENCE_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceAction {
    Join,
    Leave,
    Timeout,
    StateChange,
}

impl PresenceAction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Join => "join",
            Self::Leave => "leave",
            Self::Timeout => "timeout",
            Self::StateChange => "state-change",
        }
    }
}

/// One presence event to announce on `{channel}-pnpres`.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceChange {
    pub channel: String,
    pub uuid: String,
    pub action: PresenceAction,
    /// Occupancy after the change.
    pub occupancy: usize,
    pub state: Option<Value>,
}

struct Member {
    expires: Instant,
    timeout: Duration,
    /// Subscribe requests of this uuid naming this channel, in flight now.
    held: u32,
}

#[derive(Default)]
struct Table {
    channels: HashMap<String, BTreeMap<String, Member>>,
    by_uuid: HashMap<String, BTreeSet<String>>,
    states: HashMap<String, HashMap<String, Value>>,
}

#[derive(Default)]
pub struct Presence {
    table: Mutex<Table>,
}

impl Presence {
    /// Marks `uuid` present on `channels` until `now + timeout`; returns the joins.
    pub fn heartbeat(
        &self,
        uuid: &str,
        channels: &[String],
        timeout: Duration,
        now: Instant,
    ) -> Vec<PresenceChange> {
        let mut table = self.table.lock();
        let mut joins = Vec::new();
        for channel in channels {
            let members = table.channels.entry(channel.clone()).or_default();
            if let Some(member) = members.get_mut(uuid) {
                member.expires = member.expires.max(now + timeout);
                member.timeout = timeout;
                continue;
            }
            members.insert(
                uuid.to_owned(),
                Member {
                    expires: now + timeout,
                    timeout,
                    held: 0,
                },
            );
            let occupancy = members.len();
            table
                .by_uuid
                .entry(uuid.to_owned())
                .or_default()
                .insert(channel.clone());
            let state = table.state_of(uuid, channel);
            joins.push(PresenceChange {
                channel: channel.clone(),
                uuid: uuid.to_owned(),
                action: PresenceAction::Join,
                occupancy,
                state,
            });
        }
        joins
    }

    /// A subscribe request naming `channels` is now held open.
    pub fn hold(&self, uuid: &str, channels: &[String]) {
        let mut table = self.table.lock();
        for channel in channels {
            if let Some(member) = table
                .channels
                .get_mut(channel)
                .and_then(|m| m.get_mut(uuid))
            {
                member.held += 1;
            }
        }
    }

    /// The held request ended; the timeout runs from now.
    pub fn release(&self, uuid: &str, channels: &[String], now: Instant) {
        let mut table = self.table.lock();
        for channel in channels {
            if let Some(member) = table
                .channels
                .get_mut(channel)
                .and_then(|m| m.get_mut(uuid))
            {
                member.held = member.held.saturating_sub(1);
                member.expires = member.expires.max(now + member.timeout);
            }
        }
    }

    pub fn leave(&self, uuid: &str, channels: &[String]) -> Vec<PresenceChange> {
        let mut table = self.table.lock();
        channels
            .iter()
            .filter_map(|channel| table.remove(uuid, channel, PresenceAction::Leave))
            .collect()
    }

    /// Members whose heartbeats stopped, removed; returns their timeouts.
    pub fn expire(&self, now: Instant) -> Vec<PresenceChange> {
        let mut table = self.table.lock();
        let expired: Vec<(String, String)> = table
            .channels
            .iter()
            .flat_map(|(channel, members)| {
                members
                    .iter()
                    .filter(|(_, m)| m.held == 0 && m.expires <= now)
                    .map(move |(uuid, _)| (channel.clone(), uuid.clone()))
            })
            .collect();
        expired
            .into_iter()
            .filter_map(|(channel, uuid)| table.remove(&uuid, &channel, PresenceAction::Timeout))
            .collect()
    }

    /// Sets (or with `Value::Null`, clears) `uuid`'s state on `channels`;
    /// returns state-change events for the channels it is present on.
    pub fn set_state(&self, uuid: &str, channels: &[String], state: &Value) -> Vec<PresenceChange> {
        let mut table = self.table.lock();
        let mut changes = Vec::new();
        for channel in channels {
            let states = table.states.entry(uuid.to_owned()).or_default();
            if state.is_null() {
                states.remove(channel);
            } else {
                states.insert(channel.clone(), state.clone());
            }
            if states.is_empty() {
                table.states.remove(uuid);
            }
            if let Some(members) = table.channels.get(channel)
                && members.contains_key(uuid)
            {
                changes.push(PresenceChange {
                    channel: channel.clone(),
                    uuid: uuid.to_owned(),
                    action: PresenceAction::StateChange,
                    occupancy: members.len(),
                    state: Some(state.clone()),
                });
            }
        }
        changes
    }

    pub fn state(&self, uuid: &str, channel: &str) -> Option<Value> {
        self.table.lock().state_of(uuid, channel)
    }

    /// The uuids present on `channel`, sorted, with their state.
    pub fn here_now(&self, channel: &str) -> Vec<(String, Option<Value>)> {
        let table = self.table.lock();
        table
            .channels
            .get(channel)
            .map_or_else(Vec::new, |members| {
                members
                    .keys()
                    .map(|uuid| (uuid.clone(), table.state_of(uuid, channel)))
                    .collect()
            })
    }

    /// Every channel with someone on it, sorted.
    pub fn occupied_channels(&self) -> Vec<String> {
        let table = self.table.lock();
        let mut channels: Vec<String> = table
            .channels
            .iter()
            .filter(|(_, members)| !members.is_empty())
            .map(|(channel, _)| channel.clone())
            .collect();
        channels.sort();
        channels
    }

    pub fn where_now(&self, uuid: &str) -> Vec<String> {
        self.table
            .lock()
            .by_uuid
            .get(uuid)
            .map(|channels| channels.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Table {
    fn state_of(&self, uuid: &str, channel: &str) -> Option<Value> {
        self.states.get(uuid)?.get(channel).cloned()
    }

    fn remove(
        &mut self,
        uuid: &str,
        channel: &str,
        action: PresenceAction,
    ) -> Option<PresenceChange> {
        let members = self.channels.get_mut(channel)?;
        members.remove(uuid)?;
        let occupancy = members.len();
        if members.is_empty() {
            self.channels.remove(channel);
        }
        if let Some(channels) = self.by_uuid.get_mut(uuid) {
            channels.remove(channel);
            if channels.is_empty() {
                self.by_uuid.remove(uuid);
            }
        }
        let state = self.states.get_mut(uuid).and_then(|s| s.remove(channel));
        if self.states.get(uuid).is_some_and(HashMap::is_empty) {
            self.states.remove(uuid);
        }
        Some(PresenceChange {
            channel: channel.to_owned(),
            uuid: uuid.to_owned(),
            action,
            occupancy,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn join_once_then_leave() {
        let presence = Presence::default();
        let now = Instant::now();
        let joins = presence.heartbeat("u1", &names(&["a", "b"]), DEFAULT_PRESENCE_TIMEOUT, now);
        assert_eq!(joins.len(), 2);
        assert_eq!(joins[0].action, PresenceAction::Join);
        assert!(
            presence
                .heartbeat("u1", &names(&["a"]), DEFAULT_PRESENCE_TIMEOUT, now)
                .is_empty()
        );
        let second = presence.heartbeat("u2", &names(&["a"]), DEFAULT_PRESENCE_TIMEOUT, now);
        assert_eq!(second[0].occupancy, 2);
        assert_eq!(presence.where_now("u1"), ["a", "b"]);
        let leaves = presence.leave("u1", &names(&["a"]));
        assert_eq!(leaves[0].action, PresenceAction::Leave);
        assert_eq!(leaves[0].occupancy, 1);
        assert_eq!(presence.where_now("u1"), ["b"]);
        assert!(presence.leave("u1", &names(&["a"])).is_empty());
    }

    #[test]
    fn timeouts_skip_held_members() {
        let presence = Presence::default();
        let now = Instant::now();
        let timeout = Duration::from_secs(10);
        presence.heartbeat("held", &names(&["c"]), timeout, now);
        presence.heartbeat("idle", &names(&["c"]), timeout, now);
        presence.hold("held", &names(&["c"]));
        let later = now + Duration::from_secs(11);
        let timeouts = presence.expire(later);
        assert_eq!(timeouts.len(), 1);
        assert_eq!(timeouts[0].uuid, "idle");
        assert_eq!(timeouts[0].action, PresenceAction::Timeout);
        presence.release("held", &names(&["c"]), later);
        assert!(presence.expire(later + Duration::from_secs(5)).is_empty());
        assert_eq!(presence.expire(later + Duration::from_secs(11)).len(), 1);
        assert!(presence.occupied_channels().is_empty());
    }

    #[test]
    fn state_outlives_absence_until_leave() {
        let presence = Presence::default();
        let now = Instant::now();
        assert!(
            presence
                .set_state("u", &names(&["c"]), &json!({"mood": "ok"}))
                .is_empty()
        );
        let joins = presence.heartbeat("u", &names(&["c"]), DEFAULT_PRESENCE_TIMEOUT, now);
        assert_eq!(joins[0].state, Some(json!({"mood": "ok"})));
        let changes = presence.set_state("u", &names(&["c"]), &json!({"mood": "great"}));
        assert_eq!(changes[0].action, PresenceAction::StateChange);
        assert_eq!(
            presence.here_now("c"),
            [("u".to_string(), Some(json!({"mood": "great"})))]
        );
        presence.leave("u", &names(&["c"]));
        assert_eq!(presence.state("u", "c"), None);
    }
}
