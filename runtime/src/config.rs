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
    /// The JavaScript engine component (functions/js) JavaScript modules run
    /// on; `pigdin` bundles it. Without it, JavaScript deploys are refused.
    pub js_engine: Option<JsEngine>,
    /// Where modules' outbound `xhr` calls really go (`--xhr-route`), so a
    /// test can fake a third-party API on loopback; first match wins.
    pub xhr_routes: Vec<XhrRoute>,
}

/// The JS engine component's bytes.
#[derive(Clone, Copy)]
pub struct JsEngine(pub &'static [u8]);

impl std::fmt::Debug for JsEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsEngine({} bytes)", self.0.len())
    }
}

/// `ORIGIN=URL`: an xhr call whose URL starts with ORIGIN (at a path, query
/// or fragment boundary) goes to URL with the rest of the address appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XhrRoute {
    pub origin: String,
    pub target: String,
}

impl std::str::FromStr for XhrRoute {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (origin, target) = text.split_once('=').ok_or_else(|| {
            format!("--xhr-route {text:?} must be ORIGIN=URL, e.g. https://webexapis.com=http://127.0.0.1:9000")
        })?;
        for (what, url) in [("ORIGIN", origin), ("URL", target)] {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| format!("--xhr-route {text:?}: {what} {url:?} is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!(
                    "--xhr-route {text:?}: {what} must be http or https"
                ));
            }
        }
        Ok(Self {
            origin: origin.trim_end_matches('/').to_owned(),
            target: target.trim_end_matches('/').to_owned(),
        })
    }
}

impl XhrRoute {
    /// `url` rewritten onto the target, when it starts with this origin.
    pub fn apply(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.origin)?;
        matches!(rest.chars().next(), None | Some('/' | '?' | '#'))
            .then(|| format!("{}{rest}", self.target))
    }
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
            js_engine: None,
            xhr_routes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::XhrRoute;

    #[test]
    fn an_xhr_route_rewrites_its_origin_only_at_a_boundary() {
        let route: XhrRoute = "https://webexapis.com=http://127.0.0.1:9000/"
            .parse()
            .unwrap();
        assert_eq!(
            route
                .apply("https://webexapis.com/v1/messages?max=1")
                .as_deref(),
            Some("http://127.0.0.1:9000/v1/messages?max=1")
        );
        assert_eq!(
            route.apply("https://webexapis.com").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(route.apply("https://webexapis.com.evil.example/x"), None);
        assert_eq!(route.apply("http://webexapis.com/v1"), None);
        assert!(
            "webexapis.com"
                .parse::<XhrRoute>()
                .unwrap_err()
                .contains("ORIGIN=URL")
        );
        assert!(
            "ftp://a=http://b"
                .parse::<XhrRoute>()
                .unwrap_err()
                .contains("http or https")
        );
    }
}
