//! One subscribe request: the channels, patterns and groups it names, and
//! the long-poll that answers it with what arrives after its cursor.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Broker;
use super::filter_expr::FilterExpr;
use super::topics::{Batch, Source};
use super::wildcard::{self, PRESENCE_SUFFIX};

/// How recent a subscriber's own join may be for its handshake to start
/// below it (its heartbeat and its handshake are sent together).
const OWN_JOIN_GRACE: Duration = Duration::from_secs(5);

/// What a subscribe request listens to, as the client named it.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionSpec {
    /// Channels (`a`, `a-pnpres`) and wildcard patterns (`a.*`, `a.*-pnpres`).
    pub channels: Vec<String>,
    /// Channel groups (`g`, and `g-pnpres` for the presence of its channels).
    pub groups: Vec<String>,
}

impl SubscriptionSpec {
    /// The plain channels whose presence this subscription joins: named
    /// channels plus the channels of named groups (`resolve` lists a group).
    pub fn presence_channels(&self, resolve: &impl Fn(&str) -> Vec<String>) -> Vec<String> {
        let mut channels: Vec<String> = self
            .channels
            .iter()
            .filter(|c| !c.ends_with(PRESENCE_SUFFIX) && !wildcard::is_pattern(c))
            .cloned()
            .collect();
        for group in self.groups.iter().filter(|g| !g.ends_with(PRESENCE_SUFFIX)) {
            channels.extend(resolve(group));
        }
        channels.sort();
        channels.dedup();
        channels
    }
}

impl Broker {
    /// Topics this subscription reads, exact channels first so an envelope
    /// also matched by a pattern or group is delivered without `b`.
    fn sources(
        &self,
        spec: &SubscriptionSpec,
        resolve: &impl Fn(&str) -> Vec<String>,
    ) -> Vec<Source> {
        let mut sources = Vec::new();
        for name in spec.channels.iter().filter(|c| !wildcard::is_pattern(c)) {
            sources.push(Source {
                topic: self.topics.subscribe(name),
                via: None,
            });
        }
        for pattern in spec.channels.iter().filter(|c| wildcard::is_pattern(c)) {
            sources.push(Source {
                topic: self.topics.subscribe(pattern),
                via: Some(Arc::from(pattern.as_str())),
            });
        }
        for group in &spec.groups {
            let via: Arc<str> = Arc::from(group.as_str());
            let (name, suffix) = match group.strip_suffix(PRESENCE_SUFFIX) {
                Some(name) => (name, PRESENCE_SUFFIX),
                None => (group.as_str(), ""),
            };
            for channel in resolve(name) {
                sources.push(Source {
                    topic: self.topics.subscribe(&format!("{channel}{suffix}")),
                    via: Some(via.clone()),
                });
            }
        }
        sources
    }

    /// A handshake: registers the topics `spec` reads (so wildcard patterns
    /// collect from now on) and returns a cursor below everything to come,
    /// and below `uuid`'s own join when that was announced a moment ago on
    /// a presence channel `spec` reads: the JS SDK sends its first heartbeat
    /// beside its handshake, and the subscriber must still receive its own
    /// join, as from hosted PubNub.
    pub fn handshake(
        &self,
        spec: &SubscriptionSpec,
        resolve: impl Fn(&str) -> Vec<String>,
        uuid: Option<&str>,
    ) -> u64 {
        let sources = self.sources(spec, &resolve);
        let cursor = self.topics.cursor(&self.clock);
        let (Some(uuid), Some(since)) = (uuid, Instant::now().checked_sub(OWN_JOIN_GRACE)) else {
            return cursor;
        };
        sources
            .iter()
            .filter_map(|source| source.topic.join_since(uuid, since))
            .min()
            .map_or(cursor, |join| cursor.min(join - 1))
    }

    /// What `spec` holds after `cursor`; when nothing, waits up to `hold`
    /// for something to arrive and returns an empty batch if nothing does.
    /// Dropping the future (the client went away) leaves nothing behind.
    pub async fn wait_for_messages(
        &self,
        spec: &SubscriptionSpec,
        resolve: impl Fn(&str) -> Vec<String>,
        cursor: u64,
        filter: Option<&FilterExpr>,
        hold: Duration,
    ) -> Batch {
        let deadline = tokio::time::Instant::now() + hold;
        let _counted = self.topics.hold();
        loop {
            let sources = self.sources(spec, &resolve);
            // Registered before reading the rings, so a publish landing
            // between the read and the wait still wakes us.
            let mut wakes: Vec<Pin<Box<dyn Future<Output = ()> + Send + '_>>> = sources
                .iter()
                .map(|s| {
                    Box::pin(s.topic.notify.notified()) as Pin<Box<dyn Future<Output = ()> + Send>>
                })
                .collect();
            if !spec.groups.is_empty() {
                wakes.push(Box::pin(self.topics.groups_changed.notified()));
            }
            let batch = self.topics.collect(&sources, cursor, filter);
            if !batch.envelopes.is_empty() {
                return batch;
            }
            let woken = async {
                if wakes.is_empty() {
                    std::future::pending::<()>().await;
                } else {
                    futures::future::select_all(wakes).await;
                }
            };
            tokio::select! {
                () = woken => {}
                () = tokio::time::sleep_until(deadline) => return batch,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::StoredMessage;

    fn message(channel: &str) -> StoredMessage {
        StoredMessage {
            channel: channel.into(),
            timetoken: 0,
            message: json!({"n": 1}),
            meta: None,
            publisher: Some("p".into()),
            message_type: 0,
            custom_message_type: None,
        }
    }

    fn groups(name: &str) -> Vec<String> {
        match name {
            "g" => vec!["g1".into(), "g2".into()],
            _ => Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_held_wait_returns_when_a_matching_message_arrives() {
        let broker = Arc::new(Broker::default());
        let cursor = broker.handshake_cursor();
        let spec = SubscriptionSpec {
            channels: vec!["x".into(), "a.*".into()],
            groups: vec!["g".into()],
        };
        let waiter = {
            let broker = broker.clone();
            tokio::spawn(async move {
                broker
                    .wait_for_messages(&spec, groups, cursor, None, Duration::from_secs(30))
                    .await
                    .envelopes
                    .iter()
                    .map(|(e, via)| (e.channel().to_owned(), via.as_deref().map(str::to_owned)))
                    .collect::<Vec<_>>()
            })
        };
        // The waiter registers its topics; publish until it has seen one.
        while !waiter.is_finished() {
            broker.sequence(message("g2"), 1, None);
            tokio::task::yield_now().await;
        }
        let received = waiter.await.unwrap();
        assert!(
            received
                .iter()
                .all(|(c, via)| c == "g2" && via.as_deref() == Some("g"))
        );
    }

    #[tokio::test]
    async fn an_empty_hold_ends_at_its_deadline() {
        let broker = Broker::default();
        let spec = SubscriptionSpec {
            channels: vec!["quiet".into()],
            groups: Vec::new(),
        };
        let cursor = broker.handshake_cursor();
        let batch = broker
            .wait_for_messages(&spec, groups, cursor, None, Duration::from_millis(20))
            .await;
        assert!(batch.envelopes.is_empty());
    }

    #[test]
    fn a_handshake_starts_below_the_subscribers_own_recent_join() {
        let broker = Broker::default();
        let spec = SubscriptionSpec {
            channels: vec!["c".into(), "c-pnpres".into()],
            groups: Vec::new(),
        };
        broker.handshake(&spec, groups, None);
        let join = |uuid: &str| StoredMessage {
            channel: "c-pnpres".into(),
            message: json!({"action": "join", "uuid": uuid, "occupancy": 1, "timestamp": 1}),
            publisher: Some(uuid.into()),
            ..message("c-pnpres")
        };
        let joined = broker.sequence(join("u"), 1, None).timetoken();
        broker.sequence(join("other"), 1, None);
        broker.sequence(message("c"), 1, None);
        assert_eq!(broker.handshake(&spec, groups, Some("u")), joined - 1);
        let later = broker.handshake(&spec, groups, Some("stranger"));
        assert!(later > joined, "no join of its own: a fresh cursor");
    }

    #[test]
    fn presence_channels_include_group_channels_but_not_patterns() {
        let spec = SubscriptionSpec {
            channels: vec!["a".into(), "a-pnpres".into(), "b.*".into()],
            groups: vec!["g".into(), "g-pnpres".into()],
        };
        assert_eq!(spec.presence_channels(&groups), ["a", "g1", "g2"]);
    }
}
