//! Pigdin's network as a PubNub client sees it: the keyset, the official SDK
//! client (publish, fire, subscribe with presence), and the REST calls the
//! SDK does not cover (history, App Context).

pub mod app_context;
pub mod as_user;
pub mod credentials;
pub mod history;
pub mod sdk;
pub mod subscribe;

use anyhow::Context;
use serde_json::Value;

use crate::admin_client::{AdminClient, Origin};
use credentials::Credentials;

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
    /// The keyset's secret key, when the runtime runs Access Manager: act as
    /// the server (`create-user` needs it to set a user up and issue their token).
    #[arg(long, env = "PIGDIN_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// An Access Manager token to act with [default: the one `create-user`
    /// stored beside the user-info file, when there is one].
    #[arg(long, env = "PIGDIN_AUTH", hide_env_values = true)]
    pub auth: Option<String>,
}

/// A connection to a running runtime, checked to be there.
pub struct Network {
    pub rest: AdminClient,
    pub origin: String,
    pub publish_key: String,
    pub subscribe_key: String,
    pub credentials: Credentials,
    /// The user the commands act as: the `uuid` of every request, which a
    /// token authorized for one uuid insists on.
    pub uuid: String,
}

impl Network {
    /// Checks that a runtime answers at the origin (`GET /time/0`), so every
    /// command fails the same clear way when it is not running.
    pub async fn connect(
        args: &NetworkArgs,
        credentials: Credentials,
        uuid: &str,
    ) -> anyhow::Result<Self> {
        let network = Self {
            rest: AdminClient::new(&args.origin),
            origin: args.origin.origin.trim_end_matches('/').to_owned(),
            publish_key: args.publish_key.clone(),
            subscribe_key: args.subscribe_key.clone(),
            credentials,
            uuid: uuid.to_owned(),
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

    /// `path_and_query` with the credentials Access Manager needs appended,
    /// and the `uuid` when it names none.
    pub fn authorized(
        &self,
        method: &reqwest::Method,
        path_and_query: &str,
        body: &[u8],
    ) -> String {
        let names_uuid = path_and_query.contains("?uuid=") || path_and_query.contains("&uuid=");
        let path_and_query = if names_uuid {
            path_and_query.to_owned()
        } else {
            let separator = if path_and_query.contains('?') {
                '&'
            } else {
                '?'
            };
            format!("{path_and_query}{separator}uuid={}", encode(&self.uuid))
        };
        self.credentials
            .apply(&self.publish_key, method, &path_and_query, body)
    }

    /// A request on the runtime's REST API, with the credentials; `body` is JSON.
    pub fn request(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let path = self.authorized(&method, path_and_query, &body);
        let builder = self.rest.request(method, &path);
        if body.is_empty() {
            builder
        } else {
            builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
        }
    }

    /// A GET on the runtime's REST API, answered with JSON.
    async fn get_json(&self, path_and_query: &str) -> anyhow::Result<Value> {
        self.rest
            .json(self.request(reqwest::Method::GET, path_and_query, None))
            .await
            .with_context(|| format!("GET {path_and_query}"))
    }
}

impl Network {
    /// Adds what to do to an Access Manager refusal: which credentials
    /// `command` needs. Other errors (a function's abort reason) pass as they are.
    pub fn explain_refusal(&self, error: anyhow::Error, command: &str) -> anyhow::Error {
        if !crate::admin_client::is_access_refusal(&error) {
            return error;
        }
        let text = format!("{error:#}");
        let advice = match (&self.credentials, command) {
            (Credentials::SecretKey(_), _) => {
                "the secret key given is not the runtime's (--secret-key / PIGDIN_SECRET_KEY)"
            }
            (_, "create-user") => {
                "the runtime has Access Manager on: run create-user with the runtime's secret key (--secret-key / PIGDIN_SECRET_KEY)"
            }
            (Credentials::Token(_), _) => {
                "the token does not allow this (it is another user's, expired or revoked): run `pigdin create-user` again with the secret key for a new one"
            }
            (Credentials::Open, _) => {
                "the runtime has Access Manager on: pass the user-info file whose .token file `create-user` wrote, or --auth TOKEN"
            }
        };
        anyhow::anyhow!("{text} — {advice}")
    }

    /// Issues `user_id` a token confined to their own channels (needs the
    /// secret key): see `pigdin_runtime::access::user_token`.
    pub async fn grant_user_token(&self, user_id: &str) -> anyhow::Result<String> {
        use pigdin_runtime::access::token::MAX_TTL_MINUTES;
        use pigdin_runtime::access::user_token::pigdin_user_grant;
        let path = format!("/v3/pam/{}/grant", encode(&self.subscribe_key));
        let body = pigdin_user_grant(user_id, MAX_TTL_MINUTES);
        let answer = self
            .rest
            .json(self.request(reqwest::Method::POST, &path, Some(&body)))
            .await
            .context("the runtime did not issue the user's token")?;
        answer["data"]["token"]
            .as_str()
            .map(str::to_owned)
            .context("the runtime's grant answer carries no token")
    }
}

/// Percent-encodes one path segment or query value (channel names, user ids).
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
