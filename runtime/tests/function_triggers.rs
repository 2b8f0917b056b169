//! The Before/After Publish trigger machinery through the in-process publish
//! path: binding, rewrite, abort, fire, failures, and the chaining cap.

mod support {
    pub mod guests;
    pub mod served;
}

use std::sync::Arc;
use std::time::Duration;

use pigdin_runtime::ops::{PublishError, PublishInput, Verb};
use pigdin_runtime::store::StoredMessage;
use pigdin_runtime::{Config, Runtime};
use serde_json::{Value, json};
use tokio::sync::broadcast;

async fn runtime_with(modules: &[(&str, &str)]) -> (tempfile::TempDir, Arc<Runtime>) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    let runtime = Runtime::start(config, &[]).await.unwrap();
    for (dir, crate_name) in modules {
        let (manifest, wasm) = support::guests::module(dir, crate_name);
        runtime
            .functions
            .deploy(&runtime, &manifest, &wasm, false)
            .await
            .unwrap_or_else(|e| panic!("deploy {dir}: {e}"));
    }
    (dir, runtime)
}

fn publish(channel: &str, message: Value) -> PublishInput {
    PublishInput {
        channel: channel.into(),
        message,
        meta: None,
        publisher: Some("tester".into()),
        verb: Verb::Publish,
        store: true,
        ttl_hours: None,
        params: Vec::new(),
        custom_message_type: None,
        hops: 0,
    }
}

async fn next_on(
    listener: &mut broadcast::Receiver<Arc<StoredMessage>>,
    channel: &str,
) -> Arc<StoredMessage> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let message = listener.recv().await.unwrap();
            if message.channel == channel {
                return message;
            }
        }
    })
    .await
    .expect("a delivery within 10 s")
}

/// Polls `read` until it returns `want`, for at most 10 s.
async fn eventually<T: PartialEq + std::fmt::Debug>(want: T, read: impl Fn() -> T) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = read();
        if got == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {got:?}, wanted {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn before_publish_rewrites_what_subscribers_and_history_get() {
    let (_dir, runtime) = runtime_with(&[("examples/filter", "filter")]).await;
    let mut listener = runtime.broker.listen();
    let tt = runtime
        .publish(publish("chat.lobby", json!({"text": "darn it"})))
        .await
        .unwrap();
    let delivered = next_on(&mut listener, "chat.lobby").await;
    assert_eq!(delivered.timetoken, tt);
    assert_eq!(
        delivered.message,
        json!({"text": "d**n it", "filtered": true})
    );
    assert_eq!(delivered.meta, Some(json!({"filtered_by": "filter"})));
    let stored = runtime.store.history.latest("chat.lobby", 10).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message, delivered.message);

    // Channels outside the binding pass untouched.
    runtime
        .publish(publish("lobby", json!({"text": "darn"})))
        .await
        .unwrap();
    assert_eq!(
        next_on(&mut listener, "lobby").await.message,
        json!({"text": "darn"})
    );

    // The After handler ran for the one chat message.
    let kv = runtime.store.kv.namespace("filter", 1000, 32000);
    eventually(1, || kv.get_counter("audited").unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn before_publish_abort_stops_delivery_and_storage() {
    let (_dir, runtime) = runtime_with(&[("examples/filter", "filter")]).await;
    let error = runtime
        .publish(publish("chat.lobby", json!({"text": "this is forbidden"})))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, PublishError::Aborted(reason) if reason == "message blocked: text contains \"forbidden\""),
        "{error:?}"
    );
    assert!(
        runtime
            .store
            .history
            .latest("chat.lobby", 10)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fire_reaches_functions_only() {
    let (_dir, runtime) = runtime_with(&[("examples/filter", "filter")]).await;
    let mut listener = runtime.broker.listen();
    let mut fire = publish("chat.lobby", json!({"text": "psst"}));
    fire.verb = Verb::Fire;
    runtime.publish(fire).await.unwrap();
    // A later publish arrives first: the fire was never delivered.
    runtime
        .publish(publish("chat.lobby", json!({"text": "hi"})))
        .await
        .unwrap();
    assert_eq!(
        next_on(&mut listener, "chat.lobby").await.message["text"],
        "hi"
    );
    assert_eq!(
        runtime
            .store
            .history
            .latest("chat.lobby", 10)
            .unwrap()
            .len(),
        1
    );
    // Both reached the After handler.
    let kv = runtime.store.kv.namespace("filter", 1000, 32000);
    eventually(2, || kv.get_counter("audited").unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trapping_before_handler_aborts_with_the_cause() {
    let (_dir, runtime) = runtime_with(&[("fixtures/faulty", "faulty")]).await;
    let error = runtime
        .publish(publish("faulty.trap", json!({"x": 1})))
        .await
        .unwrap_err();
    let PublishError::Aborted(reason) = error else {
        panic!("expected an abort, got {error:?}");
    };
    assert!(
        reason.starts_with("function faulty/trap-before failed"),
        "{reason}"
    );
    assert!(
        reason.contains("deliberate trap before publish"),
        "{reason}"
    );
    // The runtime keeps publishing elsewhere.
    runtime
        .publish(publish("elsewhere", json!(1)))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn chains_stop_after_three_hops() {
    let (_dir, runtime) = runtime_with(&[("examples/chain", "chain")]).await;
    let mut listener = runtime.broker.listen();
    runtime
        .publish(publish("chain.start", json!({"hop": 0})))
        .await
        .unwrap();
    // Hops 1..=3 are published by functions; the third hop's message is
    // delivered but runs no function, so nothing publishes hop 4.
    for hop in 1..=3 {
        assert_eq!(
            next_on(&mut listener, "chain.next").await.message,
            json!({"hop": hop})
        );
    }
    let kv = runtime.store.kv.namespace("chain", 1000, 32000);
    eventually(3, || kv.get_counter("hops-seen").unwrap()).await;
    // A fresh publish proves the pipeline is idle, then the count is still 3.
    runtime.publish(publish("quiet", json!(0))).await.unwrap();
    next_on(&mut listener, "quiet").await;
    assert_eq!(kv.get_counter("hops-seen").unwrap(), 3);
    assert!(listener.try_recv().is_err(), "no fourth hop");
}

#[tokio::test]
async fn a_rust_function_adds_lists_and_removes_message_actions_that_subscribers_see() {
    let pigdin = support::served::serve(|_| {}).await;
    let runtime = &pigdin.runtime;
    let (manifest, wasm) = support::guests::module("fixtures/reactions", "reactions");
    runtime
        .functions
        .deploy(runtime, &manifest, &wasm, false)
        .await
        .unwrap();
    let mut listener = runtime.broker.listen();
    let message = runtime.publish(publish("room", json!("hi"))).await.unwrap();
    next_on(&mut listener, "room").await;

    let url = format!(
        "{}/v1/blocks/sub-key/demo/react?channel=room&message={message}",
        pigdin.base
    );
    let response = pigdin.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["added"]["uuid"], "pigdin-function-reactions");
    assert_eq!(answer["added"]["messageTimetoken"], message.to_string());
    assert_eq!(answer["newest"][0]["uuid"], "ann", "{answer}");
    assert_eq!(answer["more"], true);
    assert_eq!(answer["older"][0]["value"], "+1");
    assert_eq!(answer["removed"], json!([true, false]));

    let mut events = Vec::new();
    for _ in 0..3 {
        let event = next_on(&mut listener, "room").await;
        assert_eq!(event.message_type, 3);
        events.push((
            event.message["event"].as_str().unwrap().to_owned(),
            event.message["data"]["value"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        events,
        [
            ("added".to_owned(), "+1".to_owned()),
            ("added".to_owned(), "eyes".to_owned()),
            ("removed".to_owned(), "+1".to_owned()),
        ]
    );
}
