//! History figures (issue 3): the latest 100 messages of a channel holding a
//! million, from the store and through `GET /v3/history` on loopback.
//! Target ≤ 5 ms. Filling takes a while (acknowledged appends, 1,000 at a
//! time so they share flushes). Run: `cargo bench -p pigdin-runtime --bench history`.

use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use pigdin_runtime::store::StoredMessage;
use pigdin_runtime::{Config, Runtime};
use serde_json::json;

const MESSAGES: u64 = 1_000_000;
const CONCURRENT_APPENDS: u64 = 1_000;
const CHANNEL: &str = "big";

struct Fixture {
    _dir: tempfile::TempDir,
    runtime: Arc<Runtime>,
    base: String,
}

fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        let runtime = Runtime::start(config, &[]).await.unwrap();
        let started = Instant::now();
        let first = runtime.broker.now();
        for chunk in 0..MESSAGES / CONCURRENT_APPENDS {
            let appends = (0..CONCURRENT_APPENDS).map(|i| {
                let runtime = runtime.clone();
                let n = chunk * CONCURRENT_APPENDS + i;
                tokio::spawn(async move {
                    let message = StoredMessage {
                        channel: CHANNEL.into(),
                        timetoken: first + n,
                        message: json!({"text": format!("message {n}"), "from": "bench"}),
                        meta: None,
                        publisher: Some("bench".into()),
                        message_type: 0,
                        custom_message_type: None,
                    };
                    runtime.store.history.append(&message).await.unwrap();
                })
            });
            for append in appends.collect::<Vec<_>>() {
                append.await.unwrap();
            }
        }
        eprintln!("filled {MESSAGES} messages in {:?}", started.elapsed());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(pigdin_runtime::api::serve(runtime.clone(), listener));
        Fixture {
            _dir: dir,
            runtime,
            base,
        }
    })
}

fn latest_100_of_a_million(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fixture = fixture(&rt);
    let mut group = c.benchmark_group("history");
    group.bench_function("store: latest 100 of 1M", |b| {
        b.iter(|| {
            let page = fixture.runtime.store.history.latest(CHANNEL, 100).unwrap();
            assert_eq!(page.len(), 100);
        })
    });
    let http = reqwest::Client::new();
    let url = format!(
        "{}/v3/history/sub-key/demo/channel/{CHANNEL}?max=100&include_uuid=true",
        fixture.base
    );
    group.bench_function("GET /v3/history: latest 100 of 1M", |b| {
        b.to_async(&rt).iter(|| async {
            let body = http.get(&url).send().await.unwrap().bytes().await.unwrap();
            assert!(body.len() > 100 * 20);
        })
    });
    group.finish();
}

criterion_group!(benches, latest_100_of_a_million);
criterion_main!(benches);
