//! One message to many long-poll subscribers of one channel: the time from
//! writing the publish to the last subscriber having read the message.
//!
//! Each round every subscriber re-issues its long-poll, the requests settle,
//! then one publish goes out. The client runs on one thread, so reading the
//! 1,000 answers is part of what is timed (as it would be on any loopback
//! test on this machine).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use futures::{StreamExt, TryStreamExt};

use crate::http::Conn;
use crate::report::{Percentiles, verdict};
use crate::wire::{self, Cursor};

const CHANNEL: &str = "fanout";
/// Connections opened at once while subscribing (stays under the listen backlog).
const CONNECT_CONCURRENCY: usize = 100;
/// Time for every re-issued long-poll to reach the server before publishing.
const SETTLE: Duration = Duration::from_millis(500);

pub struct Options {
    pub subscribers: usize,
    pub rounds: usize,
}

struct Subscriber {
    conn: Conn,
    cursor: Cursor,
    uuid: String,
}

pub async fn run(address: SocketAddr, options: &Options) -> anyhow::Result<()> {
    let mut subscribers: Vec<Subscriber> = futures::stream::iter(0..options.subscribers)
        .map(|i| async move {
            let mut conn = Conn::connect(address).await?;
            let uuid = format!("fan-{i}");
            let cursor = wire::handshake(&mut conn, CHANNEL, &uuid).await?;
            anyhow::Ok(Subscriber { conn, cursor, uuid })
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .try_collect()
        .await?;
    let mut publisher = Conn::connect(address).await?;

    let mut last = Vec::new();
    let mut median = Vec::new();
    println!(
        "## Fan-out to {} subscribers of one channel",
        options.subscribers
    );
    // Round 0 warms up and is not counted.
    for round in 0..=options.rounds {
        let tasks: Vec<_> = subscribers
            .into_iter()
            .map(|mut s| {
                tokio::spawn(async move {
                    s.conn
                        .send(&wire::poll_path(CHANNEL, s.cursor, &s.uuid))
                        .await?;
                    let (status, body) = s.conn.response().await?;
                    let at = Instant::now();
                    ensure!(status == 200, "long-poll answered {status}");
                    let (cursor, messages) = wire::parse_subscribe(&body)?;
                    ensure!(
                        messages.iter().any(|m| m["round"] == round),
                        "round {round}: got {messages:?}"
                    );
                    s.cursor = cursor;
                    anyhow::Ok((s, at))
                })
            })
            .collect();
        tokio::time::sleep(SETTLE).await;
        let start = Instant::now();
        let path = wire::publish_path(CHANNEL, &format!(r#"{{"round":{round}}}"#), "uuid=fan-pub");
        wire::publish(&mut publisher, &path).await?;
        let publish_rtt = start.elapsed();
        subscribers = Vec::with_capacity(tasks.len());
        let mut times = Vec::with_capacity(tasks.len());
        for task in tasks {
            let (s, at) = task.await.context("subscriber task")??;
            subscribers.push(s);
            times.push(at.duration_since(start).as_micros() as u64);
        }
        let p = Percentiles::of(&mut times);
        println!(
            "round {round}{}: first {} us, median {} us, last {} us; publish answered in {} us",
            if round == 0 { " (warm-up)" } else { "" },
            times[0],
            p.p50,
            p.max,
            publish_rtt.as_micros()
        );
        if round > 0 {
            last.push(p.max);
            median.push(p.p50);
        }
    }
    let last = Percentiles::of(&mut last);
    let median = Percentiles::of(&mut median);
    println!("last subscriber (us) over rounds: {last}");
    println!("median subscriber (us) over rounds: {median}");
    println!(
        "last subscriber: median round {:.1} ms (target <= 50 ms: {}), worst round {:.1} ms ({})",
        last.p50 as f64 / 1000.0,
        verdict(last.p50 <= 50_000),
        last.max as f64 / 1000.0,
        verdict(last.max <= 50_000),
    );
    println!();
    Ok(())
}
