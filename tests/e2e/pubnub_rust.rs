//! The official Rust SDK (crates.io `pubnub` 0.9) against `pigdin serve`:
//! its reqwest transport pointed at the local origin over plain http.

use futures::StreamExt;
use pubnub::subscribe::{ConnectionStatus, EventEmitter, EventSubscriber, SubscriptionParams};
use pubnub::transport::TransportReqwest;
use pubnub::{Keyset, PubNubClient, PubNubClientBuilder};
use serde_json::{Value, json};

use crate::support::{EVENTUALLY, SUB_KEY, Server};

/// An SDK client on `server`, as an application would configure one.
fn client(server: &Server, user_id: &str) -> PubNubClient {
    let mut transport = TransportReqwest::new();
    // The SDK's documented way to use another origin: a hostname with its scheme.
    transport.set_hostname(server.origin.clone());
    PubNubClientBuilder::with_transport(transport)
        .with_keyset(Keyset {
            subscribe_key: SUB_KEY,
            publish_key: Some("demo"),
            secret_key: None,
        })
        .with_user_id(user_id)
        .build()
        .expect("a PubNub client")
}

/// Waits for the next item of `stream`, for at most [`EVENTUALLY`].
async fn next<S: futures::Stream + Unpin>(stream: &mut S, what: &str) -> S::Item {
    tokio::time::timeout(EVENTUALLY, stream.next())
        .await
        .unwrap_or_else(|_| panic!("no {what} within {EVENTUALLY:?}"))
        .unwrap_or_else(|| panic!("the {what} stream ended"))
}

#[tokio::test]
async fn publish_and_subscribe_round_trip() {
    let server = Server::start().await;
    let channel = "rust-sdk.room";

    let subscriber = client(&server, "rust-subscriber");
    let mut status = subscriber.status_stream();
    let subscription = subscriber.subscription(SubscriptionParams {
        channels: Some(&[channel]),
        channel_groups: None,
        options: None,
    });
    let mut messages = subscription.messages_stream();
    subscription.subscribe();
    loop {
        match next(&mut status, "connection status").await {
            ConnectionStatus::Connected => break,
            ConnectionStatus::ConnectionError(error)
            | ConnectionStatus::DisconnectedUnexpectedly(error) => {
                panic!(
                    "the SDK could not connect: {error}; server said:\n{}",
                    server.output()
                )
            }
            _ => {}
        }
    }

    let publisher = client(&server, "rust-publisher");
    let published = publisher
        .publish_message(json!({ "text": "hello from rust" }))
        .channel(channel)
        .meta([("lang".to_owned(), "en".to_owned())].into())
        .execute()
        .await
        .expect("publish succeeds");
    assert_eq!(published.timetoken.len(), 17, "{published:?}");

    let message = next(&mut messages, "message").await;
    assert_eq!(message.channel, channel);
    assert_eq!(message.sender.as_deref(), Some("rust-publisher"));
    assert_eq!(message.timestamp.to_string(), published.timetoken);
    let data: Value = serde_json::from_slice(&message.data).expect("JSON payload");
    assert_eq!(data, json!({ "text": "hello from rust" }));
    assert_eq!(message.user_metadata, Some(json!({ "lang": "en" })));

    subscriber.unsubscribe_all();
}
