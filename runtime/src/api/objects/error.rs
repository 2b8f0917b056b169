//! App Context's refusals (rendered by [`Refusal`] in PubNub's objects shape:
//! `{"status":404,"error":{"message":"Requested object was not found.","source":"objects"}}`).

use axum::http::StatusCode;

use crate::api::refusal::Refusal;
use crate::store::{AppContextError, MetadataKind};

impl Refusal {
    pub fn objects_bad_request(message: impl Into<String>) -> Self {
        Self::objects(StatusCode::BAD_REQUEST, message)
    }

    pub fn objects_not_found() -> Self {
        Self::objects(StatusCode::NOT_FOUND, "Requested object was not found.")
    }

    /// PubNub's words for an `If-Match` that does not match, e.g.
    /// "User to update has been modified after it was read."
    pub fn objects_precondition_failed(kind: &str, action: &str) -> Self {
        let noun = if kind == MetadataKind::Uuid.name() {
            "User"
        } else {
            "Channel"
        };
        Self::objects(
            StatusCode::PRECONDITION_FAILED,
            format!("{noun} to {action} has been modified after it was read."),
        )
    }

    pub fn objects_internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "App Context request failed");
        Self::objects(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("App Context storage failed: {error}"),
        )
    }

    /// Maps a store error for a write that was an `action` ("update", "delete").
    pub fn from_store(error: AppContextError, action: &str) -> Self {
        match error {
            AppContextError::Invalid(message) => Self::objects_bad_request(message),
            AppContextError::PreconditionFailed(kind) => {
                Self::objects_precondition_failed(kind, action)
            }
            AppContextError::Storage(e) => Self::objects_internal(e),
        }
    }
}
