//! Channel groups, in the sled tree `channel_groups`: group name → JSON
//! array of its channels, sorted. Updates are atomic per group (sled's
//! compare-and-swap loop) and durable when they return. A group that loses
//! its last channel is gone, as PubNub lists it.

use std::sync::Arc;

use anyhow::Context;

use super::GroupCommit;
use super::name_set::{decode, encode};

/// PubNub's limit on channels in one group.
pub const MAX_CHANNELS_PER_GROUP: usize = 2000;

#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error(
        "channel group {group:?} would hold {count} channels; the limit is {MAX_CHANNELS_PER_GROUP}"
    )]
    TooManyChannels { group: String, count: usize },
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

#[derive(Clone)]
pub struct ChannelGroups {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl ChannelGroups {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("channel_groups")?,
            commit,
        })
    }

    /// Adds `channels` to `group` (creating it); durable when this returns.
    pub async fn add(&self, group: &str, channels: &[String]) -> Result<(), GroupError> {
        let mut too_many = None;
        self.tree
            .fetch_and_update(group, |current| {
                let mut set = decode(current);
                set.extend(channels.iter().cloned());
                if set.len() > MAX_CHANNELS_PER_GROUP {
                    too_many = Some(set.len());
                    return current.map(<[u8]>::to_vec);
                }
                too_many = None;
                Some(encode(&set))
            })
            .context("updating a channel group")?;
        if let Some(count) = too_many {
            return Err(GroupError::TooManyChannels {
                group: group.to_owned(),
                count,
            });
        }
        self.commit.durable().await?;
        Ok(())
    }

    /// Removes `channels` from `group`; durable when this returns.
    pub async fn remove(&self, group: &str, channels: &[String]) -> Result<(), GroupError> {
        self.tree
            .fetch_and_update(group, |current| {
                let mut set = decode(current);
                for channel in channels {
                    set.remove(channel);
                }
                (!set.is_empty()).then(|| encode(&set))
            })
            .context("updating a channel group")?;
        self.commit.durable().await?;
        Ok(())
    }

    /// Deletes `group`; durable when this returns. False when there was none.
    pub async fn delete(&self, group: &str) -> Result<bool, GroupError> {
        let existed = self
            .tree
            .remove(group)
            .context("deleting a channel group")?
            .is_some();
        self.commit.durable().await?;
        Ok(existed)
    }

    /// The channels of `group`, sorted; empty when there is no such group.
    pub fn channels(&self, group: &str) -> anyhow::Result<Vec<String>> {
        let current = self.tree.get(group).context("reading a channel group")?;
        Ok(decode(current.as_deref()).into_iter().collect())
    }

    /// Every group name, sorted.
    pub fn groups(&self) -> anyhow::Result<Vec<String>> {
        self.tree
            .iter()
            .keys()
            .map(|key| {
                Ok(String::from_utf8_lossy(&key.context("listing channel groups")?).into_owned())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn open(dir: &std::path::Path) -> ChannelGroups {
        let db = sled::open(dir).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        ChannelGroups::open(&db, commit).unwrap()
    }

    #[tokio::test]
    async fn add_list_remove_delete_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let groups = open(dir.path());
            groups.add("g", &names(&["b", "a"])).await.unwrap();
            groups.add("g", &names(&["c", "a"])).await.unwrap();
            groups.add("h", &names(&["x"])).await.unwrap();
            assert_eq!(groups.channels("g").unwrap(), ["a", "b", "c"]);
            groups.remove("g", &names(&["b"])).await.unwrap();
            assert_eq!(groups.groups().unwrap(), ["g", "h"]);
            groups.remove("h", &names(&["x"])).await.unwrap();
            assert_eq!(groups.groups().unwrap(), ["g"]);
        }
        let groups = open(dir.path());
        assert_eq!(groups.channels("g").unwrap(), ["a", "c"]);
        assert!(groups.delete("g").await.unwrap());
        assert!(!groups.delete("g").await.unwrap());
        assert!(groups.channels("g").unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_group_holds_at_most_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let groups = open(dir.path());
        let many: Vec<String> = (0..=MAX_CHANNELS_PER_GROUP)
            .map(|i| format!("c{i}"))
            .collect();
        assert!(matches!(
            groups.add("g", &many).await,
            Err(GroupError::TooManyChannels { .. })
        ));
        assert!(groups.channels("g").unwrap().is_empty());
    }
}
