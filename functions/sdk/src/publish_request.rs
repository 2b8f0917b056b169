//! What Before/After Publish, Signal and Presence handlers receive, and the
//! verdict a Before handler returns.

use serde_json::Value;

use crate::bindings::pigdin::functions::types as wit;
use crate::{Error, Result};

/// How the message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Publish,
    /// Reaches functions only: no subscribers, no history.
    Fire,
    Signal,
}

/// A message passing through a publish/signal/presence handler
/// (PubNub's `request`).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishRequest {
    pub channel: String,
    /// The message; a Before handler may change it and pass it on with [`ok`](Self::ok).
    pub message: Value,
    /// The publish's `meta`, if any; a Before handler may change it too.
    pub meta: Option<Value>,
    /// The publishing client's uuid.
    pub publisher: Option<String>,
    pub verb: Verb,
    /// Query parameters of the publish, as sent.
    pub params: Vec<(String, String)>,
    /// The message's timetoken; set for After handlers only.
    pub timetoken: Option<String>,
}

impl PublishRequest {
    /// The first query parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Lets the message through with its current `message` and `meta`
    /// (PubNub's `request.ok()`).
    pub fn ok(self) -> BeforeResult {
        BeforeResult::Continue {
            message: self.message,
            meta: self.meta,
        }
    }

    /// Stops the message: nobody receives it and the publisher gets `reason`
    /// (PubNub's `request.abort()`).
    pub fn abort(&self, reason: impl Into<String>) -> BeforeResult {
        BeforeResult::abort(reason)
    }

    pub(crate) fn from_wit(request: wit::PublishRequest) -> Result<Self> {
        Ok(Self {
            channel: request.channel,
            message: parse_json("message", &request.message)?,
            meta: request
                .meta
                .as_deref()
                .map(|meta| parse_json("meta", meta))
                .transpose()?,
            publisher: request.publisher,
            verb: match request.verb {
                wit::PublishVerb::Publish => Verb::Publish,
                wit::PublishVerb::Fire => Verb::Fire,
                wit::PublishVerb::Signal => Verb::Signal,
            },
            params: request.params,
            timetoken: request.timetoken,
        })
    }
}

fn parse_json(what: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::new(format!("the {what} is not JSON: {e}")))
}

/// A Before handler's verdict: made by [`PublishRequest::ok`] and
/// [`PublishRequest::abort`].
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a Before handler must return its verdict"]
pub enum BeforeResult {
    /// Deliver this (possibly rewritten) message and meta.
    Continue { message: Value, meta: Option<Value> },
    /// Drop the message; the publisher is told `reason`.
    Abort { reason: String },
}

impl BeforeResult {
    /// Drops the message with `reason`, for when the request has been taken apart.
    pub fn abort(reason: impl Into<String>) -> Self {
        Self::Abort {
            reason: reason.into(),
        }
    }

    pub(crate) fn into_wit(self) -> std::result::Result<wit::PublishOk, String> {
        match self {
            Self::Continue { message, meta } => Ok(wit::PublishOk {
                message: message.to_string(),
                meta: meta.as_ref().map(Value::to_string),
            }),
            Self::Abort { reason } => Err(reason),
        }
    }
}
