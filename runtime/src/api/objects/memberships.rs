//! Memberships (`/uuids/{uuid}/channels`) and members
//! (`/channels/{channel}/uuids`): list with the other end joined, and PATCH
//! with `{"set":[…],"delete":[…]}`, answered with the owner's list as it
//! stands afterwards. One set of handlers serves both directions.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

use super::query::ListQuery;
use super::{Request, parse_body};
use crate::Runtime;
use crate::api::params::Params as Query;
use crate::api::refusal::Refusal;
use crate::store::{LinkSide, LinkUpdate};

const MEMBERSHIP_SORTABLE: &[&str] = &[
    "channel.id",
    "channel.name",
    "channel.description",
    "channel.updated",
    "channel.status",
    "channel.type",
    "updated",
    "status",
    "type",
];
const MEMBER_SORTABLE: &[&str] = &[
    "uuid.id",
    "uuid.name",
    "uuid.updated",
    "uuid.status",
    "uuid.type",
    "updated",
    "status",
    "type",
];

fn sortable(side: LinkSide) -> &'static [&'static str] {
    match side {
        LinkSide::Memberships => MEMBERSHIP_SORTABLE,
        LinkSide::Members => MEMBER_SORTABLE,
    }
}

/// The owner's links, each with the other end's metadata joined in (or just
/// its id), so filters and sorts can reach `channel.name` and the like.
fn joined_links(runtime: &Runtime, side: LinkSide, owner: &str) -> anyhow::Result<Vec<Value>> {
    let other = side.other();
    let store = &runtime.store.app_context;
    store
        .links(side, owner)?
        .into_iter()
        .map(|link| {
            let id = link.other_id(side);
            let target = store.get(other, id)?.unwrap_or_else(|| json!({ "id": id }));
            let mut joined = Map::new();
            joined.insert(other.name().into(), target);
            joined.extend(link.fields);
            Ok(Value::Object(joined))
        })
        .collect()
}

fn respond(
    runtime: &Runtime,
    side: LinkSide,
    owner: &str,
    list: &ListQuery,
) -> Result<Json<Value>, Refusal> {
    let listed = list.apply(joined_links(runtime, side, owner).map_err(Refusal::objects_internal)?);
    let data: Vec<Value> = listed
        .items
        .iter()
        .map(|joined| list.include.link(side.other(), joined))
        .collect();
    let mut body = json!({ "status": 200, "data": data });
    super::add_paging(&mut body, list, &listed);
    Ok(Json(body))
}

async fn get(
    side: LinkSide,
    runtime: Arc<Runtime>,
    (sub, owner): (String, String),
    query: Query,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    let list = ListQuery::parse(&request.params, sortable(side))?;
    respond(&runtime, side, &owner, &list)
}

async fn manage(
    side: LinkSide,
    runtime: Arc<Runtime>,
    (sub, owner): (String, String),
    query: Query,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    let list = ListQuery::parse(&request.params, sortable(side))?;
    let body = parse_body(&body)?;
    let other = side.other();
    let entries = |name: &str| -> Result<Vec<LinkUpdate>, Refusal> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(list)) => list
                .iter()
                .map(|entry| {
                    LinkUpdate::parse(entry, other)
                        .map_err(|e| Refusal::objects_bad_request(format!("{name}: {e}")))
                })
                .collect(),
            Some(other) => Err(Refusal::objects_bad_request(format!(
                "{name} must be an array, got {other}"
            ))),
        }
    };
    if !body.is_object() {
        return Err(Refusal::objects_bad_request(format!(
            "body must be an object with `set` and/or `delete` arrays, got {body}"
        )));
    }
    let set = entries("set")?;
    let delete: Vec<String> = entries("delete")?.into_iter().map(|e| e.id).collect();
    runtime
        .update_links(side, &owner, &set, &delete, request.actor())
        .await
        .map_err(|e| Refusal::from_store(e, "update"))?;
    respond(&runtime, side, &owner, &list)
}

pub async fn get_memberships(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    get(LinkSide::Memberships, runtime, path, query).await
}

pub async fn manage_memberships(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    manage(LinkSide::Memberships, runtime, path, query, body).await
}

pub async fn get_members(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    get(LinkSide::Members, runtime, path, query).await
}

pub async fn manage_members(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    manage(LinkSide::Members, runtime, path, query, body).await
}
