//! Access Manager's endpoints (the layer in `super::access_layer` has
//! already checked that these requests are signed with the secret key):
//!
//! - `GET /v2/auth/grant/sub-key/{sub}` — v2 grant: `channel`,
//!   `channel-group`, `target-uuid`, `auth` (comma lists), `r w m d g j u`
//!   (0/1), `ttl` minutes (default 1440, 0 = no expiry).
//! - `POST /v3/pam/{sub}/grant` — grant token, body
//!   `{"ttl", "permissions": {"resources", "patterns", "meta", "uuid"}}`.
//! - `DELETE /v3/pam/{sub}/grant/{token}` — revoke a token.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use super::keys;
use super::params::Params;
use super::reply;
use crate::Runtime;
use crate::access::grants::Target;
use crate::access::{AccessError, Permission, ResourceKind, now_secs};

/// v2's default grant lifetime, in minutes.
const DEFAULT_V2_TTL_MINUTES: u64 = 1440;
/// v2's longest grant (a year), in minutes; 0 means no expiry.
const MAX_V2_TTL_MINUTES: u64 = 525_600;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route("/v2/auth/grant/sub-key/{sub_key}", get(grant_v2))
        .route("/v3/pam/{sub_key}/grant", post(grant_token))
        .route("/v3/pam/{sub_key}/grant/{token}", delete(revoke_token))
}

async fn grant_v2(
    State(runtime): State<Arc<Runtime>>,
    Path(sub_key): Path<String>,
    params: Params,
) -> Response {
    if let Err(response) = keys::check_subscribe_key(&runtime, &sub_key) {
        return response.into_response();
    }
    match grant_v2_inner(&runtime, &sub_key, &params).await {
        Ok(payload) => reply::ok(&json!({
            "message": "Success",
            "payload": payload,
            "service": "Access Manager",
            "status": 200,
        })),
        Err(error) => error.into_response(),
    }
}

async fn grant_v2_inner(
    runtime: &Runtime,
    sub_key: &str,
    params: &Params,
) -> Result<Value, AccessError> {
    let mut bits = 0;
    let mut flags = Map::new();
    for permission in Permission::ALL {
        let flag = permission.v2_flag();
        let on = params.flag(flag).map_err(AccessError::BadRequest)? == Some(true);
        if on {
            bits |= permission.bit();
        }
        flags.insert(flag.into(), json!(u8::from(on)));
    }
    let ttl = params
        .number::<u64>("ttl")
        .map_err(AccessError::BadRequest)?
        .unwrap_or(DEFAULT_V2_TTL_MINUTES);
    if ttl > MAX_V2_TTL_MINUTES {
        return Err(AccessError::BadRequest(format!(
            "`ttl` is {ttl}: v2 grants last at most {MAX_V2_TTL_MINUTES} minutes (0 for no expiry)"
        )));
    }
    let auth_keys = params.list("auth");
    let sections = [
        ("channel", "channels", ResourceKind::Channel),
        ("channel-group", "channel-groups", ResourceKind::Group),
        ("target-uuid", "uuids", ResourceKind::Uuid),
    ];
    let mut targets: Vec<Target> = Vec::new();
    let mut payload = Map::new();
    let mut level = "subkey";
    // Each resource lists its auth keys' permissions (or its own, for anyone).
    let entry = || {
        if auth_keys.is_empty() {
            Value::Object(flags.clone())
        } else {
            json!({"auths": auth_keys.iter().map(|k| (k.clone(), Value::Object(flags.clone()))).collect::<Map<_, _>>()})
        }
    };
    for (param, key, kind) in sections {
        let names = params.list(param);
        if names.is_empty() {
            continue;
        }
        if level == "subkey" {
            level = match kind {
                ResourceKind::Channel => "channel",
                ResourceKind::Group => "channel-group",
                ResourceKind::Uuid => "uuid",
            };
        }
        let listed: Map<String, Value> = names.iter().map(|n| (n.clone(), entry())).collect();
        payload.insert(key.into(), Value::Object(listed));
        targets.extend(names.into_iter().map(|name| Some((kind, name))));
    }
    if targets.is_empty() {
        targets.push(None);
        payload.extend(flags.clone());
        if !auth_keys.is_empty() {
            payload.insert("auths".into(), entry()["auths"].clone());
        }
    }
    runtime
        .access
        .grants
        .grant(&targets, &auth_keys, bits, ttl, now_secs())
        .await
        .map_err(|e| AccessError::Internal(format!("cannot store the grant: {e:#}")))?;
    payload.insert("level".into(), json!(level));
    payload.insert("subscribe_key".into(), json!(sub_key));
    payload.insert("ttl".into(), json!(ttl));
    Ok(Value::Object(payload))
}

async fn grant_token(
    State(runtime): State<Arc<Runtime>>,
    Path(sub_key): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = keys::check_subscribe_key(&runtime, &sub_key) {
        return response.into_response();
    }
    let outcome = serde_json::from_slice::<Value>(&body)
        .map_err(|e| AccessError::BadRequest(format!("the grant body is not valid JSON: {e}")))
        .and_then(|body| runtime.access.grant_token(&body));
    match outcome {
        Ok(token) => reply::ok(&json!({
            "data": {"message": "Success", "token": token},
            "service": "Access Manager",
            "status": 200,
        })),
        Err(error) => error.into_response(),
    }
}

async fn revoke_token(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, token)): Path<(String, String)>,
) -> Response {
    if let Err(response) = keys::check_subscribe_key(&runtime, &sub_key) {
        return response.into_response();
    }
    match runtime.access.revoke_token(&token).await {
        Ok(()) => reply::ok(&json!({
            "data": {},
            "service": "Access Manager",
            "status": 200,
        })),
        Err(error) => error.into_response(),
    }
}
