//! Access Manager's answers to refused requests, in PubNub's recorded shape:
//! `{"message":"Forbidden","payload":{"channels":["ch"]},"error":true,
//! "service":"Access Manager","status":403}`. The SDKs map a 403 to their
//! access-denied error and a 400 to a bad request.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api::reply;

const SERVICE: &str = "Access Manager";

/// Resources a request was refused on, by the payload key PubNub uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Denied {
    pub channels: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    pub uuids: BTreeSet<String>,
    /// Key-wide operations (listing every group, global here-now...).
    pub keyset: bool,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (what, names) in [
            ("channels", &self.channels),
            ("channel groups", &self.groups),
            ("uuids", &self.uuids),
        ] {
            if !names.is_empty() {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                parts.push(format!("{what} {}", names.join(", ")));
            }
        }
        if self.keyset {
            parts.push("the whole keyset".into());
        }
        write!(f, "no permission on {}", parts.join("; "))
    }
}

impl Denied {
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.groups.is_empty() && self.uuids.is_empty() && !self.keyset
    }

    fn payload(&self) -> Value {
        let mut payload = Map::new();
        let mut put = |key: &str, names: &BTreeSet<String>| {
            if !names.is_empty() {
                payload.insert(key.into(), json!(names));
            }
        };
        put("channels", &self.channels);
        put("channel-groups", &self.groups);
        put("uuids", &self.uuids);
        if self.keyset {
            payload.insert("subscribe_key".into(), json!(true));
        }
        Value::Object(payload)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Malformed input: a token that is not a token, a missing timestamp...
    #[error("{0}")]
    BadRequest(String),
    /// A valid request refused: wrong signature, expired or revoked token...
    #[error("{0}")]
    Denied(String),
    /// The credentials are fine but lack these permissions.
    #[error("Forbidden: {0}")]
    Forbidden(Denied),
    /// The server could not do its part (storage failed).
    #[error("{0}")]
    Internal(String),
}

impl AccessError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Denied(_) | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AccessError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match self {
            Self::Forbidden(denied) => json!({
                "message": "Forbidden",
                "payload": denied.payload(),
                "error": true,
                "service": SERVICE,
                "status": 403,
            }),
            Self::BadRequest(message) | Self::Denied(message) | Self::Internal(message) => json!({
                "message": message,
                "error": true,
                "service": SERVICE,
                "status": status.as_u16(),
            }),
        };
        reply::json_value(status, &body)
    }
}
