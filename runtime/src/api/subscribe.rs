//! Subscribe v2 long-poll: `GET /v2/subscribe/{sub}/{channels}/0`.
//!
//! `channels` is comma-joined (`,` when only groups are subscribed); query
//! `tt`/`tr` (cursor), `channel-group`, `filter-expr`, `state`, `heartbeat`,
//! `uuid`. Without `tt` (JS) or with `tt=0` (Python) it is a handshake,
//! answered at once with a fresh cursor. Otherwise it returns what arrived
//! after `tt`, holding the request until something does or the hold ends.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::params::{Params, split_names};
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::{keys, reply};
use crate::Runtime;
use crate::broker::filter_expr::FilterExpr;
use crate::broker::presence::DEFAULT_PRESENCE_TIMEOUT;
use crate::broker::topics::Batch;
use crate::broker::wildcard::{self, PRESENCE_SUFFIX};
use crate::broker::{REGION, SubscriptionSpec, json_string, names};
use crate::ops::PresenceHold;

const SERVICE: &str = "Subscribe";
/// Longest presence timeout a client may ask for (`heartbeat`), in seconds.
pub const MAX_PRESENCE_TIMEOUT_SECS: u64 = 86_400;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new().route(
        "/v2/subscribe/{sub_key}/{channels}/{callback}",
        get(subscribe),
    )
}

/// The subscribe API.
struct SubscribeApi;

impl Family for SubscribeApi {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        Refusal::bad_request(SERVICE, format!("invalid path: {rejection}"))
    }
}

async fn subscribe(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels, _), _): Path<(String, String, String), SubscribeApi>,
    params: Params,
) -> Result<Response, Refusal> {
    let cursor = params
        .timetoken("tt")
        .map_err(|e| Refusal::bad_request(SERVICE, e))?
        .unwrap_or(0);
    let (next, batch) = poll(&runtime, &sub_key, &channels, &params, cursor).await?;
    Ok(respond(&runtime, next, batch.as_ref()))
}

/// One long-poll, whatever the version asking: a handshake (`cursor` 0)
/// answers at once with a fresh cursor and no batch; otherwise what arrived
/// after `cursor`, once something does or the hold ends, and the next cursor.
pub(super) async fn poll(
    runtime: &Arc<Runtime>,
    sub_key: &str,
    channels: &str,
    params: &Params,
    cursor: u64,
) -> Result<(u64, Option<Batch>), Refusal> {
    keys::check_subscribe_key(runtime, sub_key)?;
    let bad = |message: String| Refusal::bad_request(SERVICE, message);
    let spec = SubscriptionSpec {
        channels: split_names(channels),
        groups: params.list("channel-group"),
    };
    validate(&spec).map_err(bad)?;
    let filter = params
        .get("filter-expr")
        .filter(|f| !f.trim().is_empty())
        .map(FilterExpr::parse)
        .transpose()
        .map_err(|e| bad(e.to_string()))?;
    let uuid = params.get("uuid");
    if let Some(uuid) = uuid {
        names::validate_uuid(uuid).map_err(|e| bad(e.to_string()))?;
    }
    let timeout = presence_timeout(params).map_err(bad)?;
    let states = states_by_channel(params).map_err(bad)?;

    let resolve = |group: &str| group_channels(runtime, group);
    // A handshake's cursor is drawn before this request's own join is
    // announced (and below a join its heartbeat announced a moment ago), so
    // the client receives its join, as from hosted PubNub, on its next request.
    let handshake = (cursor == 0).then(|| runtime.broker.handshake(&spec, resolve, uuid));
    // Keeps this uuid present while the request is held; dropped with it.
    let _hold = uuid.map(|uuid| {
        for (channel, state) in &states {
            runtime.presence_set_state(uuid, std::slice::from_ref(channel), state);
        }
        let channels = spec.presence_channels(&resolve);
        runtime.presence_heartbeat(uuid, &channels, timeout);
        PresenceHold::new(runtime, uuid, channels)
    });

    if let Some(cursor) = handshake {
        return Ok((cursor, None));
    }
    let batch = runtime
        .broker
        .wait_for_messages(
            &spec,
            resolve,
            cursor,
            filter.as_ref(),
            runtime.config.subscribe_hold,
        )
        .await;
    let next = batch.newest().unwrap_or(cursor);
    Ok((next, Some(batch)))
}

fn validate(spec: &SubscriptionSpec) -> Result<(), String> {
    if spec.channels.is_empty() && spec.groups.is_empty() {
        return Err("subscribe to at least one channel or channel group".into());
    }
    for name in &spec.channels {
        if wildcard::is_pattern(name) {
            wildcard::validate_pattern(name).map_err(|e| e.to_string())?;
        } else {
            names::validate_channel(name).map_err(|e| e.to_string())?;
        }
    }
    for group in &spec.groups {
        names::validate_group(group).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `heartbeat=<seconds>`: this client's presence timeout.
fn presence_timeout(params: &Params) -> Result<Duration, String> {
    match params.number::<u64>("heartbeat")? {
        None | Some(0) => Ok(DEFAULT_PRESENCE_TIMEOUT),
        Some(secs) if secs <= MAX_PRESENCE_TIMEOUT_SECS => Ok(Duration::from_secs(secs)),
        Some(secs) => Err(format!(
            "`heartbeat` is {secs} s; the longest presence timeout is {MAX_PRESENCE_TIMEOUT_SECS} s"
        )),
    }
}

/// `state={"channel": {...}}`: presence state to set while subscribing.
pub fn states_by_channel(params: &Params) -> Result<Vec<(String, Value)>, String> {
    match params.json("state")? {
        None => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .into_iter()
            .filter(|(channel, _)| !channel.ends_with(PRESENCE_SUFFIX))
            .map(|(channel, state)| match state {
                Value::Object(_) | Value::Null => Ok((channel, state)),
                other => Err(format!(
                    "`state` for {channel:?} must be a JSON object, not {other}"
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "`state` must be a JSON object of channel to state, not {other}"
        )),
    }
}

pub fn group_channels(runtime: &Runtime, group: &str) -> Vec<String> {
    runtime.store.groups.channels(group).unwrap_or_else(|e| {
        tracing::warn!(group, error = %e, "cannot read a channel group");
        Vec::new()
    })
}

/// `{"t":{"t":"<cursor>","r":<region>},"m":[<envelopes>]}`.
fn respond(runtime: &Runtime, cursor: u64, batch: Option<&Batch>) -> Response {
    let subscribe_key = json_string(&runtime.config.subscribe_key);
    let mut body = String::with_capacity(64 + batch.map_or(0, |b| b.envelopes.len() * 256));
    body.push_str(&format!(r#"{{"t":{{"t":"{cursor}","r":{REGION}}},"m":["#));
    for (i, (envelope, via)) in batch.iter().flat_map(|b| &b.envelopes).enumerate() {
        if i > 0 {
            body.push(',');
        }
        envelope.write(&mut body, &subscribe_key, via.as_deref());
    }
    body.push_str("]}");
    reply::json_text(StatusCode::OK, body)
}
