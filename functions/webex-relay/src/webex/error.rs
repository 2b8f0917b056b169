//! A failed Webex call, worded for an abort reason or a log line.

use std::fmt;

use pigdin_sdk::{Value, serde_json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebexError {
    /// Webex's status, when it answered at all.
    pub status: Option<u16>,
    pub message: String,
}

impl WebexError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            status: None,
            message: message.into(),
        }
    }

    /// From an error answer: Webex bodies are `{message, errors, trackingId}`.
    pub fn from_answer(call: &str, status: u16, body: &[u8]) -> Self {
        let detail = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
        Self {
            status: Some(status),
            message: format!("Webex {call} answered {status}: {detail}"),
        }
    }
}

impl fmt::Display for WebexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WebexError {}

impl From<WebexError> for pigdin_sdk::Error {
    fn from(error: WebexError) -> Self {
        pigdin_sdk::Error::new(error.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_message_of_a_webex_error_body() {
        let error = WebexError::from_answer(
            "GET /people/me",
            401,
            br#"{"message":"The request requires a valid access token set in the Authorization request header.","errors":[],"trackingId":"ROUTER_1"}"#,
        );
        assert_eq!(error.status, Some(401));
        assert_eq!(
            error.to_string(),
            "Webex GET /people/me answered 401: The request requires a valid access token set in the Authorization request header."
        );
    }

    #[test]
    fn falls_back_to_the_raw_body() {
        let error = WebexError::from_answer("POST /messages", 502, b"Bad Gateway");
        assert_eq!(
            error.to_string(),
            "Webex POST /messages answered 502: Bad Gateway"
        );
    }
}
