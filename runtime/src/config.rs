//! Runtime settings, with the embedded defaults `pigdin serve` starts on.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub publish_key: String,
    pub subscribe_key: String,
    /// When set, admin calls need it; when unset, only loopback clients may make them.
    pub admin_key: Option<String>,
    /// The keyset's secret key: when set, Access Manager is on (signatures,
    /// grants, tokens); when unset, every request is allowed.
    pub secret_key: Option<String>,
    /// `(module, name, value)` secrets the vault provides from start-up, in
    /// memory only (never written to the data directory); later entries win.
    pub vault_secrets: Vec<(String, String, String)>,
    /// How long a KV TTL minute lasts. 60 s; tests shorten it to see expiry.
    pub kv_minute: Duration,
    /// How often expired KV values are swept away (reads ignore them at once).
    pub kv_purge_period: Duration,
    /// How long a subscribe long-poll is held before it is answered empty
    /// (below the SDKs' 310 s request timeout). Tests shorten it.
    pub subscribe_hold: Duration,
    /// How long history keeps a message; `None` keeps it forever. A message's
    /// own `ttl` can only shorten this.
    pub history_retention: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            data_dir: PathBuf::from("pigdin-data"),
            publish_key: "demo".into(),
            subscribe_key: "demo".into(),
            admin_key: None,
            secret_key: None,
            vault_secrets: Vec::new(),
            kv_minute: Duration::from_secs(60),
            kv_purge_period: Duration::from_secs(30),
            subscribe_hold: Duration::from_secs(280),
            history_retention: None,
        }
    }
}
