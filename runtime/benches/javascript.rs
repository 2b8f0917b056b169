//! JavaScript function figures (issue 12), each beside the same handler in
//! Rust measured in the same run: a trivial Before Publish (adds a field,
//! `request.ok()`) on a warm instance and on a fresh one, and a CPU-bound
//! handler (HMAC-SHA256 over 10 KB in plain JS, 20 rounds).
//! Run: `cargo bench -p pigdin-runtime --bench javascript`.

#[path = "../tests/support/guests.rs"]
mod guests;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pigdin_runtime::functions::host::HttpRequest;
use pigdin_runtime::functions::javascript::Sources;
use pigdin_runtime::functions::{BeforeOutcome, ModuleCode};
use pigdin_runtime::ops::{PublishInput, Verb};
use pigdin_runtime::{Config, JsEngine, Runtime};
use serde_json::json;

/// `(module.toml, sources)` of the JavaScript module in `tests/js/{dir}`.
fn js_module(dir: &str) -> (String, Sources) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/js")
        .join(dir);
    let manifest = std::fs::read_to_string(root.join("module.toml")).unwrap();
    let parsed = pigdin_runtime::functions::Manifest::parse(&manifest).unwrap();
    let sources = parsed
        .functions
        .iter()
        .filter_map(|f| f.source.clone())
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name)).unwrap();
            (name, text)
        })
        .collect();
    (manifest, sources)
}

struct Fixture {
    _dir: tempfile::TempDir,
    runtime: Arc<Runtime>,
}

fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    rt.block_on(async {
        // Builds the guest workspace (the engine with it) when it is stale.
        let (manifest, wasm) = guests::module("examples/bench", "bench");
        let engine = std::fs::read(
            guests::functions_dir().join("target/wasm32-wasip2/release/pigdin_js.wasm"),
        )
        .expect("the JS engine component was built");
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            js_engine: Some(JsEngine(Box::leak(engine.into_boxed_slice()))),
            ..Config::default()
        };
        let runtime = Runtime::start(config, &[]).await.unwrap();
        runtime
            .functions
            .deploy(&runtime, &manifest, &wasm, false)
            .await
            .unwrap();
        let (manifest, sources) = js_module("bench");
        runtime
            .functions
            .deploy_code(&runtime, &manifest, ModuleCode::JavaScript(&sources), false)
            .await
            .unwrap();
        Fixture { _dir: dir, runtime }
    })
}

fn stamp_input() -> PublishInput {
    PublishInput {
        channel: "bench.x".into(),
        message: json!({"text": "hello"}),
        meta: None,
        publisher: Some("bench".into()),
        verb: Verb::Publish,
        store: true,
        ttl_hours: None,
        params: Vec::new(),
        custom_message_type: None,
        hops: 0,
    }
}

fn hmac_request() -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path: "hmac-js".into(),
        query: vec![("rounds".into(), "20".into())],
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn stamp(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let f = fixture(&rt);
    let runtime = &f.runtime;
    let input = stamp_input();
    let stamped = |outcome: BeforeOutcome| {
        assert!(
            matches!(&outcome, BeforeOutcome::Pass { message, .. } if message["stamped"] == true),
            "{outcome:?}"
        );
    };

    let rust = runtime.functions.handler("bench", "stamp").unwrap();
    c.bench_function("stamp_rust_fresh_instance", |b| {
        b.to_async(&rt)
            .iter(|| async { stamped(runtime.functions.run_before(runtime, &rust, &input).await) })
    });

    let js = runtime.functions.handler("bench-js", "stamp").unwrap();
    c.bench_function("stamp_js_warm_instance", |b| {
        b.to_async(&rt)
            .iter(|| async { stamped(runtime.functions.run_before(runtime, &js, &input).await) })
    });
    c.bench_function("stamp_js_fresh_instance_first_call", |b| {
        b.to_async(&rt).iter(|| async {
            js.module.cool();
            stamped(runtime.functions.run_before(runtime, &js, &input).await)
        })
    });
    // Not a timing: the footprint the issue names (≤ 4 MiB per warm instance).
    rt.block_on(runtime.functions.run_before(runtime, &js, &input));
    println!(
        "warm JS instance linear memory: {:.2} MiB",
        js.module.warm_memory_bytes() as f64 / (1024.0 * 1024.0)
    );
}

fn cpu_bound(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let f = fixture(&rt);
    let runtime = &f.runtime;
    let hmac = runtime.functions.handler("bench-js", "hmac").unwrap();
    let mut group = c.benchmark_group("cpu_bound");
    group.sample_size(10);
    group.bench_function("hmac_sha256_10k_x20_js", |b| {
        b.to_async(&rt).iter(|| async {
            let reply = runtime
                .functions
                .run_request(runtime, &hmac, hmac_request())
                .await
                .unwrap();
            assert_eq!(
                reply.body,
                b"0bf4d783470784605d1337a6c9b748a115730886e92015fb53d5455b582f56af"
            );
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = stamp, cpu_bound
}
criterion_main!(benches);
