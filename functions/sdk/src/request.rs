//! What an On Request handler receives (PubNub's `request`).

use serde::de::DeserializeOwned;

use crate::Result;
use crate::bindings::pigdin::functions::types as wit;
use crate::headers::find_header;

/// An HTTP request to `/v1/blocks/sub-key/{sub_key}/{path}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Upper-case, as sent: `GET`, `POST`, ...
    pub method: String,
    /// The part of the URL after `/v1/blocks/sub-key/{sub_key}/`.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub params: Vec<(String, String)>,
    /// Headers; names are lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first query parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first header called `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as text; an error when it is not UTF-8.
    pub fn body_text(&self) -> Result<&str> {
        Ok(std::str::from_utf8(&self.body)?)
    }

    /// The body decoded from JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    pub(crate) fn from_wit(request: wit::HttpRequest) -> Self {
        Self {
            method: request.method,
            path: request.path,
            params: request.query,
            headers: request.headers,
            body: request.body,
        }
    }
}
