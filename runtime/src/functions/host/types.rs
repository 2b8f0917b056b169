//! The `types` interface (it has no functions; it only shares records), and
//! every conversion between the WIT world's types and the runtime's own, so
//! that they are written once.

use serde_json::Value;

use super::HostState;
use super::pigdin::functions::kvstore::KeyPage;
use super::pigdin::functions::log::Level;
use super::pigdin::functions::types::{
    EventKind as WitEventKind, HttpResponse, PublishRequest, PublishVerb,
};
use crate::functions::HttpReply;
use crate::functions::logs::LogLevel;
use crate::functions::manifest::EventKind;
use crate::message::{PublishInput, Verb};

impl super::pigdin::functions::types::Host for HostState {}

impl From<WitEventKind> for EventKind {
    fn from(kind: WitEventKind) -> Self {
        match kind {
            WitEventKind::BeforePublish => Self::BeforePublish,
            WitEventKind::AfterPublish => Self::AfterPublish,
            WitEventKind::BeforeSignal => Self::BeforeSignal,
            WitEventKind::AfterSignal => Self::AfterSignal,
            WitEventKind::AfterPresence => Self::AfterPresence,
            WitEventKind::OnRequest => Self::OnRequest,
            WitEventKind::OnInterval => Self::OnInterval,
        }
    }
}

impl From<Verb> for PublishVerb {
    fn from(verb: Verb) -> Self {
        match verb {
            // No function sees a file message (ops/publish.rs); were one to, it is a publish.
            Verb::Publish | Verb::File => Self::Publish,
            Verb::Fire => Self::Fire,
            Verb::Signal => Self::Signal,
        }
    }
}

impl From<Level> for LogLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Debug => Self::Debug,
            Level::Info => Self::Info,
            Level::Warn => Self::Warn,
            Level::Error => Self::Error,
        }
    }
}

impl From<HttpResponse> for HttpReply {
    fn from(response: HttpResponse) -> Self {
        Self {
            status: response.status,
            headers: response.headers,
            body: response.body,
        }
    }
}

impl From<crate::store::KeyPage> for KeyPage {
    fn from(page: crate::store::KeyPage) -> Self {
        Self {
            keys: page.keys,
            next_cursor: page.next_cursor,
        }
    }
}

/// What a Before or After function is shown of a message (`timetoken` once
/// it has one).
pub fn publish_request(input: &PublishInput, timetoken: Option<u64>) -> PublishRequest {
    PublishRequest {
        channel: input.channel.clone(),
        message: input.message.to_string(),
        meta: input.meta.as_ref().map(Value::to_string),
        publisher: input.publisher.clone(),
        verb: input.verb.into(),
        params: input.params.clone(),
        timetoken: timetoken.map(|t| t.to_string()),
    }
}
