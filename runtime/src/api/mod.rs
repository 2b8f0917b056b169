//! The HTTP surface: one router file per API family.

mod access;
mod admin;
mod blocks;
mod cors;
pub mod error;
mod groups;
mod history;
mod keys;
mod objects;
mod params;
mod presence;
mod publish;
pub(crate) mod reply;
mod subscribe;
mod time;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::Runtime;

pub fn router(runtime: Arc<Runtime>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(blocks::routes())
        .nest("/admin", admin::routes(runtime.clone()))
        .merge(history::routes())
        .merge(objects::routes())
        .merge(time::routes())
        .merge(publish::routes())
        .merge(subscribe::routes())
        .merge(presence::routes())
        .merge(groups::routes())
        .merge(access::routes())
        // Access Manager sees every request above (a no-op without a secret key).
        .layer(axum::middleware::from_fn_with_state(
            runtime.clone(),
            crate::access::middleware::enforce,
        ))
        .with_state(runtime)
        // Last, so that it wraps every route above.
        .layer(cors::layer())
}

/// Binds `runtime.config.listen` and serves until the process ends.
pub async fn serve(runtime: Arc<Runtime>, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(runtime).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
