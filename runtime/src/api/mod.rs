//! The HTTP surface: one router file per API family.

mod admin;
mod blocks;
pub mod error;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::Runtime;

pub fn router(runtime: Arc<Runtime>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(blocks::routes())
        .nest("/admin", admin::routes(runtime.clone()))
        .with_state(runtime)
}

/// Binds `runtime.config.listen` and serves until the process ends.
pub async fn serve(runtime: Arc<Runtime>, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(runtime).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
