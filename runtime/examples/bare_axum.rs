//! A bare axum server answering `hello` (text/plain) on every path: the
//! baseline `scripts/bench-http` compares Pigdin's On Request path against.
//!
//! Runs on the same runtime as `pigdin serve` (`#[tokio::main]`: multi-thread,
//! default settings), so the difference measured is the function host's cost.
//!
//! ```text
//! cargo run --release -p pigdin-runtime --example bare_axum -- [PORT]
//! ```
//!
//! Listens on 127.0.0.1:PORT (0, the default, picks a free port) and prints
//! `bare_axum listening on http://ADDR` once it accepts connections.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::any;

async fn hello() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain")], "hello")
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("bad port {arg:?}: {e}"),
            )
        })?,
        None => 0,
    };
    let app = Router::new()
        .route("/", any(hello))
        .route("/{*path}", any(hello));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bare_axum listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
