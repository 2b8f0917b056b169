//! Runtime settings, with the embedded defaults `pigdin serve` starts on.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub publish_key: String,
    pub subscribe_key: String,
    /// When set, admin calls need it; when unset, only loopback clients may make them.
    pub admin_key: Option<String>,
    /// `(module, name, value)` secrets to store in the vault at start-up.
    pub vault_secrets: Vec<(String, String, String)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            data_dir: PathBuf::from("pigdin-data"),
            publish_key: "demo".into(),
            subscribe_key: "demo".into(),
            admin_key: None,
            vault_secrets: Vec::new(),
        }
    }
}
