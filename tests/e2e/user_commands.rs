//! `pigdin create-user`, `delete-user` and `chat` on bad input, unknown users
//! and an absent runtime: each says what is wrong and what to do, non-zero exit.

use std::path::Path;

use crate::support::{Server, dead_origin, pigdin_with};

/// `pigdin create-user FILE` against an origin where nothing listens: input
/// errors must be reported before the runtime is needed.
async fn create_user(file: &Path) -> String {
    let file = file.to_str().expect("UTF-8 path");
    pigdin_with(&["create-user", file], &dead_origin(), &[], None)
        .await
        .fails()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the user-info file");
    path
}

const COMPLETE: &str =
    r#"{"platform": "webex", "userId": "U1", "access_token": "A", "refresh_token": "R"}"#;

#[tokio::test]
async fn create_user_names_each_kind_of_bad_input() {
    let dir = tempfile::tempdir().unwrap();

    let missing = create_user(&dir.path().join("nope.json")).await;
    assert!(
        missing.contains("cannot read the user-info file") && missing.contains("nope.json"),
        "{missing}"
    );
    assert!(missing.contains("pigdin login"), "{missing}");

    let broken = write(
        dir.path(),
        "broken.json",
        "{\n  \"platform\": \"webex\",\n  \"userId\": \"U1\"\n  \"access_token\": \"A\"\n}",
    );
    let error = create_user(&broken).await;
    assert!(error.contains("is not valid JSON"), "{error}");
    assert!(error.contains("line 4, column 3"), "{error}");

    let slack = write(
        dir.path(),
        "slack.json",
        &COMPLETE.replace("\"webex\"", "\"slack\""),
    );
    let error = create_user(&slack).await;
    assert!(error.contains("platform is \"slack\""), "{error}");
    assert!(error.contains("set \"platform\": \"webex\""), "{error}");

    let no_refresh = write(
        dir.path(),
        "no-refresh.json",
        r#"{"platform": "webex", "userId": "U1", "access_token": "A"}"#,
    );
    let error = create_user(&no_refresh).await;
    assert!(error.contains("missing field \"refresh_token\""), "{error}");
    assert!(error.contains("add it"), "{error}");
}

#[tokio::test]
async fn a_complete_file_without_a_runtime_says_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "user-info.json", COMPLETE);
    let origin = dead_origin();
    let error = pigdin_with(&["create-user", file.to_str().unwrap()], &origin, &[], None)
        .await
        .fails();
    assert!(
        error.contains(&format!("no Pigdin runtime at {origin}"))
            && error.contains("start it with `pigdin serve`"),
        "{error}"
    );
    for command in ["delete-user", "chat"] {
        let error = pigdin_with(&[command, "U1"], &origin, &[], None)
            .await
            .fails();
        assert!(error.contains("no Pigdin runtime at"), "{command}: {error}");
    }
}

#[tokio::test]
async fn unknown_users_are_explained() {
    let server = Server::start().await;
    let error = server.pigdin(&["delete-user", "nobody"]).await.fails();
    assert!(
        error.contains("no Pigdin user nobody") && error.contains("nothing to delete"),
        "{error}"
    );
    let error = server.pigdin(&["chat", "nobody"]).await.fails();
    assert!(
        error.contains("no Pigdin user nobody") && error.contains("pigdin create-user"),
        "{error}"
    );
    let error = server.pigdin(&["chat", "missing.json"]).await.fails();
    assert!(error.contains("no file missing.json"), "{error}");
}

#[tokio::test]
async fn login_without_an_integration_says_what_to_pass() {
    let error = pigdin_with(
        &["login", "--redirect-port", "0"],
        &dead_origin(),
        &[],
        None,
    )
    .await
    .fails();
    assert!(
        error.contains("pass --client-id or set WEBEX_CLIENT_ID"),
        "{error}"
    );
}
