//! What Access Manager adds to one request (issue 6: "signature and token
//! checks add ≤ 10 % to publish throughput"): the policy lookup plus the
//! token check of a token-authorized publish, and the signature check of a
//! server-signed one, without HTTP around them. Compare with the cost of a
//! whole publish request (wrk against `pigdin serve --bench-token`, see
//! BENCHMARKS.md). Run: `cargo bench -p pigdin-runtime --bench access`.

use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use pigdin_runtime::access::policy::{self, Policy};
use pigdin_runtime::access::signature::{SignedRequest, sign_v2};
use pigdin_runtime::api::params::Params;
use pigdin_runtime::{Config, Runtime};
use serde_json::json;

const SECRET: &str = "bench-secret";

fn access(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = rt.block_on(async {
        let config = Config {
            data_dir: dir.path().to_owned(),
            secret_key: Some(SECRET.into()),
            ..Config::default()
        };
        Runtime::start(config, &[]).await.unwrap()
    });
    let token = runtime
        .access
        .grant_token(&json!({
            "ttl": 60,
            "permissions": {"resources": {"channels": {"bench": 2}}, "uuid": "bench"},
        }))
        .unwrap();
    let path = "/publish/demo/demo/0/bench/0/%22hi%22";
    let query = format!("store=0&uuid=bench&auth={token}");

    c.bench_function(
        "token-authorized publish: query, policy and token check",
        |b| {
            b.iter(|| {
                let params = Params::parse(Some(&query));
                let Policy::Check(requirements) =
                    policy::requirements("GET", path, |name| params.get(name))
                else {
                    panic!("publish needs a check");
                };
                runtime
                    .access
                    .authorize(&requirements, params.get("auth"), params.get("uuid"))
                    .unwrap();
            })
        },
    );

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut params = vec![
        ("uuid".to_owned(), "bench".to_owned()),
        ("store".to_owned(), "0".to_owned()),
        ("timestamp".to_owned(), now),
    ];
    let signature = sign_v2(
        SECRET,
        "demo",
        &SignedRequest {
            method: "GET",
            path,
            params: &params,
            body: b"",
        },
    );
    params.push(("signature".into(), signature));
    c.bench_function("server-signed publish: signature check", |b| {
        b.iter(|| {
            runtime
                .access
                .verify_signature(&SignedRequest {
                    method: "GET",
                    path,
                    params: &params,
                    body: b"",
                })
                .unwrap();
        })
    });
}

criterion_group!(benches, access);
criterion_main!(benches);
