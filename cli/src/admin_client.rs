//! Talking to a running `pigdin serve`: the admin API, with errors that say
//! what to do when the server is not there or refuses.

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

/// Where the runtime is, for commands that talk to one.
#[derive(Args, Debug, Clone)]
pub struct Origin {
    /// The runtime's base URL.
    #[arg(
        long,
        env = "PIGDIN_ORIGIN",
        default_value = "http://127.0.0.1:8090",
        global = true
    )]
    pub origin: String,
    /// Admin key, when the server was started with one.
    #[arg(long, env = "PIGDIN_ADMIN_KEY", hide_env_values = true, global = true)]
    pub admin_key: Option<String>,
}

/// The `service` of Access Manager's refusals, and how errors name them.
pub const ACCESS_MANAGER: &str = "Access Manager";

/// The runtime refused a request on Access Manager's grounds (from the
/// admin API or the SDK's calls alike): callers add which credentials the
/// command needs.
#[derive(Debug, thiserror::Error)]
#[error("{ACCESS_MANAGER} refused: {message} (HTTP {status})")]
pub struct AccessRefused {
    pub status: u16,
    pub message: String,
}

/// Whether `error` is, or was caused by, an Access Manager refusal.
pub fn is_access_refusal(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<AccessRefused>())
}

pub struct AdminClient {
    http: reqwest::Client,
    origin: String,
    admin_key: Option<String>,
}

impl AdminClient {
    pub fn new(origin: &Origin) -> Self {
        Self {
            http: reqwest::Client::new(),
            origin: origin.origin.trim_end_matches('/').to_owned(),
            admin_key: origin.admin_key.clone(),
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = self.http.request(method, format!("{}{path}", self.origin));
        if let Some(key) = &self.admin_key {
            builder = builder.header("x-pigdin-admin-key", key);
        }
        builder
    }

    /// Sends and returns the response, or an error naming the problem:
    /// no server at the origin, or the server's own error message.
    pub async fn send(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> anyhow::Result<reqwest::Response> {
        let response = builder.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() {
                anyhow::anyhow!(
                    "no Pigdin runtime at {} — start it with `pigdin serve` (or pass --origin / PIGDIN_ORIGIN)",
                    self.origin
                )
            } else {
                anyhow::anyhow!("request to {} failed: {e}", self.origin)
            }
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str::<Value>(&text).unwrap_or_default();
        let message = body["message"].as_str().map_or(text.clone(), str::to_owned);
        if body["service"] == ACCESS_MANAGER {
            return Err(AccessRefused {
                status: status.as_u16(),
                message,
            }
            .into());
        }
        bail!("{message} (HTTP {})", status.as_u16())
    }

    pub async fn json(&self, builder: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        self.send(builder)
            .await?
            .json()
            .await
            .context("the runtime answered with something that is not JSON")
    }
}
