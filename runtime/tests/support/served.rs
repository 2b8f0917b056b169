//! An in-process runtime serving its HTTP API on a free loopback port, with a
//! temporary data directory that goes when it is dropped.

use std::sync::Arc;

use pigdin_runtime::{Config, Runtime};

pub struct Served {
    pub base: String,
    pub http: reqwest::Client,
    pub runtime: Arc<Runtime>,
    _dir: tempfile::TempDir,
}

/// Starts a runtime on the default config as `configure` adjusts it.
pub async fn serve(configure: impl FnOnce(&mut Config)) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    configure(&mut config);
    let runtime = Runtime::start(config, &[]).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(pigdin_runtime::api::serve(runtime.clone(), listener));
    Served {
        base,
        http: reqwest::Client::new(),
        runtime,
        _dir: dir,
    }
}
