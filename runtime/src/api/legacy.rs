//! The calls SDKs of the 3.x era still make (PubNub JS 3.7 among them):
//!
//! - `GET /subscribe/{sub}/{channels}/{callback}/{timetoken}`: the v1
//!   long-poll. Timetoken 0 is the handshake (`[[],"<tt>"]` at once);
//!   otherwise `[[<message>…],"<tt>","<channel>,…"]`, one channel per message,
//!   and, when any arrived through a channel group or wildcard, a fourth
//!   element: `[…,"<subscription>,…","<channel>,…"]` (the 3.x SDKs read the
//!   subscription from the third and the channel from the fourth). Presence
//!   events arrive as messages on `{channel}-pnpres`.
//! - `GET /history/{sub}/{channel}/{callback}/{limit}`: the latest `limit`
//!   (≤ 100) messages, oldest first, as a bare array.
//!
//! A `callback` other than `0` asks for JSONP (see [`super::jsonp`], which
//! wraps the answer). Query parameters (`uuid`, `heartbeat`, `state`, `channel-group`,
//! `filter-expr`) are v2's.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::{Params, parse_timetoken};
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::{keys, reply, subscribe};
use crate::Runtime;
use crate::broker::names;

/// Most messages one v1 history call returns, and what `limit` is clamped to.
const MAX_HISTORY: usize = 100;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(
            "/subscribe/{sub_key}/{channels}/{callback}/{timetoken}",
            get(subscribe_v1),
        )
        .route(
            "/history/{sub_key}/{channel}/{callback}/{limit}",
            get(history_v1),
        )
}

/// The v1 calls.
struct LegacyApi;

impl Family for LegacyApi {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        Refusal::bad_request("Subscribe", format!("invalid path: {rejection}"))
    }
}

async fn subscribe_v1(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels, _callback, timetoken), _): Path<
        (String, String, String, String),
        LegacyApi,
    >,
    params: Params,
) -> Result<Response, Refusal> {
    let cursor = parse_timetoken("timetoken", &timetoken)
        .map_err(|e| Refusal::bad_request("Subscribe", e))?;
    let (next, batch) = subscribe::poll(&runtime, &sub_key, &channels, &params, cursor).await?;
    let envelopes = batch.map(|b| b.envelopes).unwrap_or_default();
    let messages: Vec<&Value> = envelopes.iter().map(|(e, _)| &e.message.message).collect();
    let mut body = vec![json!(messages), json!(next.to_string())];
    if !envelopes.is_empty() {
        let channels: Vec<&str> = envelopes.iter().map(|(e, _)| e.channel()).collect();
        if envelopes.iter().any(|(_, via)| via.is_some()) {
            let subscriptions: Vec<&str> = envelopes
                .iter()
                .map(|(e, via)| via.as_deref().unwrap_or(e.channel()))
                .collect();
            body.push(json!(subscriptions.join(",")));
        }
        body.push(json!(channels.join(",")));
    }
    Ok(reply::ok(&Value::Array(body)))
}

async fn history_v1(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channel, _callback, limit), _): Path<
        (String, String, String, String),
        LegacyApi,
    >,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub_key)?;
    let bad = |message: String| Refusal::bad_request("History", message);
    names::validate_channel(&channel).map_err(|e| bad(e.to_string()))?;
    let limit: usize = limit
        .parse()
        .map_err(|_| bad(format!("the limit {limit:?} is not a number of messages")))?;
    let messages = runtime
        .store
        .history
        .latest(&channel, limit.clamp(1, MAX_HISTORY))
        .map_err(|e| {
            Refusal::service(
                StatusCode::INTERNAL_SERVER_ERROR,
                "History",
                format!("history read failed: {e:#}"),
            )
        })?;
    let body: Vec<Value> = messages.into_iter().map(|m| m.message).collect();
    Ok(reply::ok(&Value::Array(body)))
}
