//! A message on its way in, as a publisher hands it over: what
//! [`crate::ops::publish`] takes and what Before/After functions are shown.
//! It sits apart from both so that neither the operations nor the function
//! host imports the other for it.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Publish,
    Fire,
    Signal,
    /// The message announcing a shared file (`/v1/files/publish-file`).
    File,
}

impl Verb {
    /// PubNub's message type: the envelope's `e`, history's `message_type`.
    pub fn message_type(self) -> u8 {
        match self {
            Self::Publish | Self::Fire => 0,
            Self::Signal => 1,
            Self::File => 4,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PublishInput {
    pub channel: String,
    pub message: Value,
    pub meta: Option<Value>,
    pub publisher: Option<String>,
    pub verb: Verb,
    pub store: bool,
    pub ttl_hours: Option<u32>,
    /// The publish request's query parameters, shown to functions.
    pub params: Vec<(String, String)>,
    pub custom_message_type: Option<String>,
    /// 0 for clients; one more for each function publishing on.
    pub hops: u8,
}
