//! The one way the HTTP API refuses a request: a [`Refusal`], which renders
//! itself in the PubNub error shape of the API family that refused.
//!
//! | family | shape | framing |
//! |---|---|---|
//! | most (presence, groups, key checks, Functions aborts) | `{"status","error":true,"message","service"}` | `text/javascript` |
//! | admin, On Request | the same object | `application/json` |
//! | publish, signal | `[0,"<reason>","<timetoken>"]` | `text/javascript` |
//! | App Context | `{"status","error":{"message","source":"objects"}}` | `application/json` |
//! | Message Actions | `{"status","error":{"message","source":"actions"}}` | `application/json` |
//! | File Sharing | `{"status","error":{"message","source":"files"}}` | `application/json` |
//! | Access Manager | `{"message","payload"?,"error":true,"service":"Access Manager","status"}` | `text/javascript` |
//! | Mobile Push | `{"error":"<reason>"}` | `text/javascript` |

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::reply;
use crate::access::{AccessError, Denied};

#[derive(Debug)]
pub enum Refusal {
    /// PubNub's service error object.
    Service {
        status: StatusCode,
        service: &'static str,
        message: String,
        framing: Framing,
    },
    /// The publish family's array.
    Publish {
        status: StatusCode,
        message: String,
        timetoken: u64,
    },
    /// App Context's (`source: "objects"`) and Message Actions'
    /// (`source: "actions"`) error object.
    Sourced {
        status: StatusCode,
        source: &'static str,
        message: String,
    },
    /// Access Manager's refusal.
    Access(Box<AccessError>),
    /// Mobile Push's bare `{"error": reason}`.
    Push { status: StatusCode, message: String },
}

/// How a service error object is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/javascript; charset="UTF-8"`, never cached, as PubNub answers.
    JavaScript,
    /// `application/json` (the admin API and On Request errors).
    Json,
}

impl Refusal {
    /// A service error object in PubNub's `text/javascript` framing.
    pub fn service(status: StatusCode, service: &'static str, message: impl Into<String>) -> Self {
        Self::Service {
            status,
            service,
            message: message.into(),
            framing: Framing::JavaScript,
        }
    }

    pub fn bad_request(service: &'static str, message: impl Into<String>) -> Self {
        Self::service(StatusCode::BAD_REQUEST, service, message)
    }

    /// A service error object sent as `application/json`.
    pub fn json(status: StatusCode, service: &'static str, message: impl Into<String>) -> Self {
        Self::Service {
            status,
            service,
            message: message.into(),
            framing: Framing::Json,
        }
    }

    pub fn json_bad_request(service: &'static str, message: impl Into<String>) -> Self {
        Self::json(StatusCode::BAD_REQUEST, service, message)
    }

    pub fn json_not_found(service: &'static str, message: impl Into<String>) -> Self {
        Self::json(StatusCode::NOT_FOUND, service, message)
    }

    pub fn publish(status: StatusCode, message: impl Into<String>, timetoken: u64) -> Self {
        Self::Publish {
            status,
            message: message.into(),
            timetoken,
        }
    }

    pub fn push(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Push {
            status,
            message: message.into(),
        }
    }

    pub fn objects(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Sourced {
            status,
            source: "objects",
            message: message.into(),
        }
    }

    pub fn actions(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Sourced {
            status,
            source: "actions",
            message: message.into(),
        }
    }

    pub fn files(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Sourced {
            status,
            source: "files",
            message: message.into(),
        }
    }

    /// What went wrong, in words.
    pub fn message(&self) -> String {
        match self {
            Self::Service { message, .. }
            | Self::Publish { message, .. }
            | Self::Sourced { message, .. }
            | Self::Push { message, .. } => message.clone(),
            Self::Access(error) => error.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Service { status, .. }
            | Self::Publish { status, .. }
            | Self::Sourced { status, .. }
            | Self::Push { status, .. } => *status,
            Self::Access(error) => access_status(error),
        }
    }
}

impl From<AccessError> for Refusal {
    fn from(error: AccessError) -> Self {
        Self::Access(Box::new(error))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Service {
                service,
                message,
                framing,
                ..
            } => {
                let body = json!({
                    "status": status.as_u16(),
                    "error": true,
                    "message": message,
                    "service": service,
                });
                match framing {
                    Framing::JavaScript => reply::json_value(status, &body),
                    Framing::Json => (status, Json(body)).into_response(),
                }
            }
            Self::Publish {
                message, timetoken, ..
            } => reply::json_value(status, &json!([0, message, timetoken.to_string()])),
            Self::Sourced {
                source, message, ..
            } => {
                let body = json!({
                    "status": status.as_u16(),
                    "error": { "message": message, "source": source },
                });
                (status, Json(body)).into_response()
            }
            Self::Access(error) => reply::json_value(status, &access_body(&error, status)),
            Self::Push { message, .. } => reply::json_value(status, &json!({ "error": message })),
        }
    }
}

impl IntoResponse for AccessError {
    fn into_response(self) -> Response {
        Refusal::from(self).into_response()
    }
}

const ACCESS_MANAGER: &str = "Access Manager";

fn access_status(error: &AccessError) -> StatusCode {
    match error {
        AccessError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AccessError::Denied(_) | AccessError::Forbidden(_) => StatusCode::FORBIDDEN,
        AccessError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Access Manager's recorded shape: `{"message":"Forbidden","payload":
/// {"channels":["ch"]},"error":true,"service":"Access Manager","status":403}`.
fn access_body(error: &AccessError, status: StatusCode) -> Value {
    match error {
        AccessError::Forbidden(denied) => json!({
            "message": "Forbidden",
            "payload": denied_payload(denied),
            "error": true,
            "service": ACCESS_MANAGER,
            "status": 403,
        }),
        AccessError::BadRequest(message)
        | AccessError::Denied(message)
        | AccessError::Internal(message) => json!({
            "message": message,
            "error": true,
            "service": ACCESS_MANAGER,
            "status": status.as_u16(),
        }),
    }
}

/// The resources refused, by the payload key PubNub uses.
fn denied_payload(denied: &Denied) -> Value {
    let mut payload = Map::new();
    for (key, names) in [
        ("channels", &denied.channels),
        ("channel-groups", &denied.groups),
        ("uuids", &denied.uuids),
    ] {
        if !names.is_empty() {
            payload.insert(key.into(), json!(names));
        }
    }
    if denied.keyset {
        payload.insert("subscribe_key".into(), json!(true));
    }
    Value::Object(payload)
}
