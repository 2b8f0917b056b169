//! The hosted limits hold for JavaScript as for Rust: each overrun fails its
//! own execution with the limit named, and the next request is served.

use crate::support::{Server, percent_encode};

use super::js_module;

async fn failure(server: &Server, route: &str) -> String {
    let reply = server.get(&format!("limits/{route}")).await;
    assert_eq!(reply.status, 500, "{route}: {reply:?}");
    let message = reply.error_message();
    assert!(message.contains("jslimits/api"), "{message}");
    assert_eq!(
        server.get_ok("limits/ok").await,
        "fine",
        "served after {route}"
    );
    message
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_fail_the_execution_alone() {
    let server = Server::start().await;
    server.deploy(&js_module("limits")).await;
    assert_eq!(server.get_ok("limits/ok").await, "fine");

    let message = failure(&server, "spin").await;
    assert!(message.contains("wall time of 1000 ms"), "{message}");
    let message = failure(&server, "hog").await;
    assert!(message.contains("memory limit of 32 MiB"), "{message}");
    let message = failure(&server, "kv").await;
    assert!(
        message.contains("budget exceeded") && message.contains("KV"),
        "{message}"
    );
    let message = failure(&server, "publish").await;
    assert!(
        message.contains("budget exceeded") && message.contains("publish"),
        "{message}"
    );
    let health = percent_encode(&server.url("/health"));
    let message = failure(&server, &format!("xhr?url={health}")).await;
    assert!(
        message.contains("budget exceeded") && message.contains("xhr"),
        "{message}"
    );

    assert_eq!(
        server.get_ok("limits/deep?n=3000").await,
        "depth 3000",
        "deep recursion fits"
    );
    let message = failure(&server, "recurse").await;
    assert!(
        message.contains("ran out of stack"),
        "runaway recursion fails alone: {message}"
    );
}
