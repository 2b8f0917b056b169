//! Many idle long-poll subscribers: the server's added resident memory.
//!
//! Each subscriber has its own connection, channel and uuid (as an SDK
//! client would), completes the handshake and leaves a long-poll pending.
//! VmRSS of the server is read before any subscriber connects and once all
//! are held; then every channel gets one message, to prove each held
//! request was a live subscription.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};

use crate::http::Conn;
use crate::report::verdict;
use crate::server::{Server, status_kib};
use crate::wire;

/// Connections opened at once (stays under the listen backlog).
const CONNECT_CONCURRENCY: usize = 200;
/// Time for the server to settle once every long-poll is written.
const SETTLE: Duration = Duration::from_secs(3);
/// Publishers used to wake every subscriber at the end.
const WAKE_CONNECTIONS: usize = 16;
const TARGET_MIB: f64 = 200.0;

pub async fn run(server: &Server, subscribers: usize) -> anyhow::Result<()> {
    let address = server.address;
    warm_up(address).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = server.rss_kib()?;
    let fds_before = open_fds(server.pid());

    let woken = Arc::new(AtomicBool::new(false));
    let early = Arc::new(AtomicUsize::new(0));
    let delivered = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = futures::stream::iter(0..subscribers)
        .map(|i| {
            let (woken, early, delivered) = (woken.clone(), early.clone(), delivered.clone());
            async move {
                let mut conn = Conn::connect(address).await?;
                let (channel, uuid) = (format!("idle-{i}"), format!("idle-{i}"));
                let cursor = wire::handshake(&mut conn, &channel, &uuid).await?;
                conn.send(&wire::poll_path(&channel, cursor, &uuid)).await?;
                // Held from here on; answered only by the wake-up publish.
                anyhow::Ok(tokio::spawn(async move {
                    let answer = conn.response().await;
                    if !woken.load(Ordering::SeqCst) {
                        early.fetch_add(1, Ordering::SeqCst);
                    } else if let Ok((200, body)) = answer
                        && wire::parse_subscribe(&body).is_ok_and(|(_, m)| m.len() == 1)
                    {
                        delivered.fetch_add(1, Ordering::SeqCst);
                    }
                }))
            }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .try_collect()
        .await?;
    let opened_in = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    let after = server.rss_kib()?;
    let peak = status_kib(server.pid(), "VmHWM:")?;
    let fds_after = open_fds(server.pid());
    let early_count = early.load(Ordering::SeqCst);

    // Wake each subscriber with one message on its channel.
    woken.store(true, Ordering::SeqCst);
    futures::stream::iter(0..WAKE_CONNECTIONS)
        .map(|lane| async move {
            let mut conn = Conn::connect(address).await?;
            for i in (lane..subscribers).step_by(WAKE_CONNECTIONS) {
                let path = wire::publish_path(&format!("idle-{i}"), "\"wake\"", "store=0");
                wire::publish(&mut conn, &path).await?;
            }
            anyhow::Ok(())
        })
        .buffer_unordered(WAKE_CONNECTIONS)
        .try_collect::<()>()
        .await?;
    // Whoever has not been woken by then counts as not delivered.
    let _ = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks)).await;

    let added_mib = (after.saturating_sub(before)) as f64 / 1024.0;
    println!("## {subscribers} idle long-poll subscribers");
    println!(
        "opened in {:.1} s ({} at once); one connection, channel and uuid each",
        opened_in.as_secs_f64(),
        CONNECT_CONCURRENCY
    );
    println!(
        "server VmRSS before {:.1} MiB, with all held {:.1} MiB (VmHWM {:.1} MiB); open fds {fds_before} -> {fds_after}",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    println!(
        "answered before the wake-up (should be 0): {early_count}; woken with their message: {} of {subscribers}",
        delivered.load(Ordering::SeqCst)
    );
    println!(
        "added {added_mib:.1} MiB = {:.1} KiB per subscriber (target <= {TARGET_MIB} MiB: {})",
        (after.saturating_sub(before)) as f64 / subscribers as f64,
        verdict(added_mib <= TARGET_MIB && early_count == 0)
    );
    println!();
    Ok(())
}

/// One subscribe and publish round trip, so first-use allocations are in the baseline.
async fn warm_up(address: SocketAddr) -> anyhow::Result<()> {
    let mut subscriber = Conn::connect(address).await?;
    let cursor = wire::handshake(&mut subscriber, "idle-warm", "idle-warm").await?;
    subscriber
        .send(&wire::poll_path("idle-warm", cursor, "idle-warm"))
        .await?;
    let mut publisher = Conn::connect(address).await?;
    wire::publish(
        &mut publisher,
        &wire::publish_path("idle-warm", "\"warm\"", "store=0"),
    )
    .await?;
    subscriber.response().await?;
    Ok(())
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}
