//! `pigdin logs MODULE [--follow]`: handler log lines, as they happen.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Server, module_dir, pigdin_command};

/// The N of a `ticker/tick: tick N` log line.
fn tick_number(line: &str) -> Option<i64> {
    line.split_once("ticker/tick: tick ")?.1.trim().parse().ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_show_handler_lines_and_follow_new_ones() {
    let server = Server::start().await;
    server.deploy(&module_dir("examples/ticker")).await;
    server.pigdin(&["run", "ticker", "tick"]).await.ok();

    let logs = server.pigdin(&["logs", "ticker"]).await.ok();
    assert!(
        logs.lines()
            .any(|l| l.contains("INFO") && tick_number(l).is_some()),
        "{logs}"
    );

    // --follow keeps printing lines as they come.
    let mut follow = pigdin_command(&["logs", "ticker", "--follow"], &server.origin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn pigdin logs --follow");
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    let live = tokio::time::timeout(Duration::from_secs(15), async {
        // The first (backlog) line means the server is already streaming
        // live lines; any tick counted after that is a live line.
        lines
            .next_line()
            .await
            .expect("read logs")
            .expect("a first line");
        let counted = server.get_json("ticks").await["ticks"].as_i64().unwrap();
        server.pigdin(&["run", "ticker", "tick"]).await.ok();
        while let Some(line) = lines.next_line().await.expect("read logs") {
            if tick_number(&line).is_some_and(|n| n > counted) {
                return line;
            }
        }
        panic!("logs --follow ended");
    })
    .await
    .expect("a live line within 15 s");
    assert!(live.contains("INFO"), "{live}");
    follow.kill().await.ok();

    let err = server.pigdin(&["logs", "nobody"]).await.fails();
    assert!(err.contains("no module named \"nobody\""), "{err}");
}
