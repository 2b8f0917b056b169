//! Pigdin's network as a PubNub client sees it: the keyset, the official SDK
//! client (publish, fire, subscribe with presence), and the REST calls the
//! SDK does not cover (history, App Context).

pub mod app_context;
pub mod history;
pub mod sdk;
pub mod subscribe;

use anyhow::Context;
use serde_json::Value;

use crate::client::{Client, Origin};

/// Where the runtime is and which keyset to use.
#[derive(clap::Args, Debug, Clone)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub origin: Origin,
    /// The keyset's publish key.
    #[arg(long, env = "PIGDIN_PUBLISH_KEY", default_value = "demo")]
    pub publish_key: String,
    /// The keyset's subscribe key.
    #[arg(long, env = "PIGDIN_SUBSCRIBE_KEY", default_value = "demo")]
    pub subscribe_key: String,
}

/// A connection to a running runtime, checked to be there.
pub struct Network {
    pub rest: Client,
    pub origin: String,
    pub publish_key: String,
    pub subscribe_key: String,
}

impl Network {
    /// Checks that a runtime answers at the origin (`GET /time/0`), so every
    /// command fails the same clear way when it is not running.
    pub async fn connect(args: &NetworkArgs) -> anyhow::Result<Self> {
        let network = Self {
            rest: Client::new(&args.origin),
            origin: args.origin.origin.trim_end_matches('/').to_owned(),
            publish_key: args.publish_key.clone(),
            subscribe_key: args.subscribe_key.clone(),
        };
        network.is_up().await?;
        Ok(network)
    }

    /// `Ok` when the runtime answers; the "start it with `pigdin serve`" error otherwise.
    pub async fn is_up(&self) -> anyhow::Result<()> {
        self.rest
            .send(self.rest.request(reqwest::Method::GET, "/time/0"))
            .await
            .map(drop)
    }

    /// A GET on the runtime's REST API, answered with JSON.
    async fn get_json(&self, path_and_query: &str) -> anyhow::Result<Value> {
        self.rest
            .json(self.rest.request(reqwest::Method::GET, path_and_query))
            .await
            .with_context(|| format!("GET {path_and_query}"))
    }
}

/// Percent-encodes one path segment or query value (channel names, user ids).
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
