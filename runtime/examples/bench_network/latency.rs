//! Publish → long-poll subscriber latency at a fixed publish rate.
//!
//! One subscriber long-polls a channel; publishers send `{"s":seq,"us":t}` at
//! `rate` per second, `t` being microseconds since a shared start instant
//! taken just before the request is written. Latency is the subscriber's
//! clock when the answer carrying the message is read, minus `t`: it includes
//! re-issuing the long-poll, as a real subscriber must.
//!
//! Publisher and subscriber each run on their own thread and single-threaded
//! runtime, so neither delays the other's timestamps.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};

use crate::http::Conn;
use crate::report::{Percentiles, verdict};
use crate::wire;

const CHANNEL: &str = "latency";
/// Publishes ride this many keep-alive connections in turn, so one slow
/// answer (the publisher's reply waits for history to be durable) does not
/// hold back the schedule.
const PUBLISH_CONNECTIONS: usize = 8;
/// How long the subscriber waits for stragglers after the last publish.
const DRAIN: Duration = Duration::from_secs(5);

pub struct Options {
    pub rate: u32,
    pub seconds: u64,
    pub warmup_seconds: u64,
}

pub fn run(address: SocketAddr, options: &Options) -> anyhow::Result<()> {
    let total =
        usize::try_from(u64::from(options.rate) * (options.warmup_seconds + options.seconds))?;
    let warmup = usize::try_from(u64::from(options.rate) * options.warmup_seconds)?;
    let period = Duration::from_secs(1) / options.rate;
    let base = Instant::now();

    // Give up on missing messages this long after the last one is due.
    let deadline = base + period * total as u32 + DRAIN;
    // Handshake first, so the subscriber's cursor precedes every publish.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let subscriber = std::thread::spawn(move || {
        single_thread()?.block_on(subscribe(address, base, total, deadline, ready_tx))
    });
    ready_rx.recv().context("subscriber failed to start")?;
    let publisher = std::thread::spawn(move || {
        single_thread()?.block_on(publish(address, base, total, period))
    });

    let sent = publisher.join().expect("publisher thread")?;
    let received = subscriber.join().expect("subscriber thread")?;

    let mut latencies: Vec<u64> = received
        .iter()
        .filter(|(seq, _)| *seq >= warmup)
        .map(|&(_, us)| us)
        .collect();
    let measured = total - warmup;
    let lost = measured - latencies.len();
    let latency = Percentiles::of(&mut latencies);
    let mut publish_rtt: Vec<u64> = sent.rtt_us[warmup..].to_vec();
    let rtt = Percentiles::of(&mut publish_rtt);
    let rate = (total - 1) as f64 / sent.span.as_secs_f64();

    println!("## Publish -> long-poll subscriber latency");
    println!(
        "{measured} messages measured after {warmup} warm-up, published at {rate:.0}/s \
         (asked {}/s) over {PUBLISH_CONNECTIONS} keep-alive connections, 1 subscriber (uuid set), store on",
        options.rate
    );
    println!("latency   (us): {latency}");
    println!("publish RTT (us): {rtt}");
    println!("lost: {lost}");
    println!(
        "p50 {:.3} ms (target <= 1 ms: {}), p99 {:.3} ms (target <= 5 ms: {})",
        latency.p50 as f64 / 1000.0,
        verdict(lost == 0 && latency.p50 <= 1000),
        latency.p99 as f64 / 1000.0,
        verdict(lost == 0 && latency.p99 <= 5000),
    );
    println!();
    Ok(())
}

fn single_thread() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Returns `(seq, latency in µs)` of every message received.
async fn subscribe(
    address: SocketAddr,
    base: Instant,
    total: usize,
    deadline: Instant,
    ready: std::sync::mpsc::Sender<()>,
) -> anyhow::Result<Vec<(usize, u64)>> {
    let mut conn = Conn::connect(address).await?;
    let mut cursor = wire::handshake(&mut conn, CHANNEL, "latency-sub").await?;
    let _ = ready.send(());
    let mut received = Vec::with_capacity(total);
    let mut seen = vec![false; total];
    while received.len() < total {
        let poll = wire::poll_path(CHANNEL, cursor, "latency-sub");
        let answer = tokio::time::timeout_at(deadline.into(), conn.get(&poll)).await;
        let Ok(answer) = answer else {
            break; // the rest count as lost
        };
        let (status, body) = answer?;
        let now = base.elapsed().as_micros() as u64;
        ensure!(status == 200, "long-poll answered {status}");
        let (next, messages) = wire::parse_subscribe(&body)?;
        cursor = next;
        for message in messages {
            let seq = message["s"].as_u64().context("message without s")? as usize;
            let sent = message["us"].as_u64().context("message without us")?;
            if seq < total && !seen[seq] {
                seen[seq] = true;
                received.push((seq, now.saturating_sub(sent)));
            }
        }
    }
    Ok(received)
}

struct Sent {
    /// Publish round trip per sequence number, µs.
    rtt_us: Vec<u64>,
    /// From the first publish written to the last.
    span: Duration,
}

/// Sends `total` messages on a fixed schedule, `period` apart.
async fn publish(
    address: SocketAddr,
    base: Instant,
    total: usize,
    period: Duration,
) -> anyhow::Result<Sent> {
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::new();
    for lane in 0..PUBLISH_CONNECTIONS {
        let mut conn = Conn::connect(address).await?;
        tasks.push(tokio::spawn(async move {
            let mut rtts = Vec::new();
            let mut first_last = (u64::MAX, 0u64);
            for seq in (lane..total).step_by(PUBLISH_CONNECTIONS) {
                tokio::time::sleep_until(start + period * seq as u32).await;
                let sent = base.elapsed().as_micros() as u64;
                let message = format!(r#"{{"s":{seq},"us":{sent}}}"#);
                let path = wire::publish_path(CHANNEL, &message, "uuid=latency-pub");
                wire::publish(&mut conn, &path).await?;
                rtts.push((seq, base.elapsed().as_micros() as u64 - sent));
                first_last = (first_last.0.min(sent), first_last.1.max(sent));
            }
            anyhow::Ok((rtts, first_last))
        }));
    }
    let mut rtt_us = vec![0; total];
    let (mut first, mut last) = (u64::MAX, 0);
    for task in tasks {
        let (rtts, (a, b)) = task.await??;
        for (seq, rtt) in rtts {
            rtt_us[seq] = rtt;
        }
        first = first.min(a);
        last = last.max(b);
    }
    Ok(Sent {
        rtt_us,
        span: Duration::from_micros(last - first),
    })
}
