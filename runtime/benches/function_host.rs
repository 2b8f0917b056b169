//! Function host figures. Issue 2: instantiate + call of a trivial Before
//! Publish handler, a handler doing one KV get and one set (beside the bare
//! sled insert + flush it waits for), and acknowledged KV sets per second
//! from 64 concurrent handlers. Issue 12: the same trivial Before Publish
//! (adds a field, `request.ok()`) in JavaScript on a warm instance and on a
//! fresh one beside its Rust twin, the warm instance's memory, and a
//! CPU-bound JS handler (HMAC-SHA256 over 10 KB in plain JS, 20 rounds), and
//! the HTTP figure's `hello` On Request in both languages without the network.
//! Run: `cargo bench -p pigdin-runtime --bench function_host`.

#[path = "../tests/support/guests.rs"]
mod guests;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pigdin_runtime::functions::host::HttpRequest;
use pigdin_runtime::functions::javascript::Sources;
use pigdin_runtime::functions::{BeforeOutcome, ModuleCode};
use pigdin_runtime::ops::{PublishInput, Verb};
use pigdin_runtime::{Config, JsEngine, Runtime};
use serde_json::json;

struct Fixture {
    _dir: tempfile::TempDir,
    runtime: Arc<Runtime>,
}

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

/// A runtime with the `bench` module (Rust) and its JavaScript twin deployed.
fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    rt.block_on(async {
        // Builds the guest workspace (the JS engine with it) when it is stale.
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

/// One worker thread: one core's worth of executor, as in `pigdin serve`
/// (multi-threaded flavour, so durable writes flush inline).
fn one_worker() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn kv_request() -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path: "kv-bench".into(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn one_core(c: &mut Criterion) {
    let rt = one_worker();
    let f = fixture(&rt);
    let runtime = &f.runtime;

    let noop = runtime.functions.handler("bench", "noop").unwrap();
    let input = PublishInput {
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
    };
    c.bench_function("before_publish_noop_instantiate_and_call", |b| {
        b.to_async(&rt).iter(|| async {
            let outcome = runtime.functions.run_before(runtime, &noop, &input).await;
            assert!(matches!(outcome, BeforeOutcome::Pass { .. }));
        })
    });

    // Issue 12: the same trivial handler in Rust (fresh instance per event)
    // and in JavaScript (warm, and the first call of a fresh instance).
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

    // Issue 12: the `hello` On Request (the HTTP figure's function) without
    // the network: Rust on a fresh instance, JavaScript on a warm one.
    let hello = |path: &str| HttpRequest {
        method: "GET".into(),
        path: path.into(),
        query: Vec::new(),
        headers: vec![
            ("host".into(), "127.0.0.1:8090".into()),
            ("user-agent".into(), "curl/8.14.1".into()),
            ("accept".into(), "*/*".into()),
        ],
        body: Vec::new(),
    };
    for (name, module, function, path) in [
        ("hello_rust_fresh_instance", "bench", "hello", "hello"),
        ("hello_js_warm_instance", "bench-js", "hello", "hello-js"),
    ] {
        let handler = runtime.functions.handler(module, function).unwrap();
        let request = hello(path);
        c.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let reply = runtime
                    .functions
                    .run_request(runtime, &handler, request.clone())
                    .await
                    .unwrap();
                assert_eq!(reply.body, b"hello");
            })
        });
    }

    let kv = runtime.functions.handler("bench", "kv").unwrap();
    c.bench_function("on_request_kv_get_and_set_durable", |b| {
        b.to_async(&rt).iter(|| async {
            let reply = runtime
                .functions
                .run_request(runtime, &kv, kv_request())
                .await
                .unwrap();
            assert_eq!(reply.status, 200);
        })
    });

    // Baseline measured in the same run: what the KV set waits for.
    let tree = runtime.store.db.open_tree("bench-baseline").unwrap();
    let mut n = 0u64;
    c.bench_function("baseline_sled_insert_and_flush", |b| {
        b.iter(|| {
            n += 1;
            tree.insert(b"k", &n.to_be_bytes()[..]).unwrap();
            runtime.store.db.flush().unwrap();
        })
    });
}

/// 64 concurrent handlers each doing one acknowledged KV set; reports sets/s.
fn concurrent_sets(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = fixture(&rt);
    let runtime = f.runtime.clone();
    let kv = runtime.functions.handler("bench", "kv").unwrap();
    let mut group = c.benchmark_group("kv_group_commit");
    group.throughput(criterion::Throughput::Elements(64));
    group.bench_function("64_concurrent_handlers_one_set_each", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let runtime = runtime.clone();
            let kv = kv.clone();
            async move {
                let start = Instant::now();
                for _ in 0..iters {
                    let tasks: Vec<_> = (0..64)
                        .map(|_| {
                            let (runtime, kv) = (runtime.clone(), kv.clone());
                            tokio::spawn(async move {
                                runtime
                                    .functions
                                    .run_request(&runtime, &kv, kv_request())
                                    .await
                                    .unwrap()
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.unwrap();
                    }
                }
                start.elapsed()
            }
        })
    });
    group.finish();
}

/// A CPU-bound JavaScript handler: plain-JS HMAC-SHA256 over 10 KB, 20 rounds
/// (scripts/bench-js-cpu runs the same code under node).
fn cpu_bound_js(c: &mut Criterion) {
    let rt = one_worker();
    let f = fixture(&rt);
    let runtime = &f.runtime;
    let hmac = runtime.functions.handler("bench-js", "hmac").unwrap();
    let request = HttpRequest {
        method: "GET".into(),
        path: "hmac-js".into(),
        query: vec![("rounds".into(), "20".into())],
        headers: Vec::new(),
        body: Vec::new(),
    };
    let mut group = c.benchmark_group("cpu_bound");
    group.sample_size(10);
    group.bench_function("hmac_sha256_10k_x20_js", |b| {
        b.to_async(&rt).iter(|| async {
            let reply = runtime
                .functions
                .run_request(runtime, &hmac, request.clone())
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
    targets = one_core, concurrent_sets, cpu_bound_js
}
criterion_main!(benches);
