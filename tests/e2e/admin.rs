//! Admin protection: with `--admin-key`, admin calls need the key.

use crate::support::{Options, Server, module_dir, outward_ip, pigdin_with};

const KEY: &str = "k-e2e-admin";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_key_guards_the_admin_commands() {
    let server = Server::start_with(Options::default().arg("--admin-key").arg(KEY)).await;

    let err = server.pigdin(&["functions"]).await.fails();
    assert!(
        err.contains("admin key") && err.contains("HTTP 403"),
        "{err}"
    );
    let err = server
        .pigdin(&["functions", "--admin-key", "wrong-key"])
        .await
        .fails();
    assert!(err.contains("admin key"), "{err}");
    let err = server
        .pigdin(&["deploy", module_dir("examples/ticker").to_str().unwrap()])
        .await
        .fails();
    assert!(err.contains("admin key"), "{err}");

    // By flag.
    let out = server.pigdin(&["functions", "--admin-key", KEY]).await.ok();
    assert!(out.contains("counter version "), "{out}");
    // By environment.
    let env = [("PIGDIN_ADMIN_KEY", KEY)];
    let out = pigdin_with(
        &["deploy", module_dir("examples/ticker").to_str().unwrap()],
        &server.origin,
        &env,
        None,
    )
    .await
    .ok();
    assert!(out.contains("deployed ticker"), "{out}");
    let out = pigdin_with(&["functions"], &server.origin, &env, None)
        .await
        .ok();
    assert!(out.contains("ticker version "), "{out}");

    // The key guards admin calls only: On Request paths stay public.
    assert_eq!(server.get_json("counter").await["count"], 1);
    assert_eq!(server.get("ticks").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_admin_key_admin_calls_are_loopback_only() {
    let Some(ip) = outward_ip() else {
        eprintln!("skipped: this machine has no address besides loopback");
        return;
    };
    let server = Server::start_with(Options::default().listen("0.0.0.0:0")).await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();
    let remote = format!("http://{ip}:{port}");

    let err = pigdin_with(&["functions"], &remote, &[], None)
        .await
        .fails();
    assert!(
        err.contains("loopback only") && err.contains("--admin-key"),
        "{err}"
    );
    // On Request paths answer anyone; admin calls from loopback still work.
    let reply = server
        .request(
            server
                .http
                .get(format!("{remote}/v1/blocks/sub-key/demo/counter")),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let out = server.pigdin(&["functions"]).await.ok();
    assert!(out.contains("counter version "), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_admin_key_remote_admin_calls_are_allowed() {
    let Some(ip) = outward_ip() else {
        eprintln!("skipped: this machine has no address besides loopback");
        return;
    };
    let server = Server::start_with(
        Options::default()
            .listen("0.0.0.0:0")
            .arg("--admin-key")
            .arg(KEY),
    )
    .await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();
    let remote = format!("http://{ip}:{port}");
    let err = pigdin_with(&["functions"], &remote, &[], None)
        .await
        .fails();
    assert!(err.contains("admin key"), "{err}");
    let out = pigdin_with(&["functions"], &remote, &[("PIGDIN_ADMIN_KEY", KEY)], None)
        .await
        .ok();
    assert!(out.contains("counter version "), "{out}");
}
