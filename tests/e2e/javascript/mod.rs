//! JavaScript functions, end to end: modules in `tests/js/` deployed with
//! `pigdin deploy` onto a real `pigdin serve`, run on the bundled JS engine.

mod deploy;
mod docs_examples;
mod events;
mod limits;
mod modules;

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{SUB_KEY, Server, eventually, percent_encode, repo_root};

/// `tests/js/{name}`: a JavaScript module directory.
pub fn js_module(name: &str) -> PathBuf {
    repo_root().join("tests/js").join(name)
}

/// A server with the `jsevents` module deployed.
pub async fn events_server() -> Server {
    let server = Server::start().await;
    let out = server.deploy(&js_module("events")).await;
    assert!(out.contains("deployed jsevents version"), "{out}");
    server
}

/// Publishes `message` (JSON) on `channel` over the REST API; the reply.
pub async fn publish(
    server: &Server,
    channel: &str,
    message: &Value,
    query: &str,
) -> crate::support::Reply {
    let path = format!(
        "/publish/demo/{SUB_KEY}/0/{}/0/{}?uuid=js-tester{query}",
        percent_encode(channel),
        percent_encode(&message.to_string())
    );
    server.request(server.http.get(server.url(&path))).await
}

/// The latest `count` messages of `channel` (v2 history, oldest first).
pub async fn history(server: &Server, channel: &str) -> Vec<Value> {
    let reply = server
        .request(server.http.get(server.url(&format!(
            "/v2/history/sub-key/{SUB_KEY}/channel/{}?count=100&include_meta=true&include_token=true",
            percent_encode(channel)
        ))))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()[0].as_array().cloned().unwrap_or_default()
}

/// A KV value the module wrote, read back through its own `kv` route.
pub async fn kv_value(server: &Server, key: &str) -> Value {
    server
        .get_json(&format!("js/kv?key={}", percent_encode(key)))
        .await["value"]
        .clone()
}

/// Waits until the module's KV `key` holds a non-null value; that value.
pub async fn eventually_kv(server: &Server, key: &str) -> Value {
    eventually(&format!("KV {key} to be written"), || async {
        let value = kv_value(server, key).await;
        (!value.is_null()).then_some(value)
    })
    .await
}

/// The module's log lines, as `pigdin logs` prints them.
pub async fn logs(server: &Server, module: &str) -> String {
    server.pigdin(&["logs", module]).await.ok()
}
