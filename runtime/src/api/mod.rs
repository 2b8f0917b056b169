//! The HTTP surface: one router file per API family.

mod access;
mod access_layer;
mod admin;
mod admin_kv;
mod blocks;
mod cors;
mod files;
mod groups;
mod history;
mod jsonp;
mod keys;
mod legacy;
mod message_actions;
mod objects;
pub mod params;
mod path;
mod presence;
mod publish;
mod push;
mod push_outbox;
pub mod refusal;
pub(crate) mod reply;
mod subscribe;
mod time;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tower_service::Service;

use crate::Runtime;

pub fn router(runtime: Arc<Runtime>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(blocks::routes())
        .nest("/admin", admin::routes(runtime.clone()))
        .merge(history::routes())
        .merge(message_actions::routes())
        .merge(objects::routes())
        .merge(time::routes())
        .merge(publish::routes())
        .merge(subscribe::routes())
        .merge(presence::routes())
        .merge(groups::routes())
        .merge(access::routes())
        .merge(push::routes())
        .merge(files::routes())
        .merge(legacy::routes())
        // Access Manager sees every request above (a no-op without a secret key).
        .layer(axum::middleware::from_fn_with_state(
            runtime.clone(),
            access_layer::enforce,
        ))
        .with_state(runtime)
        // Outside Access Manager, so that its refusals are wrapped too.
        .layer(axum::middleware::from_fn(jsonp::wrap))
        // Last, so that it wraps every route above.
        .layer(cors::layer())
        .layer(axum::middleware::from_fn(in_request_span))
}

/// Numbers HTTP requests for their spans.
static REQUESTS: AtomicU64 = AtomicU64::new(1);

/// Runs each request inside a span (id, method, path), so every log line
/// it causes, a function execution's included, says which request it was.
async fn in_request_span(
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument;
    let span = tracing::info_span!(
        "request",
        id = REQUESTS.fetch_add(1, Ordering::Relaxed),
        method = %request.method(),
        path = access_layer::loggable_path(request.uri().path()),
    );
    next.run(request).instrument(span).await
}

/// Serves `listener` until the process ends: HTTP/1.1 with upgrades, each
/// request carrying its peer's `ConnectInfo<SocketAddr>`, as `axum::serve`
/// would (this build of axum has no HTTP/2 either). Not `axum::serve`
/// itself: its HTTP/2 preface probe reads the first 24 bytes of every
/// connection apart, and hyper, asked to continue a 24-byte request head,
/// doubles the connection's read buffer to 16 KiB for good: 8 KiB more per
/// idle long-poll subscriber.
pub async fn serve(runtime: Arc<Runtime>, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(runtime);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_failed(e).await;
                continue;
            }
        };
        let app = app.clone();
        // `Router` is always ready, so it is called without `poll_ready`.
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(request)
        });
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(e) = connection.await {
                tracing::trace!(%peer, error = %e, "connection ended");
            }
        });
    }
}

/// What `axum::serve` does when `accept` fails: a connection that went away
/// is skipped; anything else (out of file descriptors, say) is logged and
/// waited out for a second.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept error: {e}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
}
