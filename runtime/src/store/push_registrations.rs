//! Mobile Push registrations, in the sled tree `push_registrations`: which
//! channels each device (push service + token, and for APNs2 its environment
//! and topic) gets pushes for, and the reverse index a publish reads.
//!
//! Two kinds of key share the tree, so one transaction keeps them in step:
//!
//! - `d\0{device key}` → JSON array of the device's channels, sorted;
//! - `c\0{channel}\0{device key}` → the [`Device`] as JSON.
//!
//! A device key is `{service}\0{token}\0{environment}\0{topic}` (the last two
//! empty outside APNs2). Names are validated before they get here: channels
//! and topics hold no NUL, and a token's NUL-free-ness is checked below.
//! A device that loses its last channel is gone, as PubNub lists it.

use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sled::transaction::ConflictableTransactionError;

use super::GroupCommit;
use super::name_set::{decode, encode};

/// The push services PubNub registers devices with. `gcm` is FCM's former
/// name: both spellings reach the same registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushService {
    /// APNs over the legacy binary protocol (`/v1/push`, `type=apns`).
    Apns,
    /// APNs over HTTP/2 (`/v2/push/.../devices-apns2`), with environment and topic.
    Apns2,
    /// Firebase Cloud Messaging (`type=fcm` or `type=gcm`).
    Fcm,
    /// Microsoft Push Notification Service (`type=mpns`).
    Mpns,
}

impl PushService {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apns => "apns",
            Self::Apns2 => "apns2",
            Self::Fcm => "fcm",
            Self::Mpns => "mpns",
        }
    }
}

impl std::fmt::Display for PushService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One registered device: what a push is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// `push_type` on the wire, as the SDKs' `pushGateway` names it.
    #[serde(rename = "push_type")]
    pub service: PushService,
    pub token: String,
    /// APNs2 only: `development` or `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// APNs2 only: the app's bundle id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

impl Device {
    fn key(&self) -> Vec<u8> {
        let mut key = Vec::new();
        for part in [
            self.service.as_str(),
            &self.token,
            self.environment.as_deref().unwrap_or_default(),
            self.topic.as_deref().unwrap_or_default(),
        ] {
            if !key.is_empty() {
                key.push(0);
            }
            key.extend_from_slice(part.as_bytes());
        }
        key
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PushStoreError {
    #[error("a device would have {count} push channels; the limit is {MAX_CHANNELS_PER_DEVICE}")]
    TooManyChannels { count: usize },
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// The most channels one device may be registered on (PubNub pages its
/// listing by at most 1,000; this keeps a device's entry small).
pub const MAX_CHANNELS_PER_DEVICE: usize = 1000;

#[derive(Clone)]
pub struct PushRegistrations {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl PushRegistrations {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("push_registrations")?,
            commit,
        })
    }

    /// Removes `remove`, then adds `add` (PubNub's order), atomically;
    /// durable when this returns.
    pub async fn change(
        &self,
        device: &Device,
        add: &[String],
        remove: &[String],
    ) -> Result<(), PushStoreError> {
        debug_assert!(!device.token.contains('\0'), "tokens are validated first");
        let device_key = prefixed(b'd', &device.key());
        let device_json = serde_json::to_vec(device).expect("a device serialises");
        let outcome = self.tree.transaction(|tx| {
            let mut channels = decode(tx.get(&device_key)?.as_deref());
            for channel in remove {
                if channels.remove(channel) {
                    tx.remove(index_key(channel, device))?;
                }
            }
            for channel in add {
                if channels.insert(channel.clone()) {
                    tx.insert(index_key(channel, device), device_json.as_slice())?;
                }
            }
            if channels.len() > MAX_CHANNELS_PER_DEVICE {
                return Err(ConflictableTransactionError::Abort(channels.len()));
            }
            if channels.is_empty() {
                tx.remove(device_key.as_slice())?;
            } else {
                tx.insert(device_key.as_slice(), encode(&channels))?;
            }
            Ok(())
        });
        match outcome {
            Ok(()) => {}
            Err(sled::transaction::TransactionError::Abort(count)) => {
                return Err(PushStoreError::TooManyChannels { count });
            }
            Err(sled::transaction::TransactionError::Storage(e)) => {
                return Err(anyhow::Error::new(e)
                    .context("updating push registrations")
                    .into());
            }
        }
        self.commit.durable().await?;
        Ok(())
    }

    /// Unregisters `device` from every channel; durable when this returns.
    pub async fn remove_device(&self, device: &Device) -> Result<(), PushStoreError> {
        let channels = self.channels(device)?;
        self.change(device, &[], &channels).await
    }

    /// The device's channels, sorted; empty for a device never registered.
    pub fn channels(&self, device: &Device) -> anyhow::Result<Vec<String>> {
        let current = self
            .tree
            .get(prefixed(b'd', &device.key()))
            .context("reading push registrations")?;
        Ok(decode(current.as_deref()).into_iter().collect())
    }

    /// Every device registered on `channel`.
    pub fn devices_on(&self, channel: &str) -> anyhow::Result<Vec<Device>> {
        let mut prefix = prefixed(b'c', channel.as_bytes());
        prefix.push(0);
        self.tree
            .scan_prefix(prefix)
            .values()
            .map(|value| {
                let value = value.context("reading push registrations")?;
                serde_json::from_slice(&value).context("a push registration is corrupt")
            })
            .collect()
    }
}

fn prefixed(kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(rest.len() + 2);
    key.push(kind);
    key.push(0);
    key.extend_from_slice(rest);
    key
}

fn index_key(channel: &str, device: &Device) -> Vec<u8> {
    let mut key = prefixed(b'c', channel.as_bytes());
    key.push(0);
    key.extend_from_slice(&device.key());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn open(dir: &std::path::Path) -> PushRegistrations {
        let db = sled::open(dir).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        PushRegistrations::open(&db, commit).unwrap()
    }

    fn fcm(token: &str) -> Device {
        Device {
            service: PushService::Fcm,
            token: token.into(),
            environment: None,
            topic: None,
        }
    }

    fn apns2(token: &str, environment: &str, topic: &str) -> Device {
        Device {
            service: PushService::Apns2,
            token: token.into(),
            environment: Some(environment.into()),
            topic: Some(topic.into()),
        }
    }

    // Multi-threaded: the flush runs inline, so no background flush still
    // holds the database when it is opened again.
    #[tokio::test(flavor = "multi_thread")]
    async fn registrations_change_list_index_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let dev = apns2("t1", "development", "com.app");
        let prod = apns2("t1", "production", "com.app");
        {
            let push = open(dir.path());
            push.change(&fcm("t1"), &names(&["b", "a"]), &[])
                .await
                .unwrap();
            push.change(&dev, &names(&["a"]), &[]).await.unwrap();
            // Remove comes before add: `a` stays.
            push.change(&fcm("t1"), &names(&["a", "c"]), &names(&["a", "b"]))
                .await
                .unwrap();
            assert_eq!(push.channels(&fcm("t1")).unwrap(), ["a", "c"]);
            // Same token, other environment: another device.
            assert!(push.channels(&prod).unwrap().is_empty());
            assert_eq!(push.devices_on("a").unwrap(), [dev.clone(), fcm("t1")]);
            assert!(push.devices_on("b").unwrap().is_empty());
        }
        let push = open(dir.path());
        assert_eq!(push.devices_on("c").unwrap(), [fcm("t1")]);
        push.remove_device(&fcm("t1")).await.unwrap();
        assert!(push.channels(&fcm("t1")).unwrap().is_empty());
        assert_eq!(push.devices_on("a").unwrap(), [dev]);
        assert!(push.devices_on("c").unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_channel_name_prefix_is_not_its_channel() {
        let dir = tempfile::tempdir().unwrap();
        let push = open(dir.path());
        push.change(&fcm("t"), &names(&["ab"]), &[]).await.unwrap();
        assert!(push.devices_on("a").unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_device_holds_at_most_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let push = open(dir.path());
        let many: Vec<String> = (0..=MAX_CHANNELS_PER_DEVICE)
            .map(|i| format!("c{i}"))
            .collect();
        assert!(matches!(
            push.change(&fcm("t"), &many, &[]).await,
            Err(PushStoreError::TooManyChannels { .. })
        ));
        assert!(push.channels(&fcm("t")).unwrap().is_empty());
        assert!(push.devices_on("c1").unwrap().is_empty());
    }
}
