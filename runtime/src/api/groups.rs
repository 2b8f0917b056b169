//! Channel groups under `/v1/channel-registration/sub-key/{sub}/channel-group`:
//! the base lists every group; `/{g}` lists a group, or with `add=a,b` /
//! `remove=a` changes it; `/{g}/remove` deletes it. Changes are durable
//! before the answer and wake held subscriptions so they re-read the group.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::Params;
use super::path::{Family, Path};
use super::refusal::Refusal;
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

type Outcome = Result<Response, Refusal>;

fn bad(message: impl std::fmt::Display) -> Refusal {
    Refusal::bad_request(SERVICE, message.to_string())
}

fn failed(cause: impl std::fmt::Display) -> Refusal {
    Refusal::service(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVICE,
        format!("channel group storage failed: {cause}"),
    )
}

/// The channel-registry API.
struct Groups;

impl Family for Groups {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        bad(rejection.to_string())
    }
}

fn ok_message() -> Value {
    json!({"error": false, "message": "OK", "service": SERVICE, "status": 200})
}

async fn list_groups(
    State(runtime): State<Arc<Runtime>>,
    Path(sub_key, _): Path<String, Groups>,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let groups = runtime.store.groups.groups().map_err(failed)?;
    Ok(reply::ok(&json!({
        "status": 200,
        "payload": {"groups": groups, "sub_key": sub_key},
        "service": SERVICE,
        "error": false,
    })))
}

async fn group(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, group), _): Path<(String, String), Groups>,
    params: Params,
) -> Outcome {
    let runtime = &runtime;
    let params = &params;
    keys::check_subscribe_key(runtime, &sub_key)?;
    names::validate_group(&group).map_err(bad)?;
    let channels_in = |name: &str| -> Result<Option<Vec<String>>, Refusal> {
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
    Path((sub_key, group), _): Path<(String, String), Groups>,
) -> Outcome {
    keys::check_subscribe_key(&runtime, &sub_key)?;
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
