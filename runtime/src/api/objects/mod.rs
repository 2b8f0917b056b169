//! App Context (PubNub Objects v2) over HTTP, under `/v2/objects/{sub}`:
//! uuid and channel metadata, memberships and members.
//!
//! - `metadata`: `/uuids[/{id}]`, `/channels[/{id}]` — list, get, PATCH, DELETE.
//! - `memberships`: `/uuids/{id}/channels`, `/channels/{id}/uuids` — GET, PATCH.
//! - `query`, `include`, `filter`: list parameters and response shaping.
//! - `error`: PubNub's objects error shape (404, 412, 400).

mod error;
mod filter;
mod include;
mod memberships;
mod metadata;
mod query;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::get;
use serde_json::{Value, json};

use self::include::Include;
use self::query::{ListQuery, Listed};
use super::params::Params;
use crate::Runtime;
use crate::api::refusal::Refusal;

/// Largest PATCH body accepted (a membership list can hold many objects).
const MAX_BODY_BYTES: usize = 128 * 1024;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route("/v2/objects/{sub}/uuids", get(metadata::list_uuids))
        .route(
            "/v2/objects/{sub}/uuids/{uuid}",
            get(metadata::get_uuid)
                .patch(metadata::set_uuid)
                .delete(metadata::remove_uuid),
        )
        .route(
            "/v2/objects/{sub}/uuids/{uuid}/channels",
            get(memberships::get_memberships).patch(memberships::manage_memberships),
        )
        .route("/v2/objects/{sub}/channels", get(metadata::list_channels))
        .route(
            "/v2/objects/{sub}/channels/{channel}",
            get(metadata::get_channel)
                .patch(metadata::set_channel)
                .delete(metadata::remove_channel),
        )
        .route(
            "/v2/objects/{sub}/channels/{channel}/uuids",
            get(memberships::get_members).patch(memberships::manage_members),
        )
}

/// What every App Context request carries: a subscribe key checked by the
/// shared key check, and its decoded query.
struct Request {
    params: Params,
}

impl Request {
    fn new(runtime: &Runtime, sub: &str, query: Params) -> Result<Self, Refusal> {
        super::keys::check_subscribe_key(runtime, sub)?;
        Ok(Self { params: query })
    }

    fn include(&self) -> Include {
        Include::parse(self.params.all("include"))
    }

    /// The uuid making the request, shown as the publisher of its events.
    fn actor(&self) -> Option<&str> {
        self.params.get("uuid").filter(|u| !u.is_empty())
    }
}

fn parse_body(body: &Bytes) -> Result<Value, Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Refusal::objects_bad_request(format!(
            "request body is {} bytes; the limit is {MAX_BODY_BYTES}",
            body.len()
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| Refusal::objects_bad_request(format!("request body is not valid JSON: {e}")))
}

/// The `If-Match` eTag, with any HTTP quoting removed.
fn if_match(headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    headers
        .get(axum::http::header::IF_MATCH)
        .map(|value| {
            value
                .to_str()
                .map(|v| v.trim().trim_matches('"').to_owned())
                .map_err(|_| Refusal::objects_bad_request("If-Match header is not text"))
        })
        .transpose()
}

/// Adds `totalCount` (when asked for), `next` and `prev` to a list response.
fn add_paging(body: &mut Value, list: &ListQuery, listed: &Listed) {
    if list.count {
        body["totalCount"] = json!(listed.total);
    }
    if let Some(next) = &listed.next {
        body["next"] = json!(next);
    }
    if let Some(prev) = &listed.prev {
        body["prev"] = json!(prev);
    }
}
