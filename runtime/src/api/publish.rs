//! Publish, fire and signal:
//!
//! - `GET /publish/{pub}/{sub}/0/{channel}/0/{urlencoded JSON}`
//! - `POST /publish/{pub}/{sub}/0/{channel}/0` with the JSON as the body,
//!   possibly compressed: JS deflates (zlib) with `Content-Encoding: deflate`,
//!   Python sends zlib labelled `gzip`; both are inflated, gzip proper too.
//! - `GET /signal/{pub}/{sub}/0/{channel}/0/{urlencoded JSON}`
//!
//! A fire is a publish with `store=0` and `norep=true` (Python: `norep=1`).
//! Success is `[1,"Sent","<timetoken>"]`; errors are `[0,"<reason>","<tt>"]`
//! except a function's abort: 403 with `{"message": <reason>, ...}`.

use std::io::Read;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::Params;
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::{keys, reply};
use crate::Runtime;
use crate::broker::names;
use crate::ops::publish::{self, MAX_MESSAGE_BYTES, PublishError, PublishInput, Verb};

/// PubNub's limit on a signal's payload.
pub const MAX_SIGNAL_BYTES: usize = 64;
/// Most a compressed body may inflate to; far above the message limit, so
/// an oversize message still gets "Message Too Large", not this.
const MAX_INFLATED_BYTES: u64 = 1024 * 1024;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(
            "/publish/{pub_key}/{sub_key}/{signature}/{channel}/{callback}/{*message}",
            get(publish_get),
        )
        .route(
            "/publish/{pub_key}/{sub_key}/{signature}/{channel}/{callback}",
            axum::routing::post(publish_post),
        )
        .route(
            "/signal/{pub_key}/{sub_key}/{signature}/{channel}/{callback}/{*message}",
            get(signal_get),
        )
}

type PathWithMessage = (String, String, String, String, String, String);
type PathWithoutMessage = (String, String, String, String, String);

/// The publish family (publish, fire, signal).
pub(super) struct PublishApi;

impl Family for PublishApi {
    fn bad_path(runtime: &Runtime, rejection: PathRejection) -> Refusal {
        Refusal::publish(
            StatusCode::BAD_REQUEST,
            format!("Invalid path: {rejection}"),
            runtime.broker.now(),
        )
    }
}

type Outcome = Result<Response, Refusal>;

async fn publish_get(
    state: State<Arc<Runtime>>,
    path: Path<PathWithMessage, PublishApi>,
    params: Params,
) -> Outcome {
    message_in_path(Kind::Publish, state, path, params).await
}

async fn signal_get(
    state: State<Arc<Runtime>>,
    path: Path<PathWithMessage, PublishApi>,
    params: Params,
) -> Outcome {
    message_in_path(Kind::Signal, state, path, params).await
}

/// A publish or signal whose message is the path's last segment(s).
async fn message_in_path(
    kind: Kind,
    State(runtime): State<Arc<Runtime>>,
    Path((pub_key, sub_key, _, channel, _, message), _): Path<PathWithMessage, PublishApi>,
    params: Params,
) -> Outcome {
    let text = message.strip_prefix('/').unwrap_or(&message).to_owned();
    handle(&runtime, kind, &pub_key, &sub_key, channel, text, params).await
}

async fn publish_post(
    State(runtime): State<Arc<Runtime>>,
    Path((pub_key, sub_key, _, channel, _), _): Path<PathWithoutMessage, PublishApi>,
    params: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Outcome {
    let now = runtime.broker.now();
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let text = decode_body(encoding, &body)
        .map_err(|reason| Refusal::publish(StatusCode::BAD_REQUEST, reason, now))?;
    handle(
        &runtime,
        Kind::Publish,
        &pub_key,
        &sub_key,
        channel,
        text,
        params,
    )
    .await
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Publish,
    Signal,
    /// A file message (`/v1/files/publish-file`, api/files.rs).
    File,
}

pub(super) async fn handle(
    runtime: &Arc<Runtime>,
    kind: Kind,
    pub_key: &str,
    sub_key: &str,
    channel: String,
    text: String,
    params: Params,
) -> Outcome {
    keys::check_publish_keys(runtime, pub_key, sub_key)?;
    let now = runtime.broker.now();
    let input = publish_input(kind, channel, &text, params).map_err(|e| match e {
        InputError::Invalid(reason) => Refusal::publish(StatusCode::BAD_REQUEST, reason, now),
        InputError::TooLarge(reason) => {
            Refusal::publish(StatusCode::PAYLOAD_TOO_LARGE, reason, now)
        }
    })?;
    match runtime.publish(input).await {
        Ok(timetoken) => Ok(reply::json_value(
            StatusCode::OK,
            &json!([1, "Sent", timetoken.to_string()]),
        )),
        Err(PublishError::Aborted(reason)) => {
            Err(Refusal::service(StatusCode::FORBIDDEN, "Functions", reason))
        }
        Err(PublishError::Invalid(reason)) => {
            Err(Refusal::publish(StatusCode::BAD_REQUEST, reason, now))
        }
        Err(PublishError::TooLarge(reason)) => {
            Err(Refusal::publish(StatusCode::PAYLOAD_TOO_LARGE, reason, now))
        }
        Err(PublishError::Failed(cause)) => {
            tracing::error!(error = %cause, "publish failed");
            Err(Refusal::publish(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("publish failed: {cause:#}"),
                now,
            ))
        }
    }
}

enum InputError {
    Invalid(String),
    TooLarge(String),
}

impl From<String> for InputError {
    fn from(reason: String) -> Self {
        Self::Invalid(reason)
    }
}

fn publish_input(
    kind: Kind,
    channel: String,
    text: &str,
    params: Params,
) -> Result<PublishInput, InputError> {
    names::validate_channel(&channel).map_err(|e| format!("Invalid channel: {e}"))?;
    let meta_text = params.get("meta").unwrap_or_default();
    // Checked before parsing so an oversize body costs no JSON work.
    let size = channel.len() + text.len() + meta_text.len();
    if size > MAX_MESSAGE_BYTES {
        return Err(InputError::TooLarge(publish::too_large(size).to_string()));
    }
    if kind == Kind::Signal && text.len() > MAX_SIGNAL_BYTES {
        return Err(InputError::TooLarge(format!(
            "Signal Too Large: {} bytes; a signal's payload is limited to {MAX_SIGNAL_BYTES}",
            text.len()
        )));
    }
    let message: Value = serde_json::from_str(text)
        .map_err(|e| format!("Invalid JSON: the message is not valid JSON ({e})"))?;
    let meta = match params
        .json("meta")
        .map_err(|e| format!("Invalid meta: {e}"))?
    {
        None | Some(Value::Null) => None,
        Some(meta @ Value::Object(_)) => Some(meta),
        Some(other) => {
            return Err(format!("Invalid meta: `meta` must be a JSON object, not {other}").into());
        }
    };
    let publisher = params.get("uuid").map(str::to_owned);
    if let Some(uuid) = &publisher {
        names::validate_uuid(uuid).map_err(|e| format!("Invalid uuid: {e}"))?;
    }
    let custom_message_type = params.get("custom_message_type").map(str::to_owned);
    if let Some(custom) = &custom_message_type {
        validate_custom_message_type(custom)?;
    }
    let store = params.flag("store")?.unwrap_or(true);
    let norep = params.flag("norep")?.unwrap_or(false);
    let ttl_hours = params.number::<u32>("ttl")?;
    let verb = match kind {
        Kind::Signal => Verb::Signal,
        Kind::File => Verb::File,
        Kind::Publish if !store && norep => Verb::Fire,
        Kind::Publish => Verb::Publish,
    };
    Ok(PublishInput {
        channel,
        message,
        meta,
        publisher,
        verb,
        store: store && matches!(verb, Verb::Publish | Verb::File),
        ttl_hours,
        params: params.into_pairs(),
        custom_message_type,
        hops: 0,
    })
}

/// PubNub's rule: 3–50 characters of letters, digits, `-` and `_`, not
/// starting with `-` or `_`, and not in the reserved `pn-`/`pn_` space.
fn validate_custom_message_type(custom: &str) -> Result<(), String> {
    let valid = (3..=50).contains(&custom.chars().count())
        && custom
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !custom.starts_with(['-', '_'])
        && !custom.starts_with("pn-")
        && !custom.starts_with("pn_");
    if valid {
        Ok(())
    } else {
        Err(format!(
            "Invalid custom_message_type {custom:?}: 3 to 50 letters, digits, `-` or `_`, not starting with `-`, `_`, `pn-` or `pn_`"
        ))
    }
}

/// The POST body as text, inflated when compressed.
fn decode_body(encoding: &str, body: &[u8]) -> Result<String, String> {
    let encoding = encoding.trim().to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "" | "identity" => body.to_vec(),
        "deflate" | "gzip" | "x-gzip" => inflate(body).ok_or_else(|| {
            format!(
                "the body is labelled Content-Encoding: {encoding} but is not zlib, gzip or deflate data (or inflates past {MAX_INFLATED_BYTES} bytes)"
            )
        })?,
        other => return Err(format!("unsupported Content-Encoding {other:?}; use deflate or gzip")),
    };
    String::from_utf8(bytes).map_err(|_| "Invalid JSON: the message is not UTF-8".to_owned())
}

/// zlib (what both SDKs actually send), then gzip, then raw deflate.
fn inflate(body: &[u8]) -> Option<Vec<u8>> {
    fn read_all(reader: impl Read) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        reader
            .take(MAX_INFLATED_BYTES + 1)
            .read_to_end(&mut out)
            .ok()?;
        (out.len() as u64 <= MAX_INFLATED_BYTES).then_some(out)
    }
    read_all(flate2::read::ZlibDecoder::new(body))
        .or_else(|| read_all(flate2::read::GzDecoder::new(body)))
        .or_else(|| read_all(flate2::read::DeflateDecoder::new(body)))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn compress(kind: &str, text: &str) -> Vec<u8> {
        match kind {
            "zlib" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(text.as_bytes()).unwrap();
                e.finish().unwrap()
            }
            _ => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(text.as_bytes()).unwrap();
                e.finish().unwrap()
            }
        }
    }

    #[test]
    fn bodies_inflate_whatever_their_label() {
        let text = r#"{"hello":"world"}"#;
        assert_eq!(
            decode_body("deflate", &compress("zlib", text)).unwrap(),
            text
        );
        assert_eq!(decode_body("gzip", &compress("zlib", text)).unwrap(), text);
        assert_eq!(decode_body("gzip", &compress("gzip", text)).unwrap(), text);
        assert_eq!(decode_body("", text.as_bytes()).unwrap(), text);
        assert!(decode_body("deflate", b"not compressed at all").is_err());
        assert!(decode_body("br", b"x").is_err());
    }

    #[test]
    fn fire_is_unstored_norep_publish() {
        let input = |query: &str| {
            publish_input(Kind::Publish, "c".into(), "1", Params::parse(Some(query)))
                .ok()
                .unwrap()
        };
        assert_eq!(input("store=0&norep=true").verb, Verb::Fire);
        assert_eq!(input("store=0&norep=1").verb, Verb::Fire);
        assert_eq!(input("store=0").verb, Verb::Publish);
        assert!(!input("store=0").store);
        assert_eq!(input("norep=true").verb, Verb::Publish);
        assert!(input("").store);
        let signal = publish_input(Kind::Signal, "c".into(), "1", Params::default())
            .ok()
            .unwrap();
        assert_eq!(signal.verb, Verb::Signal);
        assert!(!signal.store);
    }

    #[test]
    fn meta_uuid_and_params_reach_the_input() {
        let input = publish_input(
            Kind::Publish,
            "c".into(),
            r#"{"a":1}"#,
            Params::parse(Some(
                "uuid=alice&meta=%7B%22k%22%3A1%7D&ttl=2&custom_message_type=chat-text",
            )),
        )
        .ok()
        .unwrap();
        assert_eq!(input.publisher.as_deref(), Some("alice"));
        assert_eq!(input.meta, Some(json!({"k": 1})));
        assert_eq!(input.ttl_hours, Some(2));
        assert_eq!(input.custom_message_type.as_deref(), Some("chat-text"));
        assert!(input.params.contains(&("meta".into(), r#"{"k":1}"#.into())));
    }

    #[test]
    fn bad_inputs_are_named() {
        let reason = |channel: &str, text: &str, query: &str| match publish_input(
            Kind::Publish,
            channel.into(),
            text,
            Params::parse(Some(query)),
        ) {
            Err(InputError::Invalid(reason)) | Err(InputError::TooLarge(reason)) => reason,
            Ok(_) => panic!("accepted {text}"),
        };
        assert!(reason("c", "{nope", "").starts_with("Invalid JSON"));
        assert!(reason("c", "1", "meta=%5B1%5D").starts_with("Invalid meta"));
        assert!(reason("c", "1", "meta=%7B").starts_with("Invalid meta"));
        assert!(reason("a,b", "1", "").starts_with("Invalid channel"));
        assert!(reason("c", "1", "ttl=-1").contains("ttl"));
        assert!(reason("c", "1", "custom_message_type=pn-x").contains("custom_message_type"));
        assert!(
            reason("c", &format!("\"{}\"", "x".repeat(MAX_MESSAGE_BYTES)), "")
                .starts_with("Message Too Large")
        );
    }
}
