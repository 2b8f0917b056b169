//! Talking to a running simulator's control API, with errors that say what to do.

use anyhow::Context;
use serde_json::Value;

/// Where the simulator is.
#[derive(clap::Args, Clone)]
pub struct SimUrl {
    /// The simulator's base URL (`http://HOST:PORT`; a trailing `/v1` is accepted).
    #[arg(
        long,
        env = "PIGDIN_WEBEX_SIM_URL",
        default_value = "http://127.0.0.1:8091"
    )]
    pub sim_url: String,
    /// Print the simulator's JSON answer instead of a summary.
    #[arg(long)]
    pub json: bool,
}

pub struct SimClient {
    http: reqwest::Client,
    origin: String,
}

impl SimClient {
    pub fn new(url: &SimUrl) -> Self {
        let origin = url.sim_url.trim_end_matches('/');
        Self {
            http: reqwest::Client::new(),
            origin: origin.strip_suffix("/v1").unwrap_or(origin).to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}/_sim/{path}", self.origin)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() {
                anyhow::anyhow!(
                    "no Webex simulator at {}: start one with `pigdin webex-sim` (or pass --sim-url / PIGDIN_WEBEX_SIM_URL)",
                    self.origin
                )
            } else {
                anyhow::anyhow!("request to the Webex simulator at {} failed: {e}", self.origin)
            }
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .context("reading the simulator's answer")?;
        if !status.is_success() {
            // Webex error bodies put the specifics in errors[0].description.
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v["errors"][0]["description"]
                        .as_str()
                        .or(v["message"].as_str())
                        .map(str::to_owned)
                })
                .unwrap_or(text);
            anyhow::bail!("the Webex simulator refused ({status}): {detail}");
        }
        serde_json::from_str(&text)
            .with_context(|| format!("the simulator answered something that is not JSON: {text}"))
    }
}

/// Percent-encodes one path segment (room titles may hold spaces).
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}
