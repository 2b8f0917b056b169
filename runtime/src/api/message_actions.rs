//! Message Actions, under `/v1/message-actions/{sub}/channel/{channel}`:
//!
//! - `POST …/message/{tt}` with `{"type","value"}` adds one as the request's
//!   `uuid` → `{"status":200,"data":{type,value,uuid,actionTimetoken,messageTimetoken}}`;
//!   the same type and value from the same uuid again → 409 "Action Already Added".
//! - `DELETE …/message/{tt}/action/{att}` → `{"status":200,"data":{}}`.
//! - `GET` (`start` exclusive, `end` inclusive, `limit` ≤ 100) → the newest
//!   actions of the range, oldest first: `{"status":200,"data":[…]}`, plus
//!   `"more":{"url","start","end"?,"limit"}` when older ones remain.
//!
//! Errors are `{"status","error":{"message","source":"actions"}}`.
//! Choices where the service is not documented: removing an action that is
//! not there answers 200 as a removal does (deletes are idempotent); `more.end`
//! is sent only when the request had an `end`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::keys;
use super::params::{Params, percent_encode};
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::reply;
use crate::Runtime;
use crate::ops::NewMessageAction;
use crate::ops::publish::MAX_MESSAGE_BYTES;
use crate::store::MessageActionError;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route("/v1/message-actions/{sub}/channel/{channel}", get(list))
        .route(
            "/v1/message-actions/{sub}/channel/{channel}/message/{message}",
            post(add),
        )
        .route(
            "/v1/message-actions/{sub}/channel/{channel}/message/{message}/action/{action}",
            delete(remove),
        )
}

/// The Message Actions API.
struct ActionsApi;

impl Family for ActionsApi {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        bad_request(format!("invalid path: {rejection}"))
    }
}

fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::actions(StatusCode::BAD_REQUEST, message)
}

fn refusal(error: MessageActionError) -> Refusal {
    match error {
        MessageActionError::Invalid(message) => bad_request(message),
        MessageActionError::AlreadyAdded => {
            Refusal::actions(StatusCode::CONFLICT, error.to_string())
        }
        MessageActionError::Storage(e) => internal(e),
    }
}

fn internal(error: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %error, "message actions request failed");
    Refusal::actions(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("message action storage failed: {error}"),
    )
}

fn timetoken(name: &str, text: &str) -> Result<u64, Refusal> {
    super::params::parse_timetoken(name, text).map_err(bad_request)
}

/// The uuid acting; PubNub requires one on every request.
fn actor(params: &Params) -> Result<&str, Refusal> {
    params
        .get("uuid")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| bad_request("`uuid` is required: the uuid adding or removing the action"))
}

async fn add(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel, message), _): Path<(String, String, String), ActionsApi>,
    params: Params,
    body: Bytes,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let message_timetoken = timetoken("message timetoken", &message)?;
    let uuid = actor(&params)?;
    if body.len() > MAX_MESSAGE_BYTES {
        return Err(bad_request(format!(
            "the action is {} bytes; the limit is {MAX_MESSAGE_BYTES}, as for a publish",
            body.len()
        )));
    }
    let action: Value = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("the body is not valid JSON: {e}")))?;
    let field = |name: &str| -> Result<&str, Refusal> {
        match action.get(name) {
            Some(Value::String(text)) => Ok(text),
            Some(other) => Err(bad_request(format!(
                "the action's `{name}` must be a string, got {other}"
            ))),
            None => Err(bad_request(format!(
                "the body must be {{\"type\": \"…\", \"value\": \"…\"}}; `{name}` is missing"
            ))),
        }
    };
    let added = runtime
        .add_message_action(NewMessageAction {
            channel: &channel,
            message_timetoken,
            kind: field("type")?,
            value: field("value")?,
            uuid,
        })
        .await
        .map_err(refusal)?;
    Ok(reply::ok(
        &json!({ "status": 200, "data": added.to_json() }),
    ))
}

async fn remove(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel, message, action), _): Path<(String, String, String, String), ActionsApi>,
    params: Params,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let message_timetoken = timetoken("message timetoken", &message)?;
    let action_timetoken = timetoken("action timetoken", &action)?;
    let uuid = actor(&params)?;
    let removed = runtime
        .remove_message_action(&channel, message_timetoken, action_timetoken, uuid)
        .await
        .map_err(refusal)?;
    if removed.is_none() {
        tracing::debug!(
            channel,
            action_timetoken,
            "no such message action to remove"
        );
    }
    Ok(reply::ok(&json!({ "status": 200, "data": {} })))
}

async fn list(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel), _): Path<(String, String), ActionsApi>,
    params: Params,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let start = params.timetoken("start").map_err(bad_request)?;
    let end = params.timetoken("end").map_err(bad_request)?;
    let limit = params.number::<usize>("limit").map_err(bad_request)?;
    let page = runtime
        .message_actions(&channel, start, end, limit)
        .map_err(internal)?;
    let data: Vec<Value> = page.actions.iter().map(|a| a.to_json()).collect();
    let mut body = json!({ "status": 200, "data": data });
    if let (true, Some(oldest)) = (page.more, page.actions.first()) {
        let limit = page.actions.len();
        let next = oldest.action_timetoken.to_string();
        let mut query = format!("start={next}&limit={limit}");
        let mut more = json!({ "start": next, "limit": limit });
        if let Some(end) = end {
            query.push_str(&format!("&end={end}"));
            more["end"] = json!(end.to_string());
        }
        more["url"] = json!(format!(
            "/v1/message-actions/{}/channel/{}?{query}",
            percent_encode(&sub),
            percent_encode(&channel)
        ));
        body["more"] = more;
    }
    Ok(reply::ok(&body))
}
