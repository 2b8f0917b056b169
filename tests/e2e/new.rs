//! `pigdin new`: each template generated into a temporary directory, deployed
//! as created with `pigdin deploy`, and used end to end; `--list`; refusals.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tempfile::TempDir;

use crate::javascript::{history, publish};
use crate::support::{Output, PIGDIN, Server, eventually, hermetic, repo_root};

const TEMPLATES: [&str; 5] = [
    "on-request",
    "before-publish",
    "after-publish",
    "on-interval",
    "webhook",
];

/// `pigdin ARGS` run in `dir` (`new` talks to no server).
async fn pigdin_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(PIGDIN);
    command.args(args).current_dir(dir);
    hermetic(&mut command);
    let output = tokio::process::Command::from(command)
        .output()
        .await
        .expect("run pigdin");
    Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `pigdin new NAME ARGS...` in a fresh temporary directory: that directory
/// (kept alive by the caller) and the module's.
async fn new_module(name: &str, args: &[&str]) -> (TempDir, PathBuf) {
    let parent = tempfile::tempdir().expect("temporary directory");
    let mut all = vec!["new", name];
    all.extend_from_slice(args);
    let out = pigdin_in(parent.path(), &all).await.ok();
    assert!(out.contains(&format!("created {name}/")), "{out}");
    assert!(out.contains(&format!("pigdin deploy {name}")), "{out}");
    let dir = parent.path().join(name);
    (parent, dir)
}

/// A server with `pigdin new NAME --template T` deployed as it was created.
async fn deployed(name: &str, template: &str) -> (Server, TempDir) {
    let (parent, dir) = new_module(name, &["--template", template]).await;
    let server = Server::start().await;
    let out = server.deploy(&dir).await;
    assert!(out.contains(&format!("deployed {name} version")), "{out}");
    (server, parent)
}

/// `POST` `body` to the On Request path `path` with `headers`.
async fn post(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> crate::support::Reply {
    let mut request = server
        .http
        .post(server.block_url(path))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    server.request(request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn on_request_template_counts_stores_and_reads_back() {
    let (server, parent) = deployed("notes", "on-request").await;
    let dir = parent.path().join("notes");
    for file in ["module.toml", "api.js", "README.md"] {
        assert!(
            dir.join(file).is_file(),
            "JavaScript is the default: {file}"
        );
    }
    assert!(!dir.join("Cargo.toml").exists());
    uses_on_request(&server, "notes").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn before_publish_template_rejects_banned_words_and_tidies_the_rest() {
    let (server, _parent) = deployed("moderation", "before-publish").await;
    uses_before_publish(&server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_publish_template_counts_per_channel_and_publishes_a_notice() {
    let (server, _parent) = deployed("reactions", "after-publish").await;
    uses_after_publish(&server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_interval_template_publishes_numbered_ticks() {
    let (server, _parent) = deployed("beat", "on-interval").await;
    uses_on_interval(&server, "beat").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_template_checks_the_signature_against_the_vault_secret() {
    let (server, _parent) = deployed("hooks", "webhook").await;
    uses_webhook(&server, "hooks").await;
}

// What each template does once deployed, the same in either language.

/// on-request, deployed as `module`: counts calls, stores, reads back, deletes.
async fn uses_on_request(server: &Server, module: &str) {
    let at = |query: &str| format!("{module}{query}");
    assert_eq!(server.get_json(module).await, json!({"visits": 1}));
    assert_eq!(server.get_json(module).await, json!({"visits": 2}));

    let stored = post(server, &at("?key=greeting"), &[], r#"{"text":"hello"}"#).await;
    assert_eq!(stored.status, 201, "{stored:?}");
    assert_eq!(
        stored.json(),
        json!({"key": "greeting", "value": {"text": "hello"}})
    );
    assert_eq!(
        server.get_json(&at("?key=greeting")).await,
        json!({"key": "greeting", "value": {"text": "hello"}})
    );
    let kv = server.pigdin(&["kv", module, "get", "greeting"]).await.ok();
    assert_eq!(
        serde_json::from_str::<Value>(kv.trim()).unwrap(),
        json!({"text": "hello"}),
        "the function's KV, as `pigdin kv` shows it"
    );

    let bad = post(server, &at("?key=greeting"), &[], "not json").await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(bad.json()["error"].as_str().unwrap().contains("JSON"));

    let deleted = server
        .request(server.http.delete(server.block_url(&at("?key=greeting"))))
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    let missing = server.get(&at("?key=greeting")).await;
    assert_eq!(missing.status, 404, "{missing:?}");
}

/// before-publish, deployed: rejects banned words on chat.*, tidies the rest.
async fn uses_before_publish(server: &Server) {
    let rejected = publish(server, "chat.general", &json!({"text": "buy SPAM now"}), "").await;
    assert_eq!(rejected.status, 403, "{rejected:?}");
    assert_eq!(
        rejected.json()["message"],
        "message rejected: \"spam\" is not allowed on chat.general"
    );
    assert!(
        history(server, "chat.general").await.is_empty(),
        "a rejected message is not stored"
    );

    let passed = publish(
        server,
        "chat.general",
        &json!({"text": "  oh   darn, it  works ", "from": "ada"}),
        "",
    )
    .await;
    assert_eq!(passed.status, 200, "{passed:?}");
    let text = publish(server, "chat.general", &json!("Heck yes"), "").await;
    assert_eq!(text.status, 200, "{text:?}");
    let stored: Vec<Value> = history(server, "chat.general")
        .await
        .into_iter()
        .map(|entry| entry["message"].clone())
        .collect();
    assert_eq!(
        stored,
        vec![
            json!({"text": "oh ****, it works", "from": "ada"}),
            json!("**** yes")
        ]
    );

    let elsewhere = publish(server, "news", &json!({"text": "spam"}), "").await;
    assert_eq!(
        elsewhere.status, 200,
        "only chat.* is moderated: {elsewhere:?}"
    );
}

/// after-publish, deployed: one notice on a channel's fifth message.
async fn uses_after_publish(server: &Server) {
    for i in 1..=5 {
        let reply = publish(
            server,
            "chat.room",
            &json!({"text": format!("message {i}")}),
            "",
        )
        .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let other = publish(server, "chat.other", &json!({"text": "elsewhere"}), "").await;
    assert_eq!(other.status, 200, "{other:?}");

    let notice = eventually("the fifth message's notice", || async {
        history(server, "notices.chat.room").await.pop()
    })
    .await;
    let notice = &notice["message"];
    assert_eq!(notice["notice"], "5 messages on chat.room", "{notice}");
    assert_eq!(notice["channel"], "chat.room");
    assert_eq!(notice["count"], 5);
    assert!(
        notice["last"]["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("message ")),
        "{notice}"
    );
    assert_eq!(notice["last"]["publisher"], "js-tester");
    assert!(notice["last"]["timetoken"].is_string(), "{notice}");
    assert_eq!(
        history(server, "notices.chat.room").await.len(),
        1,
        "one notice per five messages"
    );
    assert!(
        history(server, "notices.chat.other").await.is_empty(),
        "counts are per channel"
    );
}

/// on-interval, deployed as `module`: `pigdin run` makes it tick.
async fn uses_on_interval(server: &Server, module: &str) {
    let out = server.pigdin(&["run", module, "tick"]).await.ok();
    assert!(out.contains(&format!("ran {module}/tick")), "{out}");
    let ticks = eventually("a tick on heartbeat", || async {
        let ticks = history(server, "heartbeat").await;
        (!ticks.is_empty()).then_some(ticks)
    })
    .await;
    for (i, entry) in ticks.iter().enumerate() {
        let tick = &entry["message"];
        assert_eq!(tick["from"], module, "{tick}");
        assert_eq!(tick["tick"], i + 1, "ticks count up from 1: {tick}");
    }
}

/// Base64 HMAC-SHA256 of `body` under `secret`, as `openssl dgst -hmac | base64` makes it.
fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// webhook, deployed as `module`: 503 until its secret is set, then 401
/// unless the body is signed with it; a signed event is published.
async fn uses_webhook(server: &Server, module: &str) {
    let body = r#"{"event":"order.created","id":42}"#;
    let events_channel = format!("webhooks.{module}");
    let signed_with = |secret: &str| signature(secret, body);

    let unset = post(
        server,
        module,
        &[("x-signature", &signed_with("s3cret"))],
        body,
    )
    .await;
    assert_eq!(unset.status, 503, "no secret set yet: {unset:?}");
    server
        .pigdin(&[
            "vault",
            "set",
            module,
            "webhook-secret",
            "--value",
            "s3cret",
        ])
        .await
        .ok();

    let unsigned = post(server, module, &[], body).await;
    assert_eq!(unsigned.status, 401, "{unsigned:?}");
    assert_eq!(unsigned.json(), json!({"error": "missing X-Signature"}));
    for forged in [signed_with("other secret"), "forged".to_owned()] {
        let reply = post(server, module, &[("x-signature", &forged)], body).await;
        assert_eq!(reply.status, 401, "{forged}: {reply:?}");
        assert_eq!(
            reply.json(),
            json!({"error": "the signature does not match the body"})
        );
    }
    let tampered = post(
        server,
        module,
        &[("x-signature", &signed_with("s3cret"))],
        r#"{"event":"order.created","id":43}"#,
    )
    .await;
    assert_eq!(tampered.status, 401, "{tampered:?}");
    assert!(history(server, &events_channel).await.is_empty());

    let signed = post(
        server,
        module,
        &[("x-signature", &signed_with("s3cret"))],
        body,
    )
    .await;
    assert_eq!(signed.status, 200, "{signed:?}");
    assert_eq!(signed.json(), json!({"received": true}));
    let events: Vec<Value> = history(server, &events_channel)
        .await
        .into_iter()
        .map(|entry| entry["message"].clone())
        .collect();
    assert_eq!(events, vec![json!({"event": "order.created", "id": 42})]);

    let get = server.get(module).await;
    assert_eq!(get.status, 405, "{get:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_every_template_and_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let list = pigdin_in(dir.path(), &["new", "--list"]).await.ok();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), TEMPLATES.len(), "{list}");
    for (line, template) in lines.iter().zip(TEMPLATES) {
        assert!(
            line.starts_with(template) && line.len() > template.len() + 10,
            "one line per template, named and described: {line}"
        );
    }

    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/mine.txt"), "keep me").unwrap();
    let err = pigdin_in(dir.path(), &["new", "taken"]).await.fails();
    assert!(err.contains("taken already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken/mine.txt")).unwrap(),
        "keep me",
        "an existing directory is left alone"
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("taken")).unwrap().count(),
        1
    );

    for bad in ["Bad_Name", "a/b", "ünï"] {
        let err = pigdin_in(dir.path(), &["new", bad]).await.fails();
        assert!(
            err.contains(&format!("module name {bad:?} is invalid")),
            "{bad}: {err}"
        );
    }

    let err = pigdin_in(dir.path(), &["new", "x", "--template", "chatbot"])
        .await
        .fails();
    assert!(err.contains("unknown template \"chatbot\""), "{err}");
    for template in TEMPLATES {
        assert!(
            err.contains(template),
            "the refusal names {template}: {err}"
        );
    }
    let err = pigdin_in(dir.path(), &["new"]).await.fails();
    assert!(err.contains("<NAME>"), "{err}");

    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["taken"], "refusals write nothing");
}

/// The Rust templates, generated outside this repository and deployed as
/// created onto one server, each then used as its JavaScript twin is.
/// SLOW: `pigdin deploy` builds each crate with cargo for wasm32-wasip2, the
/// guest SDK being the copy `pigdin new` wrote into `.pigdin/` (builds share
/// functions/target, as every guest build in these tests does).
#[tokio::test(flavor = "multi_thread")]
async fn rust_templates_build_outside_the_repository_and_work_as_the_javascript_ones() {
    let server = Server::start().await;
    let mut dirs = Vec::new();
    for template in TEMPLATES {
        let name = format!("rust-{template}");
        let (parent, dir) = new_module(&name, &["--template", template, "--lang", "rust"]).await;
        assert!(
            !dir.starts_with(repo_root()),
            "{} must be outside the checkout",
            dir.display()
        );
        for file in [
            "Cargo.toml",
            "module.toml",
            "src/lib.rs",
            "README.md",
            ".pigdin/functions/sdk/Cargo.toml",
            ".pigdin/runtime/wit/pigdin.wit",
        ] {
            assert!(dir.join(file).is_file(), "{template}: {file}");
        }
        let out = server.deploy(&dir).await;
        assert!(out.contains(&format!("deployed {name} version")), "{out}");
        assert!(out.contains(".wasm"), "a component was built: {out}");
        dirs.push(parent);
    }
    uses_on_request(&server, "rust-on-request").await;
    uses_before_publish(&server).await;
    uses_after_publish(&server).await;
    uses_on_interval(&server, "rust-on-interval").await;
    uses_webhook(&server, "rust-webhook").await;
}
