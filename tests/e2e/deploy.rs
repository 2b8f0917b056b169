//! Commands pointed at an origin where no runtime runs.

use crate::support::{dead_origin, module_dir, pigdin_with};

#[tokio::test(flavor = "multi_thread")]
async fn commands_without_a_running_server_say_so() {
    let origin = dead_origin();
    let ticker = module_dir("examples/ticker");
    for args in [
        vec!["deploy", ticker.to_str().unwrap()],
        vec!["functions"],
        vec!["undeploy", "ticker"],
        vec!["logs", "ticker"],
    ] {
        let err = pigdin_with(&args, &origin, &[], None).await.fails();
        assert!(
            err.contains(&format!("no Pigdin runtime at {origin}")),
            "pigdin {args:?}: {err}"
        );
        assert!(err.contains("pigdin serve"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deploying_a_directory_without_a_module_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let err = pigdin_with(
        &["deploy", empty.path().to_str().unwrap()],
        &dead_origin(),
        &[],
        None,
    )
    .await
    .fails();
    assert!(err.contains("needs a module.toml"), "{err}");

    // A manifest but neither a crate nor a prebuilt component.
    std::fs::write(
        empty.path().join("module.toml"),
        "name = \"lonely\"\n[[function]]\nname = \"f\"\nevent = \"on-request\"\npath = \"f\"\n",
    )
    .unwrap();
    let err = pigdin_with(
        &["deploy", empty.path().to_str().unwrap()],
        &dead_origin(),
        &[],
        None,
    )
    .await
    .fails();
    assert!(err.contains("has no Cargo.toml"), "{err}");
}
