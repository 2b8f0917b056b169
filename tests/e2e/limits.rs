//! Failure modes with the `faulty` fixture: each misbehaving execution fails
//! alone with a 500 naming the function and the cause, is logged, and the
//! server keeps serving everything else.

use std::time::{Duration, Instant};

use crate::support::{Server, module_dir, percent_encode};

async fn faulty_server() -> Server {
    let server = Server::start().await;
    server.deploy(&module_dir("fixtures/faulty")).await;
    server
}

/// The server still serves the bundled counter and the faulty module's `ok`.
async fn assert_healthy(server: &Server) {
    let count = server.get_json("counter").await["count"].as_i64();
    assert!(count.is_some_and(|n| n >= 1), "counter: {count:?}");
    assert_eq!(server.get_ok("ok").await, "fine");
}

/// `GET path` must fail with a 500 JSON error naming `faulty/{function}`; its message.
async fn failure(server: &Server, path: &str, function: &str) -> String {
    let reply = server.get(path).await;
    assert_eq!(reply.status, 500, "GET {path}: {reply:?}");
    let message = reply.error_message();
    assert!(
        message.contains(&format!("faulty/{function}")),
        "message does not name the function: {message}"
    );
    message
}

#[tokio::test(flavor = "multi_thread")]
async fn each_failure_mode_fails_its_execution_only() {
    let server = faulty_server().await;
    assert_healthy(&server).await;

    let message = failure(&server, "hog", "hog").await;
    assert!(message.contains("memory limit"), "{message}");
    assert_healthy(&server).await;

    let message = failure(&server, "trap", "trap").await;
    assert!(message.contains("deliberate trap"), "{message}");
    assert_healthy(&server).await;

    let health = percent_encode(&server.url("/health"));
    let message = failure(&server, &format!("xhr-flood?url={health}"), "xhr-flood").await;
    assert!(
        message.contains("budget exceeded") && message.contains("xhr"),
        "{message}"
    );
    assert_healthy(&server).await;

    let message = failure(&server, "kv-flood", "kv-flood").await;
    assert!(
        message.contains("budget exceeded") && message.contains("KV"),
        "{message}"
    );
    assert_healthy(&server).await;

    let message = failure(&server, "publish-flood", "publish-flood").await;
    assert!(
        message.contains("budget exceeded") && message.contains("publishes"),
        "{message}"
    );
    assert_healthy(&server).await;

    // Each failure is in the module's log, naming function and cause.
    let logs = server.pigdin(&["logs", "faulty"]).await.ok();
    for (function, cause) in [
        ("hog", "memory limit"),
        ("trap", "deliberate trap"),
        ("xhr-flood", "xhr calls"),
        ("kv-flood", "KV calls"),
        ("publish-flood", "publishes"),
    ] {
        assert!(
            logs.lines().any(|l| l.contains("ERROR")
                && l.contains(&format!("faulty/{function}:"))
                && l.contains(cause)),
            "no log line for faulty/{function} naming {cause:?}:\n{logs}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_loop_is_stopped_at_its_wall_time_without_blocking_others() {
    let server = faulty_server().await;
    let looping = {
        let http = server.http.clone();
        let url = server.block_url("loop");
        tokio::spawn(async move {
            let started = Instant::now();
            let response = http.get(url).send().await.expect("loop request");
            let status = response.status().as_u16();
            let body = response.text().await.expect("loop body");
            (status, body, started.elapsed())
        })
    };
    // Give the loop a head start (not an assertion: the checks below hold either way
    // unless the loop was already over, which `is_finished` reports).
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Other requests are answered while the guest spins.
    for _ in 0..3 {
        let answered = tokio::time::timeout(Duration::from_secs(5), assert_healthy(&server)).await;
        assert!(answered.is_ok(), "a request stalled behind the loop");
    }
    assert!(
        !looping.is_finished(),
        "the loop ended before the other requests were answered"
    );

    let (status, body, elapsed) = looping.await.unwrap();
    assert_eq!(status, 500, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON error body");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("faulty/loop") && message.contains("wall time"),
        "{message}"
    );
    assert!(
        elapsed >= Duration::from_millis(1900),
        "stopped before its 2 s wall time: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(30),
        "not stopped near its wall time: {elapsed:?}"
    );
    assert_healthy(&server).await;

    let logs = server.pigdin(&["logs", "faulty"]).await.ok();
    assert!(
        logs.lines()
            .any(|l| l.contains("faulty/loop:") && l.contains("wall time of 2000 ms")),
        "{logs}"
    );
}
