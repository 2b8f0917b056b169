//! `GET /time/0` → `[17379929965457610]`: both SDKs probe connectivity with it.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::reply;
use crate::Runtime;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new().route("/time/{callback}", get(time))
}

async fn time(State(runtime): State<Arc<Runtime>>) -> Response {
    reply::json_text(
        axum::http::StatusCode::OK,
        format!("[{}]", runtime.broker.now()),
    )
}
