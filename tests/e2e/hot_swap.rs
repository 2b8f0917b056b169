//! Replacing a module under load: no request fails, and once the deploy has
//! returned every new request runs the new version.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use std::path::Path;

use crate::support::{Server, eventually, module_dir, repo_root};

const CLIENTS: usize = 8;
/// Requests each client makes once the deploy has returned.
const AFTER_SWAP: usize = 25;

/// What one request saw: whether it started after the deploy returned, its
/// status and its body.
type Seen = (bool, u16, String);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hot_swap_under_load_fails_no_request() {
    swap_under_load(
        &module_dir("fixtures/swap-a"),
        &module_dir("fixtures/swap-b"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hot_swap_of_javascript_under_load_fails_no_request() {
    let js = repo_root().join("tests/js");
    swap_under_load(&js.join("swap-a"), &js.join("swap-b")).await;
}

/// Deploys `a`, puts the server under load, deploys `b`: no request fails.
async fn swap_under_load(a: &Path, b: &Path) {
    let server = Server::start().await;
    server.deploy(a).await;
    assert_eq!(server.get_ok("version").await, "a");

    let swapped = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let http = server.http.clone();
            let url = server.block_url("version");
            let (swapped, answered) = (swapped.clone(), answered.clone());
            tokio::spawn(async move {
                let mut seen: Vec<Seen> = Vec::new();
                let mut after = 0;
                while after < AFTER_SWAP {
                    let started_after_swap = swapped.load(Ordering::SeqCst);
                    let (status, body) = match http.get(&url).send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let body = response
                                .text()
                                .await
                                .unwrap_or_else(|e| format!("<body failed: {e}>"));
                            (status, body)
                        }
                        Err(e) => (0, format!("<request failed: {e}>")),
                    };
                    answered.fetch_add(1, Ordering::SeqCst);
                    seen.push((started_after_swap, status, body));
                    if started_after_swap {
                        after += 1;
                    }
                }
                seen
            })
        })
        .collect();

    // Swap only once the load is on.
    eventually("the clients to get going", || async {
        (answered.load(Ordering::SeqCst) >= CLIENTS * 4).then_some(())
    })
    .await;
    let before_deploy = answered.load(Ordering::SeqCst);
    let out = server.deploy(b).await;
    assert!(out.contains("deployed swap version "), "{out}");
    let during = answered.load(Ordering::SeqCst);
    swapped.store(true, Ordering::SeqCst);
    assert!(
        during > before_deploy,
        "no request was answered while the deploy ran"
    );

    let (mut on_a, mut on_b, mut total) = (0, 0, 0);
    for client in clients {
        for (after_swap, status, body) in client.await.unwrap() {
            total += 1;
            assert_eq!(status, 200, "a request failed during the swap: {body}");
            match (after_swap, body.as_str()) {
                (true, "b") => {}
                (true, other) => panic!("a request after the deploy answered {other:?}"),
                (false, "a") => on_a += 1,
                (false, "b") => on_b += 1,
                (false, other) => panic!("unexpected answer {other:?}"),
            }
        }
    }
    assert!(total >= during + CLIENTS * AFTER_SWAP, "{total} < {during}");
    assert!(
        on_a >= CLIENTS * 4,
        "too few requests on a: {on_a} (b: {on_b})"
    );
    assert_eq!(server.get_ok("version").await, "b");
    let module = server.module("swap").await.expect("swap deployed");
    assert_eq!(module["bundled"], false);
}
