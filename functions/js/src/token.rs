//! `pubnub.parseToken`: an Access Manager v3 token (URL-safe Base64 of a CBOR
//! map) read back into the JS SDK's shape.

use ciborium::Value as Cbor;
use serde_json::{Map, Value, json};

/// PubNub's permission bits, in the JS SDK's names.
const PERMISSIONS: &[(u64, &str)] = &[
    (1, "read"),
    (2, "write"),
    (4, "manage"),
    (8, "delete"),
    (32, "get"),
    (64, "update"),
    (128, "join"),
];

pub fn parse(token: &str) -> Result<Value, String> {
    let bytes = crate::natives::decode_any_base64(token).ok_or("the token is not Base64")?;
    let cbor: Cbor = ciborium::from_reader(bytes.as_slice())
        .map_err(|e| format!("the token is not CBOR: {e}"))?;
    let map = entries(&cbor).ok_or("the token is not a CBOR map")?;
    let field = |name: &str| {
        map.iter()
            .find(|(k, _)| text(k).as_deref() == Some(name))
            .map(|(_, v)| v)
    };
    let number = |name: &str| field(name).and_then(integer);
    let mut answer = json!({
        "version": number("v"),
        "timestamp": number("t"),
        "ttl": number("ttl"),
        "resources": field("res").map(resources).unwrap_or_else(|| json!({})),
        "patterns": field("pat").map(resources).unwrap_or_else(|| json!({})),
    });
    if let Some(uuid) = field("uuid").and_then(text) {
        answer["authorized_uuid"] = Value::String(uuid);
    }
    if let Some(meta) = field("meta") {
        answer["meta"] = to_json(meta);
    }
    if let Some(Cbor::Bytes(signature)) = field("sig") {
        answer["signature"] = Value::String(hex::encode(signature));
    }
    Ok(answer)
}

fn resources(value: &Cbor) -> Value {
    let mut out = Map::new();
    for (kind, entries_of_kind) in entries(value).unwrap_or(&Vec::new()) {
        let name = match text(kind).as_deref() {
            Some("chan") => "channels",
            Some("grp") => "groups",
            Some("uuid") | Some("usr") => "uuids",
            Some("spc") => "spaces",
            _ => continue,
        };
        let mut granted = Map::new();
        for (resource, bits) in entries(entries_of_kind).unwrap_or(&Vec::new()) {
            let (Some(resource), Some(bits)) = (text(resource), integer(bits)) else {
                continue;
            };
            let permissions: Map<String, Value> = PERMISSIONS
                .iter()
                .filter(|(bit, _)| bits & bit != 0)
                .map(|(_, name)| ((*name).to_owned(), Value::Bool(true)))
                .collect();
            granted.insert(resource, Value::Object(permissions));
        }
        if !granted.is_empty() {
            out.insert(name.into(), Value::Object(granted));
        }
    }
    Value::Object(out)
}

fn entries(value: &Cbor) -> Option<&Vec<(Cbor, Cbor)>> {
    match value {
        Cbor::Map(entries) => Some(entries),
        _ => None,
    }
}

fn text(value: &Cbor) -> Option<String> {
    match value {
        Cbor::Text(s) => Some(s.clone()),
        Cbor::Bytes(b) => String::from_utf8(b.clone()).ok(),
        _ => None,
    }
}

fn integer(value: &Cbor) -> Option<u64> {
    match value {
        Cbor::Integer(i) => u64::try_from(i128::from(*i)).ok(),
        _ => None,
    }
}

fn to_json(value: &Cbor) -> Value {
    match value {
        Cbor::Integer(i) => json!(i128::from(*i) as i64),
        Cbor::Float(f) => json!(f),
        Cbor::Bool(b) => json!(b),
        Cbor::Null => Value::Null,
        Cbor::Text(s) => json!(s),
        Cbor::Bytes(b) => json!(String::from_utf8_lossy(b)),
        Cbor::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Cbor::Map(entries) => Value::Object(
            entries
                .iter()
                .filter_map(|(k, v)| Some((text(k)?, to_json(v))))
                .collect(),
        ),
        _ => Value::Null,
    }
}
