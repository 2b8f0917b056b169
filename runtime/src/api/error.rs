//! Errors in PubNub's JSON shape: `{"status", "error": true, "message", "service"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub service: &'static str,
}

impl ApiError {
    pub fn new(status: StatusCode, service: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            service,
        }
    }

    pub fn bad_request(service: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, service, message)
    }

    pub fn not_found(service: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, service, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": self.status.as_u16(),
            "error": true,
            "message": self.message,
            "service": self.service,
        });
        (self.status, Json(body)).into_response()
    }
}
