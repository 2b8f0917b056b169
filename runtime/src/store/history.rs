//! Message history, in the sled tree `history`, keyed `channel \0 timetoken`
//! (big-endian) so a channel's messages are contiguous and in time order:
//! "the latest N" is a reverse range scan that stops after N entries.
//!
//! A value is a format byte (1), 8 bytes of expiry timetoken (big-endian,
//! 0 = never) and the message's JSON, so reads can skip expired messages
//! without parsing them. Values written before expiry existed are bare JSON.
//!
//! Expiry has two sources: a message's own `ttl` (hours from publish) and the
//! global retention. Expired messages are invisible at once and deleted by
//! [`History::purge_periodically`]. The tree `history_expiry` indexes messages
//! with a `ttl` (`expiry \0 channel \0 timetoken`) so the purge finds them
//! without scanning everything; global retention is purged per channel.

use std::ops::Bound;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::GroupCommit;
use super::message_actions::MessageActions;

/// Timetokens count 100 ns units.
const TICKS_PER_SECOND: u64 = 10_000_000;
const FORMAT_V1: u8 = 1;
const HEADER_LEN: usize = 9;
/// Bytes after the channel name in a key: the separator and the timetoken.
const KEY_SUFFIX_LEN: usize = 9;

/// A message as history keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredMessage {
    pub channel: String,
    pub timetoken: u64,
    pub message: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// PubNub's message type: 0 message, 1 signal, 2 App Context event, 4 file.
    #[serde(default)]
    pub message_type: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_message_type: Option<String>,
}

/// Which end of a timetoken range a page is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The newest messages of the range (PubNub's default traversal).
    NewestFirst,
    /// The oldest messages of the range (`reverse=true`).
    OldestFirst,
}

/// A page of history: messages oldest first, and whether the range held more.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub messages: Vec<StoredMessage>,
    pub more: bool,
}

#[derive(Clone)]
pub struct History {
    tree: sled::Tree,
    expiry: sled::Tree,
    commit: Arc<GroupCommit>,
    /// Global retention in timetoken units; `None` keeps messages forever.
    retention: Option<u64>,
    /// Removed with the messages they annotate.
    actions: MessageActions,
}

impl History {
    pub(super) fn open(
        db: &sled::Db,
        commit: Arc<GroupCommit>,
        actions: MessageActions,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("history")?,
            expiry: db.open_tree("history_expiry")?,
            commit,
            retention: None,
            actions,
        })
    }

    /// Sets the global retention (`None`: forever). Call before cloning.
    pub fn set_retention(&mut self, retention: Option<Duration>) {
        self.retention = retention.map(duration_ticks);
    }

    /// Stores `message` with no expiry of its own; durable when this returns.
    pub async fn append(&self, message: &StoredMessage) -> anyhow::Result<()> {
        self.append_expiring(message, None).await
    }

    /// Stores `message`, to expire `ttl_hours` after its timetoken (0 or
    /// `None`: only the global retention applies); durable when this returns.
    pub async fn append_expiring(
        &self,
        message: &StoredMessage,
        ttl_hours: Option<u32>,
    ) -> anyhow::Result<()> {
        let expires = match ttl_hours {
            Some(hours) if hours > 0 => message
                .timetoken
                .saturating_add(u64::from(hours) * 3600 * TICKS_PER_SECOND),
            _ => 0,
        };
        let mut value = Vec::with_capacity(HEADER_LEN + 256);
        value.push(FORMAT_V1);
        value.extend_from_slice(&expires.to_be_bytes());
        serde_json::to_writer(&mut value, message)?;
        let key = key(&message.channel, message.timetoken);
        if expires != 0 {
            self.expiry.insert(
                expiry_key(expires, &message.channel, message.timetoken),
                &[],
            )?;
        }
        self.tree.insert(key, value)?;
        self.commit.durable().await
    }

    /// Up to `count` latest messages of `channel`, oldest first.
    pub fn latest(&self, channel: &str, count: usize) -> anyhow::Result<Vec<StoredMessage>> {
        Ok(self
            .page(
                channel,
                Bound::Unbounded,
                Bound::Unbounded,
                Direction::NewestFirst,
                count,
            )?
            .messages)
    }

    /// Up to `limit` visible messages of `channel` with timetokens within
    /// `lower..upper`, taken from the end `direction` names, oldest first.
    pub fn page(
        &self,
        channel: &str,
        lower: Bound<u64>,
        upper: Bound<u64>,
        direction: Direction,
        limit: usize,
    ) -> anyhow::Result<Page> {
        let now = now_timetoken();
        let lower = self.clamp_to_retention(lower, now);
        let Some((from, to)) = key_range(channel, lower, upper) else {
            return Ok(Page {
                messages: Vec::new(),
                more: false,
            });
        };
        let range = self.tree.range(from..to);
        let entries: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> =
            match direction {
                Direction::NewestFirst => Box::new(range.rev()),
                Direction::OldestFirst => Box::new(range),
            };
        let mut messages = Vec::with_capacity(limit.min(128));
        let mut more = false;
        for entry in entries {
            let (key, value) = entry?;
            if !is_channel_key(&key, channel) || !visible(&value, now) {
                continue;
            }
            if messages.len() == limit {
                more = true;
                break;
            }
            messages.push(decode(&value)?);
        }
        if direction == Direction::NewestFirst {
            messages.reverse();
        }
        Ok(Page { messages, more })
    }

    /// How many visible messages of `channel` have a timetoken greater than
    /// `after`, counting no further than `cap`.
    pub fn count_after(&self, channel: &str, after: u64, cap: usize) -> anyhow::Result<usize> {
        let now = now_timetoken();
        let lower = self.clamp_to_retention(Bound::Excluded(after), now);
        let Some((from, to)) = key_range(channel, lower, Bound::Unbounded) else {
            return Ok(0);
        };
        let mut count = 0;
        for entry in self.tree.range(from..to) {
            let (key, value) = entry?;
            if is_channel_key(&key, channel) && visible(&value, now) {
                count += 1;
                if count == cap {
                    break;
                }
            }
        }
        Ok(count)
    }

    /// Deletes the messages of `channel` within `lower..upper`, and their
    /// message actions; durable when this returns. Returns how many
    /// messages were deleted.
    pub async fn delete_range(
        &self,
        channel: &str,
        lower: Bound<u64>,
        upper: Bound<u64>,
    ) -> anyhow::Result<usize> {
        let Some((from, to)) = key_range(channel, lower, upper) else {
            return Ok(0);
        };
        let mut batch = sled::Batch::default();
        let mut deleted = 0;
        for key in self.tree.range(from..to).keys() {
            let key = key?;
            if is_channel_key(&key, channel) {
                batch.remove(key);
                deleted += 1;
            }
        }
        // Their `history_expiry` entries, if any, are dropped by the purge.
        self.tree.apply_batch(batch)?;
        self.actions.remove_for_messages(channel, lower, upper)?;
        self.commit.durable().await?;
        Ok(deleted)
    }

    /// Deletes every message expired by now; returns how many.
    pub fn purge_expired(&self) -> anyhow::Result<usize> {
        self.purge_expired_at(now_timetoken())
    }

    fn purge_expired_at(&self, now: u64) -> anyhow::Result<usize> {
        let mut purged = 0;
        // Messages whose own ttl has passed.
        for key in self.expiry.range(..now.to_be_bytes().as_slice()).keys() {
            let key = key?;
            if self.tree.remove(&key[8..])?.is_some() {
                purged += 1;
            }
            if let Some((channel, timetoken)) = split_key(&key[8..]) {
                let one = Bound::Included(timetoken);
                self.actions.remove_for_messages(&channel, one, one)?;
            }
            self.expiry.remove(key)?;
        }
        // Messages older than the global retention, channel by channel: each
        // channel's expired messages are the first ones of its key range.
        if let Some(retention) = self.retention {
            let cutoff = now.saturating_sub(retention);
            let mut cursor: Vec<u8> = Vec::new();
            while let Some((key, _)) = self.tree.range(cursor.as_slice()..).next().transpose()? {
                let Some(channel) = key.len().checked_sub(KEY_SUFFIX_LEN).map(|n| &key[..n]) else {
                    cursor = [key.as_ref(), &[0]].concat();
                    continue;
                };
                let prefix = [channel, &[0]].concat();
                let end = [prefix.as_slice(), &cutoff.to_be_bytes()].concat();
                let mut batch = sled::Batch::default();
                for old in self.tree.range(prefix.as_slice()..end.as_slice()).keys() {
                    batch.remove(old?);
                    purged += 1;
                }
                self.tree.apply_batch(batch)?;
                let name = String::from_utf8_lossy(channel);
                self.actions.remove_for_messages(
                    &name,
                    Bound::Unbounded,
                    Bound::Excluded(cutoff),
                )?;
                // The next channel starts after every `channel \0 …` key.
                cursor = [channel, &[1]].concat();
            }
        }
        Ok(purged)
    }

    /// Deletes expired messages every `period`, forever.
    pub async fn purge_periodically(self, period: Duration) {
        super::purge::every(period, "history messages", move || self.purge_expired()).await
    }

    fn clamp_to_retention(&self, lower: Bound<u64>, now: u64) -> Bound<u64> {
        let Some(retention) = self.retention else {
            return lower;
        };
        let cutoff = now.saturating_sub(retention);
        match lower {
            Bound::Included(t) if t >= cutoff => lower,
            Bound::Excluded(t) if t >= cutoff => lower,
            _ => Bound::Included(cutoff),
        }
    }
}

/// Now, as a timetoken.
pub fn now_timetoken() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_nanos() / 100) as u64)
        .unwrap_or(0)
}

fn duration_ticks(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos() / 100).unwrap_or(u64::MAX)
}

fn visible(value: &[u8], now: u64) -> bool {
    match value {
        [FORMAT_V1, rest @ ..] if rest.len() >= 8 => {
            let expires = u64::from_be_bytes(rest[..8].try_into().expect("8 bytes"));
            expires == 0 || expires > now
        }
        _ => true,
    }
}

fn decode(value: &[u8]) -> anyhow::Result<StoredMessage> {
    let json = match value {
        [FORMAT_V1, ..] if value.len() >= HEADER_LEN => &value[HEADER_LEN..],
        _ => value,
    };
    Ok(serde_json::from_slice(json)?)
}

/// True when `key` is `channel \0 timetoken`, not a key of a channel whose
/// name merely starts with `channel \0`.
fn is_channel_key(key: &[u8], channel: &str) -> bool {
    key.len() == channel.len() + KEY_SUFFIX_LEN
}

fn key(channel: &str, timetoken: u64) -> Vec<u8> {
    [channel.as_bytes(), &[0], &timetoken.to_be_bytes()].concat()
}

/// The channel and timetoken of a `channel \0 timetoken` key.
fn split_key(key: &[u8]) -> Option<(String, u64)> {
    let at = key.len().checked_sub(KEY_SUFFIX_LEN)?;
    let timetoken = u64::from_be_bytes(key[at + 1..].try_into().ok()?);
    Some((String::from_utf8_lossy(&key[..at]).into_owned(), timetoken))
}

fn expiry_key(expires: u64, channel: &str, timetoken: u64) -> Vec<u8> {
    [
        expires.to_be_bytes().as_slice(),
        channel.as_bytes(),
        &[0],
        &timetoken.to_be_bytes(),
    ]
    .concat()
}

/// The half-open key range `[from, to)` holding `channel`'s messages within
/// the bounds, or `None` when the bounds leave nothing.
fn key_range(channel: &str, lower: Bound<u64>, upper: Bound<u64>) -> Option<(Vec<u8>, Vec<u8>)> {
    let first = match lower {
        Bound::Unbounded => 0,
        Bound::Included(t) => t,
        Bound::Excluded(t) => t.checked_add(1)?,
    };
    // `None` as an exclusive end means "past u64::MAX": the channel's end.
    let end = match upper {
        Bound::Unbounded => None,
        Bound::Included(t) => t.checked_add(1),
        Bound::Excluded(t) => Some(t),
    };
    if end.is_some_and(|end| end <= first) {
        return None;
    }
    let to = match end {
        Some(end) => key(channel, end),
        None => [channel.as_bytes(), &[1]].concat(),
    };
    Some((key(channel, first), to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn history() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        let actions = MessageActions::open(&db, commit.clone()).unwrap();
        (dir, History::open(&db, commit, actions).unwrap())
    }

    fn message(channel: &str, timetoken: u64) -> StoredMessage {
        StoredMessage {
            channel: channel.into(),
            timetoken,
            message: json!(timetoken),
            meta: None,
            publisher: None,
            message_type: 0,
            custom_message_type: None,
        }
    }

    fn timetokens(page: &Page) -> Vec<u64> {
        page.messages.iter().map(|m| m.timetoken).collect()
    }

    #[tokio::test]
    async fn pages_from_either_end_within_bounds() {
        let (_dir, history) = history().await;
        for tt in 1..=10 {
            history.append(&message("a", tt)).await.unwrap();
        }
        // A neighbour whose name extends `a`'s key prefix must not leak in.
        history.append(&message("a\0b", 5)).await.unwrap();
        history.append(&message("b", 3)).await.unwrap();

        let all = (Bound::Unbounded, Bound::Unbounded);
        let newest = history
            .page("a", all.0, all.1, Direction::NewestFirst, 3)
            .unwrap();
        assert_eq!(timetokens(&newest), [8, 9, 10]);
        assert!(newest.more);
        let oldest = history
            .page("a", all.0, all.1, Direction::OldestFirst, 3)
            .unwrap();
        assert_eq!(timetokens(&oldest), [1, 2, 3]);

        let slice = history
            .page(
                "a",
                Bound::Included(4),
                Bound::Excluded(7),
                Direction::NewestFirst,
                10,
            )
            .unwrap();
        assert_eq!(timetokens(&slice), [4, 5, 6]);
        assert!(!slice.more);
        assert_eq!(
            history.latest("a", 100).unwrap().len(),
            10,
            "only channel a's own messages"
        );
        let empty = history
            .page(
                "a",
                Bound::Excluded(5),
                Bound::Included(5),
                Direction::NewestFirst,
                10,
            )
            .unwrap();
        assert!(empty.messages.is_empty());
    }

    #[tokio::test]
    async fn counts_and_deletes_ranges() {
        let (_dir, history) = history().await;
        for tt in 1..=10 {
            history.append(&message("a", tt)).await.unwrap();
        }
        assert_eq!(history.count_after("a", 7, 10_000).unwrap(), 3);
        assert_eq!(history.count_after("a", 0, 4).unwrap(), 4, "capped");
        let deleted = history
            .delete_range("a", Bound::Excluded(2), Bound::Included(5))
            .await
            .unwrap();
        assert_eq!(deleted, 3);
        assert_eq!(
            timetokens(&Page {
                messages: history.latest("a", 100).unwrap(),
                more: false
            }),
            [1, 2, 6, 7, 8, 9, 10]
        );
    }

    #[tokio::test]
    async fn ttl_hides_then_purges() {
        let (_dir, history) = history().await;
        let now = now_timetoken();
        let hour = 3600 * TICKS_PER_SECOND;
        // Published two hours ago with a one-hour ttl: already expired.
        history
            .append_expiring(&message("a", now - 2 * hour), Some(1))
            .await
            .unwrap();
        history
            .append_expiring(&message("a", now - hour), Some(24))
            .await
            .unwrap();
        history.append(&message("a", now)).await.unwrap();
        assert_eq!(history.latest("a", 10).unwrap().len(), 2);
        assert_eq!(history.count_after("a", 0, 100).unwrap(), 2);
        assert_eq!(history.purge_expired().unwrap(), 1);
        assert_eq!(history.tree.len(), 2);
        assert_eq!(history.expiry.len(), 1, "the live message keeps its entry");
        // A day later the second one goes too.
        assert_eq!(history.purge_expired_at(now + 25 * hour).unwrap(), 1);
    }

    #[tokio::test]
    async fn global_retention_hides_then_purges_every_channel() {
        let (_dir, mut history) = history().await;
        history.set_retention(Some(Duration::from_secs(60)));
        let now = now_timetoken();
        let old = now - 120 * TICKS_PER_SECOND;
        for channel in ["a", "b", "c"] {
            history.append(&message(channel, old)).await.unwrap();
            history.append(&message(channel, now)).await.unwrap();
        }
        for channel in ["a", "b", "c"] {
            assert_eq!(history.latest(channel, 10).unwrap().len(), 1);
        }
        assert_eq!(history.purge_expired().unwrap(), 3);
        assert_eq!(history.tree.len(), 3);
    }

    #[tokio::test]
    async fn expired_and_deleted_messages_take_their_actions_along() {
        use super::super::MessageAction;
        let (_dir, mut history) = history().await;
        history.set_retention(Some(Duration::from_secs(3600)));
        let now = now_timetoken();
        let hour = 3600 * TICKS_PER_SECOND;
        let (ttl_gone, retention_gone, deleted, kept) =
            (now - 2 * hour, now - 3 * hour, now - 2, now - 1);
        history
            .append_expiring(&message("a", ttl_gone), Some(1))
            .await
            .unwrap();
        for tt in [retention_gone, deleted, kept] {
            history.append(&message("a", tt)).await.unwrap();
        }
        for (i, tt) in [ttl_gone, retention_gone, deleted, kept]
            .into_iter()
            .enumerate()
        {
            let action = MessageAction {
                channel: "a".into(),
                message_timetoken: tt,
                action_timetoken: now + i as u64,
                kind: "reaction".into(),
                value: "+1".into(),
                uuid: "u".into(),
            };
            history.actions.add(&action).await.unwrap();
        }
        history
            .delete_range("a", Bound::Included(deleted), Bound::Included(deleted))
            .await
            .unwrap();
        history.purge_expired().unwrap();
        let left: Vec<u64> = history
            .actions
            .page("a", None, None, 10)
            .unwrap()
            .actions
            .iter()
            .map(|a| a.message_timetoken)
            .collect();
        assert_eq!(left, [kept]);
    }

    #[tokio::test]
    async fn reads_values_written_before_expiry_existed() {
        let (_dir, history) = history().await;
        let legacy = message("a", 42);
        history
            .tree
            .insert(key("a", 42), serde_json::to_vec(&legacy).unwrap())
            .unwrap();
        assert_eq!(history.latest("a", 1).unwrap(), [legacy]);
    }
}
