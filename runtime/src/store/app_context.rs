//! App Context (PubNub Objects): uuid and channel metadata and the
//! memberships between them, stored as PubNub-shaped JSON objects.
//!
//! Trees: `uuid_meta` and `channel_meta` (id → object), and `memberships`
//! (`uuid \0 channel` → membership) with its mirror `members`
//! (`channel \0 uuid`), so both directions are prefix scans.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::GroupCommit;

/// Fields of a metadata object a caller may set.
const SETTABLE_FIELDS: [&str; 7] = [
    "name",
    "email",
    "externalId",
    "profileUrl",
    "type",
    "status",
    "custom",
];
/// Channel metadata has no email, externalId or profileUrl.
const CHANNEL_FIELDS: [&str; 5] = ["name", "description", "type", "status", "custom"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    Uuid,
    Channel,
}

#[derive(Clone)]
pub struct AppContext {
    uuids: sled::Tree,
    channels: sled::Tree,
    memberships: sled::Tree,
    members: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl AppContext {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            uuids: db.open_tree("uuid_meta")?,
            channels: db.open_tree("channel_meta")?,
            memberships: db.open_tree("memberships")?,
            members: db.open_tree("members")?,
            commit,
        })
    }

    fn tree(&self, kind: MetadataKind) -> &sled::Tree {
        match kind {
            MetadataKind::Uuid => &self.uuids,
            MetadataKind::Channel => &self.channels,
        }
    }

    pub fn get(&self, kind: MetadataKind, id: &str) -> anyhow::Result<Option<Value>> {
        Ok(match self.tree(kind).get(id)? {
            Some(raw) => Some(serde_json::from_slice(&raw)?),
            None => None,
        })
    }

    /// Merges the settable fields of `data` into the object `id` (creating it)
    /// and returns what is stored.
    pub async fn set(&self, kind: MetadataKind, id: &str, data: &Value) -> anyhow::Result<Value> {
        let Value::Object(fields) = data else {
            anyhow::bail!("metadata must be a JSON object, got {data}");
        };
        let allowed: &[&str] = match kind {
            MetadataKind::Uuid => &SETTABLE_FIELDS,
            MetadataKind::Channel => &CHANNEL_FIELDS,
        };
        if let Some(unknown) = fields.keys().find(|k| {
            !allowed.contains(&k.as_str()) && !matches!(k.as_str(), "id" | "updated" | "eTag")
        }) {
            anyhow::bail!(
                "unknown metadata field {unknown:?}; allowed: {}",
                allowed.join(", ")
            );
        }
        let mut object = self
            .get(kind, id)?
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        for field in allowed {
            if let Some(value) = fields.get(*field) {
                object.insert((*field).to_owned(), value.clone());
            }
        }
        object.insert("id".into(), json!(id));
        let object = stamp(object);
        self.tree(kind).insert(id, serde_json::to_vec(&object)?)?;
        self.commit.durable().await?;
        Ok(object)
    }

    /// Removes the object; true when it existed.
    pub async fn remove(&self, kind: MetadataKind, id: &str) -> anyhow::Result<bool> {
        let existed = self.tree(kind).remove(id)?.is_some();
        self.commit.durable().await?;
        Ok(existed)
    }

    /// The uuid's memberships: `[{channel: {id}, custom, updated, eTag}]`.
    pub fn memberships(&self, uuid: &str) -> anyhow::Result<Vec<Value>> {
        pairs(&self.memberships, uuid, "channel")
    }

    /// A channel's members: `[{uuid: {id}, custom, updated, eTag}]`.
    pub fn members(&self, channel: &str) -> anyhow::Result<Vec<Value>> {
        pairs(&self.members, channel, "uuid")
    }

    /// Adds or updates the memberships of `uuid` in `channels` (each an id or
    /// `{id, custom}`), returning all of the uuid's memberships.
    pub async fn set_memberships(
        &self,
        uuid: &str,
        channels: &[Value],
    ) -> anyhow::Result<Vec<Value>> {
        for entry in channels {
            let (channel, custom) = match entry {
                Value::String(id) => (id.clone(), None),
                Value::Object(o) => {
                    let id = o
                        .get("id")
                        .or_else(|| o.get("channel").and_then(|c| c.get("id")))
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            anyhow::anyhow!("membership entry {entry} has no channel id")
                        })?;
                    (id.to_owned(), o.get("custom").cloned())
                }
                other => {
                    anyhow::bail!("membership entry must be a channel id or object, got {other}")
                }
            };
            let mut link = Map::new();
            if let Some(custom) = custom {
                link.insert("custom".into(), custom);
            }
            let link = serde_json::to_vec(&stamp(link))?;
            self.memberships
                .insert(pair_key(uuid, &channel), link.clone())?;
            self.members.insert(pair_key(&channel, uuid), link)?;
        }
        self.commit.durable().await?;
        self.memberships(uuid)
    }

    pub async fn remove_memberships(
        &self,
        uuid: &str,
        channels: &[String],
    ) -> anyhow::Result<Vec<Value>> {
        for channel in channels {
            self.memberships.remove(pair_key(uuid, channel))?;
            self.members.remove(pair_key(channel, uuid))?;
        }
        self.commit.durable().await?;
        self.memberships(uuid)
    }
}

/// Sets `updated` and `eTag` on an object about to be stored.
fn stamp(mut object: Map<String, Value>) -> Value {
    object.remove("eTag");
    object.insert("updated".into(), json!(now_rfc3339()));
    let digest = Sha256::digest(serde_json::to_vec(&object).unwrap_or_default());
    object.insert("eTag".into(), json!(hex::encode(&digest[..12])));
    Value::Object(object)
}

fn pairs(tree: &sled::Tree, owner: &str, other_field: &str) -> anyhow::Result<Vec<Value>> {
    let prefix = pair_key(owner, "");
    tree.scan_prefix(&prefix)
        .map(|entry| {
            let (key, raw) = entry?;
            let other = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            let mut link: Map<String, Value> = serde_json::from_slice(&raw)?;
            link.insert(other_field.into(), json!({ "id": other }));
            Ok(Value::Object(link))
        })
        .collect()
}

fn pair_key(a: &str, b: &str) -> Vec<u8> {
    [a.as_bytes(), &[0], b.as_bytes()].concat()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
