//! App Context (PubNub Objects): uuid and channel metadata and the
//! memberships between them, stored as PubNub-shaped JSON objects.
//!
//! Trees: `uuid_meta` and `channel_meta` (id → object), and `memberships`
//! (`uuid \0 channel` → link) with its mirror `members` (`channel \0 uuid`),
//! so both directions are prefix scans. A link holds the membership's own
//! `custom`, `status`, `type`, `updated` and `eTag`.
//!
//! Writes are read-modify-write under one lock (so an `If-Match` check and
//! the write it guards cannot interleave with another writer) and durable
//! when they return. Rules mirror PubNub's: `custom` is a flat object of
//! scalars, the other fields are strings or null.

use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use sled::Transactional;

use super::GroupCommit;

/// Fields of uuid metadata a caller may set.
const UUID_FIELDS: [&str; 7] = [
    "name",
    "email",
    "externalId",
    "profileUrl",
    "type",
    "status",
    "custom",
];
/// Channel metadata has a description instead of email, externalId and profileUrl.
const CHANNEL_FIELDS: [&str; 5] = ["name", "description", "type", "status", "custom"];
/// Keys a caller may echo back from a read; they are recomputed, never stored as sent.
const SERVER_FIELDS: [&str; 3] = ["id", "updated", "eTag"];
/// Longest uuid accepted, in characters (PubNub's limit, as for publishers).
pub const MAX_UUID_CHARS: usize = 92;
/// Longest channel id accepted, in characters (PubNub's channel name limit).
pub const MAX_CHANNEL_CHARS: usize = 2048;
/// Largest stored object (metadata or membership), as JSON.
pub const MAX_OBJECT_BYTES: usize = 32 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    Uuid,
    Channel,
}

impl MetadataKind {
    /// The name PubNub uses for this kind in events and errors: `uuid`, `channel`.
    pub fn name(self) -> &'static str {
        match self {
            MetadataKind::Uuid => "uuid",
            MetadataKind::Channel => "channel",
        }
    }

    /// The fields a caller may set, in the order responses list them.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            MetadataKind::Uuid => &UUID_FIELDS,
            MetadataKind::Channel => &CHANNEL_FIELDS,
        }
    }
}

/// Which direction of the uuid–channel relation a call starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSide {
    /// A uuid's memberships: the owner is a uuid, the others are channels.
    Memberships,
    /// A channel's members: the owner is a channel, the others are uuids.
    Members,
}

impl LinkSide {
    /// The kind of object on the other end: `channel` for memberships.
    pub fn other(self) -> MetadataKind {
        match self {
            LinkSide::Memberships => MetadataKind::Channel,
            LinkSide::Members => MetadataKind::Uuid,
        }
    }
}

/// One membership: a uuid in a channel, with the link's own fields
/// (`custom`, `status`, `type`, `updated`, `eTag`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub uuid: String,
    pub channel: String,
    pub fields: Map<String, Value>,
}

impl Link {
    /// The id at the other end from `side`'s owner.
    pub fn other_id(&self, side: LinkSide) -> &str {
        match side {
            LinkSide::Memberships => &self.channel,
            LinkSide::Members => &self.uuid,
        }
    }

    /// PubNub's membership shape, as App Context events carry it:
    /// `{"uuid":{"id"},"channel":{"id"},"custom","status","type","updated","eTag"}`.
    pub fn to_event_data(&self) -> Value {
        let mut data = Map::new();
        data.insert("uuid".into(), json!({ "id": self.uuid }));
        data.insert("channel".into(), json!({ "id": self.channel }));
        data.extend(self.fields.clone());
        Value::Object(data)
    }
}

/// A membership to create or replace: the other end's id and the link's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkUpdate {
    pub id: String,
    pub custom: Option<Value>,
    pub status: Option<Value>,
    pub kind: Option<Value>,
}

/// What an update of links did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkChanges {
    pub set: Vec<Link>,
    pub deleted: Vec<Link>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppContextError {
    /// The caller's input breaks a rule; the message names it.
    #[error("{0}")]
    Invalid(String),
    /// `If-Match` named an eTag that is not the stored one.
    #[error("the {0} was modified after it was read (If-Match does not match its eTag)")]
    PreconditionFailed(&'static str),
    #[error("App Context storage failed: {0}")]
    Storage(#[from] anyhow::Error),
}

impl From<sled::Error> for AppContextError {
    fn from(e: sled::Error) -> Self {
        AppContextError::Storage(e.into())
    }
}

#[derive(Clone)]
pub struct AppContext {
    uuids: sled::Tree,
    channels: sled::Tree,
    memberships: sled::Tree,
    members: sled::Tree,
    commit: Arc<GroupCommit>,
    writer: Arc<Mutex<()>>,
}

impl AppContext {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            uuids: db.open_tree("uuid_meta")?,
            channels: db.open_tree("channel_meta")?,
            memberships: db.open_tree("memberships")?,
            members: db.open_tree("members")?,
            commit,
            writer: Arc::default(),
        })
    }

    fn tree(&self, kind: MetadataKind) -> &sled::Tree {
        match kind {
            MetadataKind::Uuid => &self.uuids,
            MetadataKind::Channel => &self.channels,
        }
    }

    fn link_tree(&self, side: LinkSide) -> &sled::Tree {
        match side {
            LinkSide::Memberships => &self.memberships,
            LinkSide::Members => &self.members,
        }
    }

    pub fn get(&self, kind: MetadataKind, id: &str) -> anyhow::Result<Option<Value>> {
        Ok(match self.tree(kind).get(id)? {
            Some(raw) => Some(serde_json::from_slice(&raw)?),
            None => None,
        })
    }

    /// Every object of `kind`, in id order.
    pub fn list(&self, kind: MetadataKind) -> anyhow::Result<Vec<Value>> {
        self.tree(kind)
            .iter()
            .values()
            .map(|raw| Ok(serde_json::from_slice(&raw?)?))
            .collect()
    }

    /// Sets the fields present in `data` (null clears one; `custom` is
    /// replaced whole) on the object `id`, creating it, and returns what is
    /// stored. With `if_match`, fails unless the stored eTag equals it.
    pub async fn set(
        &self,
        kind: MetadataKind,
        id: &str,
        data: &Value,
        if_match: Option<&str>,
    ) -> Result<Value, AppContextError> {
        check_id(kind, id)?;
        let Value::Object(fields) = data else {
            return Err(invalid(format!(
                "{} metadata must be a JSON object, got {data}",
                kind.name()
            )));
        };
        let allowed = kind.fields();
        if let Some(unknown) = fields
            .keys()
            .find(|k| !allowed.contains(&k.as_str()) && !SERVER_FIELDS.contains(&k.as_str()))
        {
            return Err(invalid(format!(
                "unknown {} metadata field {unknown:?}; allowed: {}",
                kind.name(),
                allowed.join(", ")
            )));
        }
        for field in allowed {
            if let Some(value) = fields.get(*field) {
                check_field(field, value)?;
            }
        }
        let object = {
            let _writer = self.writer.lock();
            let current = self.get(kind, id)?;
            check_etag(kind, current.as_ref(), if_match)?;
            let mut object = current
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            for field in allowed {
                if let Some(value) = fields.get(*field) {
                    object.insert((*field).to_owned(), value.clone());
                }
            }
            object.insert("id".into(), json!(id));
            let object = stamp(object);
            let raw = serde_json::to_vec(&object).map_err(anyhow::Error::from)?;
            check_size(kind.name(), id, raw.len())?;
            self.tree(kind).insert(id, raw)?;
            object
        };
        self.commit.durable().await?;
        Ok(object)
    }

    /// Removes the object and returns it; `None` when there was none. With
    /// `if_match`, fails unless the stored eTag equals it.
    pub async fn remove(
        &self,
        kind: MetadataKind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<Option<Value>, AppContextError> {
        let removed = {
            let _writer = self.writer.lock();
            let current = self.get(kind, id)?;
            check_etag(kind, current.as_ref(), if_match)?;
            if current.is_some() {
                self.tree(kind).remove(id)?;
            }
            current
        };
        if removed.is_some() {
            self.commit.durable().await?;
        }
        Ok(removed)
    }

    /// The links of `owner` (a uuid's memberships or a channel's members),
    /// ordered by the other end's id.
    pub fn links(&self, side: LinkSide, owner: &str) -> anyhow::Result<Vec<Link>> {
        let prefix = pair_key(owner, "");
        self.link_tree(side)
            .scan_prefix(&prefix)
            .map(|entry| {
                let (key, raw) = entry?;
                let other = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
                Ok(link(side, owner, &other, serde_json::from_slice(&raw)?))
            })
            .collect()
    }

    /// Creates or updates the links in `set`, then removes those to the ids
    /// in `delete`, in one transaction. As PubNub does, an existing link
    /// keeps the fields an entry leaves out (`custom`, when sent, replaces
    /// the old one whole; null clears a field). Nothing is written when any
    /// entry is invalid. Returns the links written and the links removed.
    pub async fn update_links(
        &self,
        side: LinkSide,
        owner: &str,
        set: &[LinkUpdate],
        delete: &[String],
    ) -> Result<LinkChanges, AppContextError> {
        let owner_kind = match side {
            LinkSide::Memberships => MetadataKind::Uuid,
            LinkSide::Members => MetadataKind::Channel,
        };
        check_id(owner_kind, owner)?;
        for update in set {
            check_id(side.other(), &update.id)?;
            for (name, value) in update.fields() {
                check_field(name, value)?;
            }
        }
        for id in delete {
            check_id(side.other(), id)?;
        }

        let changes = {
            let _writer = self.writer.lock();
            let mut written = Vec::with_capacity(set.len());
            for update in set {
                // An id sent twice builds on its earlier entry. Both link
                // trees are keyed owner first.
                let earlier = written
                    .iter()
                    .rev()
                    .find(|(link, _): &&(Link, Vec<u8>)| link.other_id(side) == update.id);
                let mut fields: Map<String, Value> = match earlier {
                    Some((link, _)) => link.fields.clone(),
                    None => match self.link_tree(side).get(pair_key(owner, &update.id))? {
                        Some(raw) => serde_json::from_slice(&raw).map_err(anyhow::Error::from)?,
                        None => Map::new(),
                    },
                };
                for (name, value) in update.fields() {
                    fields.insert(name.into(), value.clone());
                }
                let Value::Object(fields) = stamp(fields) else {
                    unreachable!("stamp returns an object")
                };
                let raw = serde_json::to_vec(&fields).map_err(anyhow::Error::from)?;
                check_size("membership", &update.id, raw.len())?;
                written.push((link(side, owner, &update.id, fields), raw));
            }
            let mut deleted = Vec::new();
            for id in delete {
                if let Some(raw) = self.link_tree(side).get(pair_key(owner, id))? {
                    let fields = serde_json::from_slice(&raw).map_err(anyhow::Error::from)?;
                    deleted.push(link(side, owner, id, fields));
                }
            }
            (&self.memberships, &self.members)
                .transaction(|(memberships, members)| {
                    for (link, raw) in &written {
                        memberships.insert(pair_key(&link.uuid, &link.channel), raw.as_slice())?;
                        members.insert(pair_key(&link.channel, &link.uuid), raw.as_slice())?;
                    }
                    for link in &deleted {
                        memberships.remove(pair_key(&link.uuid, &link.channel))?;
                        members.remove(pair_key(&link.channel, &link.uuid))?;
                    }
                    Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                })
                .map_err(|e| anyhow::anyhow!("membership transaction failed: {e:?}"))?;
            LinkChanges {
                set: written.into_iter().map(|(link, _)| link).collect(),
                deleted,
            }
        };
        self.commit.durable().await?;
        Ok(changes)
    }

    /// The uuid's memberships: `[{channel: {id}, custom, status, type, updated, eTag}]`.
    pub fn memberships(&self, uuid: &str) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .links(LinkSide::Memberships, uuid)?
            .iter()
            .map(|l| plain_link(l, "channel", &l.channel))
            .collect())
    }

    /// A channel's members: `[{uuid: {id}, custom, status, type, updated, eTag}]`.
    pub fn members(&self, channel: &str) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .links(LinkSide::Members, channel)?
            .iter()
            .map(|l| plain_link(l, "uuid", &l.uuid))
            .collect())
    }
}

impl LinkUpdate {
    /// The link fields this entry sends, by their PubNub names.
    fn fields(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        [
            ("custom", &self.custom),
            ("status", &self.status),
            ("type", &self.kind),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| (name, v)))
    }

    /// Reads one entry of a membership list as functions and PubNub's
    /// PATCH bodies write it: an id, `{id, custom}`, or
    /// `{"<other>": {"id"}, "custom", "status", "type"}`.
    pub fn parse(entry: &Value, other: MetadataKind) -> Result<Self, AppContextError> {
        let other_name = other.name();
        match entry {
            Value::String(id) => Ok(Self {
                id: id.clone(),
                ..Self::default()
            }),
            Value::Object(o) => {
                let id = o
                    .get(other_name)
                    .and_then(|c| c.get("id"))
                    .or_else(|| o.get("id"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        invalid(format!(
                            "membership entry {entry} has no {other_name} id (expected {{\"{other_name}\":{{\"id\":\"…\"}}}})"
                        ))
                    })?;
                Ok(Self {
                    id: id.to_owned(),
                    custom: o.get("custom").cloned(),
                    status: o.get("status").cloned(),
                    kind: o.get("type").cloned(),
                })
            }
            other => Err(invalid(format!(
                "membership entry must be an id or an object, got {other}"
            ))),
        }
    }
}

fn invalid(message: String) -> AppContextError {
    AppContextError::Invalid(message)
}

fn check_id(kind: MetadataKind, id: &str) -> Result<(), AppContextError> {
    let what = kind.name();
    if id.is_empty() {
        return Err(invalid(format!("{what} id must not be empty")));
    }
    let limit = match kind {
        MetadataKind::Uuid => MAX_UUID_CHARS,
        MetadataKind::Channel => MAX_CHANNEL_CHARS,
    };
    let chars = id.chars().count();
    if chars > limit {
        return Err(invalid(format!(
            "{what} id is {chars} characters long; the limit is {limit}"
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{what} id {id:?} contains a control character"
        )));
    }
    Ok(())
}

fn check_field(field: &str, value: &Value) -> Result<(), AppContextError> {
    match (field, value) {
        (_, Value::Null) => Ok(()),
        ("custom", Value::Object(custom)) => {
            match custom
                .iter()
                .find(|(_, v)| matches!(v, Value::Object(_) | Value::Array(_)))
            {
                Some((key, _)) => Err(invalid(format!(
                    "custom.{key} is an object or array; custom values must be strings, numbers, booleans or null"
                ))),
                None => Ok(()),
            }
        }
        ("custom", other) => Err(invalid(format!(
            "custom must be a JSON object, got {other}"
        ))),
        (_, Value::String(_)) => Ok(()),
        (field, other) => Err(invalid(format!(
            "{field} must be a string or null, got {other}"
        ))),
    }
}

fn check_size(what: &str, id: &str, len: usize) -> Result<(), AppContextError> {
    if len > MAX_OBJECT_BYTES {
        return Err(invalid(format!(
            "{what} {id:?} would be {len} bytes as JSON; the limit is {MAX_OBJECT_BYTES}"
        )));
    }
    Ok(())
}

fn check_etag(
    kind: MetadataKind,
    current: Option<&Value>,
    if_match: Option<&str>,
) -> Result<(), AppContextError> {
    let Some(expected) = if_match else {
        return Ok(());
    };
    let stored = current.and_then(|c| c.get("eTag")).and_then(Value::as_str);
    if stored == Some(expected) {
        Ok(())
    } else {
        Err(AppContextError::PreconditionFailed(kind.name()))
    }
}

fn link(side: LinkSide, owner: &str, other: &str, fields: Map<String, Value>) -> Link {
    let (uuid, channel) = match side {
        LinkSide::Memberships => (owner, other),
        LinkSide::Members => (other, owner),
    };
    Link {
        uuid: uuid.to_owned(),
        channel: channel.to_owned(),
        fields,
    }
}

fn plain_link(link: &Link, other_field: &str, other_id: &str) -> Value {
    let mut object = link.fields.clone();
    object.insert(other_field.into(), json!({ "id": other_id }));
    Value::Object(object)
}

/// Sets `updated` and `eTag` on an object about to be stored.
fn stamp(mut object: Map<String, Value>) -> Value {
    object.remove("eTag");
    object.insert("updated".into(), json!(now_iso8601()));
    let digest = Sha256::digest(serde_json::to_vec(&object).unwrap_or_default());
    object.insert("eTag".into(), json!(hex::encode(&digest[..16])));
    Value::Object(object)
}

fn pair_key(a: &str, b: &str) -> Vec<u8> {
    [a.as_bytes(), &[0], b.as_bytes()].concat()
}

/// UTC with microseconds, as PubNub writes `updated`; fixed width, so
/// comparing the strings compares the times.
fn now_iso8601() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, AppContext) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        (dir, AppContext::open(&db, commit).unwrap())
    }

    #[tokio::test]
    async fn set_merges_fields_and_null_clears_one() {
        let (_dir, ctx) = store();
        let first = ctx
            .set(
                MetadataKind::Uuid,
                "u1",
                &json!({"name": "Ann", "email": "a@x", "custom": {"a": 1}}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(first["id"], "u1");
        let second = ctx
            .set(
                MetadataKind::Uuid,
                "u1",
                &json!({"email": null, "custom": {"b": true}}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(second["name"], "Ann");
        assert_eq!(second["email"], Value::Null);
        assert_eq!(second["custom"], json!({"b": true}), "custom is replaced");
        assert_ne!(first["eTag"], second["eTag"]);
        assert_eq!(second["updated"].as_str().unwrap().len(), 27);
    }

    #[tokio::test]
    async fn if_match_guards_set_and_remove() {
        let (_dir, ctx) = store();
        let kind = MetadataKind::Channel;
        let stored = ctx
            .set(kind, "c", &json!({"name": "one"}), None)
            .await
            .unwrap();
        let etag = stored["eTag"].as_str().unwrap().to_owned();
        let updated = ctx
            .set(kind, "c", &json!({"name": "two"}), Some(&etag))
            .await
            .unwrap();
        let stale = ctx
            .set(kind, "c", &json!({"name": "three"}), Some(&etag))
            .await;
        assert!(matches!(
            stale,
            Err(AppContextError::PreconditionFailed("channel"))
        ));
        assert_eq!(ctx.get(kind, "c").unwrap().unwrap()["name"], "two");
        assert!(ctx.remove(kind, "c", Some(&etag)).await.is_err());
        let current = updated["eTag"].as_str().unwrap();
        assert!(
            ctx.remove(kind, "c", Some(current))
                .await
                .unwrap()
                .is_some()
        );
        assert!(ctx.remove(kind, "c", None).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn rejects_bad_input_and_stores_nothing() {
        let (_dir, ctx) = store();
        let kind = MetadataKind::Uuid;
        for bad in [
            json!({"nickname": "x"}),
            json!({"name": 5}),
            json!({"custom": {"nested": {"a": 1}}}),
            json!({"custom": [1]}),
            json!("just a string"),
        ] {
            let result = ctx.set(kind, "u", &bad, None).await;
            assert!(matches!(result, Err(AppContextError::Invalid(_))), "{bad}");
        }
        let long = "x".repeat(MAX_UUID_CHARS + 1);
        assert!(ctx.set(kind, &long, &json!({}), None).await.is_err());
        assert!(ctx.list(kind).unwrap().is_empty());
    }

    #[tokio::test]
    async fn links_are_mirrored_and_deleted_together() {
        let (_dir, ctx) = store();
        let set = [
            LinkUpdate::parse(
                &json!({"channel": {"id": "c1"}, "custom": {"r": "admin"}, "status": "active"}),
                MetadataKind::Channel,
            )
            .unwrap(),
            LinkUpdate::parse(&json!("c2"), MetadataKind::Channel).unwrap(),
        ];
        let changes = ctx
            .update_links(LinkSide::Memberships, "u1", &set, &[])
            .await
            .unwrap();
        assert_eq!(changes.set.len(), 2);
        let members = ctx.links(LinkSide::Members, "c1").unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].uuid, "u1");
        assert_eq!(members[0].fields["custom"], json!({"r": "admin"}));
        assert_eq!(
            ctx.memberships("u1").unwrap()[1]["channel"],
            json!({"id": "c2"})
        );

        let changes = ctx
            .update_links(
                LinkSide::Members,
                "c1",
                &[],
                &["u1".into(), "nobody".into()],
            )
            .await
            .unwrap();
        assert_eq!(changes.deleted.len(), 1, "only existing links are reported");
        assert_eq!(
            changes.deleted[0].to_event_data()["uuid"],
            json!({"id": "u1"})
        );
        assert_eq!(ctx.memberships("u1").unwrap().len(), 1);
        assert!(ctx.members("c1").unwrap().is_empty());
    }

    #[tokio::test]
    async fn setting_a_link_again_keeps_what_it_leaves_out() {
        let (_dir, ctx) = store();
        let first = LinkUpdate::parse(
            &json!({"channel": {"id": "c"}, "custom": {"a": 1, "b": 2}, "status": "active", "type": "admin"}),
            MetadataKind::Channel,
        )
        .unwrap();
        ctx.update_links(LinkSide::Memberships, "u", &[first], &[])
            .await
            .unwrap();
        let again = LinkUpdate::parse(
            &json!({"channel": {"id": "c"}, "custom": {"a": 3}}),
            MetadataKind::Channel,
        )
        .unwrap();
        let cleared = LinkUpdate::parse(
            &json!({"channel": {"id": "c"}, "type": null}),
            MetadataKind::Channel,
        )
        .unwrap();
        ctx.update_links(LinkSide::Memberships, "u", &[again, cleared], &[])
            .await
            .unwrap();
        let stored = &ctx.members("c").unwrap()[0];
        assert_eq!(
            stored["custom"],
            json!({"a": 3}),
            "custom is replaced whole"
        );
        assert_eq!(stored["status"], "active");
        assert_eq!(stored["type"], Value::Null);
    }

    #[tokio::test]
    async fn an_invalid_link_writes_nothing() {
        let (_dir, ctx) = store();
        let set = [
            LinkUpdate::parse(&json!("c1"), MetadataKind::Channel).unwrap(),
            LinkUpdate {
                id: "c2".into(),
                custom: Some(json!({"deep": {"x": 1}})),
                ..LinkUpdate::default()
            },
        ];
        assert!(
            ctx.update_links(LinkSide::Memberships, "u", &set, &[])
                .await
                .is_err()
        );
        assert!(ctx.memberships("u").unwrap().is_empty());
    }
}
