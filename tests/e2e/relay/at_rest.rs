//! Webex tokens at rest: sealed in KV under the relay key, which `serve`
//! keeps in its key file outside the data directory (and in memory), so a
//! copied data directory gives nothing away and a server with another key
//! refuses to act for the user, naming the fix.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use super::world::World;
use crate::support::{PIGDIN, Server, hermetic};

/// Every file under `dir` with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a data directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("read a data file");
            files.push((path, bytes));
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read a data directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a data file");
        }
    }
}

#[tokio::test]
async fn tokens_are_sealed_at_rest_and_a_copy_without_the_key_is_refused() {
    let mut world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    let room_channel = format!("webex.{pat}.{design}");
    let tokens = world.create_user(&pat).await;
    let reply = |text: &str| {
        json!({
            "forwardToPlatform": true,
            "fromPlatform": "webex",
            "platformChannelId": design,
            "text": text,
        })
    };
    let sent = world
        .publish_as(&pat, &room_channel, &reply("sealed and still usable"))
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");

    // Stopped, the data directory holds the user but none of their tokens,
    // and not the key either: that is only in the key file, elsewhere.
    world.server.stop().await;
    let key = std::fs::read_to_string(world.server.relay_key_file()).expect("the relay key file");
    let key = key.trim();
    assert!(
        !world
            .server
            .relay_key_file()
            .starts_with(world.server.data_dir())
    );
    let files = files_under(world.server.data_dir());
    assert!(
        files.iter().any(|(_, bytes)| contains(bytes, &pat)),
        "the scan sees the stored data (the user id is in the KV key)"
    );
    let secrets = [
        ("the access token", tokens["access_token"].as_str().unwrap()),
        (
            "the refresh token",
            tokens["refresh_token"].as_str().unwrap(),
        ),
        ("the relay key", key),
    ];
    for (path, bytes) in &files {
        for (what, secret) in secrets {
            assert!(
                !contains(bytes, secret),
                "{what} is in plain text in {}",
                path.display()
            );
        }
    }
    let output = world.server.output();
    assert!(
        !output.contains(key),
        "the server printed its key:\n{output}"
    );

    // A copy of the data directory under another key: the relay refuses to
    // act for pat, saying why and what to do.
    let copy = tempfile::tempdir().expect("a directory for the copy");
    copy_dir(world.server.data_dir(), copy.path());
    let options = world.options();
    let original = std::mem::replace(&mut world.server, Server::start_on(copy, options).await);
    let refused = world
        .publish_as(&pat, &room_channel, &reply("from a copy"))
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    for part in [
        format!("cannot open the stored Webex tokens of user {pat}"),
        "differs from the one that stored them".to_owned(),
        "run `pigdin create-user` again".to_owned(),
    ] {
        assert!(refused.body.contains(&part), "{part:?} in {refused:?}");
    }
    let logs = world.server.pigdin(&["logs", "webex-relay"]).await.ok();
    assert!(
        logs.contains("cannot open the stored Webex tokens"),
        "{logs}"
    );
    let texts: Vec<_> = world
        .room_messages(&design)
        .await
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert!(!texts.contains(&json!("from a copy")), "{texts:?}");

    // The original directory under the original key still works.
    world.server = original;
    world.server.start_again().await;
    let sent = world
        .publish_as(&pat, &room_channel, &reply("back home"))
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let received = world.room_messages(&design).await;
    assert_eq!(received.last().unwrap()["text"], "back home");
}

#[tokio::test]
async fn a_key_file_that_is_not_a_key_stops_serve_with_what_to_do() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let key_file = dir.path().join("relay.key");
    std::fs::write(&key_file, "definitely-not-a-key\n").expect("write the key file");
    let mut command = std::process::Command::new(PIGDIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .stdin(Stdio::null());
    hermetic(&mut command);
    command.env("PIGDIN_RELAY_KEY_FILE", &key_file);
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("serve gave up in time")
        .expect("run pigdin serve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the relay key file {} does not hold a key",
            key_file.display()
        )) && stderr.contains("move it away"),
        "{stderr}"
    );
    assert!(!stderr.contains("definitely-not-a-key"), "{stderr}");
}
