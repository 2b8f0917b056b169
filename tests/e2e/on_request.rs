//! `serve` with its bundled `counter` module, and On Request routing.

use crate::support::Server;

#[tokio::test(flavor = "multi_thread")]
async fn serve_answers_with_the_bundled_counter() {
    let server = Server::start().await;
    for expected in 1..=3 {
        let body = server.get_json("counter").await;
        assert_eq!(body, serde_json::json!({ "count": expected }));
    }

    let listing = server.pigdin(&["functions"]).await.ok();
    assert!(listing.contains("counter version "), "{listing}");
    assert!(listing.contains("(bundled)"), "{listing}");
    for binding in ["path /counter", "path /kv"] {
        assert!(listing.contains(binding), "no {binding} in:\n{listing}");
    }

    // Any method reaches the function.
    let reply = server
        .request(server.http.post(server.block_url("counter")).body("{}"))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["count"], 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_and_wrong_keys_are_refused_with_json_errors() {
    let server = Server::start().await;

    let reply = server.get("no-such-path").await;
    assert_eq!(reply.status, 404, "{reply:?}");
    let message = reply.error_message();
    assert!(
        message.contains("no On Request function") && message.contains("/no-such-path"),
        "{message}"
    );

    let reply = server
        .request(
            server
                .http
                .get(server.url("/v1/blocks/sub-key/not-demo/counter")),
        )
        .await;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert!(reply.error_message().contains("Subscribe Key"), "{reply:?}");

    // Neither refusal ran the counter.
    assert_eq!(server.get_json("counter").await["count"], 1);
}
