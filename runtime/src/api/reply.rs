//! Responses in PubNub's own framing: `text/javascript; charset="UTF-8"`
//! (JS rejects a body typed as neither json nor javascript), never cached.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// An error answer, boxed so that `Result`s carrying it stay small.
pub type Rejection = Box<Response>;

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

/// The publish family's error: `[0, "<what went wrong>", "<timetoken>"]`.
pub fn publish_error(status: StatusCode, message: &str, timetoken: u64) -> Response {
    json_value(status, &json!([0, message, timetoken.to_string()]))
}

/// PubNub's service error object, as Access Manager and friends send it.
pub fn service_error(status: StatusCode, service: &str, message: &str) -> Response {
    json_value(
        status,
        &json!({
            "status": status.as_u16(),
            "error": true,
            "message": message,
            "service": service,
        }),
    )
}

pub fn bad_request(service: &str, message: &str) -> Rejection {
    Box::new(service_error(StatusCode::BAD_REQUEST, service, message))
}
