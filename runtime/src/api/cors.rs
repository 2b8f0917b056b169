//! CORS, so browser SDKs can talk to the server from any page:
//! `Access-Control-Allow-Origin: *` on every response, and every `OPTIONS`
//! answered as a preflight. Requested headers (`Content-Type`,
//! `Content-Encoding`, `If-Match`, whatever an SDK version adds) are mirrored
//! back rather than listed, so a new SDK header never breaks a browser.

use std::time::Duration;

use axum::http::Method;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

pub fn layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(PREFLIGHT_MAX_AGE)
}
