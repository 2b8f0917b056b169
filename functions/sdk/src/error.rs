//! The one error type of the SDK.

use std::fmt;

/// What went wrong, as text: host calls report their failures as strings, and
/// handlers turn errors into an abort reason, a log line or a 500 body, so a
/// message is all an error needs to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message, for when `to_string` would be a needless copy.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A failed host call: says which call, so a log line points at the culprit.
    pub(crate) fn host(call: &str, message: String) -> Self {
        Self::new(format!("{call}: {message}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Self::new(format!("JSON: {error}"))
    }
}

impl From<std::str::Utf8Error> for Error {
    fn from(error: std::str::Utf8Error) -> Self {
        Self::new(format!("not UTF-8 text: {error}"))
    }
}

impl From<std::num::ParseIntError> for Error {
    fn from(error: std::num::ParseIntError) -> Self {
        Self::new(format!("not an integer: {error}"))
    }
}
