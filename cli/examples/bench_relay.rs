//! Issue 4's figure: a Webex message, from the simulated person speaking to
//! its arrival at a long-poll subscriber of `webex.{userId}.*`, through the
//! real `pigdin serve --webex-sim` (simulator → signed webhook → relay On
//! Request → fire → `inbound` After handler → GET /messages → publish).
//!
//! The clock starts just before `POST /_sim/say`: the simulator dispatches the
//! webhook from inside that handler and exposes no delivery timestamps, so
//! "say sent" is the last observable instant before the delivery and the
//! figure is an upper bound on "webhook delivered → subscriber" (the say
//! round trip is reported too, to show how much it can account for).
//!
//! Baseline, interleaved sample by sample on the same server: a plain publish
//! on a channel no function is bound to, to another long-poll subscriber.
//!
//! ```text
//! cargo build --release -p pigdin --example bench_relay
//! target/release/examples/bench_relay [--pigdin PATH] [--samples N] [--warmup N] [--gap-ms MS]
//! ```
//!
//! Everything is on 127.0.0.1; the server and its data directory go on exit.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use pigdin_runtime::api::params::percent_encode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// How long one message may take before the run is declared broken.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(10);
/// The keyset `serve` runs on by default.
const KEY: &str = "demo";

struct Config {
    pigdin: PathBuf,
    samples: usize,
    warmup: usize,
    gap: Duration,
}

#[tokio::main]
async fn main() -> Result<()> {
    let config = config()?;
    let server = Serve::start(&config.pigdin)?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;

    // The user, set up as a Pigdin user would: tokens minted by the simulator,
    // then `pigdin create-user` (which registers the relay's webhook).
    let state: Value = http
        .get(format!("{}/_sim/state", server.sim))
        .send()
        .await?
        .json()
        .await?;
    let user_id = state["people"]
        .as_array()
        .and_then(|people| people.iter().find(|p| p["emails"][0] == "pat@example.com"))
        .and_then(|p| p["id"].as_str())
        .context("no seeded pat@example.com in the simulator")?
        .to_owned();
    let mut info: Value = http
        .post(format!("{}/_sim/tokens", server.sim))
        .json(&json!({ "personId": user_id }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    info["platform"] = json!("webex");
    info["userId"] = json!(user_id);
    let info_path = server.data.path().join("user-info.json");
    std::fs::write(&info_path, info.to_string())?;
    let setup = Command::new(&config.pigdin)
        .arg("create-user")
        .arg(&info_path)
        .arg("--origin")
        .arg(&server.origin)
        .output()?;
    if !setup.status.success() {
        bail!(
            "pigdin create-user failed: {}",
            String::from_utf8_lossy(&setup.stderr)
        );
    }

    let relay_channel = format!("webex.{user_id}.*");
    let baseline_channel = "bench-baseline";
    let mut relay_rx = subscribe(&server.origin, &relay_channel).await?;
    let mut baseline_rx = subscribe(&server.origin, baseline_channel).await?;

    let (mut relay, mut baseline, mut say_rtt) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..config.warmup + config.samples {
        let counted = i >= config.warmup;

        // Relay: alice speaks in the Design room, which pat is a member of.
        let tag = format!("relay {i}");
        let start = Instant::now();
        http.post(format!("{}/_sim/say", server.sim))
            .json(&json!({ "roomId": "Design", "as": "alice", "text": tag }))
            .send()
            .await?
            .error_for_status()?;
        let said = Instant::now();
        let arrived = arrival(&mut relay_rx, &tag).await?;
        if counted {
            relay.push(arrived - start);
            say_rtt.push(said - start);
        }
        tokio::time::sleep(config.gap).await;

        // Baseline: the same kind of message published straight to a subscriber.
        let tag = format!("baseline {i}");
        let message = json!({ "text": tag }).to_string();
        let url = format!(
            "{}/publish/{KEY}/{KEY}/0/{baseline_channel}/0/{}?uuid=bench",
            server.origin,
            percent_encode(&message)
        );
        let start = Instant::now();
        http.get(url).send().await?.error_for_status()?;
        let arrived = arrival(&mut baseline_rx, &tag).await?;
        if counted {
            baseline.push(arrived - start);
        }
        tokio::time::sleep(config.gap).await;
    }

    report(&config, &relay, &baseline, &say_rtt);
    drop(server);
    Ok(())
}

fn config() -> Result<Config> {
    // Next to this example by default: target/release/{examples/bench_relay, pigdin}.
    let exe = std::env::current_exe()?;
    let mut config = Config {
        pigdin: exe
            .parent()
            .and_then(Path::parent)
            .context("no target directory")?
            .join("pigdin"),
        samples: 300,
        warmup: 20,
        gap: Duration::from_millis(10),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--pigdin" => config.pigdin = value.into(),
            "--samples" => config.samples = value.parse()?,
            "--warmup" => config.warmup = value.parse()?,
            "--gap-ms" => config.gap = Duration::from_millis(value.parse()?),
            _ => bail!("unknown argument {flag}"),
        }
    }
    Ok(config)
}

/// A running `pigdin serve --webex-sim` on free loopback ports; killed on drop.
struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT` of the runtime.
    origin: String,
    /// `http://127.0.0.1:PORT` of the simulator (control API under `/_sim`).
    sim: String,
    data: tempfile::TempDir,
}

impl Serve {
    fn start(pigdin: &Path) -> Result<Self> {
        let data = tempfile::tempdir()?;
        let mut command = Command::new(pigdin);
        command
            .args(["serve", "--webex-sim"])
            .args([
                "--listen",
                "127.0.0.1:0",
                "--webex-sim-listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(data.path().join("data"))
            // Keeps the relay's token key out of the user's ~/.config.
            .arg("--relay-key-file")
            .arg(data.path().join("relay.key"))
            .env("PIGDIN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot run {}", pigdin.display()))?;
        // Both addresses are printed on stdout before the server is ready.
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let (mut origin, mut sim) = (None, None);
        while origin.is_none() || sim.is_none() {
            let Some(line) = lines.next().transpose()? else {
                bail!("pigdin serve exited before it was ready");
            };
            if let Some(rest) = line.strip_prefix("pigdin listening on ") {
                origin = Some(rest.trim().to_owned());
            } else if let Some(rest) = line.strip_prefix("webex simulator listening on ") {
                sim = Some(rest.trim().trim_end_matches("/v1").to_owned());
            }
        }
        // Keep draining so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self {
            child,
            origin: origin.unwrap(),
            sim: sim.unwrap(),
            data,
        })
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A long-poll subscriber, as the SDKs subscribe: the handshake (`tt=0`) is done
/// before this returns; then each message's payload is sent with the instant
/// its response was read.
async fn subscribe(
    origin: &str,
    channel: &str,
) -> Result<mpsc::UnboundedReceiver<(Instant, Value)>> {
    let http = reqwest::Client::new();
    let base = format!(
        "{origin}/v2/subscribe/{KEY}/{}/0?uuid=bench-subscriber",
        percent_encode(channel)
    );
    let handshake: Value = http
        .get(format!("{base}&tt=0"))
        .send()
        .await?
        .json()
        .await?;
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut cursor = handshake["t"].clone();
        loop {
            let url = format!(
                "{base}&tt={}&tr={}",
                cursor["t"].as_str().unwrap_or("0"),
                cursor["r"]
            );
            let Ok(response) = http.get(url).send().await else {
                continue;
            };
            let Ok(body) = response.json::<Value>().await else {
                continue;
            };
            let now = Instant::now();
            cursor = body["t"].clone();
            // App Context events (`e: 2`) reach channel subscribers too.
            for message in body["m"].as_array().into_iter().flatten() {
                if message["e"] != 2 && tx.send((now, message["d"].clone())).is_err() {
                    return;
                }
            }
        }
    });
    Ok(rx)
}

/// When the message whose `text` is `tag` arrived (earlier ones are skipped).
async fn arrival(rx: &mut mpsc::UnboundedReceiver<(Instant, Value)>, tag: &str) -> Result<Instant> {
    let deadline = tokio::time::Instant::now() + MESSAGE_TIMEOUT;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((at, message))) if message["text"] == tag => return Ok(at),
            Ok(Some(_)) => continue,
            Ok(None) => bail!("subscriber stopped"),
            Err(_) => bail!("{tag:?} did not arrive within {MESSAGE_TIMEOUT:?}"),
        }
    }
}

/// Nearest-rank percentile in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn report(config: &Config, relay: &[Duration], baseline: &[Duration], say_rtt: &[Duration]) {
    let line = |name: &str, samples: &[Duration]| {
        let mut sorted = samples.to_vec();
        sorted.sort();
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            percentile(&sorted, 50.0),
            percentile(&sorted, 90.0),
            percentile(&sorted, 99.0),
            sorted.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        );
        percentile(&sorted, 50.0)
    };
    println!(
        "{} samples each (after {} warm-up), interleaved, {} ms apart\n",
        config.samples,
        config.warmup,
        config.gap.as_millis()
    );
    println!("| path | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    let relay_p50 = line("say → webhook → relay → subscriber", relay);
    let baseline_p50 = line("baseline: publish → subscriber", baseline);
    line("(say round trip, included above)", say_rtt);
    println!(
        "\nrelay / baseline at p50: {:.1}×; figure p50 ≤ 10 ms: {}",
        relay_p50 / baseline_p50,
        if relay_p50 <= 10.0 { "met" } else { "MISSED" }
    );
}
