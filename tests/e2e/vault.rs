//! Vault secrets: set by flag, by standard input or from the environment at
//! `serve`; readable by the module's functions only, never printed.

use crate::support::{Options, Server, module_dir, pigdin_with};

const FLAG_SECRET: &str = "s3cret";
const STDIN_SECRET: &str = "piped-secret-value";
const ENV_SECRET: &str = "from-the-environment";

/// The length of the secret as the faulty module's `vault` function reports it.
async fn secret_length(server: &Server, name: &str) -> String {
    server.get_ok(&format!("vault?name={name}")).await
}

fn assert_secret_free(what: &str, text: &str) {
    for secret in [FLAG_SECRET, STDIN_SECRET, ENV_SECRET] {
        assert!(!text.contains(secret), "{what} shows a secret:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn vault_secrets_reach_the_module_and_nothing_else() {
    let server = Server::start_with(
        Options::default()
            .env("PIGDIN_VAULT__FAULTY__envtoken", ENV_SECRET)
            // Log everything of Pigdin's own, to be sure no level prints a secret.
            .env("PIGDIN_LOG", "info,pigdin=trace,pigdin_runtime=trace"),
    )
    .await;
    server.deploy(&module_dir("fixtures/faulty")).await;

    // From the environment at start-up.
    assert_eq!(
        secret_length(&server, "envtoken").await,
        ENV_SECRET.len().to_string()
    );

    // By flag.
    let out = server
        .pigdin(&["vault", "set", "faulty", "token", "--value", FLAG_SECRET])
        .await;
    assert_secret_free("pigdin vault set", &format!("{out:?}"));
    let out = out.ok();
    assert!(
        out.contains("stored secret token for module faulty"),
        "{out}"
    );
    assert_eq!(secret_length(&server, "token").await, "6");

    // From standard input (a trailing newline is not part of it).
    let out = pigdin_with(
        &["vault", "set", "faulty", "piped"],
        &server.origin,
        &[],
        Some(&format!("{STDIN_SECRET}\n")),
    )
    .await;
    assert_secret_free("pigdin vault set", &format!("{out:?}"));
    out.ok();
    assert_eq!(
        secret_length(&server, "piped").await,
        STDIN_SECRET.len().to_string()
    );

    // Replacing a secret.
    server
        .pigdin(&[
            "vault",
            "set",
            "faulty",
            "token",
            "--value",
            "longer-s3cret",
        ])
        .await
        .ok();
    assert_eq!(secret_length(&server, "token").await, "13");

    // A missing secret is the function's own 404, naming what to do.
    let reply = server.get("vault?name=absent").await;
    assert_eq!(reply.status, 404, "{reply:?}");
    assert!(
        reply.body.contains("no secret \"absent\"")
            && reply.body.contains("pigdin vault set faulty absent"),
        "{reply:?}"
    );

    // An empty secret is refused by the CLI.
    let err = pigdin_with(
        &["vault", "set", "faulty", "empty"],
        &server.origin,
        &[],
        Some(""),
    )
    .await
    .fails();
    assert!(err.contains("the secret is empty"), "{err}");

    // Make the module log something, then check nothing shows a secret.
    server.get("trap").await;
    let logs = server.pigdin(&["logs", "faulty"]).await.ok();
    assert!(logs.contains("faulty/trap"), "{logs}");
    assert_secret_free("pigdin logs", &logs);
    let listing = server.pigdin(&["functions", "--json"]).await.ok();
    assert_secret_free("pigdin functions", &listing);
    let output = server.output();
    assert!(output.contains("vault secret set"), "{output}");
    assert_secret_free("the server's output", &output);
}
