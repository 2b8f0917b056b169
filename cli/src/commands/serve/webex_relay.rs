//! What `serve` tells the bundled `webex-relay` module, through its vault:
//! where the Webex API is, the URL Webex reaches this server at (for the
//! relay's webhooks), the Webex OAuth client, and the key the relay seals
//! Webex tokens with (from the relay key file). Secrets are never printed.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

use super::relay_key;

/// The module the settings are for (its vault).
const MODULE: &str = "webex-relay";

#[derive(clap::Args, Clone)]
pub struct RelayArgs {
    /// Base URL of the Webex API the relay calls.
    #[arg(
        long,
        env = "PIGDIN_WEBEX_API_URL",
        default_value = "https://webexapis.com/v1"
    )]
    pub webex_api_url: String,
    /// Base URL Webex can reach this server at, for the relay's webhooks
    /// [default: http://<listen address>].
    #[arg(long, env = "PIGDIN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// File with the key the relay seals Webex tokens with in its KV; made
    /// (32 random bytes, base64, mode 0600) when missing. Keep it outside the
    /// data directory [default: $XDG_CONFIG_HOME/pigdin/relay.key, else
    /// ~/.config/pigdin/relay.key].
    #[arg(long, env = "PIGDIN_RELAY_KEY_FILE", value_name = "PATH")]
    pub relay_key_file: Option<PathBuf>,
}

/// The relay's settings once the listen address is known.
pub struct RelaySettings {
    pub api_url: String,
    pub public_url: String,
    /// `(client id, client secret)` from WEBEX_CLIENT_ID / WEBEX_CLIENT_SECRET.
    pub client: Option<(String, String)>,
    /// Where the token key came from (the key itself is only in `token_key`).
    pub key_file: PathBuf,
    /// The relay's `TOKEN_KEY`, base64; never printed.
    token_key: String,
}

impl RelaySettings {
    /// From the arguments and the environment; `address` is where `serve` listens.
    pub fn new(args: &RelayArgs, address: SocketAddr) -> anyhow::Result<Self> {
        for (what, url) in [
            ("--webex-api-url", Some(&args.webex_api_url)),
            ("--public-url", args.public_url.as_ref()),
        ] {
            if let Some(url) = url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                anyhow::bail!("{what} {url:?} is not an http:// or https:// URL");
            }
        }
        let client = match (
            std::env::var("WEBEX_CLIENT_ID"),
            std::env::var("WEBEX_CLIENT_SECRET"),
        ) {
            (Ok(id), Ok(secret)) if !id.is_empty() => Some((id, secret)),
            _ => None,
        };
        let key_file = match &args.relay_key_file {
            Some(path) => path.clone(),
            None => relay_key::default_path()?,
        };
        let token_key = relay_key::load_or_create(&key_file)?;
        Ok(Self {
            api_url: args.webex_api_url.clone(),
            public_url: args
                .public_url
                .clone()
                .unwrap_or_else(|| default_public_url(address)),
            client,
            key_file,
            token_key,
        })
    }

    /// `(module, name, value)` vault entries for the runtime's config (held
    /// in memory by the runtime, never stored).
    pub fn vault_secrets(&self, subscribe_key: &str) -> Vec<(String, String, String)> {
        let mut secrets = vec![
            ("WEBEX_API_URL", self.api_url.clone()),
            ("PUBLIC_URL", self.public_url.clone()),
            // On Request URLs carry the subscribe key: the webhook target needs it.
            ("SUBSCRIBE_KEY", subscribe_key.to_owned()),
            // Seals the users' Webex tokens in KV.
            ("TOKEN_KEY", self.token_key.clone()),
        ];
        if let Some((id, secret)) = &self.client {
            secrets.push(("WEBEX_CLIENT_ID", id.clone()));
            secrets.push(("WEBEX_CLIENT_SECRET", secret.clone()));
        }
        secrets
            .into_iter()
            .map(|(name, value)| (MODULE.to_owned(), name.to_owned(), value))
            .collect()
    }
}

/// `http://<listen address>`, with a wildcard address made loopback (a
/// webhook cannot target 0.0.0.0).
fn default_public_url(mut address: SocketAddr) -> String {
    if address.ip().is_unspecified() {
        address.set_ip(if address.is_ipv4() {
            Ipv4Addr::LOCALHOST.into()
        } else {
            Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_defaults_to_the_listen_address() {
        assert_eq!(
            default_public_url("127.0.0.1:8090".parse().unwrap()),
            "http://127.0.0.1:8090"
        );
        assert_eq!(
            default_public_url("0.0.0.0:9000".parse().unwrap()),
            "http://127.0.0.1:9000"
        );
    }
}
