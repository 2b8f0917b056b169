//! v3 access tokens: a CBOR map, url-safe base64 **with** padding (Python's
//! `parse_token` needs it), readable by both SDKs' `parseToken`:
//!
//! `{v: 2, t: <unix s>, ttl: <minutes>, res: {chan, grp, uuid, usr, spc},
//!   pat: {chan, grp, uuid, usr, spc}, meta: {..}, uuid?: <authorized uuid>,
//!   sig: <32 bytes>}`
//!
//! Keys are text strings; every resource map is present (JS reads `res.chan`
//! and friends unconditionally, Python reads `meta`). `sig` is
//! HMAC-SHA256(secret key, CBOR of the map without `sig`): clients never check
//! it, the server always does, so a token cannot be forged or altered.
//! Patterns are regular expressions matched against the whole name.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use ciborium::Value as Cbor;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use regex::Regex;
use serde_json::Value;
use sha2::Sha256;

use super::error::AccessError;
use super::permission::{Permission, ResourceKind};

pub const TOKEN_VERSION: u64 = 2;
/// The v3 grant's TTL bounds, in minutes (30 days at most).
pub const MIN_TTL_MINUTES: u64 = 1;
pub const MAX_TTL_MINUTES: u64 = 43_200;

/// The five resource maps of `res` and `pat`: name → permission bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub chan: BTreeMap<String, u32>,
    pub grp: BTreeMap<String, u32>,
    pub uuid: BTreeMap<String, u32>,
    /// `users` and `spaces`: the newer names Python also sends; they count
    /// as uuids and channels.
    pub usr: BTreeMap<String, u32>,
    pub spc: BTreeMap<String, u32>,
}

impl Rules {
    const KEYS: [&'static str; 5] = ["chan", "grp", "uuid", "usr", "spc"];

    fn map(&self, key: &str) -> &BTreeMap<String, u32> {
        match key {
            "chan" => &self.chan,
            "grp" => &self.grp,
            "uuid" => &self.uuid,
            "usr" => &self.usr,
            _ => &self.spc,
        }
    }

    fn map_mut(&mut self, key: &str) -> &mut BTreeMap<String, u32> {
        match key {
            "chan" => &mut self.chan,
            "grp" => &mut self.grp,
            "uuid" => &mut self.uuid,
            "usr" => &mut self.usr,
            _ => &mut self.spc,
        }
    }

    /// The maps that speak for `kind`.
    fn for_kind(&self, kind: ResourceKind) -> [&BTreeMap<String, u32>; 2] {
        match kind {
            ResourceKind::Channel => [&self.chan, &self.spc],
            ResourceKind::Group => [&self.grp, &self.grp],
            ResourceKind::Uuid => [&self.uuid, &self.usr],
        }
    }

    pub fn is_empty(&self) -> bool {
        Self::KEYS.iter().all(|k| self.map(k).is_empty())
    }

    fn to_cbor(&self) -> Cbor {
        Cbor::Map(
            Self::KEYS
                .iter()
                .map(|k| {
                    let entries = self
                        .map(k)
                        .iter()
                        .map(|(name, bits)| (Cbor::Text(name.clone()), Cbor::from(*bits)))
                        .collect();
                    (Cbor::Text((*k).into()), Cbor::Map(entries))
                })
                .collect(),
        )
    }

    fn from_cbor(value: &Cbor, field: &str) -> Result<Self, String> {
        let mut rules = Self::default();
        for (key, entries) in as_map(value, field)? {
            let key = as_text(key, field)?;
            if !Self::KEYS.contains(&key) {
                continue;
            }
            for (name, bits) in as_map(entries, key)? {
                let bits = bits
                    .as_integer()
                    .and_then(|i| u32::try_from(i).ok())
                    .ok_or(format!("`{field}.{key}` permissions must be integers"))?;
                rules
                    .map_mut(key)
                    .insert(as_text(name, key)?.to_owned(), bits);
            }
        }
        Ok(rules)
    }
}

/// A token's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Unix seconds when it was issued.
    pub timestamp: u64,
    pub ttl_minutes: u64,
    pub resources: Rules,
    pub patterns: Rules,
    /// A JSON object, returned as-is by `parseToken`.
    pub meta: Value,
    /// When set, requests with this token must carry this `uuid`.
    pub authorized_uuid: Option<String>,
}

impl Token {
    pub fn expires_at(&self) -> u64 {
        self.timestamp + self.ttl_minutes * 60
    }

    fn body_cbor(&self) -> Vec<(Cbor, Cbor)> {
        let meta = Cbor::serialized(&self.meta).unwrap_or(Cbor::Map(Vec::new()));
        let mut entries = vec![
            (Cbor::Text("v".into()), Cbor::from(TOKEN_VERSION)),
            (Cbor::Text("t".into()), Cbor::from(self.timestamp)),
            (Cbor::Text("ttl".into()), Cbor::from(self.ttl_minutes)),
            (Cbor::Text("res".into()), self.resources.to_cbor()),
            (Cbor::Text("pat".into()), self.patterns.to_cbor()),
            (Cbor::Text("meta".into()), meta),
        ];
        if let Some(uuid) = &self.authorized_uuid {
            entries.push((Cbor::Text("uuid".into()), Cbor::Text(uuid.clone())));
        }
        entries
    }

    /// The token string, signed with `secret`.
    pub fn encode(&self, secret: &str) -> String {
        let mut entries = self.body_cbor();
        let sig = sign(secret, &cbor_bytes(&Cbor::Map(entries.clone())));
        entries.push((Cbor::Text("sig".into()), Cbor::Bytes(sig)));
        URL_SAFE.encode(cbor_bytes(&Cbor::Map(entries)))
    }
}

/// A token string that decoded and whose signature matched this server.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub token: Token,
    /// Its signature: the key revocations are recorded under.
    pub signature: Vec<u8>,
}

/// The shortest token this server issues is well over this; v2 auth keys
/// (free-form, chosen by people) are rarely this long and base64 at once.
const MIN_TOKEN_CHARS: usize = 64;

/// Whether `auth` is taken for a v3 token rather than a v2 auth key: long,
/// url-safe base64 throughout, and its first byte opens a CBOR map. Cheap:
/// it runs on every request that carries `auth`.
pub fn looks_like_token(auth: &str) -> bool {
    auth.len() >= MIN_TOKEN_CHARS
        && auth
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
        && URL_SAFE_NO_PAD
            .decode(&auth[..4])
            .is_ok_and(|head| head[0] & 0xE0 == 0xA0)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(trimmed).ok()
}

/// Decodes `text` and checks its signature against `secret`. Expiry and
/// revocation are the caller's (they need a clock and the store).
pub fn decode_and_verify(secret: &str, text: &str) -> Result<VerifiedToken, AccessError> {
    let malformed =
        |why: String| AccessError::BadRequest(format!("Invalid token: {why}; request a new one"));
    let bytes = decode_base64(text).ok_or_else(|| malformed("not url-safe base64".into()))?;
    let mut rest = bytes.as_slice();
    let value: Cbor = ciborium::from_reader(&mut rest)
        .map_err(|e| malformed(format!("not CBOR: {}", cbor_problem(&e))))?;
    // The signature covers the map alone, so bytes after it would ride along
    // unsigned: a token is its map and nothing else, as PubNub issues them.
    if !rest.is_empty() {
        return Err(malformed(format!(
            "malformed, {} byte(s) follow its CBOR map",
            rest.len()
        )));
    }
    let Cbor::Map(mut entries) = value else {
        return Err(malformed("not a CBOR map".into()));
    };
    let sig_at = entries
        .iter()
        .position(|(k, _)| k.as_text() == Some("sig"))
        .ok_or_else(|| malformed("no `sig`".into()))?;
    let (_, sig) = entries.remove(sig_at);
    let Cbor::Bytes(signature) = sig else {
        return Err(malformed("`sig` is not a byte string".into()));
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(&cbor_bytes(&Cbor::Map(entries.clone())));
    if mac.verify_slice(&signature).is_err() {
        return Err(AccessError::Denied(
            "Invalid token: its signature does not match this server's secret key (forged, altered or issued by another keyset)".into(),
        ));
    }
    let token = parse_body(&entries).map_err(malformed)?;
    Ok(VerifiedToken { token, signature })
}

/// What is wrong with bytes that do not decode as CBOR, in words (ciborium's
/// `Display` prints its `Debug` form, e.g. `Io(Error { kind: UnexpectedEof, .. })`).
fn cbor_problem<T>(error: &ciborium::de::Error<T>) -> String {
    use ciborium::de::Error;
    match error {
        // Reading from a byte slice fails only at its end.
        Error::Io(_) => "it ends too soon (cut short?)".into(),
        Error::Syntax(at) => format!("invalid CBOR at byte {at}"),
        Error::Semantic(Some(at), why) => format!("{why} (at byte {at})"),
        Error::Semantic(None, why) => why.clone(),
        Error::RecursionLimitExceeded => "nested too deeply".into(),
    }
}

fn parse_body(entries: &[(Cbor, Cbor)]) -> Result<Token, String> {
    let field = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v)
    };
    let number = |name: &str| {
        field(name)
            .and_then(Cbor::as_integer)
            .and_then(|i| u64::try_from(i).ok())
            .ok_or(format!("`{name}` is missing or not a number"))
    };
    let version = number("v")?;
    if version != TOKEN_VERSION {
        return Err(format!("version {version} is not {TOKEN_VERSION}"));
    }
    let rules = |name: &str| match field(name) {
        Some(value) => Rules::from_cbor(value, name),
        None => Err(format!("`{name}` is missing")),
    };
    let meta = match field("meta") {
        Some(value) => value
            .deserialized::<Value>()
            .map_err(|e| format!("`meta` is not JSON-like ({e})"))?,
        None => Value::Object(Default::default()),
    };
    let authorized_uuid = match field("uuid") {
        None => None,
        Some(value) => Some(as_text(value, "uuid")?.to_owned()),
    };
    Ok(Token {
        timestamp: number("t")?,
        ttl_minutes: number("ttl")?,
        resources: rules("res")?,
        patterns: rules("pat")?,
        meta,
        authorized_uuid,
    })
}

fn as_map<'a>(value: &'a Cbor, field: &str) -> Result<&'a [(Cbor, Cbor)], String> {
    value
        .as_map()
        .map(Vec::as_slice)
        .ok_or(format!("`{field}` is not a map"))
}

fn as_text<'a>(value: &'a Cbor, field: &str) -> Result<&'a str, String> {
    value
        .as_text()
        .ok_or(format!("`{field}` has a name that is not text"))
}

fn cbor_bytes(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing CBOR to memory cannot fail");
    out
}

fn sign(secret: &str, bytes: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(bytes);
    mac.finalize().into_bytes().to_vec()
}

/// Compiled token patterns, shared by every request (a pattern is compiled
/// once, not per check). Bounded: cleared when it grows past [`Self::LIMIT`].
#[derive(Default)]
pub struct PatternCache {
    compiled: Mutex<HashMap<String, Option<Arc<Regex>>>>,
}

impl PatternCache {
    const LIMIT: usize = 4096;

    /// The pattern anchored to the whole name; `None` if it does not compile.
    pub fn get(&self, pattern: &str) -> Option<Arc<Regex>> {
        let mut compiled = self.compiled.lock();
        if let Some(found) = compiled.get(pattern) {
            return found.clone();
        }
        if compiled.len() >= Self::LIMIT {
            compiled.clear();
        }
        let regex = Regex::new(&format!("^(?:{pattern})$")).ok().map(Arc::new);
        compiled.insert(pattern.to_owned(), regex.clone());
        regex
    }
}

impl Token {
    /// Whether this token grants `permission` on `name`, directly or by pattern.
    pub fn allows(
        &self,
        kind: ResourceKind,
        name: &str,
        permission: Permission,
        patterns: &PatternCache,
    ) -> bool {
        let bit = permission.bit();
        let direct = self
            .resources
            .for_kind(kind)
            .iter()
            .any(|map| map.get(name).is_some_and(|bits| bits & bit != 0));
        direct
            || self.patterns.for_kind(kind).iter().any(|map| {
                map.iter().any(|(pattern, bits)| {
                    bits & bit != 0 && patterns.get(pattern).is_some_and(|re| re.is_match(name))
                })
            })
    }
}

/// Parses the body of `POST /v3/pam/{sub}/grant` into a token issued `now`.
pub fn from_grant_request(body: &Value, now_secs: u64) -> Result<Token, String> {
    let ttl = body
        .get("ttl")
        .and_then(Value::as_u64)
        .ok_or("`ttl` is required: minutes from 1 to 43200")?;
    if !(MIN_TTL_MINUTES..=MAX_TTL_MINUTES).contains(&ttl) {
        return Err(format!(
            "`ttl` is {ttl}: it must be between {MIN_TTL_MINUTES} and {MAX_TTL_MINUTES} minutes"
        ));
    }
    let empty = Value::Object(Default::default());
    let permissions = body.get("permissions").unwrap_or(&empty);
    let rules = |section: &str| -> Result<Rules, String> {
        let mut rules = Rules::default();
        let Some(section_value) = permissions.get(section) else {
            return Ok(rules);
        };
        let section_map = section_value
            .as_object()
            .ok_or(format!("`permissions.{section}` must be an object"))?;
        for (json_key, key) in [
            ("channels", "chan"),
            ("groups", "grp"),
            ("uuids", "uuid"),
            ("users", "usr"),
            ("spaces", "spc"),
        ] {
            let Some(entries) = section_map.get(json_key) else {
                continue;
            };
            let entries = entries.as_object().ok_or(format!(
                "`permissions.{section}.{json_key}` must be an object"
            ))?;
            for (name, bits) in entries {
                let bits = bits
                    .as_u64()
                    .and_then(|b| u32::try_from(b).ok())
                    .filter(|b| *b <= 0xFF)
                    .ok_or(format!(
                        "`permissions.{section}.{json_key}.{name}` must be permission bits 0..255 (read 1, write 2, manage 4, delete 8, get 32, update 64, join 128)"
                    ))?;
                if section == "patterns" && Regex::new(name).is_err() {
                    return Err(format!(
                        "`permissions.patterns.{json_key}` has {name:?}, which is not a valid regular expression"
                    ));
                }
                rules.map_mut(key).insert(name.clone(), bits);
            }
        }
        Ok(rules)
    };
    let resources = rules("resources")?;
    let patterns = rules("patterns")?;
    if resources.is_empty() && patterns.is_empty() {
        return Err(
            "the grant names no resources or patterns: give `permissions.resources` or `permissions.patterns` at least one channel, group or uuid".into(),
        );
    }
    let meta = match permissions.get("meta") {
        None | Some(Value::Null) => empty.clone(),
        Some(meta @ Value::Object(_)) => meta.clone(),
        Some(_) => return Err("`permissions.meta` must be a JSON object".into()),
    };
    let authorized_uuid = match permissions.get("uuid") {
        None | Some(Value::Null) => None,
        Some(Value::String(uuid)) if !uuid.is_empty() => Some(uuid.clone()),
        Some(_) => return Err("`permissions.uuid` must be a non-empty string".into()),
    };
    Ok(Token {
        timestamp: now_secs,
        ttl_minutes: ttl,
        resources,
        patterns,
        meta,
        authorized_uuid,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Token {
        from_grant_request(
            &json!({"ttl": 15, "permissions": {
                "resources": {"channels": {"a": 3}, "groups": {}, "uuids": {"me": 96}},
                "patterns": {"channels": {"webex\\.me\\..*": 1}},
                "meta": {"k": "v"},
                "uuid": "me"
            }}),
            1_700_000_000,
        )
        .unwrap()
    }

    #[test]
    fn round_trips_with_padding_and_checks_the_signature() {
        let token = sample();
        let text = token.encode("secret");
        assert_eq!(text.len() % 4, 0, "padded base64");
        assert!(looks_like_token(&text));
        let verified = decode_and_verify("secret", &text).unwrap();
        assert_eq!(verified.token, token);
        assert_eq!(verified.signature.len(), 32);
        assert!(matches!(
            decode_and_verify("another", &text),
            Err(AccessError::Denied(_))
        ));
        assert!(matches!(
            decode_and_verify("secret", "not a token"),
            Err(AccessError::BadRequest(_))
        ));
        let bytes = URL_SAFE.decode(&text).unwrap();
        let truncated = URL_SAFE.encode(&bytes[..bytes.len() / 2]);
        assert_eq!(
            decode_and_verify("secret", &truncated).unwrap_err(),
            AccessError::BadRequest(
                "Invalid token: not CBOR: it ends too soon (cut short?); request a new one".into()
            )
        );
    }

    #[test]
    fn bytes_after_the_cbor_map_are_refused() {
        let text = sample().encode("secret");
        let mut bytes = URL_SAFE.decode(&text).unwrap();
        bytes.extend_from_slice(b"\x00extra");
        let trailing = URL_SAFE.encode(&bytes);
        assert_eq!(
            decode_and_verify("secret", &trailing).unwrap_err(),
            AccessError::BadRequest(
                "Invalid token: malformed, 6 byte(s) follow its CBOR map; request a new one".into()
            )
        );
        // Even a second, complete map after the first.
        let mut doubled = URL_SAFE.decode(&text).unwrap();
        doubled.extend_from_slice(&URL_SAFE.decode(&text).unwrap());
        assert!(matches!(
            decode_and_verify("secret", &URL_SAFE.encode(&doubled)),
            Err(AccessError::BadRequest(message)) if message.contains("follow its CBOR map")
        ));
    }

    #[test]
    fn an_altered_token_is_refused() {
        let token = sample();
        let text = token.encode("secret");
        let mut bigger = token.clone();
        bigger.resources.chan.insert("b".into(), 0xFF);
        // Re-use the original signature on the altered body.
        let original = decode_and_verify("secret", &text).unwrap().signature;
        let mut entries = bigger.body_cbor();
        entries.push((Cbor::Text("sig".into()), Cbor::Bytes(original)));
        let forged = URL_SAFE.encode(cbor_bytes(&Cbor::Map(entries)));
        assert!(matches!(
            decode_and_verify("secret", &forged),
            Err(AccessError::Denied(_))
        ));
    }

    #[test]
    fn resources_and_whole_name_patterns_grant_bits() {
        let token = sample();
        let cache = PatternCache::default();
        assert!(token.allows(ResourceKind::Channel, "a", Permission::Write, &cache));
        assert!(!token.allows(ResourceKind::Channel, "a", Permission::Manage, &cache));
        assert!(token.allows(
            ResourceKind::Channel,
            "webex.me.room",
            Permission::Read,
            &cache
        ));
        assert!(!token.allows(
            ResourceKind::Channel,
            "x.webex.me.room",
            Permission::Read,
            &cache
        ));
        assert!(!token.allows(
            ResourceKind::Channel,
            "webex.you.room",
            Permission::Read,
            &cache
        ));
        assert!(token.allows(ResourceKind::Uuid, "me", Permission::Update, &cache));
        assert!(!token.allows(ResourceKind::Uuid, "you", Permission::Get, &cache));
    }

    #[test]
    fn grant_requests_are_validated() {
        let bad = |body: Value| from_grant_request(&body, 0).unwrap_err();
        assert!(bad(json!({"permissions": {}})).contains("ttl"));
        assert!(bad(json!({"ttl": 0, "permissions": {}})).contains("between"));
        assert!(bad(json!({"ttl": 43201, "permissions": {}})).contains("between"));
        assert!(bad(json!({"ttl": 5, "permissions": {}})).contains("no resources"));
        assert!(
            bad(json!({"ttl": 5, "permissions": {"patterns": {"channels": {"(": 1}}}}))
                .contains("regular expression")
        );
    }
}
