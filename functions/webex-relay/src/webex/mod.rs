//! The Webex REST API as the relay uses it: calls made as a user, with one
//! token refresh on 401 and retries on 429 and 5xx within the time budget.

mod error;
mod retry;
mod session;

pub use error::WebexError;
pub use session::Session;

/// `id` made safe as one path segment (Webex ids are base64: `/`, `+`, `=`).
pub fn segment(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
