//! The real release `pigdin serve`, started on 127.0.0.1:0 with a temporary
//! data directory, killed on drop.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use tempfile::TempDir;

/// A cold data directory compiles the bundled modules first; the machine is shared.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Server {
    child: Child,
    pub address: SocketAddr,
    // Removed on drop, after the child is killed.
    _data: TempDir,
}

/// `PIGDIN_BIN`, or the workspace's `target/release/pigdin`.
fn binary() -> PathBuf {
    std::env::var_os("PIGDIN_BIN").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/release/pigdin"
            ))
        },
        PathBuf::from,
    )
}

impl Server {
    pub fn start() -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let binary = binary();
        let mut child = Command::new(&binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("PIGDIN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (build it: cargo build --release -p pigdin)",
                    binary.display()
                )
            })?;
        // Same ready line tests/e2e/support.rs waits for; keep draining stdout after it.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("pigdin listening on http://")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(rest.trim().to_owned());
                }
            }
        });
        let address = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(address) => address.parse()?,
            Err(_) => {
                let _ = child.kill();
                bail!("pigdin serve did not print its ready line");
            }
        };
        Ok(Self {
            child,
            address,
            _data: data,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server process's resident set (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        status_kib(self.pid(), "VmRSS:")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` field of `/proc/PID/status`.
pub fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))
}
