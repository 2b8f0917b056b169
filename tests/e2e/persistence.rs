//! Deployed modules persist across restarts; a user's deploy under a bundled
//! module's name is not overwritten by the bundled one on restart.

use crate::support::{Server, component, component_line, module_dir, module_variant};

#[tokio::test(flavor = "multi_thread")]
async fn deployed_modules_survive_a_restart() {
    let mut server = Server::start().await;
    server.deploy(&module_dir("examples/ticker")).await;
    let before = server.module("ticker").await.expect("ticker deployed");
    server.pigdin(&["run", "ticker", "tick"]).await.ok();
    let ticks = server.get_json("ticks").await["ticks"].as_i64().unwrap();
    assert!(ticks >= 1);

    server.restart().await;
    let after = server.module("ticker").await.expect("ticker restored");
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["deployed_at_ms"], before["deployed_at_ms"]);
    assert_eq!(after["bundled"], false);
    let listing = server.pigdin(&["functions"]).await.ok();
    assert!(listing.contains("ticker version "), "{listing}");
    let now = server.get_json("ticks").await["ticks"].as_i64().unwrap();
    assert!(now >= ticks, "ticks went back: {ticks} → {now}");
    // It runs, too.
    server.pigdin(&["run", "ticker", "tick"]).await.ok();
    assert!(server.get_json("ticks").await["ticks"].as_i64().unwrap() > now);

    // An undeploy persists as well.
    server.pigdin(&["undeploy", "ticker"]).await.ok();
    server.kill9_restart().await;
    assert!(server.module("ticker").await.is_none());
    assert_eq!(server.get("ticks").await.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_module_named_like_a_bundled_one_is_kept_on_restart() {
    let mut server = Server::start().await;
    let bundled = server.module("counter").await.expect("bundled counter");
    assert_eq!(bundled["bundled"], true);

    // `counter`, but answering "b" at /counter (the swap-b component).
    let mine = module_variant(&format!(
        "name = \"counter\"\n{}\n[[function]]\nname = \"version\"\nevent = \"on-request\"\npath = \"counter\"\n",
        component_line(&component("fixtures/swap-b").await)
    ));
    server.deploy(mine.path()).await;
    assert_eq!(server.get_ok("counter").await, "b");
    let deployed = server.module("counter").await.unwrap();
    assert_eq!(deployed["bundled"], false);
    assert_ne!(deployed["version"], bundled["version"]);

    server.restart().await;
    assert_eq!(server.get_ok("counter").await, "b");
    let restored = server.module("counter").await.unwrap();
    assert_eq!(restored["bundled"], false);
    assert_eq!(restored["version"], deployed["version"]);
    assert_eq!(server.get("kv?op=keys").await.status, 404);

    // Once the user's module is gone, the next start brings the bundled one back.
    server.pigdin(&["undeploy", "counter"]).await.ok();
    server.restart().await;
    let back = server
        .module("counter")
        .await
        .expect("bundled counter again");
    assert_eq!(back["bundled"], true);
    assert_eq!(back["version"], bundled["version"]);
    assert!(server.get_json("counter").await["count"].is_i64());
}
