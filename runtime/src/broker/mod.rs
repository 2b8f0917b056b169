//! The message path's machinery: timetokens, the topics fan-out goes
//! through, the subscription registry long-polls wait on, and presence
//! bookkeeping. The operations built on it (publish, presence events) are in
//! the `ops` module; nothing here knows about functions.
//!
//! - `timetoken`: strictly increasing 17-digit timetokens.
//! - `envelope`: a message as subscribers receive it, serialised once.
//! - `topics`: per-channel and per-pattern rings and wake-ups.
//! - `subscription`: what one subscribe request listens to, and the long-poll.
//! - `wildcard`, `filter_expr`, `names`: PubNub's rules for names and filters.
//! - `presence`: membership, heartbeats, timeouts.

mod envelope;
pub mod filter_expr;
pub mod names;
pub mod presence;
mod subscription;
mod timetoken;
pub mod topics;
pub mod wildcard;

pub use envelope::{Envelope, REGION, json_string};
pub use subscription::SubscriptionSpec;
pub use timetoken::TimetokenClock;

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use self::presence::Presence;
use self::topics::Topics;
use crate::store::StoredMessage;

/// How many delivered messages a slow in-process listener may lag behind.
const BUS_CAPACITY: usize = 4096;

pub struct Broker {
    clock: TimetokenClock,
    pub topics: Topics,
    pub presence: Presence,
    bus: broadcast::Sender<Arc<StoredMessage>>,
}

impl Default for Broker {
    fn default() -> Self {
        Self {
            clock: TimetokenClock::default(),
            topics: Topics::default(),
            presence: Presence::default(),
            bus: broadcast::channel(BUS_CAPACITY).0,
        }
    }
}

impl Broker {
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    pub fn next_timetoken(&self) -> u64 {
        self.clock.next()
    }

    /// Every message delivered to subscribers from now on.
    pub fn listen(&self) -> broadcast::Receiver<Arc<StoredMessage>> {
        self.bus.subscribe()
    }

    /// Hands a message to every subscriber whose subscription matches its
    /// channel. Its timetoken is kept when it is newer than everything
    /// delivered so far; otherwise (someone delivered in between) the
    /// message is delivered with a fresh one, so no subscriber skips it.
    pub fn deliver(&self, message: Arc<StoredMessage>) {
        let wanted = message.timetoken;
        self.sequence(Arc::unwrap_or_clone(message), 1, Some(wanted));
    }

    /// Delivers `payload` on `channel` (an App Context or presence event,
    /// say) with a fresh timetoken, which it returns.
    pub fn announce(
        &self,
        channel: &str,
        payload: Value,
        publisher: Option<&str>,
        message_type: u8,
    ) -> u64 {
        let message = StoredMessage {
            channel: channel.to_owned(),
            timetoken: 0,
            message: payload,
            meta: None,
            publisher: publisher.map(str::to_owned),
            message_type,
            custom_message_type: None,
        };
        self.sequence(message, 1, None).timetoken()
    }

    /// Timetokens `message`, puts it in front of subscribers and returns it.
    pub(crate) fn sequence(
        &self,
        message: StoredMessage,
        sequence: u64,
        wanted: Option<u64>,
    ) -> Arc<Envelope> {
        let envelope = self
            .topics
            .sequence(&self.clock, Envelope::new(message, sequence), wanted);
        if self.bus.receiver_count() > 0 {
            let _ = self.bus.send(Arc::new(envelope.message.clone()));
        }
        envelope
    }

    /// A cursor below every timetoken delivered from now on.
    pub fn handshake_cursor(&self) -> u64 {
        self.topics.cursor(&self.clock)
    }
}
