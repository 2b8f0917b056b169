//! Every event kind and every result form of a JavaScript handler.

use serde_json::{Value, json};

use super::{events_server, eventually_kv, history, logs, publish};
use crate::support::{SUB_KEY, eventually, percent_encode};

/// The message history stored for the publish of `message` on `channel`.
async fn stored(server: &crate::support::Server, channel: &str, message: Value) -> Value {
    let reply = publish(server, channel, &message, "").await;
    assert_eq!(reply.status, 200, "publish {message}: {reply:?}");
    history(server, channel)
        .await
        .pop()
        .expect("a stored message")["message"]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn before_publish_results_rewrite_or_abort_as_hosted() {
    let server = events_server().await;
    assert_eq!(
        stored(&server, "js.plain", json!({"text": "hi"})).await,
        json!({"text": "hi", "seen": true})
    );
    assert_eq!(
        stored(&server, "js.undef", json!({"mode": "undefined"})).await,
        json!({"mode": "undefined", "touched": "undefined"}),
        "resolving with undefined passes the mutated message"
    );
    assert_eq!(
        stored(&server, "js.self", json!({"mode": "self"})).await,
        json!({"mode": "self", "touched": "self"}),
        "resolving with the request passes the mutated message"
    );
    assert_eq!(
        stored(&server, "js.replace", json!({"mode": "replace"})).await,
        json!({"replaced": true, "was": "replace"}),
        "request.ok(message) replaces the message"
    );
    let reassigned = stored(&server, "js.async", json!({"mode": "async"})).await;
    assert_eq!(reassigned["count"], 1, "{reassigned}");
    assert_eq!(reassigned["publisher"], "js-tester", "{reassigned}");
    assert_eq!(reassigned["channel"], "js.async", "{reassigned}");

    let meta = percent_encode(r#"{"from":"test"}"#);
    let reply = publish(
        &server,
        "js.meta",
        &json!({"mode": "meta"}),
        &format!("&meta={meta}"),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let entry = history(&server, "js.meta").await.pop().unwrap();
    assert_eq!(
        entry["meta"],
        json!({"from": "test", "checked": true}),
        "{entry}"
    );

    let reply = publish(&server, "js.abort", &json!({"mode": "abort"}), "").await;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(reply.json()["message"], "no thanks");
    assert!(
        history(&server, "js.abort").await.is_empty(),
        "an aborted message is not stored"
    );

    for (mode, cause) in [
        ("throw", "Error: boom in before"),
        ("reject", "Error: rejected in before"),
    ] {
        let channel = format!("js.{mode}");
        let reply = publish(&server, &channel, &json!({"mode": mode}), "").await;
        assert_eq!(reply.status, 403, "{reply:?}");
        assert_eq!(
            reply.json()["message"],
            format!("function jsevents/before failed: {cause}")
        );
        assert!(history(&server, &channel).await.is_empty());
    }
    let log = logs(&server, "jsevents").await;
    assert!(
        log.contains("before-publish failed: Error: boom in before"),
        "{log}"
    );
    assert!(
        log.contains("before.js:"),
        "the JS stack names the file and line: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_publish_work_that_was_not_awaited_still_finishes() {
    let server = events_server().await;
    let reply = publish(&server, "js.after", &json!({"text": "later"}), "").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let timetoken = reply.json()[2].as_str().unwrap().to_owned();
    let last = eventually_kv(&server, "after-last").await;
    assert_eq!(last["n"], 1, "{last}");
    assert_eq!(
        last["message"],
        json!({"text": "later", "seen": true}),
        "After sees what Before let through"
    );
    assert_eq!(last["timetoken"], timetoken);
}

#[tokio::test(flavor = "multi_thread")]
async fn signals_run_before_and_after_signal() {
    let server = events_server().await;
    let path = format!(
        "/signal/demo/{SUB_KEY}/0/js.sig/0/{}?uuid=s",
        percent_encode("\"wave\"")
    );
    let reply = server.request(server.http.get(server.url(&path))).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let seen = eventually_kv(&server, "last-signal").await;
    assert_eq!(seen, json!({"signal": "wave", "verb": "signal"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_presence_sees_the_join() {
    let server = events_server().await;
    let path =
        format!("/v2/presence/sub-key/{SUB_KEY}/channel/js.room/heartbeat?uuid=ada&heartbeat=60");
    let reply = server.request(server.http.get(server.url(&path))).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let event = eventually_kv(&server, "presence:ada").await;
    assert_eq!(
        event,
        json!({"action": "join", "occupancy": 1, "channel": "js.room"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn on_interval_ticks_and_can_be_run_by_hand() {
    let server = events_server().await;
    let out = server.pigdin(&["run", "jsevents", "tick"]).await.ok();
    assert!(out.contains("tick"), "{out}");
    let after_run = counter(&server, "ticks").await;
    assert!(after_run >= 1, "`pigdin run` ran the tick: {after_run}");
    eventually("the interval to tick by itself", || async {
        (counter(&server, "ticks").await > after_run).then_some(())
    })
    .await;
}

async fn counter(server: &crate::support::Server, key: &str) -> i64 {
    server.get_json(&format!("js/count?key={key}")).await["n"]
        .as_i64()
        .expect("a counter")
}

#[tokio::test(flavor = "multi_thread")]
async fn on_request_reads_the_request_and_shapes_the_response() {
    let server = events_server().await;
    let reply = server
        .request(
            server
                .http
                .post(server.block_url("js/echo?a=1&b=two"))
                .header("X-Agent", "tester")
                .body("raw body"),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply.content_type.starts_with("application/json"),
        "{reply:?}"
    );
    assert_eq!(
        reply.json(),
        json!({"method": "POST", "path": "/js/echo", "params": {"a": "1", "b": "two"}, "agent": "tester", "body": "raw body"})
    );

    let reply = server
        .request(
            server
                .http
                .post(server.block_url("js/json"))
                .body(r#"{"x":[1,2]}"#),
        )
        .await;
    assert_eq!(reply.json(), json!({"parsed": {"x": [1, 2]}}));
    let reply = server
        .request(server.http.post(server.block_url("js/json")).body("{nope"))
        .await;
    assert_eq!(
        reply.status, 400,
        "request.json() rejects on invalid JSON: {reply:?}"
    );
    assert_eq!(reply.json(), json!({"error": "bad json: SyntaxError"}));

    let reply = server.get("js/status").await;
    assert_eq!((reply.status, reply.body.as_str()), (201, "created"));
    let response = server
        .http
        .get(server.block_url("js/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-made-by"], "pigdin-js");

    for (route, cause) in [
        ("throw", "TypeError: thrown on purpose"),
        ("reject", "Error: rejected on purpose"),
    ] {
        let reply = server.get(&format!("js/{route}")).await;
        assert_eq!(reply.status, 500, "{reply:?}");
        assert_eq!(
            reply.error_message(),
            format!("function jsevents/api failed: {cause}")
        );
    }
    let log = logs(&server, "jsevents").await;
    assert!(
        log.contains("on-request failed: TypeError: thrown on purpose"),
        "{log}"
    );
    assert!(log.contains("api.js:"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn module_state_persists_on_a_warm_instance_and_resets_on_redeploy() {
    let server = events_server().await;
    let first = server.get_json("js/state").await;
    let second = server.get_json("js/state").await;
    assert_eq!(first["calls"], 1, "{first}");
    assert_eq!(
        second["calls"], 2,
        "top-level state survives on the warm instance: {second}"
    );
    assert_eq!(
        first["loadedAt"], second["loadedAt"],
        "top-level code ran once"
    );

    // A new version starts from fresh instances, even with the same files.
    let out = server.deploy(&super::js_module("events")).await;
    assert!(out.contains("deployed jsevents"), "{out}");
    server.pigdin(&["undeploy", "jsevents"]).await.ok();
    server.deploy(&super::js_module("events")).await;
    assert_eq!(server.get_json("js/state").await["calls"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn modern_javascript_runs() {
    let server = events_server().await;
    let features = server.get_json("js/features").await;
    assert_eq!(
        features,
        json!({
            "sum": 6, "all": 3, "optional": 42, "missing": "fallback", "regex": "a1b2c3",
            "date": "1970-01-01T00:00:00.000Z", "math": 9, "json": {"x": [1, {"y": null}]},
            "bigint": "18446744073709551616", "spread": ["a", "b", "c"], "klass": true
        })
    );
    assert_eq!(
        server.get_json("js/later").await,
        json!({"waited": true}),
        "setTimeout resolves"
    );
}
