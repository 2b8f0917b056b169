//! Uuid and channel metadata: get, list, set (PATCH) and remove (DELETE),
//! one set of handlers for both kinds.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::query::ListQuery;
use super::{Request, if_match, parse_body};
use crate::Runtime;
use crate::api::params::Params as Query;
use crate::api::refusal::Refusal;
use crate::store::MetadataKind;

const SORTABLE: &[&str] = &["id", "name", "updated", "status", "type"];

async fn list(
    kind: MetadataKind,
    runtime: Arc<Runtime>,
    sub: String,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    let list = ListQuery::parse(&request.params, SORTABLE)?;
    let listed = list.apply(
        runtime
            .store
            .app_context
            .list(kind)
            .map_err(Refusal::objects_internal)?,
    );
    let data: Vec<Value> = listed
        .items
        .iter()
        .map(|object| list.include.metadata(kind, object))
        .collect();
    let mut body = json!({ "status": 200, "data": data });
    super::add_paging(&mut body, &list, &listed);
    Ok(Json(body))
}

async fn get(
    kind: MetadataKind,
    runtime: Arc<Runtime>,
    (sub, id): (String, String),
    query: Query,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    let include = request.include();
    let object = runtime
        .store
        .app_context
        .get(kind, &id)
        .map_err(Refusal::objects_internal)?
        .ok_or_else(Refusal::objects_not_found)?;
    Ok(Json(
        json!({ "status": 200, "data": include.metadata(kind, &object) }),
    ))
}

async fn set(
    kind: MetadataKind,
    runtime: Arc<Runtime>,
    (sub, id): (String, String),
    query: Query,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    let data = parse_body(&body)?;
    let object = runtime
        .set_metadata(
            kind,
            &id,
            &data,
            if_match(&headers)?.as_deref(),
            request.actor(),
        )
        .await
        .map_err(|e| Refusal::from_store(e, "update"))?;
    Ok(Json(
        json!({ "status": 200, "data": request.include().metadata(kind, &object) }),
    ))
}

async fn remove(
    kind: MetadataKind,
    runtime: Arc<Runtime>,
    (sub, id): (String, String),
    query: Query,
    headers: HeaderMap,
) -> Result<Json<Value>, Refusal> {
    let request = Request::new(&runtime, &sub, query)?;
    // Removing what is not there succeeds, as PubNub's does.
    runtime
        .remove_metadata(kind, &id, if_match(&headers)?.as_deref(), request.actor())
        .await
        .map_err(|e| Refusal::from_store(e, "delete"))?;
    Ok(Json(json!({ "status": 200, "data": null })))
}

pub async fn list_uuids(
    State(runtime): State<Arc<Runtime>>,
    Path(sub): Path<String>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    list(MetadataKind::Uuid, runtime, sub, query).await
}

pub async fn list_channels(
    State(runtime): State<Arc<Runtime>>,
    Path(sub): Path<String>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    list(MetadataKind::Channel, runtime, sub, query).await
}

pub async fn get_uuid(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    get(MetadataKind::Uuid, runtime, path, query).await
}

pub async fn get_channel(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    get(MetadataKind::Channel, runtime, path, query).await
}

pub async fn set_uuid(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    set(MetadataKind::Uuid, runtime, path, query, headers, body).await
}

pub async fn set_channel(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Refusal> {
    set(MetadataKind::Channel, runtime, path, query, headers, body).await
}

pub async fn remove_uuid(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    headers: HeaderMap,
) -> Result<Json<Value>, Refusal> {
    remove(MetadataKind::Uuid, runtime, path, query, headers).await
}

pub async fn remove_channel(
    State(runtime): State<Arc<Runtime>>,
    Path(path): Path<(String, String)>,
    query: Query,
    headers: HeaderMap,
) -> Result<Json<Value>, Refusal> {
    remove(MetadataKind::Channel, runtime, path, query, headers).await
}
