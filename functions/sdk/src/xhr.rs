//! Outbound HTTP, like PubNub's `xhr` module.
//!
//! Each call counts against the execution's `xhr_calls` budget, and only the
//! hosts in the manifest's `allowed_hosts` (when given) can be reached.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bindings::pigdin::functions::xhr as host;
use crate::headers::{find_header, has_header};
use crate::{Error, Result};

/// How to make a request; `FetchOptions::default()` is a plain GET.
///
/// Build it with the setters, or as a literal:
/// `FetchOptions { method: "DELETE".into(), ..Default::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Capped by what remains of the execution's wall time.
    pub timeout_ms: Option<u32>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            method: "GET".to_owned(),
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
        }
    }
}

impl FetchOptions {
    /// A GET with no headers, body or timeout of its own.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Adds a header (several with one name are all sent).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sends `value` as the JSON body, with `content-type: application/json`
    /// unless a content type is already set.
    pub fn json(mut self, value: &Value) -> Self {
        if !has_header(&self.headers, "content-type") {
            self = self.header("content-type", "application/json");
        }
        self.body(value.to_string())
    }

    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = Some(timeout_ms);
        self
    }
}

/// What the server answered. Any status is a response, not an error: check
/// [`FetchResponse::is_success`] when only 2xx will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl FetchResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text; an error when it is not UTF-8.
    pub fn text(&self) -> Result<&str> {
        Ok(std::str::from_utf8(&self.body)?)
    }

    /// The body decoded from JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    /// The first header called `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Makes an HTTP request to `url`. Fails when the host cannot complete it
/// (refused connection, disallowed host, timeout), not on an error status.
pub fn fetch(url: &str, options: FetchOptions) -> Result<FetchResponse> {
    let request = host::Request {
        method: options.method,
        url: url.to_owned(),
        headers: options.headers,
        body: options.body,
        timeout_ms: options.timeout_ms,
    };
    let response = host::fetch(&request).map_err(|e| Error::host("xhr.fetch", e))?;
    Ok(FetchResponse {
        status: response.status,
        headers: response.headers,
        body: response.body,
    })
}

/// A plain GET of `url`.
pub fn get(url: &str) -> Result<FetchResponse> {
    fetch(url, FetchOptions::default())
}

/// A POST of `value` as JSON to `url`.
pub fn post_json(url: &str, value: &Value) -> Result<FetchResponse> {
    fetch(url, FetchOptions::new().method("POST").json(value))
}
