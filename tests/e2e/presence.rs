//! Presence through the real server: a subscriber with presence receives its
//! own join, as from hosted PubNub.

use serde_json::Value;

use crate::support::{SUB_KEY, Server};

async fn subscribe(server: &Server, channels: &str, query: &str) -> Value {
    let url = server.url(&format!("/v2/subscribe/{SUB_KEY}/{channels}/0?{query}"));
    let reply = server.request(server.http.get(url)).await;
    assert_eq!(reply.status, 200, "subscribe {channels}?{query}: {reply:?}");
    reply.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_with_presence_receives_its_own_join() {
    let server = Server::start().await;
    let channels = "lobby,lobby-pnpres";
    // Python's handshake (`tt=0`); JS sends no `tt` at all.
    for handshake_query in ["uuid=alice&tt=0", "uuid=bob"] {
        let handshake = subscribe(&server, channels, handshake_query).await;
        let cursor = handshake["t"]["t"].as_str().expect("a string cursor");
        let uuid = &handshake_query[5..handshake_query.find('&').unwrap_or(handshake_query.len())];

        // The join is already there: this answers at once.
        let next = subscribe(&server, channels, &format!("uuid={uuid}&tt={cursor}&tr=1")).await;
        let joins: Vec<&Value> = next["m"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["c"] == "lobby-pnpres" && m["d"]["action"] == "join")
            .collect();
        assert_eq!(joins.len(), 1, "one join in {next}");
        assert_eq!(joins[0]["d"]["uuid"], *uuid);
        assert!(joins[0]["d"]["occupancy"].is_u64());
        assert!(
            joins[0]["p"]["t"].as_str().unwrap() > cursor,
            "the join comes after the handshake's cursor: {next}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_join_its_heartbeat_announced_just_before_the_handshake_still_arrives() {
    // The JS SDK sends its first heartbeat beside its handshake; it may land first.
    let server = Server::start().await;
    let heartbeat = server.url(&format!(
        "/v2/presence/sub-key/{SUB_KEY}/channel/hall/heartbeat?heartbeat=300&uuid=carol"
    ));
    assert_eq!(server.request(server.http.get(heartbeat)).await.status, 200);
    let channels = "hall,hall-pnpres";
    let handshake = subscribe(&server, channels, "uuid=carol").await;
    let cursor = handshake["t"]["t"].as_str().unwrap();
    let next = subscribe(&server, channels, &format!("uuid=carol&tt={cursor}&tr=1")).await;
    let own: Vec<&Value> = next["m"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["d"]["action"] == "join" && m["d"]["uuid"] == "carol")
        .collect();
    assert_eq!(own.len(), 1, "its own join, once: {next}");
}
