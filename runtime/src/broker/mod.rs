//! The message path: timetokens, history, fan-out to subscribers, and the
//! publish pipeline that runs functions around them.

mod pipeline;
mod timetoken;

pub use pipeline::{PublishError, PublishInput, Verb};
pub use timetoken::TimetokenClock;

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::store::StoredMessage;

/// How many delivered messages a slow in-process listener may lag behind.
const BUS_CAPACITY: usize = 4096;

pub struct Broker {
    clock: TimetokenClock,
    bus: broadcast::Sender<Arc<StoredMessage>>,
}

impl Default for Broker {
    fn default() -> Self {
        Self {
            clock: TimetokenClock::default(),
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

    /// Hands a message to every subscriber whose subscription matches its channel.
    pub fn deliver(&self, message: Arc<StoredMessage>) {
        // No listener is not an error: nobody is subscribed.
        let _ = self.bus.send(message);
    }
}
