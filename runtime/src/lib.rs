//! The Pigdin runtime: a local PubNub-compatible network and a WebAssembly
//! function host, sharing one sled store.
//!
//! - [`store`]: sled, durable writes, KV, vault, history, App Context.
//! - [`broker`]: timetokens, topics, subscriptions, presence bookkeeping.
//! - [`ops`]: the Runtime's operations (publish, presence, App Context writes),
//!   called by the HTTP API and the function host alike.
//! - [`functions`]: modules, the wasmtime engine, triggers, limits, host imports.
//! - [`access`]: Access Manager (signatures, grants, tokens), on with a secret key.
//! - [`api`]: the HTTP surface (PubNub REST, On Request endpoints, admin).

pub mod access;
pub mod api;
pub mod broker;
pub mod config;
pub mod functions;
pub mod message;
pub mod ops;
pub mod store;

pub use config::{Config, JsEngine, XhrRoute};

use std::sync::Arc;

use broker::Broker;
use functions::FunctionHost;
use store::Store;

/// How often expired history is deleted (reads hide it at once).
const HISTORY_PURGE_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// One running runtime: everything a request or a function can reach.
pub struct Runtime {
    pub config: Config,
    pub store: Store,
    pub broker: Broker,
    pub functions: FunctionHost,
    pub access: access::AccessManager,
    /// File uploads handed out and not yet made (ops/files.rs).
    pub file_tickets: ops::files::UploadTickets,
}

/// A module compiled into the binary and deployed by `serve`.
pub struct BundledModule {
    pub manifest: &'static str,
    pub component: &'static [u8],
}

impl Runtime {
    /// Opens the data directory, provides the start-up vault secrets (held in
    /// memory, never stored), restores deployed modules and deploys the
    /// bundled modules.
    pub async fn start(config: Config, bundled: &[BundledModule]) -> anyhow::Result<Arc<Self>> {
        let mut store = Store::open(&config.data_dir, config.kv_minute)?;
        store.history.set_retention(config.history_retention);
        let functions = FunctionHost::new(&config.data_dir, config.js_engine.map(|e| e.0))?;
        let access = access::AccessManager::open(&config, &store.db, store.commit.clone())?;
        let runtime = Arc::new(Self {
            config,
            store,
            broker: Broker::default(),
            functions,
            access,
            file_tickets: Default::default(),
        });
        ops::spawn_maintenance(&runtime);
        // In memory only: secrets given at start-up never reach the data directory.
        for (module, name, value) in &runtime.config.vault_secrets {
            runtime.store.vault.provide(module, name, value);
        }
        let restored = runtime.functions.restore(&runtime).await?;
        if !restored.is_empty() {
            tracing::info!(modules = ?restored, "restored deployed modules");
        }
        for module in bundled {
            let name = functions::Manifest::parse(module.manifest)
                .map_err(anyhow::Error::msg)?
                .name;
            if runtime
                .functions
                .wants_bundled(&name, &functions::content_hash(module.component))
            {
                runtime
                    .functions
                    .deploy(&runtime, module.manifest, module.component, true)
                    .await?;
            }
        }
        tokio::spawn(
            runtime
                .store
                .kv
                .clone()
                .purge_periodically(runtime.config.kv_purge_period),
        );
        tokio::spawn(
            runtime
                .store
                .history
                .clone()
                .purge_periodically(HISTORY_PURGE_PERIOD),
        );
        Ok(runtime)
    }
}
