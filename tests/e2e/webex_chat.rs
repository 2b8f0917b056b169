//! The user-facing walkthrough against the Webex simulator, through the real
//! binary: `login` writes a working user-info file, `create-user` sets the
//! user up, a `chat` session driven through piped stdin receives messages,
//! replies into the Webex room, shows history and the sender, and
//! `delete-user` leaves nothing behind.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use pigdin_webex_sim::{RunningSim, SimConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

use crate::support::{
    Options, SUB_KEY, Server, eventually, percent_encode, pigdin_command, pigdin_with,
};

/// The runtime's secret key in the Access Manager tests.
const SECRET_KEY: &str = "sec-c-pigdin-e2e";

/// How long the chat may take to show something it should.
const SHOW_TIMEOUT: Duration = Duration::from_secs(20);

struct World {
    sim: RunningSim,
    server: Server,
    dir: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// With the runtime's Access Manager on.
    async fn start_with_secret_key() -> Self {
        Self::start_with(Options::default().arg("--secret-key").arg(SECRET_KEY)).await
    }

    async fn start_with(options: Options) -> Self {
        let sim = pigdin_webex_sim::start(SimConfig::default())
            .await
            .expect("start the Webex simulator");
        let client = sim.client().clone();
        let server = Server::start_with(
            options
                .arg("--webex-api-url")
                .arg(sim.url())
                .env("WEBEX_CLIENT_ID", client.client_id)
                .env("WEBEX_CLIENT_SECRET", client.client_secret),
        )
        .await;
        Self {
            sim,
            server,
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// `pigdin login` against the simulator (it consents at once).
    async fn login(&self) -> PathBuf {
        let out = self.dir.path().join("user-info.json");
        let client = self.sim.client();
        let stdout = pigdin_with(
            &[
                "login",
                "--webex-api-url",
                &self.sim.url(),
                "--client-id",
                &client.client_id,
                "--client-secret",
                &client.client_secret,
                "--redirect-port",
                "0",
                "--wait",
                "30",
                "--out",
                out.to_str().unwrap(),
            ],
            &self.server.origin,
            &[("PIGDIN_LOGIN_FETCH_AUTHORIZE_URL", "true")],
            None,
        )
        .await
        .ok();
        assert!(stdout.contains("/authorize?"), "{stdout}");
        assert!(
            stdout.contains("logged in as Pat Pigdin <pat@example.com>"),
            "{stdout}"
        );
        out
    }

    async fn sim_get(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.sim.origin()))
            .await
            .expect("GET the simulator")
            .json()
            .await
            .expect("simulator JSON")
    }

    async fn sim_post(&self, path: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.sim.origin()))
            .json(&body)
            .send()
            .await
            .expect("POST the simulator");
        assert!(response.status().is_success(), "{path}: {response:?}");
        response.json().await.expect("simulator JSON")
    }

    /// The simulated person with `email`.
    async fn person(&self, email: &str) -> String {
        let state = self.sim_get("/_sim/state").await;
        state["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["emails"][0] == email || p["email"] == email)
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("no {email} in {state}"))
            .to_owned()
    }

    /// A user-info file for `person_id` with tokens minted by the simulator.
    async fn user_info_for(&self, person_id: &str, name: &str) -> PathBuf {
        let tokens = self
            .sim_post("/_sim/tokens", json!({"personId": person_id}))
            .await;
        let file = self.dir.path().join(format!("{name}.json"));
        let info = json!({
            "platform": "webex",
            "userId": person_id,
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
        });
        std::fs::write(&file, info.to_string()).unwrap();
        file
    }

    /// `pigdin create-user` with the runtime's secret key.
    async fn create_user_as_server(&self, file: &Path) -> String {
        pigdin_with(
            &["create-user", file.to_str().unwrap()],
            &self.server.origin,
            &[("PIGDIN_SECRET_KEY", SECRET_KEY)],
            None,
        )
        .await
        .ok()
    }

    async fn room(&self, title: &str) -> String {
        let state = self.sim_get("/_sim/state").await;
        state["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|room| room["title"] == title)
            .and_then(|room| room["id"].as_str())
            .unwrap_or_else(|| panic!("no room {title} in {state}"))
            .to_owned()
    }

    async fn say(&self, room_id: &str, who: &str, text: &str) {
        self.sim_post(
            "/_sim/say",
            json!({"roomId": room_id, "as": who, "text": text}),
        )
        .await;
    }

    async fn room_texts(&self, room_id: &str) -> Vec<(String, String)> {
        let messages = self
            .sim_get(&format!("/_sim/rooms/{room_id}/messages"))
            .await;
        messages["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["personEmail"].as_str().unwrap_or_default().to_owned(),
                    m["text"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    async fn webhooks_of(&self, person_id: &str) -> usize {
        let all = self.sim_get("/_sim/webhooks").await;
        let items = all["items"].as_array().cloned();
        items
            .unwrap_or_default()
            .iter()
            .filter(|hook| hook["createdBy"] == person_id || hook["ownedBy"] == person_id)
            .count()
    }

    async fn runtime_get(&self, path: &str) -> (u16, Value) {
        let reply = self
            .server
            .request(self.server.http.get(self.server.url(path)))
            .await;
        (
            reply.status,
            serde_json::from_str(&reply.body).unwrap_or(Value::Null),
        )
    }
}

/// A running `pigdin chat`, its stdout read line by line.
struct Chat {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl Chat {
    fn start(origin: &str, user: &str) -> Self {
        let mut command = pigdin_command(&["chat", user], origin);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("spawn pigdin chat");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `text`; returns it.
    async fn expect(&mut self, text: &str) -> String {
        match self.expect_within(text, SHOW_TIMEOUT).await {
            Some(line) => line,
            None => panic!(
                "chat did not show {text:?} within {SHOW_TIMEOUT:?}; it showed:\n{}",
                self.seen.join("\n")
            ),
        }
    }

    /// Waits up to `wait` for a line containing `text`.
    async fn expect_within(&mut self, text: &str, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return Some(line);
                    }
                }
                Ok(None) => panic!(
                    "chat ended before showing {text:?}; it showed:\n{}",
                    self.seen.join("\n")
                ),
                Err(_) => return None,
            }
        }
    }

    async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write to chat");
        stdin.flush().await.expect("flush chat input");
    }

    /// Closes stdin and waits for the chat to exit.
    async fn finish(mut self) -> bool {
        drop(self.stdin.take());
        tokio::time::timeout(SHOW_TIMEOUT, self.child.wait())
            .await
            .expect("chat exits at the end of its input")
            .expect("wait for chat")
            .success()
    }
}

fn user_id_of(user_info: &Path) -> String {
    let info: Value = serde_json::from_str(&std::fs::read_to_string(user_info).unwrap()).unwrap();
    info["userId"].as_str().expect("userId").to_owned()
}

#[tokio::test]
async fn login_writes_a_private_working_user_info_file() {
    let world = World::start().await;
    let file = world.login().await;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "user-info.json must be private");
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(info["platform"], "webex");
    assert!(info["expires_in"].as_u64().unwrap() > 0, "{info}");
    // The token works against the Webex API.
    let me: Value = reqwest::Client::new()
        .get(format!("{}/people/me", world.sim.url()))
        .bearer_auth(info["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], info["userId"], "{me}");
    // And the relay accepts it.
    let out = world
        .server
        .pigdin(&["create-user", file.to_str().unwrap()])
        .await
        .ok();
    assert!(out.contains("set up Pat Pigdin <pat@example.com>"), "{out}");
    assert!(out.contains("webhook "), "{out}");
    assert!(out.contains("/webex/webhook?user="), "{out}");
}

#[tokio::test]
async fn a_chat_session_receives_replies_and_looks_things_up() {
    let world = World::start().await;
    let file = world.login().await;
    let user_id = user_id_of(&file);
    world
        .server
        .pigdin(&["create-user", file.to_str().unwrap()])
        .await
        .ok();
    let design = world.room("Design").await;

    let mut chat = Chat::start(&world.server.origin, file.to_str().unwrap());
    chat.expect("listening for webex messages to Pat Pigdin")
        .await;
    world.say(&design, "alice", "Lunch at noon?").await;
    let first = chat.expect("1) ").await;
    assert_eq!(
        first,
        "1) webex message from Alice Andersen in \"Design\": Lunch at noon?"
    );
    world.say(&design, "bob", "I'm in").await;
    let second = chat.expect("2) ").await;
    assert_eq!(
        second,
        "2) webex message from Bob Brown in \"Design\": I'm in"
    );

    chat.send("r1 Noon works").await;
    chat.expect("sent to \"Design\"").await;
    let texts = world.room_texts(&design).await;
    assert!(
        texts.contains(&("pat@example.com".to_owned(), "Noon works".to_owned())),
        "{texts:?}"
    );

    // Webex failing: the relay refuses the publish and the chat says why.
    world
        .sim_post(
            "/_sim/faults",
            json!({"status": 500, "count": 3, "path": "/v1/messages"}),
        )
        .await;
    chat.send("r2 Noon is fine").await;
    let refused = chat.expect("not sent: ").await;
    assert!(refused.contains("500"), "{refused}");

    chat.send("p").await;
    chat.expect("latest messages in \"Design\"").await;
    chat.expect("  Alice Andersen: Lunch at noon?").await;
    chat.expect("  Bob Brown: I'm in").await;
    chat.expect("  you: Noon works").await;

    chat.send("p1").await;
    chat.expect("up to message 1").await;
    chat.expect("  Alice Andersen: Lunch at noon?").await;

    chat.send("s1").await;
    chat.expect("message 1 was sent by Alice Andersen <alice@example.com>")
        .await;

    chat.send("m").await;
    chat.expect("members of \"Design\"").await;

    chat.send("r7 nobody").await;
    chat.expect("no message 7: messages are 1 to 2").await;
    chat.send("q").await;
    assert!(chat.finish().await, "chat exits cleanly on q");

    // delete-user leaves nothing behind.
    let out = world
        .server
        .pigdin(&["delete-user", file.to_str().unwrap()])
        .await
        .ok();
    assert!(
        out.contains("deleted Pat Pigdin <pat@example.com>"),
        "{out}"
    );
    let metadata_path = format!("/v2/objects/{SUB_KEY}/uuids/{}", percent_encode(&user_id));
    let (status, _) = world.runtime_get(&metadata_path).await;
    assert_eq!(status, 404, "the user's App Context metadata is gone");
    let memberships_path = format!(
        "/v2/objects/{SUB_KEY}/uuids/{}/channels",
        percent_encode(&user_id)
    );
    let (_, memberships) = world.runtime_get(&memberships_path).await;
    assert_eq!(memberships["data"], json!([]), "{memberships}");
    eventually("the Webex webhook is deleted", || async {
        (world.webhooks_of(&user_id).await == 0).then_some(())
    })
    .await;
    let error = world
        .server
        .pigdin(&["delete-user", &user_id])
        .await
        .fails();
    assert!(error.contains("no Pigdin user"), "{error}");
    let error = world.server.pigdin(&["chat", &user_id]).await.fails();
    assert!(error.contains("pigdin create-user"), "{error}");
}

/// Without the relay: a user known to App Context, messages published
/// straight onto its room channel, and the runtime killed under the chat.
#[tokio::test]
async fn the_chat_shows_connection_loss_and_reconnection() {
    // A fixed port, so that the restarted runtime is where the chat looks.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server =
        Server::start_with(Options::default().listen(format!("127.0.0.1:{port}"))).await;
    let user = "pat-1";
    let metadata = server
        .request(
            server
                .http
                .patch(server.url(&format!("/v2/objects/{SUB_KEY}/uuids/{user}")))
                .json(&json!({"name": "Pat", "email": "pat@example.com"})),
        )
        .await;
    assert_eq!(metadata.status, 200, "{metadata:?}");

    let mut chat = Chat::start(&server.origin, user);
    chat.expect("listening for webex messages to Pat <pat@example.com>")
        .await;
    server.kill9_restart().await;
    chat.expect("connection lost").await;
    chat.expect("reconnected").await;

    let message = json!({"fromPlatform": "webex", "senderName": "Alice", "channelName": "Design", "text": "back again"});
    let path = format!(
        "/publish/demo/{SUB_KEY}/0/webex.{user}.room1/0/{}?uuid=alice-1",
        percent_encode(&message.to_string())
    );
    // A restarted runtime collects for a wildcard only from the first poll
    // naming it, which may come a moment after "reconnected": publish until
    // the chat shows the message.
    let mut shown = None;
    for _ in 0..20 {
        let published = server.request(server.http.get(server.url(&path))).await;
        assert_eq!(published.status, 200, "{published:?}");
        shown = chat
            .expect_within("webex message from Alice", Duration::from_millis(500))
            .await;
        if shown.is_some() {
            break;
        }
    }
    let line = shown.expect("a message published after the restart reaches the chat");
    assert_eq!(
        line,
        "1) webex message from Alice in \"Design\": back again"
    );
    chat.send("s1").await;
    chat.expect("message 1 was sent by Alice (alice-1); App Context has nothing more on them")
        .await;
    assert!(chat.finish().await, "chat exits at the end of its input");
}

#[tokio::test]
async fn create_user_shows_the_relays_reason_for_refusing() {
    let world = World::start().await;
    let file = world.dir.path().join("stale.json");
    let pat = world.person("pat@example.com").await;
    std::fs::write(
        &file,
        json!({"platform": "webex", "userId": pat, "access_token": "not-a-token", "refresh_token": "not-either"}).to_string(),
    )
    .unwrap();
    let error = world
        .server
        .pigdin(&["create-user", file.to_str().unwrap()])
        .await
        .fails();
    assert!(
        error.contains("the Webex relay did not set the user up: "),
        "{error}"
    );
    // The relay's reason follows: here Webex refusing the bad tokens.
    assert!(error.contains("Webex"), "{error}");
}

/// With Access Manager on: `create-user` (with the secret key) issues each
/// user a token confined to their own rooms; `chat` and `delete-user` use
/// it; one user's token cannot read another's rooms, publish as them, or
/// delete them.
#[tokio::test]
async fn with_access_manager_each_user_acts_only_for_themselves() {
    let world = World::start_with_secret_key().await;
    let pat_file = world.login().await;
    let pat = user_id_of(&pat_file);

    // Without the secret key, setting a user up is refused with advice.
    let error = world
        .server
        .pigdin(&["create-user", pat_file.to_str().unwrap()])
        .await
        .fails();
    assert!(error.contains("Access Manager"), "{error}");
    assert!(error.contains("--secret-key"), "{error}");

    let out = world.create_user_as_server(&pat_file).await;
    assert!(out.contains("set up Pat Pigdin <pat@example.com>"), "{out}");
    let token_file = pat_file.with_extension("token");
    assert!(out.contains(token_file.to_str().unwrap()), "{out}");
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the token file must be private");
    let pat_token = std::fs::read_to_string(&token_file).unwrap();
    let alice = world.person("alice@example.com").await;
    let alice_file = world.user_info_for(&alice, "alice").await;
    world.create_user_as_server(&alice_file).await;

    // Pat chats with their token: receives, replies, pages, looks up.
    let design = world.room("Design").await;
    let mut chat = Chat::start(&world.server.origin, pat_file.to_str().unwrap());
    chat.expect("listening for webex messages to Pat Pigdin")
        .await;
    world.say(&design, "bob", "Ship it?").await;
    chat.expect("1) webex message from Bob Brown in \"Design\": Ship it?")
        .await;
    chat.send("r1 Shipping").await;
    chat.expect("sent to \"Design\"").await;
    assert!(
        world
            .room_texts(&design)
            .await
            .contains(&("pat@example.com".to_owned(), "Shipping".to_owned()))
    );
    chat.send("p").await;
    chat.expect("  you: Shipping").await;
    // Bob's App Context record is not Pat's to read: the message says who.
    chat.send("s1").await;
    chat.expect("message 1 was sent by Bob Brown <bob@example.com>")
        .await;
    chat.send("m").await;
    chat.expect("members of \"Design\"").await;
    assert!(chat.finish().await, "chat exits at the end of its input");

    // Pat's token against Alice: her rooms, her identity, her deletion.
    let as_pat = |path: String| {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!(
            "{path}{separator}uuid={}&auth={}",
            percent_encode(&pat),
            percent_encode(&pat_token)
        )
    };
    let alice_rooms = format!("webex.{alice}.*");
    let (status, body) = world
        .runtime_get(&as_pat(format!(
            "/v2/subscribe/{SUB_KEY}/{}/0",
            percent_encode(&alice_rooms)
        )))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = world
        .runtime_get(&as_pat(format!(
            "/v3/history/sub-key/{SUB_KEY}/channel/{}",
            percent_encode(&format!("webex.{alice}.{design}"))
        )))
        .await;
    assert_eq!(status, 403, "{body}");
    let hello = percent_encode("\"hi\"");
    let as_alice = format!(
        "/publish/demo/{SUB_KEY}/0/{}/0/{hello}?uuid={}&auth={}",
        percent_encode(&format!("webex.{pat}.{design}")),
        percent_encode(&alice),
        percent_encode(&pat_token)
    );
    let (status, body) = world.runtime_get(&as_alice).await;
    assert_eq!(status, 403, "publishing as Alice with Pat's token: {body}");
    let error = pigdin_with(
        &["delete-user", &alice],
        &world.server.origin,
        &[("PIGDIN_AUTH", pat_token.as_str())],
        None,
    )
    .await
    .fails();
    assert!(error.contains("Access Manager"), "{error}");
    let delete_alice = percent_encode(&json!({"userId": alice}).to_string());
    let meta = percent_encode(&json!({"task": "deleteUser"}).to_string());
    let (status, body) = world
        .runtime_get(&as_pat(format!(
            "/publish/demo/{SUB_KEY}/0/webex-user-update/0/{delete_alice}?store=0&norep=true&meta={meta}"
        )))
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("must be published as"), "{body}");
    assert_eq!(world.webhooks_of(&alice).await, 1, "Alice is untouched");

    // Pat deletes themselves with their own token; the token file goes too.
    let out = world
        .server
        .pigdin(&["delete-user", pat_file.to_str().unwrap()])
        .await
        .ok();
    assert!(out.contains("deleted Pat Pigdin"), "{out}");
    assert!(!token_file.exists(), "the token file is removed");
    assert_eq!(world.webhooks_of(&pat).await, 0);
    assert_eq!(world.webhooks_of(&alice).await, 1);
}
