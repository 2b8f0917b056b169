//! `xhr`: outbound HTTP, counted against `xhr_calls`, limited to the
//! manifest's `allowed_hosts`, and never outliving the execution.
use std::time::{Duration, Instant};

use super::HostState;
use super::pigdin::functions::xhr::{Host, Request, Response};
use crate::functions::limits::Budgeted;
use crate::functions::logs::LogLevel;

impl Host for HostState {
    async fn fetch(&mut self, req: Request) -> wasmtime::Result<Result<Response, String>> {
        self.spend(Budgeted::Xhr)?;
        let url = match reqwest::Url::parse(&req.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            Ok(url) => {
                return Ok(Err(format!(
                    "xhr: scheme {:?} is not http or https",
                    url.scheme()
                )));
            }
            Err(e) => return Ok(Err(format!("xhr: invalid URL {:?}: {e}", req.url))),
        };
        if let Err(reason) = self.check_allowed(&url) {
            return Ok(Err(reason));
        }
        let url = match self.route(&url) {
            Ok(url) => url,
            Err(reason) => return Ok(Err(reason)),
        };
        let method = match reqwest::Method::from_bytes(req.method.to_ascii_uppercase().as_bytes()) {
            Ok(m) => m,
            Err(_) => return Ok(Err(format!("xhr: invalid method {:?}", req.method))),
        };
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let timeout = req
            .timeout_ms
            .map(|ms| Duration::from_millis(ms.into()).min(remaining))
            .unwrap_or(remaining);
        let mut builder = self
            .runtime
            .functions
            .http
            .request(method, url)
            .timeout(timeout);
        for (name, value) in req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let call = async {
            let response = builder.send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(Response {
                status,
                headers,
                body,
            })
        };
        Ok(self
            .bounded("xhr.fetch", call)
            .await?
            .map_err(|e| format!("xhr to {}: {}", req.url, error_chain(&e))))
    }
}

impl HostState {
    /// The address the call really goes to: `--xhr-route` may send it elsewhere (and says so).
    fn route(&self, url: &reqwest::Url) -> Result<reqwest::Url, String> {
        let routes = &self.runtime.config.xhr_routes;
        let Some(routed) = routes.iter().find_map(|r| r.apply(url.as_str())) else {
            return Ok(url.clone());
        };
        self.runtime.functions.logs.record(
            &self.module,
            &self.function,
            LogLevel::Info,
            format!("xhr: {url} routed to {routed} (--xhr-route)"),
        );
        reqwest::Url::parse(&routed).map_err(|e| format!("xhr: routed URL {routed:?}: {e}"))
    }

    fn check_allowed(&self, url: &reqwest::Url) -> Result<(), String> {
        let Some(allowed) = &self.allowed_hosts else {
            return Ok(());
        };
        let host = url.host_str().unwrap_or_default();
        let with_port = url.port_or_known_default().map(|p| format!("{host}:{p}"));
        if allowed
            .iter()
            .any(|a| a == host || Some(a) == with_port.as_ref())
        {
            Ok(())
        } else {
            Err(format!(
                "xhr: host {host:?} is not in allowed_hosts of module {:?} ({})",
                self.module,
                allowed.join(", ")
            ))
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
