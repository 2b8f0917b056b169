//! On Interval with the `ticker` example: deploy, `pigdin run`, the schedule
//! itself, and undeploy stopping it.

use std::time::Duration;

use crate::support::{Server, component, component_line, eventually, module_dir, module_variant};

async fn ticks(server: &Server) -> i64 {
    server.get_json("ticks").await["ticks"]
        .as_i64()
        .expect("ticks is a number")
}

#[tokio::test(flavor = "multi_thread")]
async fn interval_functions_run_on_schedule_and_by_hand_until_undeployed() {
    let server = Server::start().await;
    let out = server.deploy(&module_dir("examples/ticker")).await;
    assert!(out.contains("deployed ticker version "), "{out}");

    let listing = server.pigdin(&["functions"]).await.ok();
    assert!(listing.contains("ticker version "), "{listing}");
    assert!(
        listing
            .lines()
            .any(|l| l.contains("tick") && l.contains("on-interval") && l.contains("every 1s")),
        "{listing}"
    );
    assert!(listing.contains("path /ticks"), "{listing}");

    // `pigdin run` fires the function at once.
    let before = ticks(&server).await;
    let out = server.pigdin(&["run", "ticker", "tick"]).await.ok();
    assert!(out.contains("ran ticker/tick"), "{out}");
    let after_run = ticks(&server).await;
    assert!(
        after_run > before,
        "run did not tick: {before} → {after_run}"
    );

    // Only interval functions can be run by hand; unknown ones are named.
    let err = server.pigdin(&["run", "ticker", "ticks"]).await.fails();
    assert!(err.contains("only on-interval functions"), "{err}");
    let err = server.pigdin(&["run", "ticker", "nope"]).await.fails();
    assert!(err.contains("has no function \"nope\""), "{err}");

    // The schedule runs by itself (every second).
    eventually("the interval to tick twice on its own", || async {
        (ticks(&server).await >= after_run + 2).then_some(())
    })
    .await;

    let out = server.pigdin(&["undeploy", "ticker"]).await.ok();
    assert!(out.contains("undeployed ticker"), "{out}");
    let reply = server.get("ticks").await;
    assert_eq!(reply.status, 404, "{reply:?}");
    let listing = server.pigdin(&["functions"]).await.ok();
    assert!(!listing.contains("ticker"), "{listing}");
    let err = server.pigdin(&["undeploy", "ticker"]).await.fails();
    assert!(err.contains("no module named \"ticker\""), "{err}");

    // The schedule has stopped: read the kept count through a `ticker` that
    // only has the reader, across 2.5 periods of the old schedule.
    let reader = module_variant(&format!(
        "name = \"ticker\"\n{}\n[[function]]\nname = \"ticks\"\nevent = \"on-request\"\npath = \"ticks\"\n",
        component_line(&component("examples/ticker").await)
    ));
    server.deploy(reader.path()).await;
    let stopped_at = ticks(&server).await;
    assert!(
        stopped_at >= after_run + 2,
        "KV data was not kept: {stopped_at}"
    );
    // This wait must let time pass: it checks that nothing happens.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        ticks(&server).await,
        stopped_at,
        "ticks rose after undeploy"
    );
}
