//! KV through the bundled `counter` module's `kv` tool: set/get, keys by
//! prefix, durability across a restart and a `kill -9`, and TTL expiry.

use serde_json::{Value, json};

use crate::support::{Options, Server, eventually, percent_encode};

async fn kv(server: &Server, query: &str) -> Value {
    server.get_json(&format!("kv?{query}")).await
}

async fn set(server: &Server, key: &str, value: &str, extra: &str) {
    let body = kv(
        server,
        &format!("op=set&key={key}&value={}{extra}", percent_encode(value)),
    )
    .await;
    assert_eq!(body, json!({ "ok": true }), "set {key}");
}

async fn get(server: &Server, key: &str) -> Value {
    kv(server, &format!("op=get&key={key}")).await["value"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn kv_values_are_stored_listed_and_survive_restart_and_kill9() {
    let mut server = Server::start().await;

    assert_eq!(get(&server, "greeting").await, Value::Null);
    set(&server, "greeting", r#""hi""#, "").await;
    set(&server, "user:alice", r#"{"name":"Alice","n":[1,2]}"#, "").await;
    set(&server, "user:bob", "42", "").await;
    set(&server, "other", "true", "").await;
    assert_eq!(get(&server, "greeting").await, json!("hi"));
    assert_eq!(
        get(&server, "user:alice").await,
        json!({ "name": "Alice", "n": [1, 2] })
    );
    assert_eq!(
        kv(&server, "op=keys&prefix=user:").await,
        json!({ "keys": ["user:alice", "user:bob"] })
    );
    assert_eq!(kv(&server, "op=incr&key=hits&value=5").await["count"], 5);

    // Bad parameters are the tool's own 400, not a failed execution.
    let reply = server.get("kv?op=set&key=k&value=not-json").await;
    assert_eq!(reply.status, 400, "{reply:?}");

    server.restart().await;
    assert_eq!(get(&server, "greeting").await, json!("hi"));
    assert_eq!(
        kv(&server, "op=keys&prefix=user").await,
        json!({ "keys": ["user:alice", "user:bob"] })
    );
    assert_eq!(kv(&server, "op=incr&key=hits").await["count"], 6);

    // Acknowledged means durable: SIGKILL right after the answer loses nothing.
    set(&server, "last-words", r#""written""#, "").await;
    assert_eq!(kv(&server, "op=incr&key=hits").await["count"], 7);
    let reply = server.get("kv?op=remove&key=other").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    server.kill9_restart().await;
    assert_eq!(get(&server, "last-words").await, json!("written"));
    assert_eq!(get(&server, "other").await, Value::Null);
    assert_eq!(kv(&server, "op=incr&key=hits&value=0").await["count"], 7);
    assert_eq!(server.get_json("counter").await["count"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn kv_values_expire_after_their_ttl() {
    // One TTL minute lasts one second here.
    let server = Server::start_with(Options::default().arg("--kv-minute-ms").arg("1000")).await;

    set(&server, "fleeting", r#""soon gone""#, "&ttl=1").await;
    set(&server, "lasting", r#""stays""#, "").await;
    assert_eq!(get(&server, "fleeting").await, json!("soon gone"));
    assert_eq!(
        kv(&server, "op=keys").await,
        json!({ "keys": ["fleeting", "lasting"] })
    );

    eventually("the TTL value to expire", || async {
        get(&server, "fleeting").await.is_null().then_some(())
    })
    .await;
    assert_eq!(kv(&server, "op=keys").await, json!({ "keys": ["lasting"] }));
    assert_eq!(get(&server, "lasting").await, json!("stays"));

    // Setting it again brings it back, with a fresh TTL.
    set(&server, "fleeting", "2", "&ttl=1").await;
    assert_eq!(get(&server, "fleeting").await, json!(2));
}

/// `pigdin kv` reads and edits the same store the module's functions see.
#[tokio::test(flavor = "multi_thread")]
async fn pigdin_kv_lists_gets_sets_and_deletes_what_functions_see() {
    let server = Server::start().await;
    set(&server, "user:alice", r#"{"name":"Alice"}"#, "").await;

    // Written by the CLI, read by the function.
    server
        .pigdin(&["kv", "counter", "set", "user:bob", r#"{"name":"Bob"}"#])
        .await
        .ok();
    server
        .pigdin(&["kv", "counter", "set", "note", "plain text", "--ttl", "5"])
        .await
        .ok();
    assert_eq!(get(&server, "user:bob").await, json!({ "name": "Bob" }));
    assert_eq!(get(&server, "note").await, json!("plain text"));

    // Written by the function, read by the CLI.
    let listed = server
        .pigdin(&["kv", "counter", "list", "--prefix", "user:"])
        .await
        .ok();
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        ["user:alice", "user:bob"]
    );
    let value = server
        .pigdin(&["kv", "counter", "get", "user:alice"])
        .await
        .ok();
    assert_eq!(
        serde_json::from_str::<Value>(&value).unwrap(),
        json!({ "name": "Alice" })
    );

    server
        .pigdin(&["kv", "counter", "delete", "user:alice"])
        .await
        .ok();
    assert_eq!(get(&server, "user:alice").await, Value::Null);
    let missing = server
        .pigdin(&["kv", "counter", "get", "user:alice"])
        .await
        .fails();
    assert!(
        missing.contains("has no KV key \"user:alice\""),
        "{missing}"
    );
    let no_module = server.pigdin(&["kv", "nomod", "list"]).await.fails();
    assert!(
        no_module.contains("no module named \"nomod\""),
        "{no_module}"
    );
}
