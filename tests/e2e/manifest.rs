//! Bad deploys are refused with a message saying what is wrong and a
//! non-zero exit, and the running version keeps serving.

use base64::Engine as _;
use serde_json::json;

use crate::support::{Server, component, component_line, module_dir, module_variant};

/// Deploys `manifest` (a module directory holding only it); must be refused.
async fn refused(server: &Server, manifest: &str) -> String {
    let dir = module_variant(manifest);
    server
        .pigdin(&["deploy", dir.path().to_str().unwrap()])
        .await
        .fails()
}

/// The bundled counter is still the same version and still counts.
async fn counter_unchanged(server: &Server, version: &str, count: &mut i64) {
    let module = server.module("counter").await.expect("counter deployed");
    assert_eq!(module["version"], version, "{module}");
    assert_eq!(module["bundled"], true, "{module}");
    *count += 1;
    assert_eq!(server.get_json("counter").await["count"], *count);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_deploys_are_refused_and_the_old_version_keeps_running() {
    let server = Server::start().await;
    let counter = server.module("counter").await.expect("bundled counter");
    let version = counter["version"].as_str().unwrap().to_owned();
    let mut count = 0;
    counter_unchanged(&server, &version, &mut count).await;
    let counter_wasm = component_line(&component("examples/counter").await);

    // Invalid TOML.
    let err = refused(
        &server,
        "name = \"counter\"\n[[function]\nname = \"counter\"\n",
    )
    .await;
    assert!(err.contains("invalid module.toml"), "{err}");
    assert!(err.contains("module.toml"), "{err}");
    counter_unchanged(&server, &version, &mut count).await;

    // An unknown field (a typo must not go unnoticed).
    let err = refused(
        &server,
        &format!(
            "name = \"counter\"\n{counter_wasm}wall_time = 5\n[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"counter\"\n"
        ),
    )
    .await;
    assert!(err.contains("unknown field `wall_time`"), "{err}");
    counter_unchanged(&server, &version, &mut count).await;

    // An event kind that does not match the component's.
    let err = refused(
        &server,
        &format!(
            "name = \"counter\"\n{counter_wasm}[[function]]\nname = \"counter\"\nevent = \"on-interval\"\ninterval_secs = 1\n"
        ),
    )
    .await;
    assert!(
        err.contains("rejected")
            && err.contains("binds function \"counter\" as on-interval")
            && err.contains("implements it as on-request"),
        "{err}"
    );
    counter_unchanged(&server, &version, &mut count).await;

    // A function the component does not implement.
    let err = refused(
        &server,
        &format!(
            "name = \"counter\"\n{counter_wasm}[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"counter\"\n[[function]]\nname = \"extra\"\nevent = \"on-request\"\npath = \"extra\"\n"
        ),
    )
    .await;
    assert!(
        err.contains("declares function \"extra\" but the component does not implement it"),
        "{err}"
    );
    counter_unchanged(&server, &version, &mut count).await;

    // A path that another module already serves.
    let err = refused(
        &server,
        &format!(
            "name = \"copycat\"\n{counter_wasm}[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"count*\"\n"
        ),
    )
    .await;
    assert!(
        err.contains("overlaps /counter of counter/counter"),
        "{err}"
    );
    assert!(server.module("copycat").await.is_none());
    counter_unchanged(&server, &version, &mut count).await;

    // Two globs that share a path, though neither matches the other's literal parts.
    let versioned = |module: &str, path: &str, wasm: &str| {
        format!(
            "name = \"{module}\"\n{wasm}[[function]]\nname = \"version\"\nevent = \"on-request\"\npath = \"{path}\"\n"
        )
    };
    let swap_wasm = component_line(&component("fixtures/swap-a").await);
    let first = module_variant(&versioned("items-one", "items/*/x", &swap_wasm));
    server.deploy(first.path()).await;
    assert_eq!(server.get_ok("items/a/x").await, "a");
    let err = refused(&server, &versioned("items-two", "items/a*", &swap_wasm)).await;
    assert!(
        err.contains("overlaps /items/*/x of items-one/version"),
        "{err}"
    );
    assert!(server.module("items-two").await.is_none());

    // Not a component at all.
    let dir = module_variant(
        "name = \"counter\"\ncomponent = \"garbage.wasm\"\n[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"counter\"\n",
    );
    std::fs::write(dir.path().join("garbage.wasm"), b"\0asm but not really").unwrap();
    let err = server
        .pigdin(&["deploy", dir.path().to_str().unwrap()])
        .await
        .fails();
    assert!(err.contains("not a valid WebAssembly component"), "{err}");
    counter_unchanged(&server, &version, &mut count).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_function_missing_from_the_component_is_refused() {
    let server = Server::start().await;
    let err = server
        .pigdin(&[
            "deploy",
            module_dir("fixtures/nonexistent-export").to_str().unwrap(),
        ])
        .await
        .fails();
    assert!(
        err.contains("deploying module \"nonexistent-export\" was rejected")
            && err
                .contains("declares function \"missing\" but the component does not implement it")
            && err.contains("present (on-request)"),
        "{err}"
    );
    assert!(server.module("nonexistent-export").await.is_none());
    assert_eq!(server.get("missing").await.status, 404);
}

/// The server checks manifests itself, whatever client sends them.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_api_refuses_bad_manifests_itself() {
    let server = Server::start().await;
    let wasm = std::fs::read(component("examples/counter").await).unwrap();
    let wasm = base64::engine::general_purpose::STANDARD.encode(wasm);
    let put = |name: &str, manifest: &str| {
        server
            .http
            .put(server.url(&format!("/admin/modules/{name}")))
            .json(&json!({ "manifest": manifest, "component": wasm }))
    };

    let reply = server.request(put("counter", "name = [")).await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(reply.error_message().contains("invalid module.toml"));

    let reply = server
        .request(put(
            "counter",
            "name = \"counter\"\nbogus = 1\n[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"counter\"\n",
        ))
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(reply.error_message().contains("unknown field `bogus`"));

    let reply = server
        .request(put(
            "other",
            "name = \"counter\"\n[[function]]\nname = \"counter\"\nevent = \"on-request\"\npath = \"counter\"\n",
        ))
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(reply.error_message().contains("deployed as \"other\""));

    let reply = server
        .request(put(
            "counter",
            "name = \"counter\"\n[[function]]\nname = \"kv\"\nevent = \"after-publish\"\nchannels = [\"x\"]\n",
        ))
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    assert!(
        reply
            .error_message()
            .contains("implements it as on-request")
    );

    assert_eq!(server.get_json("counter").await["count"], 1);
    // Still only the bundled modules (counter and webex-relay).
    assert_eq!(server.modules().await.len(), 2);
}
