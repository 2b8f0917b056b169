//! Mobile Push registrations, as PubNub's REST API has them:
//!
//! - `/v1/push/sub-key/{sub}/devices/{token}?type=apns|fcm|gcm|mpns`
//! - `/v2/push/sub-key/{sub}/devices-apns2/{token}?environment=…&topic=…`
//!
//! With `remove=a,b` and/or `add=c` (removals first, as PubNub orders them)
//! they change the device's channels and answer `[1,"Modified Channels"]`;
//! with neither they list its channels (a JSON array, sorted, paged by
//! `start` and `count`). `…/{token}/remove` unregisters the device from every
//! channel: `[1,"Removed Device"]`. Refusals are PubNub's bare
//! `{"error":"…"}`, worded as hosted (`Invalid type argument`, …) and then
//! saying what to send instead. What a publish would push lands in the push
//! outbox (see `ops/push.rs`, and `/admin/push/outbox`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::params::Params;
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::{keys, reply};
use crate::Runtime;
use crate::broker::names;
use crate::store::{Device, MAX_CHANNELS_PER_DEVICE, PushService, PushStoreError};

const V1: &str = "/v1/push/sub-key/{sub_key}/devices";
const APNS2: &str = "/v2/push/sub-key/{sub_key}/devices-apns2";

/// The longest device token or APNs topic accepted (real ones are far shorter).
const MAX_TOKEN_CHARS: usize = 512;
/// PubNub's page size for a device's channels: 500 unless asked, 1,000 at most.
const DEFAULT_COUNT: usize = 500;
const MAX_COUNT: usize = MAX_CHANNELS_PER_DEVICE;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(V1, get(missing_token))
        .route(&format!("{V1}/"), get(missing_token))
        .route(&format!("{V1}/{{token}}"), get(v1_device))
        .route(&format!("{V1}/{{token}}/remove"), get(v1_remove_device))
        .route(APNS2, get(missing_token))
        .route(&format!("{APNS2}/"), get(missing_token))
        .route(&format!("{APNS2}/{{token}}"), get(apns2_device))
        .route(
            &format!("{APNS2}/{{token}}/remove"),
            get(apns2_remove_device),
        )
}

type Outcome = Result<Response, Refusal>;

fn bad(message: impl Into<String>) -> Refusal {
    Refusal::push(StatusCode::BAD_REQUEST, message)
}

fn failed(cause: impl std::fmt::Display) -> Refusal {
    Refusal::push(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("push registration storage failed: {cause}"),
    )
}

/// The Mobile Push API.
struct Push;

impl Family for Push {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        bad(rejection.to_string())
    }
}

async fn missing_token(
    State(runtime): State<Arc<Runtime>>,
    Path(sub_key, _): Path<String, Push>,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    Err(bad(
        "Invalid device token: the path names no device; put the device's push token after \
         `devices/` (or `devices-apns2/`), as in /v1/push/sub-key/{sub}/devices/{token}",
    ))
}

async fn v1_device(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, token), _): Path<(String, String), Push>,
    params: Params,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let device = v1_target(token, &params)?;
    manage(&runtime, &device, &params).await
}

async fn v1_remove_device(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, token), _): Path<(String, String), Push>,
    params: Params,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let device = v1_target(token, &params)?;
    remove_device(&runtime, &device).await
}

async fn apns2_device(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, token), _): Path<(String, String), Push>,
    params: Params,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let device = apns2_target(token, &params)?;
    manage(&runtime, &device, &params).await
}

async fn apns2_remove_device(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, token), _): Path<(String, String), Push>,
    params: Params,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let device = apns2_target(token, &params)?;
    remove_device(&runtime, &device).await
}

/// Changes the device's channels, or lists them when asked for no change.
async fn manage(runtime: &Runtime, device: &Device, params: &Params) -> Outcome {
    let add = channels_in(params, "add")?;
    let remove = channels_in(params, "remove")?;
    if add.is_none() && remove.is_none() {
        return list(runtime, device, params);
    }
    runtime
        .store
        .push
        .change(
            device,
            add.as_deref().unwrap_or_default(),
            remove.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(|e| match e {
            PushStoreError::TooManyChannels { .. } => bad(e.to_string()),
            PushStoreError::Storage(cause) => failed(format!("{cause:#}")),
        })?;
    Ok(reply::ok(&json!([1, "Modified Channels"])))
}

fn list(runtime: &Runtime, device: &Device, params: &Params) -> Outcome {
    let count = params
        .number::<usize>("count")
        .map_err(bad)?
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_COUNT)
        .min(MAX_COUNT);
    // `start` is the last channel of the previous page.
    let start = params.get("start").filter(|s| !s.is_empty());
    let channels: Vec<String> = runtime
        .store
        .push
        .channels(device)
        .map_err(|e| failed(format!("{e:#}")))?
        .into_iter()
        .filter(|channel| start.is_none_or(|start| channel.as_str() > start))
        .take(count)
        .collect();
    Ok(reply::ok(&json!(channels)))
}

async fn remove_device(runtime: &Runtime, device: &Device) -> Outcome {
    runtime
        .store
        .push
        .remove_device(device)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(reply::ok(&json!([1, "Removed Device"])))
}

/// `name`'s channels: `None` when the parameter is absent.
fn channels_in(params: &Params, name: &str) -> Result<Option<Vec<String>>, Refusal> {
    if params.get(name).is_none() {
        return Ok(None);
    }
    let channels = params.list(name);
    if channels.is_empty() {
        return Err(bad(format!(
            "Missing channels: `{name}` names no channels; give one or more, comma-separated"
        )));
    }
    for channel in &channels {
        names::validate_channel(channel).map_err(|e| bad(format!("Invalid channel: {e}")))?;
    }
    Ok(Some(channels))
}

/// A `/v1/push` device: its `type` and token.
fn v1_target(token: String, params: &Params) -> Result<Device, Refusal> {
    let service = match params.get("type").unwrap_or_default() {
        "apns" => PushService::Apns,
        // GCM is FCM's former name: one service.
        "fcm" | "gcm" => PushService::Fcm,
        "mpns" => PushService::Mpns,
        "apns2" => {
            return Err(bad(
                "Invalid type argument: APNs2 devices are registered at \
                 /v2/push/sub-key/{sub}/devices-apns2/{token}, with `environment` and `topic`",
            ));
        }
        "" => {
            return Err(bad(
                "Invalid type argument: `type` is missing; it names the push service: \
                 apns, fcm (or gcm) or mpns",
            ));
        }
        other => {
            return Err(bad(format!(
                "Invalid type argument: {other:?} is no push service; `type` is apns, fcm (or gcm) or mpns"
            )));
        }
    };
    Ok(Device {
        service,
        token: validate_token(token)?,
        environment: None,
        topic: None,
    })
}

/// A `/v2/push/.../devices-apns2` device: token, environment and topic.
fn apns2_target(token: String, params: &Params) -> Result<Device, Refusal> {
    // The JS SDK sends `type=apns2` here too; nothing else belongs.
    match params.get("type").unwrap_or_default() {
        "" | "apns2" => {}
        other => {
            return Err(bad(format!(
                "Invalid type argument: {other:?} on an APNs2 path; `type` is apns2 here or absent \
                 (other services register at /v1/push/sub-key/{{sub}}/devices/{{token}})"
            )));
        }
    }
    let environment = match params.get("environment").unwrap_or_default() {
        // The SDKs default to development.
        "" | "development" => "development",
        "production" => "production",
        other => {
            return Err(bad(format!(
                "Invalid environment argument: {other:?}; `environment` is development or production"
            )));
        }
    };
    let topic = params.get("topic").unwrap_or_default();
    if topic.is_empty() {
        return Err(bad(
            "Missing topic argument: APNs2 registrations need `topic`, the app's bundle id \
             (for example com.example.app)",
        ));
    }
    if topic.chars().count() > MAX_TOKEN_CHARS
        || topic.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad(format!(
            "Invalid topic argument: {topic:?}; a topic is a bundle id (for example com.example.app), \
             without spaces, at most {MAX_TOKEN_CHARS} characters"
        )));
    }
    Ok(Device {
        service: PushService::Apns2,
        token: validate_token(token)?,
        environment: Some(environment.into()),
        topic: Some(topic.into()),
    })
}

fn validate_token(token: String) -> Result<String, Refusal> {
    let chars = token.chars().count();
    if chars == 0 || chars > MAX_TOKEN_CHARS {
        return Err(bad(format!(
            "Invalid device token: {chars} characters; a device's push token has 1 to {MAX_TOKEN_CHARS}"
        )));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(format!(
            "Invalid device token: {token:?} holds spaces or control characters; send the token \
             APNs or FCM gave the device, as is"
        )));
    }
    Ok(token)
}
