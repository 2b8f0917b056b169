//! A module's KV store, inspected and edited from outside (`pigdin kv`, the
//! console): admin routes under `/admin/modules/{name}/kv`, behind the admin
//! rules of [`super::admin`].
//!
//! - `GET …/kv?prefix=&limit=&after=` → `{"keys":[…],"next":"<key>"?}` (values, not counters)
//! - `GET …/kv/{key}` → `{"key","value"}` (the value as stored, JSON), 404 when absent
//! - `PUT …/kv/{key}` with `{"value": <JSON>, "ttl_minutes"?: n}` → `{"key","stored":true}`
//! - `DELETE …/kv/{key}` → `{"key","deleted":true}`
//!
//! The module must be deployed: a KV store without its module is almost
//! always a typo'd name. Keys and values are bounded by the default function
//! limits (a module may set its own lower ones; the store takes both).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::params::Params;
use super::refusal::Refusal;
use crate::Runtime;
use crate::functions::limits::Limits;
use crate::store::{KvError, KvNamespace, MAX_KV_PAGE};

const SERVICE: &str = "Admin";

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new().route("/modules/{name}/kv", get(list)).route(
        "/modules/{name}/kv/{key}",
        get(read).put(write).delete(remove),
    )
}

/// The KV namespace of a deployed module.
fn namespace(runtime: &Runtime, module: &str) -> Result<KvNamespace, Refusal> {
    if runtime.functions.module(module).is_none() {
        return Err(Refusal::json_not_found(
            SERVICE,
            format!("no module named {module:?} is deployed; see `pigdin functions`"),
        ));
    }
    let limits = Limits::default();
    Ok(runtime.store.kv.namespace(
        module,
        limits.max_key_len as usize,
        limits.max_value_len as usize,
    ))
}

fn refusal(error: KvError) -> Refusal {
    match error {
        KvError::Storage(_) => Refusal::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVICE,
            error.to_string(),
        ),
        other => Refusal::json_bad_request(SERVICE, other.to_string()),
    }
}

async fn list(
    State(runtime): State<Arc<Runtime>>,
    Path(module): Path<String>,
    params: Params,
) -> Result<Response, Refusal> {
    let kv = namespace(&runtime, &module)?;
    let limit = params
        .number::<u32>("limit")
        .map_err(|e| Refusal::json_bad_request(SERVICE, e))?
        .unwrap_or(MAX_KV_PAGE)
        .clamp(1, MAX_KV_PAGE);
    let page = kv
        .list_keys(
            params.get("prefix").unwrap_or_default(),
            params.get("after"),
            limit,
        )
        .map_err(refusal)?;
    let mut body = json!({ "module": module, "keys": page.keys });
    if let Some(next) = page.next_cursor {
        body["next"] = json!(next);
    }
    Ok(Json(body).into_response())
}

async fn read(
    State(runtime): State<Arc<Runtime>>,
    Path((module, key)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let kv = namespace(&runtime, &module)?;
    let Some(text) = kv.get(&key).map_err(refusal)? else {
        return Err(Refusal::json_not_found(
            SERVICE,
            format!("module {module:?} has no KV key {key:?} (or it expired)"),
        ));
    };
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Json(json!({ "key": key, "value": value })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteBody {
    value: Value,
    ttl_minutes: Option<u32>,
}

async fn write(
    State(runtime): State<Arc<Runtime>>,
    Path((module, key)): Path<(String, String)>,
    body: Result<Json<WriteBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Refusal> {
    let kv = namespace(&runtime, &module)?;
    let Json(body) = body.map_err(|e| {
        Refusal::json_bad_request(
            SERVICE,
            format!("the body must be {{\"value\": <JSON>, \"ttl_minutes\"?: <minutes>}}: {e}"),
        )
    })?;
    kv.set(&key, &body.value.to_string(), body.ttl_minutes)
        .await
        .map_err(refusal)?;
    Ok(Json(json!({ "key": key, "stored": true })).into_response())
}

async fn remove(
    State(runtime): State<Arc<Runtime>>,
    Path((module, key)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let kv = namespace(&runtime, &module)?;
    kv.remove(&key).await.map_err(refusal)?;
    Ok(Json(json!({ "key": key, "deleted": true })).into_response())
}
