//! The `include` parameter, and shaping objects to what it asks for.
//!
//! SDKs send a comma list: `custom`, `status`, `type`, `totalCount`, and for
//! memberships `channel`, `channel.custom`, `channel.status`, `channel.type`
//! (members: `uuid…`; the old names `space…`/`user…` are accepted too).
//! Unknown names are ignored, so a newer SDK's extra flags do no harm.

use serde_json::{Map, Value, json};

use crate::store::MetadataKind;

/// Which optional fields a response carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    pub custom: bool,
    pub status: bool,
    pub kind: bool,
    pub total_count: bool,
    /// The object at the other end of a membership (channel or uuid), in full.
    pub other: bool,
    pub other_custom: bool,
    pub other_status: bool,
    pub other_kind: bool,
}

impl Include {
    /// Reads every `include` value (each a comma list).
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut include = Self::default();
        for name in values.into_iter().flat_map(|v| v.split(',')) {
            let name = name.trim();
            let (head, tail) = name.split_once('.').unwrap_or((name, ""));
            let other = matches!(head, "channel" | "space" | "uuid" | "user");
            match (other, head, tail) {
                (false, "custom", "") => include.custom = true,
                (false, "status", "") => include.status = true,
                (false, "type", "") => include.kind = true,
                (false, "totalCount", "") => include.total_count = true,
                (true, _, "") => include.other = true,
                (true, _, "custom") => (include.other, include.other_custom) = (true, true),
                (true, _, "status") => (include.other, include.other_status) = (true, true),
                (true, _, "type") => (include.other, include.other_kind) = (true, true),
                _ => tracing::debug!(include = name, "ignoring unknown include"),
            }
        }
        include
    }

    /// What the joined object of a membership shows.
    pub fn nested(&self) -> Self {
        Self {
            custom: self.other_custom,
            status: self.other_status,
            kind: self.other_kind,
            ..Self::default()
        }
    }

    /// A metadata object as PubNub returns it: every standard field (null
    /// when unset), `status`/`type`/`custom` only when asked for.
    pub fn metadata(&self, kind: MetadataKind, object: &Value) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), field(object, "id"));
        for name in kind.fields() {
            let wanted = match *name {
                "custom" => self.custom,
                "status" => self.status,
                "type" => self.kind,
                _ => true,
            };
            if wanted {
                out.insert((*name).to_owned(), field(object, name));
            }
        }
        out.insert("updated".into(), field(object, "updated"));
        out.insert("eTag".into(), field(object, "eTag"));
        Value::Object(out)
    }

    /// A membership as PubNub lists it, from its joined form
    /// (`{"channel": <object or {id}>, custom, status, type, updated, eTag}`).
    pub fn link(&self, other: MetadataKind, joined: &Value) -> Value {
        let other_name = other.name();
        let mut out = Map::new();
        let target = joined.get(other_name).unwrap_or(&Value::Null);
        // Without metadata of its own, the other end shows its id only.
        let shown = if self.other && target.get("eTag").is_some() {
            self.nested().metadata(other, target)
        } else {
            json!({ "id": field(target, "id") })
        };
        out.insert(other_name.into(), shown);
        for (name, wanted) in [
            ("custom", self.custom),
            ("status", self.status),
            ("type", self.kind),
        ] {
            if wanted {
                out.insert(name.into(), field(joined, name));
            }
        }
        out.insert("updated".into(), field(joined, "updated"));
        out.insert("eTag".into(), field(joined, "eTag"));
        Value::Object(out)
    }
}

fn field(object: &Value, name: &str) -> Value {
    object.get(name).cloned().unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sdk_include_lists() {
        let js = Include::parse(["status,type,custom"]);
        assert!(js.custom && js.status && js.kind && !js.other);
        let members = Include::parse([
            "custom,status,type,totalCount,uuid,uuid.custom,uuid.type,uuid.status",
        ]);
        assert!(members.total_count && members.other && members.other_custom);
        assert!(members.other_status && members.other_kind);
        let legacy = Include::parse(["channel.custom", "something-new"]);
        assert!(legacy.other && legacy.other_custom && !legacy.custom);
    }

    #[test]
    fn shapes_metadata_and_links() {
        let stored = json!({"id": "u", "name": "Ann", "custom": {"a": 1}, "status": "on",
                            "updated": "t", "eTag": "e"});
        let plain = Include::default().metadata(MetadataKind::Uuid, &stored);
        assert_eq!(
            plain,
            json!({"id": "u", "name": "Ann", "email": null, "externalId": null,
                   "profileUrl": null, "updated": "t", "eTag": "e"})
        );
        let full = Include::parse(["custom,status,type"]).metadata(MetadataKind::Uuid, &stored);
        assert_eq!(full["custom"], json!({"a": 1}));
        assert_eq!(full["type"], Value::Null);

        let joined = json!({"uuid": stored, "custom": null, "updated": "t2", "eTag": "e2"});
        let bare = Include::default().link(MetadataKind::Uuid, &joined);
        assert_eq!(
            bare,
            json!({"uuid": {"id": "u"}, "updated": "t2", "eTag": "e2"})
        );
        let deep = Include::parse(["uuid.custom,custom"]).link(MetadataKind::Uuid, &joined);
        assert_eq!(deep["uuid"]["custom"], json!({"a": 1}));
        assert_eq!(deep["custom"], Value::Null);
        assert!(deep["uuid"].get("status").is_none());
    }
}
