//! The subscription registry: one topic per channel (and per wildcard
//! pattern someone subscribed to), each a short ring of recent envelopes in
//! timetoken order plus a `Notify` that held long-polls wait on.
//!
//! A publish is sequenced under one lock: timetoken, ring pushes, horizon.
//! So every ring is in timetoken order and every envelope up to the horizon
//! is in its rings; a reader that only takes envelopes up to the horizon it
//! read first can never skip one that lands later with a smaller timetoken.
//!
//! Subscribers own nothing here: a held request keeps `Arc<Topic>`s and
//! `Notified` futures, and dropping the request drops both. Fan-out is one
//! `notify_waiters` per topic; each woken subscriber reads the rings itself.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use super::envelope::Envelope;
use super::filter_expr::{FilterExpr, FilterSubject};
use super::timetoken::TimetokenClock;
use super::wildcard;

/// Envelopes a topic keeps for subscribers that re-issue a request with an
/// older cursor (PubNub keeps about 100 for about 20 minutes).
pub const RING_CAPACITY: usize = 100;
pub const RING_RETENTION: Duration = Duration::from_secs(20 * 60);
/// Most envelopes in one subscribe response; the rest follow on the next.
pub const MAX_BATCH: usize = 100;

pub struct Topic {
    ring: Mutex<VecDeque<(Instant, Arc<Envelope>)>>,
    pub(super) notify: Notify,
    /// Seconds since `Topics::epoch` of the last subscribe naming this topic.
    last_subscribed: AtomicU64,
}

impl Topic {
    fn new() -> Self {
        Self {
            ring: Mutex::new(VecDeque::new()),
            notify: Notify::new(),
            last_subscribed: AtomicU64::new(0),
        }
    }

    fn push(&self, now: Instant, envelope: Arc<Envelope>) {
        let mut ring = self.ring.lock();
        while ring.len() >= RING_CAPACITY
            || ring
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) > RING_RETENTION)
        {
            ring.pop_front();
        }
        ring.push_back((now, envelope));
    }

    /// Envelopes with `after < timetoken <= horizon`, oldest first.
    fn since(&self, after: u64, horizon: u64, out: &mut Vec<Arc<Envelope>>) {
        let ring = self.ring.lock();
        let newer = ring.partition_point(|(_, e)| e.timetoken() <= after);
        out.extend(
            ring.range(newer..)
                .take_while(|(_, e)| e.timetoken() <= horizon)
                .map(|(_, e)| e.clone()),
        );
    }

    /// The oldest timetoken of a presence `join` by `uuid` that this ring
    /// received at or after `since`.
    pub(super) fn join_since(&self, uuid: &str, since: Instant) -> Option<u64> {
        let ring = self.ring.lock();
        ring.iter()
            .rev()
            .take_while(|(at, _)| *at >= since)
            .filter(|(_, e)| {
                e.is_presence()
                    && e.message.publisher.as_deref() == Some(uuid)
                    && e.message.message["action"] == "join"
            })
            .map(|(_, e)| e.timetoken())
            .min()
    }

    fn is_stale(&self, now: Instant, idle_since: u64) -> bool {
        let mut ring = self.ring.lock();
        while ring
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > RING_RETENTION)
        {
            ring.pop_front();
        }
        ring.is_empty() && self.last_subscribed.load(Ordering::Relaxed) <= idle_since
    }
}

/// One source of envelopes for a subscriber: a topic, and what to put in
/// `b` for envelopes that come through it (`None` for the channel itself).
#[derive(Clone)]
pub struct Source {
    pub topic: Arc<Topic>,
    pub via: Option<Arc<str>>,
}

/// Envelopes for one response, oldest first, each with its `b`.
pub struct Batch {
    pub envelopes: Vec<(Arc<Envelope>, Option<Arc<str>>)>,
}

impl Batch {
    /// The cursor for the subscriber's next request.
    pub fn newest(&self) -> Option<u64> {
        self.envelopes.last().map(|(e, _)| e.timetoken())
    }
}

pub struct WaitingGuard<'a>(&'a AtomicUsize);

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub struct Topics {
    map: RwLock<HashMap<Box<str>, Arc<Topic>>>,
    sequencer: Mutex<()>,
    horizon: AtomicU64,
    epoch: Instant,
    /// Subscribe requests held right now.
    waiting: AtomicUsize,
    /// Woken when any channel group changes, so held group subscriptions re-resolve.
    pub groups_changed: Notify,
}

impl Default for Topics {
    fn default() -> Self {
        Self {
            map: RwLock::default(),
            sequencer: Mutex::new(()),
            horizon: AtomicU64::new(0),
            epoch: Instant::now(),
            waiting: AtomicUsize::new(0),
            groups_changed: Notify::new(),
        }
    }
}

impl Topics {
    /// The topic for a channel or pattern, created when absent; marks it subscribed.
    pub fn subscribe(&self, key: &str) -> Arc<Topic> {
        let topic = self.get_or_create(key);
        topic
            .last_subscribed
            .store(self.epoch.elapsed().as_secs() + 1, Ordering::Relaxed);
        topic
    }

    fn get_or_create(&self, key: &str) -> Arc<Topic> {
        if let Some(topic) = self.map.read().get(key) {
            return topic.clone();
        }
        self.map
            .write()
            .entry(key.into())
            .or_insert_with(|| Arc::new(Topic::new()))
            .clone()
    }

    /// Gives `envelope` its timetoken and puts it in the rings of its channel
    /// and of the wildcard patterns that match it, then wakes their waiters.
    /// `wanted` is kept when it is newer than everything sequenced so far
    /// (and not from the future); otherwise a fresh timetoken is drawn.
    pub fn sequence(
        &self,
        clock: &TimetokenClock,
        mut envelope: Envelope,
        wanted: Option<u64>,
    ) -> Arc<Envelope> {
        let patterns = wildcard::patterns_matching(envelope.channel());
        let mut topics = vec![self.get_or_create(envelope.channel())];
        let now = Instant::now();
        let envelope = {
            let _sequencer = self.sequencer.lock();
            // Looked up under the sequencer, so a pattern registered before
            // a handshake cursor was drawn gets every envelope after it.
            {
                let map = self.map.read();
                topics.extend(
                    patterns
                        .iter()
                        .filter_map(|pattern| map.get(pattern.as_str()).cloned()),
                );
            }
            let horizon = self.horizon.load(Ordering::Acquire);
            envelope.message.timetoken = match wanted {
                Some(tt) if tt > horizon && tt <= clock.now() => tt,
                _ => clock.next(),
            };
            let envelope = Arc::new(envelope);
            for topic in &topics {
                topic.push(now, envelope.clone());
            }
            self.horizon.store(envelope.timetoken(), Ordering::Release);
            envelope
        };
        for topic in &topics {
            topic.notify.notify_waiters();
        }
        envelope
    }

    /// A cursor below every envelope sequenced from now on. Drawn under the
    /// sequencer, so topics registered before the call see all of those.
    pub fn cursor(&self, clock: &TimetokenClock) -> u64 {
        let _sequencer = self.sequencer.lock();
        clock.next()
    }

    /// Counts a held request until the returned guard is dropped.
    pub fn hold(&self) -> WaitingGuard<'_> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(&self.waiting)
    }

    /// How many subscribe requests are held right now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// What `sources` hold after `cursor` that passes `filter`, at most
    /// [`MAX_BATCH`], oldest first. An envelope reachable through several
    /// sources comes once, through the first (the caller lists exact
    /// channels before patterns and groups).
    pub fn collect(&self, sources: &[Source], cursor: u64, filter: Option<&FilterExpr>) -> Batch {
        let horizon = self.horizon.load(Ordering::Acquire);
        let mut found: Vec<(Arc<Envelope>, Option<Arc<str>>)> = Vec::new();
        let mut scratch = Vec::new();
        for source in sources {
            scratch.clear();
            source.topic.since(cursor, horizon, &mut scratch);
            for envelope in scratch.drain(..) {
                if let Some(filter) = filter
                    && !envelope.is_presence()
                {
                    let message = &envelope.message;
                    let subject = FilterSubject {
                        publisher: message.publisher.as_deref(),
                        meta: message.meta.as_ref(),
                        payload: &message.message,
                    };
                    if !filter.matches(&subject) {
                        continue;
                    }
                }
                found.push((envelope, source.via.clone()));
            }
        }
        // Stable sort keeps the first source's copy first among equals.
        found.sort_by_key(|(e, _)| e.timetoken());
        found.dedup_by_key(|(e, _)| e.timetoken());
        found.truncate(MAX_BATCH);
        Batch { envelopes: found }
    }

    /// Drops topics nobody waits on, subscribed to lately or published to
    /// within the retention; ages old envelopes out of the rest.
    pub fn sweep(&self) {
        let now = Instant::now();
        let idle_since = self
            .epoch
            .elapsed()
            .saturating_sub(RING_RETENTION)
            .as_secs();
        self.map
            .write()
            .retain(|_, topic| Arc::strong_count(topic) > 1 || !topic.is_stale(now, idle_since));
    }

    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::StoredMessage;

    fn envelope(channel: &str, publisher: &str, meta: Option<serde_json::Value>) -> Envelope {
        Envelope::new(
            StoredMessage {
                channel: channel.into(),
                timetoken: 0,
                message: json!("hello"),
                meta,
                publisher: Some(publisher.into()),
                message_type: 0,
                custom_message_type: None,
            },
            1,
        )
    }

    fn exact(topics: &Topics, channel: &str) -> Source {
        Source {
            topic: topics.subscribe(channel),
            via: None,
        }
    }

    #[test]
    fn timetokens_increase_and_catch_up_returns_what_came_after_the_cursor() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let sources = [exact(&topics, "c")];
        let first = topics.sequence(&clock, envelope("c", "u", None), None);
        let second = topics.sequence(&clock, envelope("c", "u", None), None);
        assert!(second.timetoken() > first.timetoken());
        let all = topics.collect(&sources, 0, None);
        assert_eq!(all.envelopes.len(), 2);
        let after_first = topics.collect(&sources, first.timetoken(), None);
        assert_eq!(after_first.envelopes.len(), 1);
        assert_eq!(after_first.newest(), Some(second.timetoken()));
        assert!(
            topics
                .collect(&sources, second.timetoken(), None)
                .envelopes
                .is_empty()
        );
    }

    #[test]
    fn patterns_receive_only_once_subscribed_and_carry_their_name() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let before = topics.sequence(&clock, envelope("a.b", "u", None), None);
        let source = Source {
            topic: topics.subscribe("a.*"),
            via: Some("a.*".into()),
        };
        let after = topics.sequence(&clock, envelope("a.b", "u", None), None);
        topics.sequence(&clock, envelope("b.c", "u", None), None);
        let batch = topics.collect(std::slice::from_ref(&source), before.timetoken(), None);
        assert_eq!(batch.envelopes.len(), 1);
        assert_eq!(batch.envelopes[0].0.timetoken(), after.timetoken());
        assert_eq!(batch.envelopes[0].1.as_deref(), Some("a.*"));
    }

    #[test]
    fn an_envelope_reached_twice_comes_once_through_the_first_source() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let sources = [
            exact(&topics, "a.b"),
            Source {
                topic: topics.subscribe("a.*"),
                via: Some("a.*".into()),
            },
        ];
        topics.sequence(&clock, envelope("a.b", "u", None), None);
        let batch = topics.collect(&sources, 0, None);
        assert_eq!(batch.envelopes.len(), 1);
        assert_eq!(batch.envelopes[0].1, None);
    }

    #[test]
    fn rings_keep_the_latest_hundred() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let sources = [exact(&topics, "c")];
        let mut last = 0;
        for _ in 0..RING_CAPACITY + 20 {
            last = topics
                .sequence(&clock, envelope("c", "u", None), None)
                .timetoken();
        }
        let batch = topics.collect(&sources, 0, None);
        assert_eq!(batch.envelopes.len(), MAX_BATCH);
        assert_eq!(batch.newest(), Some(last));
    }

    #[test]
    fn filters_apply_to_messages_but_not_presence() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let sources = [exact(&topics, "c"), exact(&topics, "c-pnpres")];
        topics.sequence(&clock, envelope("c", "alice", None), None);
        topics.sequence(&clock, envelope("c", "bob", None), None);
        topics.sequence(&clock, envelope("c-pnpres", "carol", None), None);
        let filter = FilterExpr::parse("uuid != 'alice'").unwrap();
        let batch = topics.collect(&sources, 0, Some(&filter));
        let publishers: Vec<_> = batch
            .envelopes
            .iter()
            .map(|(e, _)| e.message.publisher.clone().unwrap())
            .collect();
        assert_eq!(publishers, ["bob", "carol"]);
    }

    #[test]
    fn a_wanted_timetoken_is_kept_only_when_newest() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let reserved = clock.next();
        let kept = topics.sequence(&clock, envelope("c", "u", None), Some(reserved));
        assert_eq!(kept.timetoken(), reserved);
        let replaced = topics.sequence(&clock, envelope("c", "u", None), Some(reserved));
        assert!(replaced.timetoken() > reserved);
        let future = topics.sequence(&clock, envelope("c", "u", None), Some(u64::MAX));
        assert!(future.timetoken() < u64::MAX);
    }

    #[tokio::test]
    async fn waiters_wake_on_publish() {
        let topics = Arc::new(Topics::default());
        let clock = Arc::new(TimetokenClock::default());
        let topic = topics.subscribe("c");
        let notified = topic.notify.notified();
        let publisher = {
            let (topics, clock) = (topics.clone(), clock.clone());
            tokio::spawn(async move {
                topics.sequence(&clock, envelope("c", "u", None), None);
            })
        };
        tokio::time::timeout(Duration::from_secs(5), notified)
            .await
            .expect("woken");
        publisher.await.unwrap();
    }

    #[test]
    fn sweeping_keeps_held_and_recent_topics() {
        let (topics, clock) = (Topics::default(), TimetokenClock::default());
        let held = topics.subscribe("held");
        topics.sequence(&clock, envelope("recent", "u", None), None);
        topics.sweep();
        assert_eq!(topics.len(), 2);
        drop(held);
    }
}
