//! `pigdin webex-sim`: the simulator started alone through the binary, driven with
//! its subcommands (`say`, `messages`, `people`, `rooms`, `add-person`, `add-room`);
//! and `pigdin serve --webex-sim` starting it beside the runtime.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{Options, Output, PIGDIN, Server, eventually};

const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A `pigdin webex-sim` process, killed on drop.
struct SimProcess {
    _child: Child,
    /// `http://127.0.0.1:PORT/v1`, from its ready line.
    url: String,
}

impl SimProcess {
    async fn start() -> Self {
        let mut child = Command::new(PIGDIN)
            .args(["webex-sim", "--listen", "127.0.0.1:0"])
            .env_remove("PIGDIN_WEBEX_SIM_LISTEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn pigdin webex-sim");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let url = tokio::time::timeout(READY_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(url) = line.strip_prefix("webex simulator listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("pigdin webex-sim exited before its ready line");
        })
        .await
        .expect("pigdin webex-sim ready in time");
        // Keep draining stdout so the simulator never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { _child: child, url }
    }

    /// `pigdin webex-sim ARGS --sim-url URL`.
    async fn run(&self, args: &[&str]) -> Output {
        run_against(&self.url, args).await
    }

    /// `pigdin webex-sim ARGS --json`, which must succeed; its JSON.
    async fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.run(&args).await.ok();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

async fn run_against(sim_url: &str, args: &[&str]) -> Output {
    let output = Command::new(PIGDIN)
        .arg("webex-sim")
        .args(args)
        .args(["--sim-url", sim_url])
        .env_remove("PIGDIN_WEBEX_SIM_URL")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run pigdin webex-sim");
    Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test]
async fn say_and_read_back_through_the_cli() {
    let sim = SimProcess::start().await;
    assert!(
        sim.url.starts_with("http://127.0.0.1:") && sim.url.ends_with("/v1"),
        "{}",
        sim.url
    );

    let said = sim
        .run(&[
            "say",
            "--room",
            "Design",
            "--as",
            "alice",
            "hello from alice",
        ])
        .await
        .ok();
    assert!(said.contains("alice@example.com said"), "{said}");

    let messages = sim.json(&["messages", "--room", "design"]).await;
    let items = messages.as_array().unwrap();
    assert_eq!(items.len(), 1, "{messages}");
    assert_eq!(items[0]["text"], "hello from alice");
    assert_eq!(items[0]["personEmail"], "alice@example.com");
    assert_eq!(items[0]["roomType"], "group");
    let listed = sim.run(&["messages", "--room", "Design"]).await.ok();
    assert!(
        listed.contains("alice@example.com: hello from alice"),
        "{listed}"
    );

    let people = sim.run(&["people"]).await.ok();
    for name in ["Pat Pigdin", "Alice Andersen", "Bob Brown", "Carol Chen"] {
        assert!(people.contains(name), "{name} missing: {people}");
    }
    let rooms = sim.run(&["rooms"]).await.ok();
    assert!(
        rooms.contains("Design") && rooms.contains("Alice Andersen, Bob Brown"),
        "{rooms}"
    );
}

#[tokio::test]
async fn add_people_and_rooms_then_speak_in_them() {
    let sim = SimProcess::start().await;
    let dave = sim
        .json(&[
            "add-person",
            "--name",
            "Dave Diaz",
            "--email",
            "dave@example.com",
        ])
        .await;
    assert_eq!(dave["displayName"], "Dave Diaz");
    let room = sim
        .json(&[
            "add-room",
            "--title",
            "Ops",
            "--member",
            "dave",
            "--member",
            "pat@example.com",
        ])
        .await;
    assert_eq!(room["members"].as_array().unwrap().len(), 2);
    let room_id = room["id"].as_str().unwrap();

    sim.run(&[
        "say",
        "--room",
        room_id,
        "--as",
        "Dave Diaz",
        "--markdown",
        "**on call**",
    ])
    .await
    .ok();
    let messages = sim.json(&["messages", "--room", "Ops"]).await;
    assert_eq!(messages[0]["text"], "on call");
    assert_eq!(messages[0]["html"], "<p><strong>on call</strong></p>");

    // Clear errors: who is unknown, and where no simulator runs.
    let err = sim
        .run(&["say", "--room", "Ops", "--as", "nobody", "hi"])
        .await
        .fails();
    assert!(err.contains("no person \"nobody\""), "{err}");
    let err = run_against("http://127.0.0.1:9", &["people"]).await.fails();
    assert!(
        err.contains("no Webex simulator at http://127.0.0.1:9"),
        "{err}"
    );
}

#[tokio::test]
async fn serve_starts_the_simulator_beside_the_runtime() {
    let server = Server::start_with(Options::default().arg("--webex-sim")).await;
    let output = server.output();
    let url = output
        .lines()
        .find_map(|l| l.strip_prefix("webex simulator listening on "))
        .unwrap_or_else(|| panic!("no simulator line in:\n{output}"))
        .trim()
        .to_owned();
    let state: Value = server
        .http
        .get(format!("{}/_sim/state", url.trim_end_matches("/v1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["people"].as_array().unwrap().len(), 4, "{state}");
    // The relay is pointed at it (serve says so right after its ready line).
    let relay_line = format!("Webex API {url}");
    eventually(
        "serve to name the simulator as the relay's Webex API",
        || async { server.output().contains(&relay_line).then_some(()) },
    )
    .await;
}
