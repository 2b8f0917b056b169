//! Message history, in the sled tree `history`, keyed `channel \0 timetoken`
//! (big-endian) so a channel's messages are contiguous and in time order.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::GroupCommit;

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

#[derive(Clone)]
pub struct History {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl History {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("history")?,
            commit,
        })
    }

    /// Stores `message`; durable when this returns.
    pub async fn append(&self, message: &StoredMessage) -> anyhow::Result<()> {
        self.tree.insert(
            key(&message.channel, message.timetoken),
            serde_json::to_vec(message)?,
        )?;
        self.commit.durable().await
    }

    /// Up to `count` latest messages of `channel`, oldest first.
    pub fn latest(&self, channel: &str, count: usize) -> anyhow::Result<Vec<StoredMessage>> {
        let mut messages = self
            .tree
            .scan_prefix(channel_prefix(channel))
            .values()
            .rev()
            .take(count)
            .map(|v| Ok(serde_json::from_slice(&v?)?))
            .collect::<anyhow::Result<Vec<StoredMessage>>>()?;
        messages.reverse();
        Ok(messages)
    }
}

fn channel_prefix(channel: &str) -> Vec<u8> {
    [channel.as_bytes(), &[0]].concat()
}

fn key(channel: &str, timetoken: u64) -> Vec<u8> {
    [channel.as_bytes(), &[0], &timetoken.to_be_bytes()].concat()
}
