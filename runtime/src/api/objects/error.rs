//! App Context errors in PubNub's objects shape:
//! `{"status":404,"error":{"message":"Requested object was not found.","source":"objects"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::{AppContextError, MetadataKind};

#[derive(Debug)]
pub struct ObjectsError {
    pub status: StatusCode,
    pub message: String,
    /// A response already shaped elsewhere (the shared key check), sent as is.
    shaped: Option<Box<Response>>,
}

impl ObjectsError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            shaped: None,
        }
    }

    /// Passes on a response the shared key check made.
    pub fn shaped(response: Response) -> Self {
        Self {
            status: response.status(),
            message: String::new(),
            shaped: Some(Box::new(response)),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Requested object was not found.")
    }

    /// PubNub's words for an `If-Match` that does not match, e.g.
    /// "User to update has been modified after it was read."
    pub fn precondition_failed(kind: &str, action: &str) -> Self {
        let noun = if kind == MetadataKind::Uuid.name() {
            "User"
        } else {
            "Channel"
        };
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            format!("{noun} to {action} has been modified after it was read."),
        )
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "App Context request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("App Context storage failed: {error}"),
        )
    }

    /// Maps a store error for a write that was an `action` ("update", "delete").
    pub fn from_store(error: AppContextError, action: &str) -> Self {
        match error {
            AppContextError::Invalid(message) => Self::bad_request(message),
            AppContextError::PreconditionFailed(kind) => Self::precondition_failed(kind, action),
            AppContextError::Storage(e) => Self::internal(e),
        }
    }
}

impl From<anyhow::Error> for ObjectsError {
    fn from(error: anyhow::Error) -> Self {
        Self::internal(error)
    }
}

impl IntoResponse for ObjectsError {
    fn into_response(self) -> Response {
        if let Some(response) = self.shaped {
            return *response;
        }
        let body = json!({
            "status": self.status.as_u16(),
            "error": { "message": self.message, "source": "objects" },
        });
        (self.status, Json(body)).into_response()
    }
}
