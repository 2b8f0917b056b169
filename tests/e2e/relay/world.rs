//! The relay's test world: a Webex simulator and a `pigdin serve` whose
//! bundled `webex-relay` points at it, with helpers to act on both.

use std::time::{Duration, Instant};

use pigdin_webex_sim::{RunningSim, SimConfig};
use serde_json::{Value, json};

use crate::support::{Options, Reply, SUB_KEY, Server, percent_encode};

/// The keyset's publish key on `serve`'s defaults.
const PUB_KEY: &str = "demo";
/// How long a subscriber waits for a message that should come.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(15);

pub struct World {
    pub sim: RunningSim,
    pub server: Server,
    http: reqwest::Client,
}

impl World {
    pub async fn start() -> Self {
        Self::start_with(SimConfig::default()).await
    }

    pub async fn start_with(config: SimConfig) -> Self {
        let sim = pigdin_webex_sim::start(config)
            .await
            .expect("start the Webex simulator");
        let server = Server::start_with(relay_options(&sim)).await;
        Self {
            sim,
            server,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
        }
    }

    /// The options the world's server runs with (the relay pointed at the
    /// simulator), to start another server on the same simulator.
    pub fn options(&self) -> Options {
        relay_options(&self.sim)
    }

    // --- the simulator ---

    pub async fn sim_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.sim.origin()))
            .send()
            .await
            .expect("GET the simulator");
        assert!(response.status().is_success(), "GET {path}: {response:?}");
        response.json().await.expect("simulator JSON")
    }

    /// POSTs to the simulator's control API; the answer's status and JSON (null when empty).
    pub async fn sim_post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.sim.origin()))
            .json(&body)
            .send()
            .await
            .expect("POST the simulator");
        let status = response.status().as_u16();
        let text = response.text().await.expect("simulator body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The seeded person with this email.
    pub async fn person(&self, email: &str) -> String {
        let state = self.sim_get("/_sim/state").await;
        state["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["emails"][0] == email || p["email"] == email)
            .unwrap_or_else(|| panic!("no {email} in {state}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The seeded group room with this title.
    pub async fn room(&self, title: &str) -> String {
        let state = self.sim_get("/_sim/state").await;
        state["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == title)
            .unwrap_or_else(|| panic!("no room {title} in {state}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The seeded direct room (pat and alice).
    pub async fn direct_room(&self) -> String {
        let state = self.sim_get("/_sim/state").await;
        state["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "direct")
            .unwrap_or_else(|| panic!("no direct room in {state}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Fresh tokens for `person_id`: `{access_token, refresh_token, expires_in, ...}`.
    pub async fn mint_tokens(&self, person_id: &str) -> Value {
        let (status, tokens) = self
            .sim_post("/_sim/tokens", json!({ "personId": person_id }))
            .await;
        assert_eq!(status, 200, "{tokens}");
        tokens
    }

    /// Posts `text` to `room_id` as `who` (an id, email or name).
    pub async fn say(&self, room_id: &str, who: &str, text: &str) -> Value {
        let (status, message) = self
            .sim_post(
                "/_sim/say",
                json!({ "roomId": room_id, "as": who, "text": text }),
            )
            .await;
        assert_eq!(status, 200, "{message}");
        message
    }

    /// What `room_id` received, oldest first.
    pub async fn room_messages(&self, room_id: &str) -> Vec<Value> {
        self.sim_get(&format!("/_sim/rooms/{room_id}/messages"))
            .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The simulator's webhooks owned by `person_id`.
    pub async fn webhooks_of(&self, person_id: &str) -> Vec<Value> {
        let all = self.sim_get("/_sim/webhooks").await;
        all["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|hook| hook["createdBy"] == person_id || hook["ownedBy"] == person_id)
            .collect()
    }

    pub async fn fault(&self, fault: Value) {
        let (status, body) = self.sim_post("/_sim/faults", fault).await;
        assert!((200..300).contains(&status), "{status} {body}");
    }

    // --- pigdin ---

    /// Sets `person_id` up in the relay as `pigdin create-user` does.
    pub async fn create_user(&self, person_id: &str) -> Value {
        let tokens = self.mint_tokens(person_id).await;
        let reply = self.setup_user(person_id, &tokens).await;
        assert_eq!(reply.status, 200, "newUserSetup: {reply:?}");
        tokens
    }

    /// Fires newUserSetup for `user_id` with `tokens`.
    pub async fn setup_user(&self, user_id: &str, tokens: &Value) -> Reply {
        let message = json!({
            "userId": user_id,
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "expires_in": tokens["expires_in"],
        });
        self.fire(
            "webex-user-update",
            &message,
            &json!({ "task": "newUserSetup" }),
        )
        .await
    }

    /// Fires as the user the message is about (its `userId`), as `pigdin
    /// create-user` / `delete-user` do.
    pub async fn fire(&self, channel: &str, message: &Value, meta: &Value) -> Reply {
        let uuid = message["userId"].as_str().unwrap_or("pigdin-cli");
        self.fire_as(uuid, channel, message, meta).await
    }

    pub async fn fire_as(&self, uuid: &str, channel: &str, message: &Value, meta: &Value) -> Reply {
        self.send(
            channel,
            message,
            &format!(
                "store=0&norep=true&uuid={}&meta={}",
                percent_encode(uuid),
                percent_encode(&meta.to_string())
            ),
        )
        .await
    }

    pub async fn publish_as(&self, uuid: &str, channel: &str, message: &Value) -> Reply {
        self.send(channel, message, &format!("uuid={}", percent_encode(uuid)))
            .await
    }

    async fn send(&self, channel: &str, message: &Value, query: &str) -> Reply {
        let url = self.server.url(&format!(
            "/publish/{PUB_KEY}/{SUB_KEY}/0/{}/0/{}?{query}",
            percent_encode(channel),
            percent_encode(&message.to_string())
        ));
        self.server.request(self.http.get(url)).await
    }

    /// App Context: the uuid's metadata, `None` on 404.
    pub async fn uuid_metadata(&self, uuid: &str) -> Option<Value> {
        let url = self.server.url(&format!(
            "/v2/objects/{SUB_KEY}/uuids/{}?include=custom",
            percent_encode(uuid)
        ));
        let reply = self.server.request(self.http.get(url)).await;
        match reply.status {
            200 => Some(reply.json()["data"].clone()),
            404 => None,
            _ => panic!("uuid metadata of {uuid}: {reply:?}"),
        }
    }

    pub async fn channel_metadata(&self, channel: &str) -> Value {
        let url = self.server.url(&format!(
            "/v2/objects/{SUB_KEY}/channels/{}?include=custom",
            percent_encode(channel)
        ));
        let reply = self.server.request(self.http.get(url)).await;
        assert_eq!(
            reply.status, 200,
            "channel metadata of {channel}: {reply:?}"
        );
        reply.json()["data"].clone()
    }

    /// The channel ids `uuid` is a member of.
    pub async fn memberships(&self, uuid: &str) -> Vec<String> {
        let url = self.server.url(&format!(
            "/v2/objects/{SUB_KEY}/uuids/{}/channels",
            percent_encode(uuid)
        ));
        let reply = self.server.request(self.http.get(url)).await;
        assert_eq!(reply.status, 200, "memberships of {uuid}: {reply:?}");
        reply.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["channel"]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// POSTs a (possibly forged) webhook delivery for `user_id`.
    pub async fn deliver(&self, user_id: &str, body: &str, signature: Option<&str>) -> Reply {
        let url = self
            .server
            .block_url(&format!("webex/webhook?user={}", percent_encode(user_id)));
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("x-spark-signature", signature);
        }
        self.server.request(request).await
    }

    /// A subscriber on `channel`, from now on.
    pub async fn subscribe(&self, channel: &str) -> Subscriber {
        let mut subscriber = Subscriber {
            url: self.server.url(&format!(
                "/v2/subscribe/{SUB_KEY}/{}/0",
                percent_encode(channel)
            )),
            http: self.http.clone(),
            timetoken: "0".into(),
            region: None,
            pending: Vec::new(),
        };
        subscriber.poll(Duration::from_secs(10)).await;
        subscriber
    }
}

/// `serve` options pointing the relay at `sim`, with its OAuth client.
fn relay_options(sim: &RunningSim) -> Options {
    let client = sim.client().clone();
    Options::default()
        .arg("--webex-api-url")
        .arg(sim.url())
        .env("WEBEX_CLIENT_ID", client.client_id)
        .env("WEBEX_CLIENT_SECRET", client.client_secret)
}

/// An HTTP long-poll subscriber, as the PubNub SDKs subscribe.
pub struct Subscriber {
    url: String,
    http: reqwest::Client,
    timetoken: String,
    region: Option<u64>,
    pending: Vec<Value>,
}

impl Subscriber {
    /// The next message's envelope (`{d: message, i: publisher, c: channel, ...}`).
    pub async fn next(&mut self) -> Value {
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        while self.pending.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no message within {MESSAGE_TIMEOUT:?}");
            self.poll(left).await;
        }
        self.pending.remove(0)
    }

    async fn poll(&mut self, timeout: Duration) {
        let mut url = format!(
            "{}?uuid=relay-test-subscriber&tt={}",
            self.url, self.timetoken
        );
        if let Some(region) = self.region {
            url.push_str(&format!("&tr={region}"));
        }
        let request = self.http.get(url).timeout(timeout);
        let Ok(response) = request.send().await else {
            return; // timed out: nothing arrived
        };
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        self.timetoken = body["t"]["t"]
            .as_str()
            .expect("subscribe timetoken")
            .to_owned();
        self.region = body["t"]["r"].as_u64();
        // App Context change events (`e: 2`) reach channel subscribers too;
        // these tests look at messages only.
        let messages = body["m"].as_array().cloned().unwrap_or_default();
        self.pending
            .extend(messages.into_iter().filter(|m| m["e"] != 2));
    }
}
