//! Publish, fire and signal: Before handlers (which may rewrite or abort),
//! a timetoken, history, fan-out, then After handlers in the background.

use std::sync::Arc;

use crate::Runtime;
use crate::broker::names;
use crate::broker::wildcard::PRESENCE_SUFFIX;
use crate::functions::{BeforeOutcome, EventKind};
pub use crate::message::{PublishInput, Verb};
use crate::store::StoredMessage;

/// The deepest chain of functions publishing to functions; beyond it,
/// messages are still delivered but trigger no more functions.
pub const MAX_CHAIN_HOPS: u8 = 3;
/// PubNub's limit on a published message (with its channel and meta).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Aborted(String),
    #[error("{0}")]
    Invalid(String),
    /// Over [`MAX_MESSAGE_BYTES`]; PubNub answers these apart from other errors.
    #[error("{0}")]
    TooLarge(String),
    #[error("publish failed: {0}")]
    Failed(#[from] anyhow::Error),
}

impl Runtime {
    /// Publishes (or fires, or signals) `input`; returns its timetoken.
    pub async fn publish(self: &Arc<Self>, mut input: PublishInput) -> Result<u64, PublishError> {
        validate(&input)?;
        if input.verb == Verb::File {
            self.check_file_message(&input)?;
        }
        // File messages run no function: hosted PubNub gives them event
        // kinds of their own (Before/After Publish File), which Pigdin lacks.
        let events = match input.verb {
            Verb::Signal => Some((EventKind::BeforeSignal, EventKind::AfterSignal)),
            Verb::Publish | Verb::Fire => Some((EventKind::BeforePublish, EventKind::AfterPublish)),
            Verb::File => None,
        };
        let chained_out = input.hops >= MAX_CHAIN_HOPS;
        if chained_out {
            tracing::warn!(
                channel = %input.channel,
                "chaining cap of {MAX_CHAIN_HOPS} hops reached: message delivered without running functions"
            );
        }
        let events = events.filter(|_| !chained_out);
        if let Some((before, _)) = events {
            for handler in self.functions.channel_handlers(before, &input.channel) {
                match self.functions.run_before(self, &handler, &input).await {
                    BeforeOutcome::Pass { message, meta } => {
                        input.message = message;
                        input.meta = meta;
                    }
                    BeforeOutcome::Abort(reason) => return Err(PublishError::Aborted(reason)),
                }
            }
        }
        let timetoken = if input.verb == Verb::Fire {
            // A fire reaches functions only: no subscriber, no history.
            self.broker.next_timetoken()
        } else {
            let message = StoredMessage {
                channel: input.channel.clone(),
                timetoken: 0,
                message: input.message.clone(),
                meta: input.meta.clone(),
                publisher: input.publisher.clone(),
                message_type: input.verb.message_type(),
                custom_message_type: input.custom_message_type.clone(),
            };
            // Subscribers get it at once; the publisher's answer waits for
            // history to be durable, so an acknowledged message survives a crash.
            let delivered = self.broker.sequence(message, sequence_number(&input), None);
            if input.store && matches!(input.verb, Verb::Publish | Verb::File) {
                self.store
                    .history
                    .append_expiring(&delivered.message, input.ttl_hours)
                    .await?;
            }
            if input.verb == Verb::Publish {
                self.record_pushes(&delivered.message).await;
            }
            delivered.timetoken()
        };
        if let Some((_, after)) = events {
            self.spawn_after(after, input, timetoken);
        }
        Ok(timetoken)
    }

    /// Runs the `event` handlers bound to `input`'s channel in the
    /// background, one after another; nobody waits for them.
    pub(super) fn spawn_after(
        self: &Arc<Self>,
        event: EventKind,
        input: PublishInput,
        timetoken: u64,
    ) {
        let handlers = self.functions.channel_handlers(event, &input.channel);
        if handlers.is_empty() {
            return;
        }
        let runtime = self.clone();
        tokio::spawn(async move {
            for handler in handlers {
                runtime
                    .functions
                    .run_after(&runtime, &handler, &input, timetoken)
                    .await;
            }
        });
    }
}

/// The answer to a message over [`MAX_MESSAGE_BYTES`] (`size` counts its
/// channel and meta too).
pub fn too_large(size: usize) -> PublishError {
    PublishError::TooLarge(format!(
        "Message Too Large: {size} bytes with channel and meta; the limit is {MAX_MESSAGE_BYTES}"
    ))
}

/// The publisher's `seqn` (the envelope's `s`), 1 when it sent none.
fn sequence_number(input: &PublishInput) -> u64 {
    input
        .params
        .iter()
        .find(|(name, _)| name == "seqn")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1)
}

fn validate(input: &PublishInput) -> Result<(), PublishError> {
    names::validate_channel(&input.channel).map_err(|e| PublishError::Invalid(e.to_string()))?;
    if input.channel.ends_with(PRESENCE_SUFFIX) {
        return Err(PublishError::Invalid(format!(
            "cannot publish to {:?}: channels ending in {PRESENCE_SUFFIX} carry presence events only",
            input.channel
        )));
    }
    let size = input.channel.len()
        + input.message.to_string().len()
        + input.meta.as_ref().map_or(0, |m| m.to_string().len());
    if size > MAX_MESSAGE_BYTES {
        return Err(too_large(size));
    }
    Ok(())
}
