//! Function host figures (issue 2): instantiate + call of a trivial Before
//! Publish handler, a handler doing one KV get and one set (beside the bare
//! sled insert + flush it waits for), and acknowledged KV sets per second
//! from 64 concurrent handlers. Run: `cargo bench -p pigdin-runtime --bench function_host`.

#[path = "../tests/support/guests.rs"]
mod guests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pigdin_runtime::functions::BeforeOutcome;
use pigdin_runtime::functions::host::HttpRequest;
use pigdin_runtime::ops::{PublishInput, Verb};
use pigdin_runtime::{Config, Runtime};
use serde_json::json;

struct Fixture {
    _dir: tempfile::TempDir,
    runtime: Arc<Runtime>,
}

fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        let runtime = Runtime::start(config, &[]).await.unwrap();
        let (manifest, wasm) = guests::module("examples/bench", "bench");
        runtime
            .functions
            .deploy(&runtime, &manifest, &wasm, false)
            .await
            .unwrap();
        Fixture { _dir: dir, runtime }
    })
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
    // One worker thread: one core's worth of executor, as in `pigdin serve`
    // (multi-threaded flavour, so durable writes flush inline).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
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

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = one_core, concurrent_sets
}
criterion_main!(benches);
