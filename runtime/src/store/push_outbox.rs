//! The push outbox, in the sled tree `push_outbox`: what Pigdin would have
//! sent to APNs / FCM / MPNS (it reaches none of them), one entry per device
//! per publish, so an app's push path can be checked offline.
//!
//! Keys are sled's monotonic ids, big-endian, so the tree is in the order
//! entries were recorded; values are [`OutboxEntry`] JSON. The outbox keeps
//! the newest [`MAX_OUTBOX_ENTRIES`] entries and drops the oldest beyond.

use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::GroupCommit;
use super::push_registrations::Device;

/// How many entries the outbox keeps.
pub const MAX_OUTBOX_ENTRIES: usize = 10_000;

/// One push that would have gone out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The device it was addressed to (push type, token, environment, topic).
    #[serde(flatten)]
    pub device: Device,
    pub channel: String,
    /// The message's timetoken, as a string (17 digits exceed a JS number).
    pub timetoken: String,
    /// Who published the message, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The payload for the device's service: `pn_apns`, `pn_fcm` (or
    /// `pn_gcm`) or `pn_mpns`, as published.
    pub payload: Value,
}

#[derive(Clone)]
pub struct PushOutbox {
    tree: sled::Tree,
    db: sled::Db,
    commit: Arc<GroupCommit>,
    /// Serialises append-and-trim, so the count stays true.
    count: Arc<tokio::sync::Mutex<usize>>,
    limit: usize,
}

impl PushOutbox {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Self::open_with_limit(db, commit, MAX_OUTBOX_ENTRIES)
    }

    fn open_with_limit(
        db: &sled::Db,
        commit: Arc<GroupCommit>,
        limit: usize,
    ) -> anyhow::Result<Self> {
        let tree = db.open_tree("push_outbox")?;
        // Counted once at start (at most `limit` entries), then kept in step.
        let count = tree.len();
        Ok(Self {
            tree,
            db: db.clone(),
            commit,
            count: Arc::new(tokio::sync::Mutex::new(count)),
            limit,
        })
    }

    /// Records `entries`, dropping the oldest beyond the limit; durable
    /// when this returns.
    pub async fn append(&self, entries: &[OutboxEntry]) -> anyhow::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        {
            let mut count = self.count.lock().await;
            let mut batch = sled::Batch::default();
            for entry in entries {
                let id = self.db.generate_id().context("numbering a push")?;
                let value = serde_json::to_vec(entry).expect("an outbox entry serialises");
                batch.insert(&id.to_be_bytes(), value);
            }
            self.tree
                .apply_batch(batch)
                .context("recording pushes in the outbox")?;
            *count += entries.len();
            while *count > self.limit {
                if self
                    .tree
                    .pop_min()
                    .context("trimming the push outbox")?
                    .is_none()
                {
                    *count = 0;
                    break;
                }
                *count -= 1;
            }
        }
        self.commit.durable().await
    }

    /// The newest entries first, at most `limit`, only `channel`'s when given.
    pub fn recent(&self, channel: Option<&str>, limit: usize) -> anyhow::Result<Vec<OutboxEntry>> {
        let mut found = Vec::new();
        for item in self.tree.iter().values().rev() {
            if found.len() >= limit {
                break;
            }
            let value = item.context("reading the push outbox")?;
            let entry: OutboxEntry =
                serde_json::from_slice(&value).context("a push outbox entry is corrupt")?;
            if channel.is_none_or(|c| c == entry.channel) {
                found.push(entry);
            }
        }
        Ok(found)
    }

    /// Empties the outbox; durable when this returns. How many entries went.
    pub async fn clear(&self) -> anyhow::Result<usize> {
        let mut count = self.count.lock().await;
        let mut removed = 0;
        while self
            .tree
            .pop_min()
            .context("clearing the push outbox")?
            .is_some()
        {
            removed += 1;
        }
        *count = 0;
        drop(count);
        self.commit.durable().await?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PushService;

    fn entry(channel: &str, n: u64) -> OutboxEntry {
        OutboxEntry {
            device: Device {
                service: PushService::Fcm,
                token: "t".into(),
                environment: None,
                topic: None,
            },
            channel: channel.into(),
            timetoken: n.to_string(),
            publisher: None,
            payload: serde_json::json!({"n": n}),
        }
    }

    fn open(dir: &std::path::Path, limit: usize) -> PushOutbox {
        let db = sled::open(dir).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        PushOutbox::open_with_limit(&db, commit, limit).unwrap()
    }

    // Multi-threaded: the flush runs inline, so no background flush still
    // holds the database when it is opened again.
    #[tokio::test(flavor = "multi_thread")]
    async fn newest_first_filtered_bounded_and_durable() {
        let dir = tempfile::tempdir().unwrap();
        {
            let outbox = open(dir.path(), 3);
            outbox
                .append(&[entry("a", 1), entry("b", 2)])
                .await
                .unwrap();
            outbox
                .append(&[entry("a", 3), entry("a", 4)])
                .await
                .unwrap();
            let all = outbox.recent(None, 10).unwrap();
            let numbers: Vec<_> = all.iter().map(|e| e.timetoken.as_str()).collect();
            assert_eq!(numbers, ["4", "3", "2"]);
        }
        let outbox = open(dir.path(), 3);
        let a = outbox.recent(Some("a"), 10).unwrap();
        assert_eq!(a, [entry("a", 4), entry("a", 3)]);
        assert_eq!(outbox.recent(None, 1).unwrap(), [entry("a", 4)]);
        outbox.append(&[entry("c", 5)]).await.unwrap();
        assert_eq!(outbox.recent(None, 10).unwrap().len(), 3);
        assert_eq!(outbox.clear().await.unwrap(), 3);
        assert!(outbox.recent(None, 10).unwrap().is_empty());
    }

    #[test]
    fn an_entry_reads_as_its_device_and_payload() {
        let json = serde_json::to_value(entry("a", 1)).unwrap();
        assert_eq!(json["push_type"], "fcm");
        assert_eq!(json["token"], "t");
        assert_eq!(json["channel"], "a");
        assert!(json.get("environment").is_none());
    }
}
