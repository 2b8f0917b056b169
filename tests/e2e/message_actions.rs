//! Message Actions through the real server: add, list with paging, remove,
//! the `e: 3` events a subscriber receives, actions in v3 history,
//! durability across a restart, and removal with the message.

use serde_json::{Value, json};

use crate::support::{SUB_KEY, Server, percent_encode};

const CHANNEL: &str = "chat.room";

async fn publish(server: &Server, text: &str) -> String {
    let url = server.url(&format!(
        "/publish/demo/{SUB_KEY}/0/{CHANNEL}/0/{}?uuid=alice",
        percent_encode(&json!(text).to_string())
    ));
    let reply = server.request(server.http.get(url)).await.json();
    reply[2].as_str().expect("a timetoken").to_owned()
}

fn actions_path(rest: &str) -> String {
    format!("/v1/message-actions/{SUB_KEY}/channel/{CHANNEL}{rest}")
}

/// POSTs an action as `uuid`; the status and the body.
async fn add(server: &Server, message: &str, uuid: &str, action: Value) -> (u16, Value) {
    let url = server.url(&format!(
        "{}?uuid={uuid}",
        actions_path(&format!("/message/{message}"))
    ));
    let reply = server.request(server.http.post(url).json(&action)).await;
    (reply.status, reply.json())
}

async fn get(server: &Server, path_and_query: &str) -> Value {
    let reply = server
        .request(server.http.get(server.url(path_and_query)))
        .await;
    assert_eq!(reply.status, 200, "GET {path_and_query}: {reply:?}");
    reply.json()
}

/// The subscribe cursor of a handshake on [`CHANNEL`].
async fn handshake(server: &Server) -> String {
    let body = get(
        server,
        &format!("/v2/subscribe/{SUB_KEY}/{CHANNEL}/0?uuid=bob&tt=0"),
    )
    .await;
    body["t"]["t"].as_str().unwrap().to_owned()
}

/// The next subscribe answer after `cursor`: its envelopes and next cursor.
async fn next_events(server: &Server, cursor: &str) -> (Vec<Value>, String) {
    let body = get(
        server,
        &format!("/v2/subscribe/{SUB_KEY}/{CHANNEL}/0?uuid=bob&tt={cursor}&tr=42"),
    )
    .await;
    let cursor = body["t"]["t"].as_str().unwrap().to_owned();
    (body["m"].as_array().unwrap().clone(), cursor)
}

fn values(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["value"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_are_added_listed_announced_kept_and_removed() {
    let mut server = Server::start().await;
    let message = publish(&server, "lunch?").await;
    let cursor = handshake(&server).await;

    // Added: the stored action comes back, and a subscriber hears of it.
    let (status, added) = add(
        &server,
        &message,
        "alice",
        json!({"type": "reaction", "value": "👍"}),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let data = &added["data"];
    assert_eq!(added["status"], 200);
    assert_eq!(
        (&data["type"], &data["value"], &data["uuid"]),
        (&json!("reaction"), &json!("👍"), &json!("alice"))
    );
    assert_eq!(data["messageTimetoken"], message.as_str());
    let action_tt = data["actionTimetoken"].as_str().unwrap().to_owned();
    assert!(action_tt > message);

    let (events, cursor) = next_events(&server, &cursor).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["e"], 3);
    assert_eq!(event["i"], "alice");
    assert_eq!(event["c"], CHANNEL);
    assert_eq!(event["p"]["t"], action_tt.as_str());
    assert_eq!(
        event["d"],
        json!({"source": "actions", "version": "1.0", "event": "added", "data": data})
    );

    // The same uuid, type and value again: refused; others are welcome.
    let (status, refused) = add(
        &server,
        &message,
        "alice",
        json!({"type": "reaction", "value": "👍"}),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["source"], "actions");
    for (uuid, value) in [("bob", "👍"), ("bob", "🎉")] {
        let (status, body) = add(
            &server,
            &message,
            uuid,
            json!({"type": "reaction", "value": value}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, receipt) = add(
        &server,
        &message,
        "bob",
        json!({"type": "receipt", "value": "read"}),
    )
    .await;

    // Listed newest first in pages, each page oldest first, `more` to follow.
    let page = get(&server, &format!("{}?limit=3", actions_path(""))).await;
    assert_eq!(values(&page), ["👍", "🎉", "read"]);
    let more = &page["more"];
    assert_eq!(more["limit"], 3);
    assert_eq!(more["start"], page["data"][0]["actionTimetoken"]);
    let rest = get(&server, more["url"].as_str().unwrap()).await;
    assert_eq!(values(&rest), ["👍"]);
    assert_eq!(rest["data"][0]["uuid"], "alice");
    assert!(rest.get("more").is_none(), "{rest}");

    // History carries them by type, then value.
    let with_actions = get(
        &server,
        &format!("/v3/history-with-actions/sub-key/{SUB_KEY}/channel/{CHANNEL}"),
    )
    .await;
    let actions = &with_actions["channels"][CHANNEL][0]["actions"];
    assert_eq!(
        actions["reaction"]["👍"],
        json!([
            {"uuid": "alice", "actionTimetoken": action_tt},
            {"uuid": "bob", "actionTimetoken": page["data"][0]["actionTimetoken"]},
        ])
    );
    assert_eq!(actions["receipt"]["read"][0]["uuid"], "bob");
    let fetched = get(
        &server,
        &format!("/v3/history/sub-key/{SUB_KEY}/channel/{CHANNEL}?include_message_actions=true"),
    )
    .await;
    assert_eq!(&fetched["channels"][CHANNEL][0]["actions"], actions);
    let plain = get(
        &server,
        &format!("/v3/history/sub-key/{SUB_KEY}/channel/{CHANNEL}"),
    )
    .await;
    assert!(plain["channels"][CHANNEL][0].get("actions").is_none());

    // Removed: answered, announced (by the remover), gone from the list.
    let receipt_tt = receipt["data"]["actionTimetoken"].as_str().unwrap();
    let remove_url = server.url(&format!(
        "{}?uuid=bob",
        actions_path(&format!("/message/{message}/action/{receipt_tt}"))
    ));
    let reply = server.request(server.http.delete(remove_url)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"status": 200, "data": {}}));
    let (events, _) = next_events(&server, &cursor).await;
    let removed = events
        .iter()
        .find(|e| e["d"]["event"] == "removed")
        .unwrap_or_else(|| panic!("no removal in {events:?}"));
    assert_eq!(removed["e"], 3);
    assert_eq!(removed["i"], "bob");
    assert_eq!(removed["d"]["data"]["actionTimetoken"], receipt_tt);
    assert_eq!(removed["d"]["data"]["value"], "read");

    // Durable: a restart keeps what is stored.
    server.restart().await;
    let all = get(&server, &actions_path("")).await;
    assert_eq!(values(&all), ["👍", "👍", "🎉"]);

    // Deleting the message from history deletes its actions too.
    let other = publish(&server, "another").await;
    add(
        &server,
        &other,
        "bob",
        json!({"type": "reaction", "value": "👀"}),
    )
    .await;
    let delete_url = server.url(&format!(
        "/v3/history/sub-key/{SUB_KEY}/channel/{CHANNEL}?start={}&end={message}",
        message.parse::<u64>().unwrap() - 1
    ));
    let reply = server.request(server.http.delete(delete_url)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(values(&get(&server, &actions_path("")).await), ["👀"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_actions_are_refused_with_the_reason() {
    let server = Server::start().await;
    let message = publish(&server, "hi").await;
    for (action, says) in [
        (
            json!({"type": "a-type-too-long!", "value": "x"}),
            "limit is 15",
        ),
        (json!({"type": "reaction"}), "`value` is missing"),
        (json!({"type": "reaction", "value": 5}), "must be a string"),
        (json!({"type": "", "value": "x"}), "empty"),
    ] {
        let (status, body) = add(&server, &message, "alice", action).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["status"], 400);
        assert_eq!(body["error"]["source"], "actions");
        let text = body["error"]["message"].as_str().unwrap();
        assert!(text.contains(says), "{text}");
    }
    let (status, body) = add(&server, "not-a-timetoken", "alice", json!({})).await;
    assert_eq!(status, 400, "{body}");
    let url = server.url(&actions_path(&format!("/message/{message}")));
    let reply = server
        .request(
            server
                .http
                .post(url)
                .json(&json!({"type": "reaction", "value": "x"})),
        )
        .await;
    assert_eq!(reply.status, 400, "no uuid: {reply:?}");
}
