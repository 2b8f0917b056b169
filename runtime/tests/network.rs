//! The PubNub-compatible network over real HTTP: the axum server runs
//! in-process on 127.0.0.1:0 and these tests speak to it with reqwest, the
//! way the SDKs do (paths, query parameters, bodies, encodings).

mod support {
    pub mod guests;
    pub mod served;
}

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use pigdin_runtime::api::params::percent_encode;
use serde_json::{Value, json};

const SUB: &str = "demo";
const PUB: &str = "demo";
/// How long any awaited event may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(15);

type Pigdin = support::served::Served;

struct Reply {
    status: u16,
    content_type: String,
    body: Value,
}

impl Pigdin {
    async fn start() -> Self {
        Self::start_with(Duration::from_secs(280)).await
    }

    async fn start_with(subscribe_hold: Duration) -> Self {
        support::served::serve(|config| config.subscribe_hold = subscribe_hold).await
    }

    async fn get(&self, path_and_query: &str) -> Reply {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .unwrap();
        reply(response).await
    }

    /// Publishes `message` (JSON text) with GET; returns the reply.
    async fn publish(&self, channel: &str, message: &str, query: &str) -> Reply {
        self.get(&format!(
            "/publish/{PUB}/{SUB}/0/{}/0/{}?{query}",
            percent_encode(channel),
            percent_encode(message)
        ))
        .await
    }

    /// Publishes and returns the timetoken, asserting success.
    async fn published(&self, channel: &str, message: &str, query: &str) -> String {
        let reply = self.publish(channel, message, query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body[0], 1);
        assert_eq!(reply.body[1], "Sent");
        reply.body[2].as_str().unwrap().to_owned()
    }

    /// A subscribe request; `query` carries `tt`, `channel-group`, etc.
    async fn subscribe(&self, channels: &str, query: &str) -> Reply {
        tokio::time::timeout(
            DEADLINE,
            self.get(&format!("/v2/subscribe/{SUB}/{channels}/0?{query}")),
        )
        .await
        .expect("a subscribe answer in time")
    }

    /// A JS-style handshake (no `tt`); returns the cursor.
    async fn handshake(&self, channels: &str, query: &str) -> String {
        let reply = self.subscribe(channels, query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["m"], json!([]));
        reply.body["t"]["t"].as_str().unwrap().to_owned()
    }

    /// Waits until `count` subscribe requests are held.
    async fn until_held(&self, count: usize) {
        eventually(|| self.runtime.broker.topics.waiting() >= count).await;
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Reply {
        status,
        content_type,
        body,
    }
}

/// Polls `ready` until it holds, failing after [`DEADLINE`].
async fn eventually(ready: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !ready() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn envelopes(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["m"].as_array().unwrap().clone()
}

fn payloads(reply: &Reply) -> Vec<Value> {
    envelopes(reply)
        .into_iter()
        .map(|e| e["d"].clone())
        .collect()
}

fn stored(pigdin: &Pigdin, channel: &str) -> Vec<Value> {
    pigdin
        .runtime
        .store
        .history
        .latest(channel, 100)
        .unwrap()
        .into_iter()
        .map(|m| m.message)
        .collect()
}

#[tokio::test]
async fn time_is_a_17_digit_timetoken_in_pubnub_framing() {
    let pigdin = Pigdin::start().await;
    let reply = pigdin.get("/time/0").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type.contains("javascript"),
        "{}",
        reply.content_type
    );
    assert_eq!(reply.body[0].as_u64().unwrap().to_string().len(), 17);
}

#[tokio::test]
async fn a_published_message_reaches_a_subscriber_with_every_envelope_field() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("room", "uuid=reader").await;
    assert_eq!(cursor.len(), 17);
    let timetoken = pigdin
        .published(
            "room",
            r#"{"text":"hello / world?"}"#,
            "uuid=alice&meta=%7B%22lang%22%3A%22en%22%7D&custom_message_type=chat-text&seqn=3",
        )
        .await;
    assert!(timetoken > cursor, "timetokens increase");
    let reply = pigdin
        .subscribe("room", &format!("uuid=reader&tt={cursor}&tr=42"))
        .await;
    assert!(reply.content_type.contains("javascript"));
    assert_eq!(reply.body["t"], json!({"t": timetoken, "r": 42}));
    assert_eq!(
        envelopes(&reply),
        [json!({
            "a": "3", "f": 0, "i": "alice", "s": 3,
            "p": {"t": timetoken, "r": 42},
            "k": SUB, "c": "room",
            "d": {"text": "hello / world?"},
            "u": {"lang": "en"}, "cmt": "chat-text",
        })]
    );
    assert_eq!(stored(&pigdin, "room"), [json!({"text": "hello / world?"})]);
}

#[tokio::test]
async fn python_style_handshake_with_tt_zero_and_strictly_increasing_timetokens() {
    let pigdin = Pigdin::start().await;
    let reply = pigdin.subscribe("c", "tt=0&uuid=py").await;
    assert_eq!(reply.body["m"], json!([]));
    assert_ne!(reply.body["t"]["r"], 0, "JS rejects region 0");
    let cursor = reply.body["t"]["t"].as_str().unwrap().to_owned();
    let mut previous = cursor.clone();
    for i in 0..20 {
        let tt = pigdin.published("c", &i.to_string(), "").await;
        assert_eq!(tt.len(), 17);
        assert!(tt > previous);
        previous = tt;
    }
    let all = pigdin.subscribe("c", &format!("tt={cursor}")).await;
    assert_eq!(
        payloads(&all),
        (0..20).map(|i| json!(i)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_long_poll_is_held_until_a_message_arrives() {
    let pigdin = Arc::new(Pigdin::start().await);
    let cursor = pigdin.handshake("waiting", "").await;
    let subscriber = {
        let pigdin = pigdin.clone();
        tokio::spawn(async move { pigdin.subscribe("waiting", &format!("tt={cursor}")).await })
    };
    pigdin.until_held(1).await;
    assert!(
        !subscriber.is_finished(),
        "the request is held while nothing arrives"
    );
    let tt = pigdin.published("waiting", r#""wake up""#, "").await;
    let reply = subscriber.await.unwrap();
    assert_eq!(payloads(&reply), [json!("wake up")]);
    assert_eq!(reply.body["t"]["t"], tt);
}

#[tokio::test]
async fn an_idle_long_poll_is_answered_empty_when_the_hold_ends() {
    let pigdin = Pigdin::start_with(Duration::from_millis(300)).await;
    let cursor = pigdin.handshake("quiet", "").await;
    let started = std::time::Instant::now();
    let reply = pigdin.subscribe("quiet", &format!("tt={cursor}")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.body["m"], json!([]));
    assert_eq!(
        reply.body["t"]["t"], cursor,
        "the cursor stays where it was"
    );
}

#[tokio::test]
async fn a_reissued_request_catches_up_from_the_channel_buffer() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("a", "").await;
    // Published while no request was in flight (the client was switching channels).
    for text in ["one", "two", "three"] {
        pigdin.published("a", &format!("\"{text}\""), "").await;
    }
    pigdin.published("b", r#""on b""#, "").await;
    let first = pigdin.subscribe("a,b", &format!("tt={cursor}&tr=42")).await;
    assert_eq!(
        payloads(&first),
        [json!("one"), json!("two"), json!("three"), json!("on b")]
    );
    // The same tt again (JS aborts and re-issues): the same answer.
    let again = pigdin.subscribe("a,b", &format!("tt={cursor}&tr=42")).await;
    assert_eq!(payloads(&again), payloads(&first));
    // From the returned cursor on, nothing is repeated.
    let next = first.body["t"]["t"].as_str().unwrap();
    pigdin.published("a", r#""four""#, "").await;
    let later = pigdin.subscribe("a,b", &format!("tt={next}")).await;
    assert_eq!(payloads(&later), [json!("four")]);
}

#[tokio::test]
async fn wildcards_deliver_with_b_and_follow_pubnub_rules() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("webex.u1.*", "").await;
    pigdin
        .published("webex.u1.room1", r#""in room 1""#, "")
        .await;
    pigdin
        .published("webex.u1.room2.thread", r#""deeper""#, "")
        .await;
    pigdin
        .published("webex.u2.room1", r#""someone else""#, "")
        .await;
    pigdin
        .published("webex.u1", r#""not under the prefix""#, "")
        .await;
    let reply = pigdin
        .subscribe("webex.u1.*", &format!("tt={cursor}"))
        .await;
    let received = envelopes(&reply);
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[0]["c"], "webex.u1.room1");
    assert_eq!(received[0]["b"], "webex.u1.*");
    assert_eq!(received[1]["c"], "webex.u1.room2.thread");

    for invalid in ["*", "a.*.b", "a.b.c.*", "*.x"] {
        let reply = pigdin.subscribe(&percent_encode(invalid), "").await;
        assert_eq!(reply.status, 400, "{invalid}: {}", reply.body);
        assert!(reply.body["message"].as_str().unwrap().contains("wildcard"));
    }
}

#[tokio::test]
async fn wildcard_presence_reports_joins_on_matching_channels() {
    let pigdin = Pigdin::start().await;
    let channels = "webex.u1.*,webex.u1.*-pnpres";
    let cursor = pigdin.handshake(channels, "uuid=watcher").await;
    pigdin.handshake("webex.u1.room9", "uuid=bob").await;
    let reply = pigdin
        .subscribe(channels, &format!("uuid=watcher&tt={cursor}"))
        .await;
    let events = envelopes(&reply);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["c"], "webex.u1.room9-pnpres");
    assert_eq!(events[0]["b"], "webex.u1.*-pnpres");
    assert_eq!(events[0]["d"]["action"], "join");
    assert_eq!(events[0]["d"]["uuid"], "bob");
}

/// The JS SDK heartbeats and leaves every name it subscribes to, wildcard
/// patterns included; a pattern makes no one present, a bad one is still a 400.
#[tokio::test]
async fn heartbeat_and_leave_accept_wildcard_patterns() {
    let pigdin = Pigdin::start().await;
    let presence = format!("/v2/presence/sub-key/{SUB}");
    let heartbeat = pigdin
        .get(&format!(
            "{presence}/channel/room,webex.u1.%2A/heartbeat?uuid=alice&heartbeat=300"
        ))
        .await;
    assert_eq!(heartbeat.status, 200, "{}", heartbeat.body);
    let where_now = pigdin.get(&format!("{presence}/uuid/alice")).await;
    assert_eq!(where_now.body["payload"], json!({"channels": ["room"]}));

    let leave = pigdin
        .get(&format!(
            "{presence}/channel/room,webex.u1.%2A,webex.u1.%2A-pnpres/leave?uuid=alice"
        ))
        .await;
    assert_eq!(leave.status, 200, "{}", leave.body);
    let where_now = pigdin.get(&format!("{presence}/uuid/alice")).await;
    assert_eq!(where_now.body["payload"], json!({"channels": []}));

    let invalid = pigdin
        .get(&format!("{presence}/channel/a.%2A.b/heartbeat?uuid=alice"))
        .await;
    assert_eq!(invalid.status, 400);
    assert!(
        invalid.body["message"]
            .as_str()
            .unwrap()
            .contains("wildcard")
    );
}

#[tokio::test]
async fn channel_groups_are_managed_and_subscribed_with_b() {
    let pigdin = Arc::new(Pigdin::start().await);
    let base = format!("/v1/channel-registration/sub-key/{SUB}/channel-group");
    let added = pigdin.get(&format!("{base}/g1?add=a%2Cb")).await;
    assert_eq!(
        added.body,
        json!({"error": false, "message": "OK", "service": "channel-registry", "status": 200})
    );
    pigdin.get(&format!("{base}/g2?add=x")).await;
    let listed = pigdin.get(&format!("{base}/g1")).await;
    assert_eq!(
        listed.body["payload"],
        json!({"channels": ["a", "b"], "group": "g1"})
    );
    let all = pigdin.get(&base).await;
    assert_eq!(
        all.body["payload"],
        json!({"groups": ["g1", "g2"], "sub_key": SUB})
    );

    let cursor = pigdin.handshake(",", "channel-group=g1&uuid=grouped").await;
    pigdin.published("b", r#""via the group""#, "").await;
    pigdin.published("x", r#""not in g1""#, "").await;
    let reply = pigdin
        .subscribe(",", &format!("channel-group=g1&tt={cursor}"))
        .await;
    let received = envelopes(&reply);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["c"], "b");
    assert_eq!(received[0]["b"], "g1");

    // A held group subscription notices a channel added to the group.
    let cursor = reply.body["t"]["t"].as_str().unwrap().to_owned();
    let waiter = {
        let pigdin = pigdin.clone();
        tokio::spawn(async move {
            pigdin
                .subscribe(",", &format!("channel-group=g1&tt={cursor}"))
                .await
        })
    };
    pigdin.until_held(1).await;
    pigdin.get(&format!("{base}/g1?add=late")).await;
    pigdin.published("late", r#""added while held""#, "").await;
    assert_eq!(
        payloads(&waiter.await.unwrap()),
        [json!("added while held")]
    );

    pigdin.get(&format!("{base}/g1?remove=a")).await;
    let listed = pigdin.get(&format!("{base}/g1")).await;
    assert_eq!(listed.body["payload"]["channels"], json!(["b", "late"]));
    let deleted = pigdin.get(&format!("{base}/g1/remove")).await;
    assert_eq!(deleted.status, 200);
    let all = pigdin.get(&base).await;
    assert_eq!(all.body["payload"]["groups"], json!(["g2"]));
    let bad = pigdin.get(&format!("{base}/g1?add=")).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn fire_is_never_delivered_nor_stored() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("quiet-fire", "").await;
    let fired = pigdin
        .published("quiet-fire", r#""fired""#, "store=0&norep=true")
        .await;
    assert_eq!(fired.len(), 17);
    pigdin
        .published("quiet-fire", r#""python fire""#, "store=0&norep=1")
        .await;
    pigdin.published("quiet-fire", r#""published""#, "").await;
    let reply = pigdin
        .subscribe("quiet-fire", &format!("tt={cursor}"))
        .await;
    assert_eq!(payloads(&reply), [json!("published")]);
    assert_eq!(stored(&pigdin, "quiet-fire"), [json!("published")]);
}

#[tokio::test]
async fn signals_arrive_with_e_1_and_are_not_stored() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("typing", "").await;
    let reply = pigdin
        .get(&format!(
            "/signal/{PUB}/{SUB}/0/typing/0/{}?uuid=alice",
            percent_encode(r#"{"on":true}"#)
        ))
        .await;
    assert_eq!(reply.body[1], "Sent");
    let received = envelopes(&pigdin.subscribe("typing", &format!("tt={cursor}")).await);
    assert_eq!(received[0]["e"], 1);
    assert_eq!(received[0]["d"], json!({"on": true}));
    assert_eq!(received[0]["i"], "alice");
    assert!(stored(&pigdin, "typing").is_empty());
    let too_big = pigdin
        .get(&format!(
            "/signal/{PUB}/{SUB}/0/typing/0/{}",
            percent_encode(&format!("\"{}\"", "x".repeat(80)))
        ))
        .await;
    assert_eq!(too_big.status, 413);
}

#[tokio::test]
async fn filter_expressions_select_by_uuid_and_meta() {
    let pigdin = Pigdin::start().await;
    let filter = percent_encode("uuid != 'me' && (meta.lang == 'en' || meta.level > 5)");
    let cursor = pigdin
        .handshake("news", &format!("filter-expr={filter}"))
        .await;
    let meta = |m: &str| format!("meta={}", percent_encode(m));
    pigdin
        .published(
            "news",
            r#""mine""#,
            &format!("uuid=me&{}", meta(r#"{"lang":"en"}"#)),
        )
        .await;
    pigdin
        .published(
            "news",
            r#""french""#,
            &format!("uuid=other&{}", meta(r#"{"lang":"fr"}"#)),
        )
        .await;
    pigdin
        .published(
            "news",
            r#""english""#,
            &format!("uuid=other&{}", meta(r#"{"lang":"en"}"#)),
        )
        .await;
    pigdin
        .published(
            "news",
            r#""urgent""#,
            &format!("uuid=other&{}", meta(r#"{"level":9}"#)),
        )
        .await;
    pigdin.published("news", r#""no meta""#, "uuid=other").await;
    let reply = pigdin
        .subscribe("news", &format!("tt={cursor}&filter-expr={filter}"))
        .await;
    assert_eq!(payloads(&reply), [json!("english"), json!("urgent")]);
    let bad = pigdin.subscribe("news", "filter-expr=uuid%20%3D%3D").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body["message"]
            .as_str()
            .unwrap()
            .contains("filter expression")
    );
}

/// Presence events seen on `channel-pnpres` until `want` arrives.
async fn presence_until(
    pigdin: &Pigdin,
    channel: &str,
    cursor: &mut String,
    want: (&str, &str),
) -> Value {
    loop {
        let reply = pigdin
            .subscribe(
                &format!("{channel}-pnpres"),
                &format!("tt={cursor}&uuid=observer"),
            )
            .await;
        *cursor = reply.body["t"]["t"].as_str().unwrap().to_owned();
        for event in envelopes(&reply) {
            assert_eq!(event["c"], format!("{channel}-pnpres"));
            assert!(event.get("e").is_none(), "presence has no `e`");
            let data = &event["d"];
            assert!(
                data["timestamp"].is_u64() && data["occupancy"].is_u64(),
                "{data}"
            );
            if data["action"] == want.0 && data["uuid"] == want.1 {
                return data.clone();
            }
        }
    }
}

#[tokio::test]
async fn presence_join_leave_and_timeout_events() {
    let pigdin = Arc::new(Pigdin::start().await);
    let mut cursor = pigdin.handshake("lobby-pnpres", "uuid=observer").await;

    pigdin.handshake("lobby", "uuid=alice&heartbeat=60").await;
    let join = presence_until(&pigdin, "lobby", &mut cursor, ("join", "alice")).await;
    assert_eq!(join["occupancy"], 1);

    let left = pigdin
        .get(&format!(
            "/v2/presence/sub-key/{SUB}/channel/lobby,lobby-pnpres/leave?uuid=alice"
        ))
        .await;
    assert_eq!(
        left.body,
        json!({"status": 200, "message": "OK", "action": "leave", "service": "Presence"})
    );
    let leave = presence_until(&pigdin, "lobby", &mut cursor, ("leave", "alice")).await;
    assert_eq!(leave["occupancy"], 0);

    // Bob heartbeats once with a 1 s timeout, then goes quiet.
    let beat = pigdin
        .get(&format!(
            "/v2/presence/sub-key/{SUB}/channel/lobby/heartbeat?uuid=bob&heartbeat=1"
        ))
        .await;
    assert_eq!(
        beat.body,
        json!({"status": 200, "message": "OK", "service": "Presence"})
    );
    presence_until(&pigdin, "lobby", &mut cursor, ("join", "bob")).await;
    presence_until(&pigdin, "lobby", &mut cursor, ("timeout", "bob")).await;

    // Carol's held long-poll keeps her present; dropping the connection starts her timeout.
    let carol_cursor = pigdin.handshake("lobby", "uuid=carol&heartbeat=2").await;
    presence_until(&pigdin, "lobby", &mut cursor, ("join", "carol")).await;
    let held = {
        let pigdin = pigdin.clone();
        tokio::spawn(async move {
            pigdin
                .subscribe(
                    "lobby",
                    &format!("uuid=carol&heartbeat=2&tt={carol_cursor}"),
                )
                .await
        })
    };
    pigdin.until_held(1).await;
    held.abort();
    let _ = held.await;
    presence_until(&pigdin, "lobby", &mut cursor, ("timeout", "carol")).await;
    assert!(pigdin.runtime.broker.presence.here_now("lobby").is_empty());
}

#[tokio::test]
async fn here_now_where_now_and_state() {
    let pigdin = Pigdin::start().await;
    let presence = format!("/v2/presence/sub-key/{SUB}");
    let state = percent_encode(r#"{"a":{"mood":"happy"}}"#);
    pigdin
        .handshake("a,b", &format!("uuid=alice&state={state}"))
        .await;
    pigdin.handshake("a", "uuid=bob").await;
    pigdin
        .get(&format!(
            "/v1/channel-registration/sub-key/{SUB}/channel-group/g?add=b"
        ))
        .await;

    let single = pigdin.get(&format!("{presence}/channel/a")).await;
    assert_eq!(
        single.body,
        json!({"status": 200, "message": "OK", "service": "Presence", "uuids": ["alice", "bob"], "occupancy": 2})
    );
    let with_state = pigdin.get(&format!("{presence}/channel/a?state=1")).await;
    assert_eq!(
        with_state.body["uuids"],
        json!([{"uuid": "alice", "state": {"mood": "happy"}}, {"uuid": "bob"}])
    );
    let counts_only = pigdin
        .get(&format!("{presence}/channel/a?disable_uuids=1"))
        .await;
    assert!(counts_only.body.get("uuids").is_none());
    assert_eq!(counts_only.body["occupancy"], 2);
    let empty = pigdin.get(&format!("{presence}/channel/nobody")).await;
    assert_eq!(empty.body["occupancy"], 0);

    let multi = pigdin.get(&format!("{presence}/channel/a,b")).await;
    assert_eq!(multi.body["payload"]["total_channels"], 2);
    assert_eq!(multi.body["payload"]["total_occupancy"], 3);
    assert_eq!(
        multi.body["payload"]["channels"]["b"],
        json!({"uuids": ["alice"], "occupancy": 1})
    );
    let group = pigdin
        .get(&format!("{presence}/channel/,?channel-group=g"))
        .await;
    assert_eq!(
        group.body["payload"]["channels"],
        json!({"b": {"uuids": ["alice"], "occupancy": 1}})
    );
    let global = pigdin.get(&presence).await;
    assert_eq!(global.body["payload"]["total_channels"], 2);

    let where_now = pigdin.get(&format!("{presence}/uuid/alice")).await;
    assert_eq!(where_now.body["payload"], json!({"channels": ["a", "b"]}));

    let set = pigdin
        .get(&format!(
            "{presence}/channel/b/uuid/alice/data?state={}",
            percent_encode(r#"{"mood":"busy"}"#)
        ))
        .await;
    assert_eq!(
        set.body,
        json!({"status": 200, "message": "OK", "payload": {"mood": "busy"}, "service": "Presence"})
    );
    let one = pigdin
        .get(&format!("{presence}/channel/b/uuid/alice"))
        .await;
    assert_eq!(one.body["payload"], json!({"mood": "busy"}));
    assert_eq!(one.body["channel"], "b");
    let both = pigdin
        .get(&format!("{presence}/channel/a,b/uuid/alice"))
        .await;
    assert_eq!(
        both.body["payload"]["channels"],
        json!({"a": {"mood": "happy"}, "b": {"mood": "busy"}})
    );
    let not_object = pigdin
        .get(&format!("{presence}/channel/b/uuid/alice/data?state=5"))
        .await;
    assert_eq!(not_object.status, 400);
}

#[tokio::test]
async fn the_32_kib_limit_and_its_error() {
    let pigdin = Pigdin::start().await;
    let fits = format!("\"{}\"", "x".repeat(30 * 1024));
    pigdin.published("big", &fits, "").await;
    let too_big = format!("\"{}\"", "x".repeat(33 * 1024));
    let reply = pigdin.publish("big", &too_big, "").await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.body[0], 0);
    assert!(
        reply.body[1]
            .as_str()
            .unwrap()
            .starts_with("Message Too Large")
    );
    assert_eq!(
        stored(&pigdin, "big").len(),
        1,
        "the rejected one is not stored"
    );
}

#[tokio::test]
async fn unknown_keys_get_pubnubs_invalid_key_answers() {
    let pigdin = Pigdin::start().await;
    let bad_pub = pigdin.get(&format!("/publish/nope/{SUB}/0/c/0/1")).await;
    assert_eq!(bad_pub.status, 400);
    assert_eq!(bad_pub.body[0], 0);
    assert_eq!(bad_pub.body[1], "Invalid Key");
    assert_eq!(bad_pub.body[2].as_str().unwrap().len(), 17);
    let bad_sub = pigdin.get(&format!("/publish/{PUB}/nope/0/c/0/1")).await;
    assert_eq!(
        bad_sub.body,
        json!({"message": "Invalid Subscribe Key", "error": true, "service": "Access Manager", "status": 400})
    );
    let subscribe = pigdin.subscribe("c", "").await;
    assert_eq!(subscribe.status, 200);
    let bad_subscribe = pigdin.get("/v2/subscribe/nope/c/0").await;
    assert_eq!(bad_subscribe.status, 400);
    assert_eq!(bad_subscribe.body["message"], "Invalid Subscribe Key");
    let bad_presence = pigdin.get("/v2/presence/sub-key/nope/channel/c").await;
    assert_eq!(bad_presence.status, 400);
    assert!(stored(&pigdin, "c").is_empty());
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_problem() {
    let pigdin = Pigdin::start().await;
    let not_json = pigdin.publish("c", "{not json", "").await;
    assert_eq!(not_json.status, 400);
    assert!(not_json.content_type.contains("javascript"));
    assert!(
        not_json.body[1]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON")
    );
    let bad_meta = pigdin.publish("c", "1", "meta=%7Bx").await;
    assert_eq!(bad_meta.status, 400);
    assert!(bad_meta.body[1].as_str().unwrap().contains("meta"));
    let bad_channel = pigdin.publish("a b", "1", "").await;
    assert_eq!(bad_channel.status, 400);
    let long_channel = pigdin.publish(&"c".repeat(3000), "1", "").await;
    assert_eq!(long_channel.status, 400);
    let presence_channel = pigdin.publish("c-pnpres", "1", "").await;
    assert_eq!(presence_channel.status, 400);
    let long_uuid = pigdin
        .publish("c", "1", &format!("uuid={}", "u".repeat(100)))
        .await;
    assert_eq!(long_uuid.status, 400);
    assert!(stored(&pigdin, "c").is_empty());

    let bad_tt = pigdin.subscribe("c", "tt=yesterday").await;
    assert_eq!(bad_tt.status, 400);
    assert!(
        bad_tt.body["message"]
            .as_str()
            .unwrap()
            .contains("timetoken")
    );
    assert_eq!(bad_tt.body["error"], true);
    let nothing = pigdin.subscribe(",", "").await;
    assert_eq!(nothing.status, 400);
}

fn compressed(kind: &str, text: &str) -> Vec<u8> {
    if kind == "gzip" {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    } else {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }
}

#[tokio::test]
async fn post_publish_accepts_plain_deflate_and_gzip_bodies() {
    let pigdin = Pigdin::start().await;
    let cursor = pigdin.handshake("posted", "").await;
    let url = format!("{}/publish/{PUB}/{SUB}/0/posted/0?uuid=poster", pigdin.base);
    let bodies = [
        ("", br#"{"n":"plain"}"#.to_vec()),
        // JS: zlib with Content-Encoding: deflate.
        ("deflate", compressed("zlib", r#"{"n":"js deflate"}"#)),
        // Python: zlib labelled gzip.
        ("gzip", compressed("zlib", r#"{"n":"python zlib"}"#)),
        ("gzip", compressed("gzip", r#"{"n":"real gzip"}"#)),
    ];
    for (encoding, body) in bodies {
        let mut request = pigdin
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if !encoding.is_empty() {
            request = request.header("content-encoding", encoding);
        }
        let reply = reply(request.send().await.unwrap()).await;
        assert_eq!(reply.status, 200, "{encoding}: {}", reply.body);
    }
    let received = payloads(&pigdin.subscribe("posted", &format!("tt={cursor}")).await);
    assert_eq!(
        received,
        [
            json!({"n": "plain"}),
            json!({"n": "js deflate"}),
            json!({"n": "python zlib"}),
            json!({"n": "real gzip"})
        ]
    );
    let garbage = pigdin
        .http
        .post(&url)
        .header("content-encoding", "deflate")
        .body("not compressed")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

#[tokio::test]
async fn fan_out_reaches_every_held_subscriber() {
    let pigdin = Arc::new(Pigdin::start().await);
    let cursor = pigdin.handshake("crowd", "").await;
    let subscribers: Vec<_> = (0..50)
        .map(|_| {
            let (pigdin, cursor) = (pigdin.clone(), cursor.clone());
            tokio::spawn(async move { pigdin.subscribe("crowd", &format!("tt={cursor}")).await })
        })
        .collect();
    pigdin.until_held(50).await;
    pigdin.published("crowd", r#""to all""#, "").await;
    for subscriber in subscribers {
        assert_eq!(payloads(&subscriber.await.unwrap()), [json!("to all")]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_before_publish_abort_answers_403_with_the_reason() {
    let pigdin = Pigdin::start().await;
    let (manifest, wasm) = support::guests::module("examples/filter", "filter");
    pigdin
        .runtime
        .functions
        .deploy(&pigdin.runtime, &manifest, &wasm, false)
        .await
        .unwrap();
    let reply = pigdin
        .publish(
            "chat.lobby",
            r#"{"text":"this is forbidden"}"#,
            "uuid=alice",
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.body["message"],
        "message blocked: text contains \"forbidden\""
    );
    assert!(stored(&pigdin, "chat.lobby").is_empty());
    let cursor = pigdin.handshake("chat.lobby", "").await;
    pigdin
        .published("chat.lobby", r#"{"text":"darn"}"#, "uuid=alice")
        .await;
    let received = envelopes(
        &pigdin
            .subscribe("chat.lobby", &format!("tt={cursor}"))
            .await,
    );
    assert_eq!(received[0]["d"], json!({"text": "d**n", "filtered": true}));
    assert_eq!(received[0]["u"], json!({"filtered_by": "filter"}));
}
