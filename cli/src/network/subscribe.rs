//! Subscribe (v2 long-poll) over REST. The SDK crate's subscribe cannot be
//! used here: its receive loop fails on App Context events (`"event":
//! "set"`, as the service sends them; pubnub 0.9 accepts only "update"),
//! and the relay sets channel metadata on exactly the channels `chat` follows.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::{Network, encode};

/// How long a long-poll may be held (the service answers within ~280 s).
const POLL_TIMEOUT: Duration = Duration::from_secs(310);
/// Presence timeout announced to the runtime, in seconds.
const HEARTBEAT: u32 = 300;
/// Pause between attempts while the runtime is unreachable.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// What a subscription delivers.
#[derive(Debug, Clone)]
pub enum Event {
    /// The first answer: from now on messages are delivered.
    Connected,
    Message(Envelope),
    /// Someone joined, left or timed out of `channel`.
    Presence {
        channel: String,
        action: String,
        uuid: String,
    },
    /// A request failed; retrying.
    ConnectionLost(String),
    /// Answers again after a loss; polling resumes from the last cursor.
    Reconnected,
    /// The runtime refused the subscription (bad key, bad name): it stops.
    Refused(String),
}

/// One published message.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub channel: String,
    pub publisher: Option<String>,
    pub timetoken: u64,
    pub payload: Value,
}

impl Network {
    /// Subscribes `uuid` to `channels` (wildcards and `-pnpres` names
    /// allowed) until the receiver is dropped.
    pub fn subscribe(
        self: &std::sync::Arc<Self>,
        uuid: &str,
        channels: &[String],
    ) -> mpsc::UnboundedReceiver<Event> {
        let (events, receiver) = mpsc::unbounded_channel();
        let network = self.clone();
        let names: Vec<String> = channels.iter().map(|c| encode(c)).collect();
        let base = format!(
            "/v2/subscribe/{}/{}/0?uuid={}&heartbeat={HEARTBEAT}",
            encode(&network.subscribe_key),
            names.join(","),
            encode(uuid)
        );
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(POLL_TIMEOUT)
                .build()
                .expect("an HTTP client");
            let (mut timetoken, mut region) = ("0".to_owned(), None::<i64>);
            let mut connected = false;
            while !events.is_closed() {
                let mut path = format!("{base}&tt={timetoken}");
                if let Some(region) = region {
                    path.push_str(&format!("&tr={region}"));
                }
                // Authorized afresh each time: a signature's timestamp ages.
                let url = format!(
                    "{}{}",
                    network.origin,
                    network.authorized(&reqwest::Method::GET, &path, b"")
                );
                let answer = match poll(&http, &url).await {
                    Ok(answer) => answer,
                    Err(Failure::Refused(reason)) => {
                        let _ = events.send(Event::Refused(reason));
                        break;
                    }
                    Err(Failure::Lost(problem)) => {
                        let _ = events.send(Event::ConnectionLost(problem));
                        // A long-poll may be held for minutes once the
                        // runtime is back: probe with `/time/0` to say so.
                        while network.is_up().await.is_err() {
                            tokio::time::sleep(RETRY_EVERY).await;
                        }
                        let _ = events.send(Event::Reconnected);
                        continue;
                    }
                };
                if !connected {
                    connected = true;
                    let _ = events.send(Event::Connected);
                }
                for entry in answer["m"].as_array().into_iter().flatten() {
                    if let Some(event) = event(entry) {
                        let _ = events.send(event);
                    }
                }
                if let Some(next) = answer["t"]["t"].as_str() {
                    timetoken = next.to_owned();
                }
                region = answer["t"]["r"].as_i64().or(region);
            }
        });
        receiver
    }

    /// Tells the runtime `uuid` left `channels` (best effort, on quitting).
    pub async fn leave(&self, uuid: &str, channels: &[String]) {
        let names: Vec<String> = channels.iter().map(|c| encode(c)).collect();
        let path = format!(
            "/v2/presence/sub-key/{}/channel/{}/leave?uuid={}",
            encode(&self.subscribe_key),
            names.join(","),
            encode(uuid)
        );
        let request = self
            .request(reqwest::Method::GET, &path, None)
            .timeout(Duration::from_secs(2));
        let _ = request.send().await;
    }
}

enum Failure {
    /// No answer: the runtime is gone, or the connection broke.
    Lost(String),
    /// An answer refusing the request.
    Refused(String),
}

async fn poll(http: &reqwest::Client, url: &str) -> Result<Value, Failure> {
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| {
            if e.is_connect() {
                "the runtime does not answer".to_owned()
            } else if e.is_timeout() {
                "the runtime did not answer in time".to_owned()
            } else {
                "the connection to the runtime broke".to_owned()
            }
        })
        .map_err(Failure::Lost)?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| Failure::Lost(format!("unreadable answer: {e}")))?;
    if !status.is_success() {
        let message = body["message"].as_str().unwrap_or("subscribe refused");
        return Err(Failure::Refused(format!(
            "{message} (HTTP {})",
            status.as_u16()
        )));
    }
    Ok(body)
}

/// One `m[]` entry as an event; App Context, signals and files are skipped.
fn event(entry: &Value) -> Option<Event> {
    let channel = entry["c"].as_str()?.to_owned();
    if let Some(channel) = channel.strip_suffix("-pnpres") {
        let payload = &entry["d"];
        return Some(Event::Presence {
            channel: channel.to_owned(),
            action: payload["action"].as_str()?.to_owned(),
            uuid: payload["uuid"].as_str().unwrap_or_default().to_owned(),
        });
    }
    if entry["e"].as_u64().is_some_and(|kind| kind != 0) {
        return None;
    }
    Some(Event::Message(Envelope {
        channel,
        publisher: entry["i"].as_str().map(str::to_owned),
        timetoken: entry["p"]["t"].as_str()?.parse().ok()?,
        payload: entry["d"].clone(),
    }))
}
