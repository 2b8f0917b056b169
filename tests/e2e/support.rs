//! The harness: a real `pigdin serve` on a free port and a temporary data
//! directory, the `pigdin` CLI pointed at it, an HTTP client, and polling
//! with a deadline for effects that happen in the background.

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use pigdin_runtime::api::params::percent_encode;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The binary under test.
pub const PIGDIN: &str = env!("CARGO_BIN_EXE_pigdin");
/// The keyset's subscribe key on `serve`'s defaults.
pub const SUB_KEY: &str = "demo";
/// How long a server may take to say it is listening (it compiles its modules
/// on a cold data directory, on a machine shared with other builds).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a background effect (interval run, TTL expiry) may take to show.
pub const EVENTUALLY: Duration = Duration::from_secs(10);
/// How often [`eventually`] looks.
const POLL_EVERY: Duration = Duration::from_millis(50);
/// Bound on any one HTTP request the tests make.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root (the parent of `cli/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_owned()
}

/// `functions/{rel}`: a module directory of the guest workspace.
pub fn module_dir(rel: &str) -> PathBuf {
    repo_root().join("functions").join(rel)
}

/// Options a server starts (and restarts) with.
#[derive(Default, Clone)]
pub struct Options {
    /// `--listen`; `127.0.0.1:0` when unset.
    pub listen: Option<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Options {
    pub fn listen(mut self, address: impl Into<String>) -> Self {
        self.listen = Some(address.into());
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// A running `pigdin serve`. Killed on drop; its data directory goes with it.
pub struct Server {
    data: TempDir,
    /// Holds the relay key file, apart from the data directory (never `$HOME`).
    keys: TempDir,
    options: Options,
    child: Option<Child>,
    /// `http://127.0.0.1:PORT` (the port changes on restart).
    pub origin: String,
    /// Everything the server printed on stdout and stderr, across restarts.
    output: Arc<Mutex<String>>,
    pub http: reqwest::Client,
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The `message` of a runtime error body, after checking its shape.
    pub fn error_message(&self) -> String {
        assert!(
            self.content_type.starts_with("application/json"),
            "error without a JSON body: {self:?}"
        );
        let body = self.json();
        assert_eq!(body["error"], true, "{body}");
        assert_eq!(body["status"], self.status, "{body}");
        body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("error without a message: {body}"))
            .to_owned()
    }
}

/// What a `pigdin` command did.
#[derive(Debug)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Asserts success; returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert!(self.success, "pigdin failed: {self:#?}");
        self.stdout
    }

    /// Asserts failure; returns stderr.
    #[track_caller]
    pub fn fails(self) -> String {
        assert!(!self.success, "pigdin unexpectedly succeeded: {self:#?}");
        self.stderr
    }
}

impl Server {
    /// `pigdin serve` on the embedded defaults.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        Self::start_on(
            tempfile::tempdir().expect("temporary data directory"),
            options,
        )
        .await
    }

    /// `pigdin serve` on an existing data directory (e.g. a copy of another
    /// server's), with a relay key file of its own unless `options` name one.
    pub async fn start_on(data: TempDir, options: Options) -> Self {
        let mut server = Self {
            data,
            keys: tempfile::tempdir().expect("temporary key directory"),
            options,
            child: None,
            origin: String::new(),
            output: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("HTTP client"),
        };
        server.launch().await;
        server
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The relay key file this server is given (unless its options name another).
    pub fn relay_key_file(&self) -> PathBuf {
        self.keys.path().join("relay.key")
    }

    /// Everything the server has printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Spawns `serve` on the data directory and waits for its ready line.
    async fn launch(&mut self) {
        assert!(self.child.is_none(), "server already running");
        let mut command = Command::new(PIGDIN);
        command
            .arg("serve")
            .arg("--listen")
            .arg(self.options.listen.as_deref().unwrap_or("127.0.0.1:0"))
            .arg("--data-dir")
            .arg(self.data.path())
            .args(&self.options.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        hermetic(&mut command);
        // Never the user's own key file under $HOME.
        command.env("PIGDIN_RELAY_KEY_FILE", self.relay_key_file());
        command.envs(self.options.env.iter().cloned());
        let mut child = command.spawn().expect("spawn pigdin serve");
        let (ready_tx, ready_rx) = oneshot::channel::<SocketAddr>();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        collect(stdout, self.output.clone(), Some(ready_tx));
        collect(stderr, self.output.clone(), None);
        self.child = Some(child);
        match tokio::time::timeout(READY_TIMEOUT, ready_rx).await {
            Ok(Ok(mut address)) => {
                if address.ip().is_unspecified() {
                    address.set_ip(Ipv4Addr::LOCALHOST.into());
                }
                self.origin = format!("http://{address}");
            }
            Ok(Err(_)) => panic!(
                "pigdin serve exited before it was ready; it printed:\n{}",
                self.wait_for_output()
            ),
            Err(_) => panic!(
                "pigdin serve was not ready within {READY_TIMEOUT:?}; it printed:\n{}",
                self.output()
            ),
        }
    }

    /// The output once the (exited) server's pipes are drained.
    fn wait_for_output(&mut self) -> String {
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
        // The reader threads finish right after the process ends.
        std::thread::sleep(Duration::from_millis(100));
        self.output()
    }

    /// Stops the server with SIGTERM (SIGKILL if it lingers) and starts it
    /// again on the same data directory.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.launch().await;
    }

    /// Starts a [stopped](Self::stop) server again on the same data directory.
    pub async fn start_again(&mut self) {
        self.launch().await;
    }

    /// Stops the server with SIGTERM (SIGKILL if it lingers) and waits for it.
    pub async fn stop(&mut self) {
        let mut child = self.child.take().expect("server running");
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if child.try_wait().expect("wait for pigdin").is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9` the server (no chance to flush anything).
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("server running");
        // On unix, `Child::kill` sends SIGKILL.
        child.kill().expect("SIGKILL pigdin");
        child.wait().expect("reap pigdin");
    }

    /// `kill -9`, then start again on the same data directory.
    pub async fn kill9_restart(&mut self) {
        self.kill9();
        self.launch().await;
    }

    /// `origin + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The On Request URL of `path_and_query` on the demo keyset.
    pub fn block_url(&self, path_and_query: &str) -> String {
        self.url(&format!("/v1/blocks/sub-key/{SUB_KEY}/{path_and_query}"))
    }

    pub async fn request(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("HTTP request to pigdin");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.expect("response body");
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// `GET` an On Request path (with its query) on the demo keyset.
    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.request(self.http.get(self.block_url(path_and_query)))
            .await
    }

    /// `GET` an On Request path that must answer 200; its body.
    pub async fn get_ok(&self, path_and_query: &str) -> String {
        let reply = self.get(path_and_query).await;
        assert_eq!(reply.status, 200, "GET {path_and_query}: {reply:?}");
        reply.body
    }

    /// `GET` an On Request path that must answer 200 with JSON.
    pub async fn get_json(&self, path_and_query: &str) -> Value {
        let reply = self.get(path_and_query).await;
        assert_eq!(reply.status, 200, "GET {path_and_query}: {reply:?}");
        reply.json()
    }

    /// Runs `pigdin ARGS --origin ORIGIN`.
    pub async fn pigdin(&self, args: &[&str]) -> Output {
        pigdin_with(args, &self.origin, &[], None).await
    }

    /// `pigdin deploy DIR`, which must succeed; its stdout.
    pub async fn deploy(&self, dir: &Path) -> String {
        let dir = dir.to_str().expect("UTF-8 path");
        self.pigdin(&["deploy", dir]).await.ok()
    }

    /// `pigdin functions --json`: the deployed modules.
    pub async fn modules(&self) -> Vec<Value> {
        let out = self.pigdin(&["functions", "--json"]).await.ok();
        let answer: Value = serde_json::from_str(&out).expect("functions --json is JSON");
        answer["modules"].as_array().cloned().unwrap_or_default()
    }

    /// The deployed module `name`, if any.
    pub async fn module(&self, name: &str) -> Option<Value> {
        self.modules().await.into_iter().find(|m| m["name"] == name)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Copies `stream` line by line into `sink`; signals the ready line's address.
fn collect(
    stream: impl Read + Send + 'static,
    sink: Arc<Mutex<String>>,
    mut ready: Option<oneshot::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("pigdin listening on http://")
                && let Some(tx) = ready.take()
            {
                let address = rest.trim().parse().expect("ready line names an address");
                let _ = tx.send(address);
            }
            let mut sink = sink.lock().unwrap();
            sink.push_str(&line);
            sink.push('\n');
        }
    });
}

/// Keeps the caller's environment from steering the binary or the guest
/// builds it runs: no `PIGDIN_*` settings, none of the variables `cargo test`
/// sets for the test process, and guests built into `functions/target` (the
/// same way `cli/build.rs` builds the bundled modules, so builds are shared).
pub fn hermetic(command: &mut Command) {
    for (key, _) in std::env::vars() {
        if key.starts_with("PIGDIN_")
            || (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.starts_with("RUSTC")
            || key == "RUSTFLAGS"
        {
            command.env_remove(key);
        }
    }
    command.env(
        "CARGO_TARGET_DIR",
        repo_root().join("functions").join("target"),
    );
}

/// `pigdin ARGS --origin ORIGIN`, to spawn.
pub fn pigdin_command(args: &[&str], origin: &str) -> tokio::process::Command {
    let mut command = Command::new(PIGDIN);
    command.args(args).arg("--origin").arg(origin);
    hermetic(&mut command);
    command.into()
}

/// Runs `pigdin ARGS --origin ORIGIN` with extra environment and, optionally, standard input.
pub async fn pigdin_with(
    args: &[&str],
    origin: &str,
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    let mut command = pigdin_command(args, origin);
    command
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("spawn pigdin");
    if let Some(text) = stdin {
        use tokio::io::AsyncWriteExt;
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(text.as_bytes()).await.expect("write stdin");
        drop(pipe);
    }
    let output = child.wait_with_output().await.expect("run pigdin");
    Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Builds the guest crate in `functions/{rel}` (a no-op when up to date) and
/// returns its component, for manifests that name a prebuilt `component`.
pub async fn component(rel: &str) -> PathBuf {
    let dir = module_dir(rel);
    let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).expect("module Cargo.toml");
    let package: toml::Table = cargo_toml.parse().expect("Cargo.toml is TOML");
    let name = package["package"]["name"]
        .as_str()
        .expect("package name")
        .replace('-', "_");
    let mut command = Command::new("cargo");
    command
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"));
    hermetic(&mut command);
    let output = tokio::process::Command::from(command)
        .output()
        .await
        .expect("run cargo");
    assert!(
        output.status.success(),
        "building {rel} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    repo_root()
        .join("functions/target/wasm32-wasip2/release")
        .join(format!("{name}.wasm"))
}

/// A module directory holding only `module.toml` (which names a prebuilt component).
pub fn module_variant(manifest: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary module directory");
    std::fs::write(dir.path().join("module.toml"), manifest).expect("write module.toml");
    dir
}

/// TOML for `component = "PATH"`.
pub fn component_line(path: &Path) -> String {
    format!(
        "component = {}\n",
        toml::Value::String(path.to_str().expect("UTF-8 path").to_owned())
    )
}

/// Polls `check` every 50 ms until it answers `Some`, for at most [`EVENTUALLY`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + EVENTUALLY;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {EVENTUALLY:?} waiting for {what}"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// A loopback origin where nothing listens.
pub fn dead_origin() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let address = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{address}")
}

/// This machine's address on its default route (not loopback), if it has one.
pub fn outward_ip() -> Option<IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the route.
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("198.51.100.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}
