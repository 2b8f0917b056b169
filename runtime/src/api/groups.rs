//! Channel groups under `/v1/channel-registration/sub-key/{sub}/channel-group`:
//! the base lists every group; `/{g}` lists a group, or with `add=a,b` /
//! `remove=a` changes it; `/{g}/remove` deletes it. Changes are durable
//! before the answer and wake held subscriptions so they re-read the group.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::Params;
use super::reply::Rejection;
use super::{keys, reply};
use crate::Runtime;
use crate::broker::names;
use crate::store::GroupError;

const SERVICE: &str = "channel-registry";
const BASE: &str = "/v1/channel-registration/sub-key/{sub_key}/channel-group";

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(BASE, get(list_groups))
        .route(&format!("{BASE}/{{group}}"), get(group))
        .route(&format!("{BASE}/{{group}}/remove"), get(delete_group))
}

type Outcome = Result<Response, Rejection>;

fn bad(message: impl AsRef<str>) -> Rejection {
    reply::bad_request(SERVICE, message.as_ref())
}

fn failed(cause: impl std::fmt::Display) -> Rejection {
    Box::new(reply::service_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVICE,
        &format!("channel group storage failed: {cause}"),
    ))
}

fn ok_message() -> Value {
    json!({"error": false, "message": "OK", "service": SERVICE, "status": 200})
}

async fn list_groups(
    State(runtime): State<Arc<Runtime>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let run = || -> Outcome {
        let Path(sub_key) = path.map_err(|e| bad(e.to_string()))?;
        keys::subscribe_key(&runtime, &sub_key)?;
        let groups = runtime.store.groups.groups().map_err(failed)?;
        Ok(reply::ok(&json!({
            "status": 200,
            "payload": {"groups": groups, "sub_key": sub_key},
            "service": SERVICE,
            "error": false,
        })))
    };
    run().unwrap_or_else(|e| *e)
}

async fn group(
    State(runtime): State<Arc<Runtime>>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: Params,
) -> Response {
    run_group(&runtime, path, &params)
        .await
        .unwrap_or_else(|e| *e)
}

async fn run_group(
    runtime: &Arc<Runtime>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: &Params,
) -> Outcome {
    let Path((sub_key, group)) = path.map_err(|e| bad(e.to_string()))?;
    keys::subscribe_key(runtime, &sub_key)?;
    names::validate_group(&group).map_err(bad)?;
    let channels_in = |name: &str| -> Result<Option<Vec<String>>, Rejection> {
        if params.get(name).is_none() {
            return Ok(None);
        }
        let channels = params.list(name);
        if channels.is_empty() {
            return Err(bad(format!("`{name}` names no channels")));
        }
        for channel in &channels {
            names::validate_channel(channel).map_err(bad)?;
        }
        Ok(Some(channels))
    };
    let groups = &runtime.store.groups;
    let changed = if let Some(channels) = channels_in("add")? {
        groups.add(&group, &channels).await.map_err(|e| match e {
            GroupError::TooManyChannels { .. } => bad(e.to_string()),
            GroupError::Storage(cause) => failed(cause),
        })?;
        true
    } else if let Some(channels) = channels_in("remove")? {
        groups
            .remove(&group, &channels)
            .await
            .map_err(|e| failed(e.to_string()))?;
        true
    } else {
        false
    };
    if changed {
        runtime.broker.topics.groups_changed.notify_waiters();
        return Ok(reply::ok(&ok_message()));
    }
    let channels = groups.channels(&group).map_err(failed)?;
    Ok(reply::ok(&json!({
        "status": 200,
        "payload": {"channels": channels, "group": group},
        "service": SERVICE,
        "error": false,
    })))
}

async fn delete_group(
    State(runtime): State<Arc<Runtime>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let result: Outcome = async {
        let Path((sub_key, group)) = path.map_err(|e| bad(e.to_string()))?;
        keys::subscribe_key(&runtime, &sub_key)?;
        names::validate_group(&group).map_err(bad)?;
        runtime
            .store
            .groups
            .delete(&group)
            .await
            .map_err(|e| failed(e.to_string()))?;
        runtime.broker.topics.groups_changed.notify_waiters();
        Ok(reply::ok(&ok_message()))
    }
    .await;
    result.unwrap_or_else(|e| *e)
}
