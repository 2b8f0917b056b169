//! The modules a JavaScript function requires, through the `jsevents` API.

use serde_json::json;

use super::{events_server, history, js_module};
use crate::support::{Options, Server, percent_encode};

#[tokio::test(flavor = "multi_thread")]
async fn kvstore_values_ttls_keys_and_counters() {
    let server = events_server().await;
    let set = server
        .request(
            server
                .http
                .post(server.block_url("js/kv?key=user:1"))
                .body(r#"{"name":"Ada"}"#),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    let read = set.json();
    assert_eq!(read["value"], json!({"name": "Ada"}));
    assert!(
        read["keys"].as_array().unwrap().contains(&json!("user:1")),
        "{read}"
    );
    assert_eq!(
        server.get_json("js/kv?key=absent").await["value"],
        json!(null),
        "a missing key is null"
    );

    assert_eq!(server.get_json("js/counter").await["n"], 2);
    let second = server.get_json("js/counter").await;
    assert_eq!(second["n"], 4, "incrCounter adds its delta: {second}");
    assert_eq!(
        second["counters"],
        json!(["hits"]),
        "counters are their own namespace"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pubnub_publishes_signals_reads_history_and_acts_as_another_uuid() {
    let server = events_server().await;
    let answer = server.get_json("js/publish?channel=js.out").await;
    assert_eq!(answer["sent"], "Sent", "{answer}");
    assert_eq!(answer["signal"], "Sent", "{answer}");
    assert_eq!(
        answer["history"],
        json!([{"from": "js", "seen": true}]),
        "the publish went through the channel's Before handler (one hop deeper)"
    );
    let stored = history(&server, "js.out").await.pop().unwrap();
    assert_eq!(
        stored["timetoken"].to_string().trim_matches('"'),
        answer["timetoken"].as_str().unwrap(),
        "the publish resolves the stored message's timetoken"
    );
    assert_eq!(stored["meta"], json!({"origin": "api"}));

    server.get_json("js/as?channel=js.as&uuid=bob").await;
    let reply = server
        .request(
            server
                .http
                .get(server.url("/v3/history/sub-key/demo/channel/js.as?include_uuid=true")),
        )
        .await;
    let entry = &reply.json()["channels"]["js.as"][0];
    assert_eq!(
        entry["uuid"], "bob",
        "new PubNub({{uuid}}) publishes as that uuid: {entry}"
    );

    let time = server.get_json("js/time").await["time"].as_f64().unwrap();
    assert!(time > 1.6e16, "a 17-digit timetoken: {time}");
}

#[tokio::test(flavor = "multi_thread")]
async fn string_items_are_removed_and_name_based_uuids_match_the_rfc() {
    let server = events_server().await;
    assert_eq!(
        server.get_json("js/remove?key=item").await,
        json!({"before": "soon gone", "after": null})
    );
    // Python's uuid.uuid5(NAMESPACE_DNS, "pigdin.dev") and uuid3(NAMESPACE_URL, "https://pigdin.dev").
    assert_eq!(
        server.get_json("js/ids").await,
        json!({
            "dns": "41530248-d260-539a-84ca-98e88ccb17af",
            "url": "d2e082ff-0483-35a3-b9c1-ff9d100e4061",
            "valid": true,
            "versions": [5, 3]
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn here_now_where_now_and_fetch_messages() {
    let server = events_server().await;
    let path = "/v2/presence/sub-key/demo/channel/js.lobby/heartbeat?uuid=ada&heartbeat=60";
    assert_eq!(
        server
            .request(server.http.get(server.url(path)))
            .await
            .status,
        200
    );
    let answer = server
        .get_json("js/presence?channel=js.lobby&uuid=ada")
        .await;
    assert_eq!(answer["here"]["totalOccupancy"], 1, "{answer}");
    assert_eq!(
        answer["here"]["channels"]["js.lobby"]["occupants"][0]["uuid"], "ada",
        "{answer}"
    );
    assert_eq!(answer["where"], json!(["js.lobby"]));

    for text in ["one", "two"] {
        super::publish(&server, "js.fetch", &json!({"text": text}), "").await;
    }
    assert_eq!(
        server.get_json("js/messages?channel=js.fetch").await,
        json!([{"text": "one", "seen": true}, {"text": "two", "seen": true}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn grant_parse_and_revoke_tokens_under_access_manager() {
    let server = Server::start_with(Options::default().arg("--secret-key").arg("sec-js")).await;
    server.deploy(&js_module("events")).await;
    let answer = server.get_json("js/token?uuid=ada&channel=js.tok").await;
    assert_eq!(
        answer["parsed"],
        json!({"ttl": 15, "uuid": "ada", "channels": {"js.tok": {"read": true, "write": true}}})
    );
    let publish_with = |token: &str| {
        format!(
            "/publish/demo/demo/0/js.tok/0/%7B%7D?uuid=ada&auth={}",
            percent_encode(token)
        )
    };
    let token = answer["token"].as_str().unwrap();
    let reply = server
        .request(server.http.get(server.url(&publish_with(token))))
        .await;
    assert_eq!(reply.status, 200, "the granted token publishes: {reply:?}");

    let revoked = server
        .get_json("js/token?uuid=ada&channel=js.tok&revoke=1")
        .await;
    let token = revoked["token"].as_str().unwrap();
    let reply = server
        .request(server.http.get(server.url(&publish_with(token))))
        .await;
    assert_eq!(reply.status, 403, "a revoked token is refused: {reply:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_context_through_the_objects_api() {
    let server = events_server().await;
    let answer = server.get_json("js/objects?uuid=ada").await;
    assert_eq!(
        answer,
        json!({"name": "Ada", "team": "js", "missing": 404, "channels": ["js.objects", "js.other"]})
    );
    let reply = server
        .request(server.http.get(server.url("/v2/objects/demo/uuids/ada")))
        .await;
    assert_eq!(
        reply.json()["data"]["name"],
        "Ada",
        "written through the same App Context as the REST API"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn message_actions_are_added_listed_and_removed() {
    let server = events_server().await;
    let answer = server.get_json("js/reactions?channel=reactions").await;
    let added = &answer["added"];
    assert_eq!(added["type"], "reaction");
    assert_eq!(added["value"], "👍");
    assert_eq!(added["uuid"], "pigdin-function-jsevents");
    assert_eq!(added["messageTimetoken"], answer["timetoken"]);
    assert!(
        answer["duplicate"]
            .as_str()
            .is_some_and(|e| e.contains("Action Already Added")),
        "{answer}"
    );
    assert_eq!(answer["first"], json!([["ann", "🎉"]]), "the newest first");
    assert_eq!(answer["more"], true);
    assert_eq!(answer["older"], json!([["pigdin-function-jsevents", "👍"]]));
    assert_eq!(answer["after"], json!(["ann"]));
    // The same store the REST API reads.
    let listed = server
        .request(
            server
                .http
                .get(server.url("/v1/message-actions/demo/channel/reactions")),
        )
        .await
        .json();
    assert_eq!(listed["data"][0]["uuid"], "ann");
}

#[tokio::test(flavor = "multi_thread")]
async fn vault_resolves_a_secret_and_rejects_a_missing_one() {
    let server =
        Server::start_with(Options::default().env("PIGDIN_VAULT__JSEVENTS__API_TOKEN", "s3cret"))
            .await;
    server.deploy(&js_module("events")).await;
    assert_eq!(
        server.get_json("js/secret?name=API_TOKEN").await,
        json!({"value": "s3cret"})
    );
    let reply = server.get("js/secret?name=NOPE").await;
    assert_eq!(reply.status, 404, "{reply:?}");
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("vault.get"),
        "{reply:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn xhr_calls_are_routed_to_loopback_with_xhr_route() {
    // The "third-party API" is another pigdin's On Request endpoint.
    let api = events_server().await;
    let server = Server::start_with(Options::default().arg("--xhr-route").arg(format!(
        "https://api.example.com={}",
        api.url("/v1/blocks/sub-key/demo/js")
    )))
    .await;
    server.deploy(&js_module("events")).await;
    let url = percent_encode("https://api.example.com/echo?via=route");
    let answer = server.get_json(&format!("js/fetch?url={url}")).await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["statusText"], "OK");
    assert!(
        answer["type"]
            .as_str()
            .unwrap()
            .starts_with("application/json"),
        "{answer}"
    );
    let echoed = &answer["body"];
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["path"], "/js/echo");
    assert_eq!(echoed["params"], json!({"via": "route"}));
    assert_eq!(
        echoed["body"], r#"{"hello":"world"}"#,
        "an object body is sent as JSON"
    );
    let log = super::logs(&server, "jsevents").await;
    assert!(log.contains("routed to"), "the reroute is logged: {log}");
}
