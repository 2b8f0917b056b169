//! How JavaScript reaches the server: module directories, block.json
//! projects, one file; syntax errors refused; persistence across restarts.

use serde_json::json;

use super::{events_server, history, js_module, publish};
use crate::support::Server;

#[tokio::test(flavor = "multi_thread")]
async fn a_syntax_error_refuses_the_deploy_and_keeps_the_running_version() {
    let server = events_server().await;
    assert_eq!(server.get_json("js/state").await["calls"], 1);
    let refused = server
        .pigdin(&["deploy", js_module("broken").to_str().unwrap()])
        .await
        .fails();
    assert!(
        refused.contains("api.js:3:"),
        "names file and line: {refused}"
    );
    assert!(
        refused.contains("SyntaxError"),
        "names the error: {refused}"
    );
    assert_eq!(
        server.get_json("js/state").await["calls"],
        2,
        "the running version still serves, warm"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pubnub_block_json_project_deploys_as_is() {
    let server = Server::start().await;
    let out = server.deploy(&js_module("block")).await;
    assert!(out.contains("deployed greeter-block"), "{out}");
    assert!(
        out.contains("greet") && out.contains("hello-endpoint"),
        "{out}"
    );
    let reply = publish(&server, "greet", &json!({"name": "ada"}), "").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let stored = history(&server, "greet").await.pop().unwrap();
    assert_eq!(
        stored["message"],
        json!({"name": "ada", "greeting": "hello ada"})
    );
    assert_eq!(server.get_ok("hello").await, "hello from a block");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_file_deploys_with_its_binding_on_the_command_line() {
    let server = Server::start().await;
    let file = js_module("single").join("shout.js");
    let out = server
        .pigdin(&[
            "deploy",
            file.to_str().unwrap(),
            "--name",
            "shout",
            "--event",
            "before-publish",
            "--channel",
            "loud.*",
        ])
        .await
        .ok();
    assert!(out.contains("deployed shout"), "{out}");
    publish(&server, "loud.room", &json!({"text": "hey"}), "").await;
    let stored = history(&server, "loud.room").await.pop().unwrap();
    assert_eq!(stored["message"], json!({"text": "HEY"}));

    let refused = server
        .pigdin(&["deploy", file.to_str().unwrap(), "--name", "shout"])
        .await
        .fails();
    assert!(refused.contains("--event"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn requiring_an_unknown_module_names_it_and_the_modules_there_are() {
    let server = Server::start().await;
    server.deploy(&js_module("unknown-require")).await;
    let reply = server.get("pad").await;
    assert_eq!(reply.status, 500, "{reply:?}");
    let message = reply.error_message();
    assert!(
        message.contains(r#"require("left-pad"): there is no such module"#),
        "{message}"
    );
    assert!(message.contains("kvstore, xhr, pubnub, vault"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_javascript_module_survives_a_restart() {
    let mut server = events_server().await;
    let before = server.module("jsevents").await.expect("deployed");
    assert_eq!(before["language"], "javascript", "{before}");
    server.restart().await;
    let after = server.module("jsevents").await.expect("restored");
    assert_eq!(after["version"], before["version"]);
    assert_eq!(server.get_json("js/state").await["calls"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_start_from_one_engine_snapshot_yet_draw_their_own_random_numbers() {
    let server = Server::start().await;
    let file = js_module("single").join("random.js");
    for name in ["dice-a", "dice-b"] {
        let out = server
            .pigdin(&[
                "deploy",
                file.to_str().unwrap(),
                "--name",
                name,
                "--event",
                "on-request",
                "--path",
                name,
            ])
            .await
            .ok();
        assert!(out.contains(&format!("deployed {name}")), "{out}");
    }
    let a = server.get_json("dice-a").await;
    let b = server.get_json("dice-b").await;
    for draw in [&a["drawnAtLoad"], &a["drawnNow"], &b["drawnAtLoad"]] {
        let x = draw.as_f64().expect("a number");
        assert!((0.0..1.0).contains(&x), "{draw}");
    }
    assert_ne!(
        a["drawnAtLoad"], b["drawnAtLoad"],
        "two instances from one snapshot must not repeat one sequence"
    );
    assert_ne!(a["drawnAtLoad"], a["drawnNow"]);

    let snapshots: Vec<_> = std::fs::read_dir(server.data_dir().join("cache"))
        .expect("the cache directory")
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("js-engine-") && name.ends_with(".wasm")
        })
        .collect();
    assert_eq!(
        snapshots.len(),
        1,
        "the engine's snapshot is made once and kept in the cache"
    );
}
