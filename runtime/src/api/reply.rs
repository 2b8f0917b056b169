//! Responses in PubNub's own framing: `text/javascript; charset="UTF-8"`
//! (JS rejects a body typed as neither json nor javascript), never cached.
//! Refusals are [`super::refusal::Refusal`]s, which render through here.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::Value;

pub const CONTENT_TYPE: &str = r#"text/javascript; charset="UTF-8""#;

/// A response whose body is already JSON text.
pub fn json_text(status: StatusCode, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, CONTENT_TYPE)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body.into())
        .expect("static headers are valid")
}

pub fn json_value(status: StatusCode, body: &Value) -> Response {
    json_text(status, body.to_string())
}

pub fn ok(body: &Value) -> Response {
    json_value(StatusCode::OK, body)
}
