//! The Rust functions `prelude.js` calls (`__native.*`): host imports, and the
//! hashing, encoding and id helpers that are faster and surer in Rust. Each
//! takes and returns strings and numbers; JSON crosses as text. A host error
//! becomes a thrown JS `Error` naming the call.

use std::cell::Cell;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use hmac::{Hmac, Mac};
use pigdin_sdk::bindings::pigdin::functions::{kvstore, log, pubnub, vault, xhr};
use rquickjs::function::Func;
use rquickjs::{Ctx, Exception, Object};
use serde::Deserialize;
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// getKeys pages hold at most 100 keys, as on hosted PubNub.
const KEY_PAGE: u32 = 100;

type JsResult<T> = rquickjs::Result<T>;

/// A host call's error, thrown into JS as `Error("<call>: <cause>")`.
fn host<T>(ctx: &Ctx<'_>, call: &str, result: Result<T, String>) -> JsResult<T> {
    result.map_err(|e| Exception::throw_message(ctx, &format!("{call}: {e}")))
}

fn thrown(ctx: &Ctx<'_>, message: String) -> rquickjs::Error {
    Exception::throw_message(ctx, &message)
}

pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

pub fn install(ctx: &Ctx<'_>) -> JsResult<()> {
    let native = Object::new(ctx.clone())?;
    native.set("log", Func::from(write_log))?;
    native.set(
        "kvGet",
        Func::from(|ctx: Ctx, key: String| host(&ctx, "kvstore.get", kvstore::get(&key))),
    )?;
    native.set(
        "kvSet",
        Func::from(|ctx: Ctx, key: String, value: String, ttl: f64| {
            host(
                &ctx,
                "kvstore.set",
                kvstore::set(&key, &value, Some(ttl as u32)),
            )
        }),
    )?;
    native.set(
        "kvRemove",
        Func::from(|ctx: Ctx, key: String| host(&ctx, "kvstore.removeItem", kvstore::remove(&key))),
    )?;
    native.set(
        "kvIncr",
        Func::from(|ctx: Ctx, key: String, delta: f64| {
            host(
                &ctx,
                "kvstore.incrCounter",
                kvstore::incr_counter(&key, delta as i64),
            )
            .map(|n| n as f64)
        }),
    )?;
    native.set(
        "kvCounter",
        Func::from(|ctx: Ctx, key: String| {
            host(&ctx, "kvstore.getCounter", kvstore::get_counter(&key)).map(|n| n as f64)
        }),
    )?;
    native.set("kvKeys", Func::from(kv_keys))?;
    native.set("xhrFetch", Func::from(xhr_fetch))?;
    native.set(
        "vaultGet",
        Func::from(|ctx: Ctx, name: String| host(&ctx, "vault.get", vault::get(&name))),
    )?;
    native.set("publish", Func::from(publish))?;
    native.set(
        "signal",
        Func::from(
            |ctx: Ctx, channel: String, message: String, publisher: Option<String>| {
                host(
                    &ctx,
                    "pubnub.signal",
                    pubnub::signal(&channel, &message, publisher.as_deref()),
                )
            },
        ),
    )?;
    native.set("time", Func::from(pubnub::time))?;
    native.set("pubnub", Func::from(pubnub_call))?;
    native.set("parseToken", Func::from(parse_token))?;
    native.set("digest", Func::from(digest))?;
    native.set("hmac", Func::from(hmac))?;
    native.set("base64Encode", Func::from(base64_encode))?;
    native.set("base64Decode", Func::from(base64_decode))?;
    native.set("uuid", Func::from(uuid))?;
    let math: Object = ctx.globals().get("Math")?;
    math.set("random", Func::from(random))?;
    ctx.globals().set("__native", native)
}

/// `Math.random`. QuickJS seeds its own generator when the context starts,
/// which is before the host's snapshot, so every instance would repeat one
/// sequence; this generator (xorshift64*) seeds itself from WASI's random
/// source on first use, after the snapshot.
fn random() -> f64 {
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let mut seed = [0u8; 8];
            // A failed read leaves the seed fixed but valid: never zero.
            let _ = getrandom::fill(&mut seed);
            x = u64::from_le_bytes(seed) | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        // The top 53 bits, as a float in [0, 1).
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn write_log(level: String, message: String) {
    let level = match level.as_str() {
        "debug" => log::Level::Debug,
        "warn" => log::Level::Warn,
        "error" => log::Level::Error,
        _ => log::Level::Info,
    };
    log::write(level, &message);
}

fn kv_keys(ctx: Ctx<'_>, cursor: Option<String>, counters: bool) -> JsResult<String> {
    let (call, page) = if counters {
        (
            "kvstore.getCounterKeys",
            kvstore::list_counter_keys("", cursor.as_deref(), KEY_PAGE),
        )
    } else {
        (
            "kvstore.getKeys",
            kvstore::list_keys("", cursor.as_deref(), KEY_PAGE),
        )
    };
    let page = host(&ctx, call, page)?;
    Ok(json!({ "keys": page.keys, "next": page.next_cursor }).to_string())
}

fn xhr_fetch(
    ctx: Ctx<'_>,
    method: String,
    url: String,
    headers: String,
    body: Option<String>,
    timeout_ms: Option<f64>,
) -> JsResult<String> {
    let headers: Vec<(String, String)> = serde_json::from_str(&headers)
        .map_err(|e| thrown(&ctx, format!("xhr.fetch: bad headers: {e}")))?;
    let request = xhr::Request {
        method,
        url,
        headers,
        body: body.map(String::into_bytes),
        timeout_ms: timeout_ms.map(|ms| ms.clamp(0.0, u32::MAX as f64) as u32),
    };
    let response = host(&ctx, "xhr.fetch", xhr::fetch(&request))?;
    Ok(json!({
        "status": response.status,
        "headers": response.headers,
        "body": String::from_utf8_lossy(&response.body),
    })
    .to_string())
}

/// The JSON `prelude.js` builds for publish and fire.
#[derive(Deserialize)]
struct PublishOptions {
    channel: String,
    message: String,
    meta: Option<String>,
    publisher: Option<String>,
    store: Option<bool>,
    ttl: Option<f64>,
}

fn publish(ctx: Ctx<'_>, verb: String, options: String) -> JsResult<String> {
    let o: PublishOptions =
        serde_json::from_str(&options).map_err(|e| thrown(&ctx, format!("pubnub.{verb}: {e}")))?;
    let options = pubnub::PublishOptions {
        channel: o.channel,
        message: o.message,
        meta: o.meta,
        publisher: o.publisher,
        store: o.store,
        ttl_hours: o.ttl.map(|h| h.max(0.0) as u32),
    };
    if verb == "fire" {
        host(&ctx, "pubnub.fire", pubnub::fire(&options))
    } else {
        host(&ctx, "pubnub.publish", pubnub::publish(&options))
    }
}

/// The `pubnub` module's other methods, by name, with their arguments as a
/// JSON array; the answer is JSON.
fn pubnub_call(ctx: Ctx<'_>, method: String, args: String) -> JsResult<String> {
    let call = format!("pubnub.{method}");
    let args: Vec<Value> =
        serde_json::from_str(&args).map_err(|e| thrown(&ctx, format!("{call}: {e}")))?;
    let text = |i: usize| -> String {
        match args.get(i) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    let raw = |i: usize| args.get(i).cloned().unwrap_or(Value::Null).to_string();
    let optional = |found: Option<String>| found.unwrap_or_else(|| "null".into());
    let answer: Result<String, String> = match method.as_str() {
        "history" => {
            let count = args.get(1).and_then(Value::as_u64).unwrap_or(100) as u32;
            pubnub::history(&text(0), count)
        }
        "grantToken" => pubnub::grant_token(&raw(0)).map(|t| Value::String(t).to_string()),
        "getUuidMetadata" => pubnub::get_uuid_metadata(&text(0)).map(optional),
        "setUuidMetadata" => pubnub::set_uuid_metadata(&text(0), &raw(1)),
        "removeUuidMetadata" => pubnub::remove_uuid_metadata(&text(0)).map(|b| b.to_string()),
        "getChannelMetadata" => pubnub::get_channel_metadata(&text(0)).map(optional),
        "setChannelMetadata" => pubnub::set_channel_metadata(&text(0), &raw(1)),
        "removeChannelMetadata" => pubnub::remove_channel_metadata(&text(0)).map(|b| b.to_string()),
        "getMemberships" => pubnub::get_memberships(&text(0)),
        "setMemberships" => pubnub::set_memberships(&text(0), &raw(1)),
        "removeMemberships" => {
            let channels: Vec<String> = args
                .get(1)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            pubnub::remove_memberships(&text(0), &channels)
        }
        "getChannelMembers" => pubnub::get_channel_members(&text(0)),
        "revokeToken" => pubnub::revoke_token(&text(0)).map(|()| "null".into()),
        "hereNow" => pubnub::here_now(&text(0)),
        "whereNow" => pubnub::where_now(&text(0)).map(|channels| json!(channels).to_string()),
        "addMessageAction" => {
            let uuid = args.get(4).and_then(Value::as_str);
            pubnub::add_message_action(&text(0), &text(1), &text(2), &text(3), uuid)
        }
        "removeMessageAction" => {
            let uuid = args.get(3).and_then(Value::as_str);
            pubnub::remove_message_action(&text(0), &text(1), &text(2), uuid)
                .map(|removed| removed.to_string())
        }
        "getMessageActions" => {
            let bound = |i: usize| args.get(i).and_then(Value::as_str);
            let limit = args.get(3).and_then(Value::as_u64).unwrap_or(100) as u32;
            pubnub::get_message_actions(&text(0), bound(1), bound(2), limit)
        }
        other => Err(format!("Pigdin does not offer {other}")),
    };
    host(&ctx, &call, answer)
}

fn parse_token(ctx: Ctx<'_>, token: String) -> JsResult<String> {
    crate::token::parse(&token)
        .map(|v| v.to_string())
        .map_err(|e| thrown(&ctx, format!("pubnub.parseToken: {e}")))
}

fn digest(ctx: Ctx<'_>, algorithm: String, message: String) -> JsResult<String> {
    let bytes = message.as_bytes();
    let hash = match algorithm.as_str() {
        "sha1" => Sha1::digest(bytes).to_vec(),
        "sha256" => Sha256::digest(bytes).to_vec(),
        "sha384" => Sha384::digest(bytes).to_vec(),
        "sha512" => Sha512::digest(bytes).to_vec(),
        other => return Err(thrown(&ctx, format!("crypto: unknown digest {other}"))),
    };
    Ok(STANDARD.encode(hash))
}

/// HMAC of `message` with `key` (Base64-decoded first when `key_is_base64`
/// and it decodes), as standard Base64.
fn hmac(
    ctx: Ctx<'_>,
    algorithm: String,
    key: String,
    key_is_base64: bool,
    message: String,
) -> JsResult<String> {
    let key = key_is_base64
        .then(|| decode_any_base64(&key))
        .flatten()
        .unwrap_or_else(|| key.into_bytes());
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
    let message = message.as_bytes();
    let signature = match algorithm.as_str() {
        "sha1" => mac::<Hmac<Sha1>>(&key, message),
        "sha256" => mac::<Hmac<Sha256>>(&key, message),
        "sha384" => mac::<Hmac<Sha384>>(&key, message),
        "sha512" => mac::<Hmac<Sha512>>(&key, message),
        other => return Err(thrown(&ctx, format!("crypto: unknown hmac hash {other}"))),
    };
    Ok(STANDARD.encode(signature))
}

fn base64_encode(text: String, url_safe: bool) -> String {
    if url_safe {
        URL_SAFE.encode(text.as_bytes())
    } else {
        STANDARD.encode(text.as_bytes())
    }
}

fn base64_decode(ctx: Ctx<'_>, text: String) -> JsResult<String> {
    decode_any_base64(&text)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .ok_or_else(|| thrown(&ctx, format!("codec/base64: {text:?} is not Base64")))
}

/// Standard or URL-safe Base64, padded or not.
pub fn decode_any_base64(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(normalized)
        .ok()
}

fn uuid(
    ctx: Ctx<'_>,
    version: f64,
    name: Option<String>,
    namespace: Option<String>,
) -> JsResult<String> {
    if version == 4.0 {
        return Ok(uuid::Uuid::new_v4().to_string());
    }
    let namespace = namespace
        .as_deref()
        .and_then(|n| uuid::Uuid::parse_str(n).ok())
        .ok_or_else(|| thrown(&ctx, "uuid: the namespace must be a UUID".into()))?;
    let name = name.unwrap_or_default();
    Ok(match version as u8 {
        3 => uuid::Uuid::new_v3(&namespace, name.as_bytes()),
        _ => uuid::Uuid::new_v5(&namespace, name.as_bytes()),
    }
    .to_string())
}
