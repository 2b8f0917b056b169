//! Message Actions (reactions, receipts, ...): small `{type, value}`
//! annotations a uuid adds to a stored message, each with its own timetoken.
//!
//! Trees: `message_actions` (`channel \0 action timetoken` → action JSON),
//! in the order `GET /v1/message-actions` pages through, and its index
//! `message_actions_by_message` (`channel \0 message timetoken action
//! timetoken` → nothing), which finds a message's actions for history and
//! removes them with the message. Both are written in one transaction;
//! writes are durable when they return.

use std::ops::Bound;
use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sled::Transactional;

use super::GroupCommit;

/// Bytes after the channel name in a `message_actions` key.
const ACTION_KEY_SUFFIX: usize = 9;
/// Bytes after the channel name in an index key.
const INDEX_KEY_SUFFIX: usize = 17;

/// One stored action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAction {
    pub channel: String,
    pub message_timetoken: u64,
    pub action_timetoken: u64,
    /// PubNub's `type` (at most 15 characters).
    pub kind: String,
    pub value: String,
    /// Who added it.
    pub uuid: String,
}

impl MessageAction {
    /// PubNub's shape: `{type, value, uuid, actionTimetoken, messageTimetoken}`,
    /// timetokens as strings.
    pub fn to_json(&self) -> Value {
        json!({
            "type": self.kind,
            "value": self.value,
            "uuid": self.uuid,
            "actionTimetoken": self.action_timetoken.to_string(),
            "messageTimetoken": self.message_timetoken.to_string(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MessageActionError {
    /// The caller's input breaks a rule; the message names it.
    #[error("{0}")]
    Invalid(String),
    /// The same uuid already added this type and value to the message.
    #[error("Action Already Added")]
    AlreadyAdded,
    #[error("message action storage failed: {0}")]
    Storage(#[from] anyhow::Error),
}

impl From<sled::Error> for MessageActionError {
    fn from(e: sled::Error) -> Self {
        Self::Storage(e.into())
    }
}

/// A page of actions, oldest first, and whether older ones remain in range.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPage {
    pub actions: Vec<MessageAction>,
    pub more: bool,
}

#[derive(Clone)]
pub struct MessageActions {
    by_action: sled::Tree,
    by_message: sled::Tree,
    commit: Arc<GroupCommit>,
    /// Makes the duplicate check and the insert it guards one step.
    writer: Arc<Mutex<()>>,
}

impl MessageActions {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            by_action: db.open_tree("message_actions")?,
            by_message: db.open_tree("message_actions_by_message")?,
            commit,
            writer: Arc::default(),
        })
    }

    /// Stores `action` unless its uuid already added the same type and
    /// value to the message.
    pub async fn add(&self, action: &MessageAction) -> Result<(), MessageActionError> {
        let raw = serde_json::to_vec(action).map_err(anyhow::Error::from)?;
        {
            let _writer = self.writer.lock();
            let duplicate = self
                .for_message(&action.channel, action.message_timetoken)?
                .iter()
                .any(|a| a.kind == action.kind && a.value == action.value && a.uuid == action.uuid);
            if duplicate {
                return Err(MessageActionError::AlreadyAdded);
            }
            let key = action_key(&action.channel, action.action_timetoken);
            let index = index_key(
                &action.channel,
                action.message_timetoken,
                action.action_timetoken,
            );
            (&self.by_action, &self.by_message)
                .transaction(|(by_action, by_message)| {
                    by_action.insert(key.as_slice(), raw.as_slice())?;
                    by_message.insert(index.as_slice(), &[])?;
                    Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                })
                .map_err(|e| anyhow::anyhow!("message action transaction failed: {e:?}"))?;
        }
        self.commit.durable().await?;
        Ok(())
    }

    /// Removes the action `action_timetoken` of the message
    /// `message_timetoken`; returns it, or `None` when there was none.
    pub async fn remove(
        &self,
        channel: &str,
        message_timetoken: u64,
        action_timetoken: u64,
    ) -> Result<Option<MessageAction>, MessageActionError> {
        let removed = {
            let _writer = self.writer.lock();
            let Some(raw) = self.by_action.get(action_key(channel, action_timetoken))? else {
                return Ok(None);
            };
            let action = decode(&raw)?;
            if action.message_timetoken != message_timetoken {
                return Ok(None);
            }
            self.remove_keys(
                channel,
                &[(action.message_timetoken, action.action_timetoken)],
            )?;
            action
        };
        self.commit.durable().await?;
        Ok(Some(removed))
    }

    /// Up to `limit` of `channel`'s actions with action timetokens below
    /// `start` and at or above `end` (PubNub's bounds), the newest of
    /// them, listed oldest first.
    pub fn page(
        &self,
        channel: &str,
        start: Option<u64>,
        end: Option<u64>,
        limit: usize,
    ) -> anyhow::Result<ActionPage> {
        let from = action_key(channel, end.unwrap_or(0));
        let to = match start {
            Some(start) => action_key(channel, start),
            None => [channel.as_bytes(), &[1]].concat(),
        };
        let mut actions = Vec::new();
        let mut more = false;
        if from < to {
            for entry in self.by_action.range(from..to).rev() {
                let (key, raw) = entry?;
                if key.len() != channel.len() + ACTION_KEY_SUFFIX {
                    continue;
                }
                if actions.len() == limit {
                    more = true;
                    break;
                }
                actions.push(decode(&raw)?);
            }
        }
        actions.reverse();
        Ok(ActionPage { actions, more })
    }

    /// The actions of one message, oldest first.
    pub fn for_message(
        &self,
        channel: &str,
        message_timetoken: u64,
    ) -> anyhow::Result<Vec<MessageAction>> {
        let prefix = [channel.as_bytes(), &[0], &message_timetoken.to_be_bytes()].concat();
        self.by_message
            .scan_prefix(&prefix)
            .keys()
            .filter_map(|key| match key {
                Ok(key) if key.len() == channel.len() + INDEX_KEY_SUFFIX => {
                    let action_timetoken =
                        u64::from_be_bytes(key[prefix.len()..].try_into().expect("8 bytes"));
                    self.by_action
                        .get(action_key(channel, action_timetoken))
                        .map_err(anyhow::Error::from)
                        .and_then(|raw| raw.map(|raw| decode(&raw)).transpose())
                        .transpose()
                }
                Ok(_) => None,
                Err(e) => Some(Err(e.into())),
            })
            .collect()
    }

    /// Removes the actions of `channel`'s messages within `lower..upper`
    /// (message timetokens), as history deletes those messages; returns how
    /// many. Not yet durable: the caller's flush covers it.
    pub(super) fn remove_for_messages(
        &self,
        channel: &str,
        lower: Bound<u64>,
        upper: Bound<u64>,
    ) -> anyhow::Result<usize> {
        let first = match lower {
            Bound::Unbounded => 0,
            Bound::Included(t) => t,
            Bound::Excluded(t) => match t.checked_add(1) {
                Some(t) => t,
                None => return Ok(0),
            },
        };
        let from = index_key(channel, first, 0);
        let to = match upper {
            Bound::Included(t) => match t.checked_add(1) {
                Some(end) => index_key(channel, end, 0),
                None => [channel.as_bytes(), &[1]].concat(),
            },
            Bound::Excluded(t) => index_key(channel, t, 0),
            Bound::Unbounded => [channel.as_bytes(), &[1]].concat(),
        };
        if from >= to {
            return Ok(0);
        }
        let _writer = self.writer.lock();
        let mut doomed = Vec::new();
        for key in self.by_message.range(from..to).keys() {
            let key = key?;
            if key.len() != channel.len() + INDEX_KEY_SUFFIX {
                continue;
            }
            let timetoken =
                |at: usize| u64::from_be_bytes(key[at..at + 8].try_into().expect("8 bytes"));
            doomed.push((timetoken(key.len() - 16), timetoken(key.len() - 8)));
        }
        self.remove_keys(channel, &doomed)?;
        Ok(doomed.len())
    }

    /// Removes the actions `(message timetoken, action timetoken)` of
    /// `channel` from both trees in one transaction.
    fn remove_keys(&self, channel: &str, actions: &[(u64, u64)]) -> anyhow::Result<()> {
        if actions.is_empty() {
            return Ok(());
        }
        (&self.by_action, &self.by_message)
            .transaction(|(by_action, by_message)| {
                for &(message_timetoken, action_timetoken) in actions {
                    by_action.remove(action_key(channel, action_timetoken))?;
                    by_message.remove(index_key(channel, message_timetoken, action_timetoken))?;
                }
                Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| anyhow::anyhow!("message action transaction failed: {e:?}"))
    }
}

fn decode(raw: &[u8]) -> anyhow::Result<MessageAction> {
    Ok(serde_json::from_slice(raw)?)
}

fn action_key(channel: &str, action_timetoken: u64) -> Vec<u8> {
    [channel.as_bytes(), &[0], &action_timetoken.to_be_bytes()].concat()
}

fn index_key(channel: &str, message_timetoken: u64, action_timetoken: u64) -> Vec<u8> {
    [
        channel.as_bytes(),
        &[0],
        &message_timetoken.to_be_bytes(),
        &action_timetoken.to_be_bytes(),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, MessageActions) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        (dir, MessageActions::open(&db, commit).unwrap())
    }

    fn action(channel: &str, message: u64, at: u64, value: &str, uuid: &str) -> MessageAction {
        MessageAction {
            channel: channel.into(),
            message_timetoken: message,
            action_timetoken: at,
            kind: "reaction".into(),
            value: value.into(),
            uuid: uuid.into(),
        }
    }

    fn timetokens(page: &ActionPage) -> Vec<u64> {
        page.actions.iter().map(|a| a.action_timetoken).collect()
    }

    #[tokio::test]
    async fn pages_newest_first_within_bounds_and_lists_by_message() {
        let (_dir, actions) = store();
        for at in 1..=6 {
            actions
                .add(&action("c", 100 + at % 2, at, &format!("v{at}"), "u"))
                .await
                .unwrap();
        }
        // A neighbour whose name extends `c`'s key prefix stays out.
        actions
            .add(&action("c\0x", 101, 3, "x", "u"))
            .await
            .unwrap();

        let newest = actions.page("c", None, None, 4).unwrap();
        assert_eq!(timetokens(&newest), [3, 4, 5, 6]);
        assert!(newest.more);
        let older = actions.page("c", Some(3), None, 4).unwrap();
        assert_eq!(timetokens(&older), [1, 2]);
        assert!(!older.more);
        let bounded = actions.page("c", Some(6), Some(2), 10).unwrap();
        assert_eq!(timetokens(&bounded), [2, 3, 4, 5]);

        let of_101: Vec<u64> = actions
            .for_message("c", 101)
            .unwrap()
            .iter()
            .map(|a| a.action_timetoken)
            .collect();
        assert_eq!(of_101, [1, 3, 5]);
    }

    #[tokio::test]
    async fn refuses_a_duplicate_and_removes_by_both_timetokens() {
        let (_dir, actions) = store();
        actions.add(&action("c", 10, 1, "👍", "ann")).await.unwrap();
        assert!(matches!(
            actions.add(&action("c", 10, 2, "👍", "ann")).await,
            Err(MessageActionError::AlreadyAdded)
        ));
        actions.add(&action("c", 10, 3, "👍", "bob")).await.unwrap();

        assert_eq!(
            actions.remove("c", 11, 1).await.unwrap(),
            None,
            "wrong message"
        );
        let removed = actions.remove("c", 10, 1).await.unwrap().unwrap();
        assert_eq!(removed.uuid, "ann");
        assert_eq!(actions.for_message("c", 10).unwrap().len(), 1);
        assert_eq!(actions.page("c", None, None, 10).unwrap().actions.len(), 1);
    }

    #[tokio::test]
    async fn removing_messages_removes_their_actions() {
        let (_dir, actions) = store();
        for (message, at) in [(10, 1), (20, 2), (20, 3), (30, 4)] {
            actions
                .add(&action("c", message, at, &format!("v{at}"), "u"))
                .await
                .unwrap();
        }
        let removed = actions
            .remove_for_messages("c", Bound::Excluded(10), Bound::Included(20))
            .unwrap();
        assert_eq!(removed, 2);
        assert_eq!(
            timetokens(&actions.page("c", None, None, 10).unwrap()),
            [1, 4]
        );
        assert!(actions.for_message("c", 20).unwrap().is_empty());
    }
}
