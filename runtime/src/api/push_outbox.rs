//! The admin view of the push outbox (mounted under `/admin`, so behind its
//! guard): `GET /admin/push/outbox?channel=&limit=` lists what publishes
//! would have pushed, newest first; `DELETE /admin/push/outbox` empties it.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::params::Params;
use super::refusal::Refusal;
use crate::Runtime;
use crate::store::MAX_OUTBOX_ENTRIES;

const SERVICE: &str = "Admin";
/// Entries listed unless `limit` asks for another number.
const DEFAULT_LIMIT: usize = 100;

fn failed(e: anyhow::Error) -> Refusal {
    Refusal::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVICE,
        format!("cannot read the push outbox: {e:#}"),
    )
}

pub async fn list(
    State(runtime): State<Arc<Runtime>>,
    params: Params,
) -> Result<Response, Refusal> {
    let limit = params
        .number::<usize>("limit")
        .map_err(|e| Refusal::json_bad_request(SERVICE, e))?
        .unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_OUTBOX_ENTRIES {
        return Err(Refusal::json_bad_request(
            SERVICE,
            format!(
                "`limit` is 1 to {MAX_OUTBOX_ENTRIES} (the outbox keeps that many), not {limit}"
            ),
        ));
    }
    let channel = params.get("channel").filter(|c| !c.is_empty());
    let entries = runtime
        .store
        .push_outbox
        .recent(channel, limit)
        .map_err(failed)?;
    Ok(Json(json!({ "entries": entries })).into_response())
}

pub async fn clear(State(runtime): State<Arc<Runtime>>) -> Result<Response, Refusal> {
    let removed = runtime.store.push_outbox.clear().await.map_err(failed)?;
    Ok(Json(json!({ "removed": removed })).into_response())
}
