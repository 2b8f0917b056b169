//! The legacy v1 calls that PubNub SDKs of the 3.x era make: the v1
//! long-poll subscribe (`[[messages], "tt", "channels"]`, with the
//! subscription in front of the channels when a wildcard or group matched),
//! v1 history (a bare array, oldest first), and JSONP when the callback
//! segment names a function.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::support::{Reply, SUB_KEY, Server, percent_encode};

/// `GET` a PubNub path (not an On Request one, as `Server::get`).
async fn get(server: &Server, path: &str) -> Reply {
    server.request(server.http.get(server.url(path))).await
}

/// `GET` a PubNub path that must answer 200 with JSON.
async fn get_json(server: &Server, path: &str) -> Value {
    let reply = get(server, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {reply:?}");
    reply.json()
}

async fn publish(server: &Server, channel: &str, message: &Value) {
    let path = format!(
        "/publish/demo/{SUB_KEY}/0/{channel}/0/{}",
        percent_encode(&message.to_string())
    );
    let reply = get(server, &path).await;
    assert_eq!(reply.status, 200, "publish: {reply:?}");
}

/// A v1 subscribe that must answer 200 with a JSON array.
async fn subscribe(server: &Server, channels: &str, timetoken: &str) -> Vec<Value> {
    let path = format!("/subscribe/{SUB_KEY}/{channels}/0/{timetoken}?uuid=old-sdk");
    let reply = get(server, &path).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json().as_array().expect("an array").clone()
}

/// The timetoken a v1 handshake answers (timetoken 0: at once, no messages).
async fn handshake(server: &Server, channels: &str) -> String {
    let answer = subscribe(server, channels, "0").await;
    assert_eq!(answer.len(), 2, "{answer:?}");
    assert_eq!(answer[0], json!([]));
    answer[1].as_str().expect("a timetoken string").to_owned()
}

/// Polls from `timetoken` until `count` messages arrived: each message with
/// the subscription and channel it came through.
async fn receive(
    server: &Server,
    channels: &str,
    mut timetoken: String,
    count: usize,
) -> Vec<(Value, String, String)> {
    let mut received = Vec::new();
    while received.len() < count {
        let answer = subscribe(server, channels, &timetoken).await;
        timetoken = answer[1].as_str().unwrap().to_owned();
        let messages = answer[0].as_array().unwrap();
        if messages.is_empty() {
            continue;
        }
        let names = |element: &Value| -> Vec<String> {
            element
                .as_str()
                .unwrap()
                .split(',')
                .map(str::to_owned)
                .collect()
        };
        // Three elements: the channels; four: subscriptions, then channels.
        let (subscriptions, channels) = match answer.len() {
            3 => (names(&answer[2]), names(&answer[2])),
            4 => (names(&answer[2]), names(&answer[3])),
            n => panic!("a v1 answer of {n} elements: {answer:?}"),
        };
        assert_eq!(channels.len(), messages.len(), "{answer:?}");
        for (i, message) in messages.iter().enumerate() {
            received.push((
                message.clone(),
                subscriptions[i].clone(),
                channels[i].clone(),
            ));
        }
    }
    received
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_subscribe_delivers_messages_with_their_channels() {
    let server = Arc::new(Server::start().await);
    let timetoken = handshake(&server, "legacy.a,legacy.b").await;
    let poll = {
        let server = server.clone();
        tokio::spawn(async move { receive(&server, "legacy.a,legacy.b", timetoken, 2).await })
    };
    publish(&server, "legacy.a", &json!({"text": "one"})).await;
    publish(&server, "legacy.b", &json!("two")).await;
    let received = poll.await.unwrap();
    assert_eq!(
        received,
        vec![
            (json!({"text": "one"}), "legacy.a".into(), "legacy.a".into()),
            (json!("two"), "legacy.b".into(), "legacy.b".into()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_subscribe_names_the_wildcard_a_message_matched() {
    let server = Arc::new(Server::start().await);
    let timetoken = handshake(&server, "sports.*").await;
    let poll = {
        let server = server.clone();
        tokio::spawn(async move { receive(&server, "sports.*", timetoken, 1).await })
    };
    publish(&server, "sports.tennis", &json!("ace")).await;
    assert_eq!(
        poll.await.unwrap(),
        vec![(json!("ace"), "sports.*".into(), "sports.tennis".into())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_history_answers_the_latest_messages_oldest_first() {
    let server = Server::start().await;
    for n in 1..=3 {
        publish(&server, "legacy.log", &json!({ "n": n })).await;
    }
    let all = get_json(&server, &format!("/history/{SUB_KEY}/legacy.log/0/100")).await;
    assert_eq!(all, json!([{"n": 1}, {"n": 2}, {"n": 3}]));
    let latest = get_json(&server, &format!("/history/{SUB_KEY}/legacy.log/0/2")).await;
    assert_eq!(latest, json!([{"n": 2}, {"n": 3}]));

    let refused = get(&server, &format!("/history/{SUB_KEY}/legacy.log/0/many")).await;
    assert_eq!(refused.status, 400, "{refused:?}");
    let message = refused.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("many"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callback_segment_answers_jsonp() {
    let server = Server::start().await;
    publish(&server, "legacy.jsonp", &json!("hi")).await;

    let history = get(
        &server,
        &format!("/history/{SUB_KEY}/legacy.jsonp/onHistory/10"),
    )
    .await;
    assert_eq!(history.status, 200, "{history:?}");
    assert!(
        history.content_type.starts_with("text/javascript"),
        "{history:?}"
    );
    assert_eq!(history.body, r#"onHistory(["hi"])"#);

    let handshake = get(
        &server,
        &format!("/subscribe/{SUB_KEY}/legacy.jsonp/PUBNUB.cb_1/0"),
    )
    .await;
    assert_eq!(handshake.status, 200, "{handshake:?}");
    let inner = jsonp_body(&handshake, "PUBNUB.cb_1");
    assert_eq!(inner[0], json!([]));
    assert!(inner[1].as_str().unwrap().parse::<u64>().is_ok(), "{inner}");

    // A callback that is not a plain name would be script injection.
    let refused = get(
        &server,
        &format!("/history/{SUB_KEY}/legacy.jsonp/alert(1)/10"),
    )
    .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    let message = refused.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("JSONP callback"), "{message}");

    // The other calls: the callback segment of time and publish, and the
    // `callback` query parameter everywhere else, refusals included.
    let time = get(&server, "/time/onTime").await;
    let inner = jsonp_body(&time, "onTime");
    assert!(inner[0].as_u64().is_some(), "{inner}");
    let published = get(
        &server,
        &format!("/publish/demo/{SUB_KEY}/0/legacy.jsonp/onPublish/%22again%22"),
    )
    .await;
    assert_eq!(jsonp_body(&published, "onPublish")[1], "Sent");
    let here_now = get(
        &server,
        &format!("/v2/presence/sub-key/{SUB_KEY}/channel/legacy.jsonp?callback=onHereNow"),
    )
    .await;
    assert_eq!(jsonp_body(&here_now, "onHereNow")["occupancy"], 0);
    let refused = get(
        &server,
        &format!("/v2/history/sub-key/{SUB_KEY}/channel/legacy.jsonp?count=lots&callback=onError"),
    )
    .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(jsonp_body(&refused, "onError")["error"], true);
}

/// The JSON inside `callback(…)`.
fn jsonp_body(reply: &Reply, callback: &str) -> Value {
    let inner = reply
        .body
        .strip_prefix(&format!("{callback}("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a call of {callback}: {reply:?}"));
    serde_json::from_str(inner).unwrap()
}
