//! Network benchmarks against the real release `pigdin serve` (issue 3):
//!
//! - `latency`: publish → long-poll subscriber at a fixed rate (p50 ≤ 1 ms, p99 ≤ 5 ms at 1,000/s)
//! - `fanout`:  one message to 1,000 subscribers of one channel (≤ 50 ms to the last)
//! - `idle`:    10,000 idle long-poll subscribers (≤ 200 MiB RSS added to the server)
//!
//! ```text
//! cargo build --release -p pigdin -p pigdin-runtime --example bench_network
//! ulimit -n 20000; target/release/examples/bench_network [all|latency|fanout|idle] \
//!     [--rate 1000] [--seconds 10] [--warmup 1] [--fanout 1000] [--rounds 20] [--idle 10000]
//! ```
//!
//! `scripts/bench-network` does both. Each benchmark gets a fresh server
//! (`PIGDIN_BIN`, default `target/release/pigdin`) on 127.0.0.1:0 with a
//! temporary data directory. Requests are plain HTTP/1.1 over keep-alive
//! connections, the way SDKs send them.

mod fanout;
mod http;
mod idle;
mod latency;
mod report;
mod server;
mod wire;

use anyhow::{Context, bail};

use server::Server;

/// File descriptors the client needs beyond one per subscriber.
const SPARE_FDS: u64 = 200;

struct Args {
    which: String,
    rate: u32,
    seconds: u64,
    warmup: u64,
    fanout: usize,
    rounds: usize,
    idle: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        which: "all".into(),
        rate: 1000,
        seconds: 10,
        warmup: 1,
        fanout: 1000,
        rounds: 20,
        idle: 10_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--rate" => args.rate = value()?.parse()?,
            "--seconds" => args.seconds = value()?.parse()?,
            "--warmup" => args.warmup = value()?.parse()?,
            "--fanout" => args.fanout = value()?.parse()?,
            "--rounds" => args.rounds = value()?.parse()?,
            "--idle" => args.idle = value()?.parse()?,
            "all" | "latency" | "fanout" | "idle" => args.which = arg,
            other => bail!("unknown argument {other:?} (see the doc comment of main.rs)"),
        }
    }
    Ok(args)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let run = |name: &str| args.which == "all" || args.which == name;
    let single_thread = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    println!("# pigdin network benchmarks");
    println!("machine: {}", machine());
    println!();
    if run("latency") {
        let server = Server::start()?;
        let options = latency::Options {
            rate: args.rate,
            seconds: args.seconds,
            warmup_seconds: args.warmup,
        };
        latency::run(server.address, &options)?;
    }
    if run("fanout") {
        check_fd_limit(args.fanout)?;
        let server = Server::start()?;
        let options = fanout::Options {
            subscribers: args.fanout,
            rounds: args.rounds,
        };
        single_thread()?.block_on(fanout::run(server.address, &options))?;
    }
    if run("idle") {
        check_fd_limit(args.idle)?;
        let server = Server::start()?;
        single_thread()?.block_on(idle::run(&server, args.idle))?;
    }
    Ok(())
}

/// CPU model and count, kernel.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']))
        .unwrap_or("unknown CPU");
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpus} x {model}, Linux {}", kernel.trim())
}

/// Both this process and the server (which inherits the limit) hold one
/// socket per subscriber; the soft limit is raised by the shell (`ulimit -n`).
fn check_fd_limit(subscribers: usize) -> anyhow::Result<()> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    let soft: u64 = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    let needed = subscribers as u64 + SPARE_FDS;
    if soft < needed {
        bail!(
            "open-file limit {soft} < {needed}: run `ulimit -n {needed}` first (scripts/bench-network does)"
        );
    }
    Ok(())
}
