//! What `pigdin serve` tells the relay through its vault.

use pigdin_sdk::prelude::*;

use crate::sealed::Key;

/// Default for `TOKEN_REFRESH_WINDOW_SECS`: refresh tokens expiring within 2 days.
const DEFAULT_REFRESH_WINDOW_SECS: u64 = 2 * 24 * 3600;

/// The relay's configuration, read per execution (vault reads are local and cheap).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Webex API base, e.g. `https://webexapis.com/v1` (no trailing slash).
    pub api_url: String,
    /// Where Webex reaches this server, e.g. `http://127.0.0.1:8090`.
    pub public_url: String,
    /// The keyset's subscribe key, part of every On Request URL.
    pub subscribe_key: String,
    /// OAuth client credentials; only the refresh grant needs them.
    pub client: Option<(String, String)>,
    pub refresh_window_secs: u64,
}

impl Settings {
    pub fn load() -> Result<Self> {
        let client = match (
            vault::get("WEBEX_CLIENT_ID"),
            vault::get("WEBEX_CLIENT_SECRET"),
        ) {
            (Ok(id), Ok(secret)) if !id.is_empty() => Some((id, secret)),
            _ => None,
        };
        let refresh_window_secs = match vault::get("TOKEN_REFRESH_WINDOW_SECS") {
            Ok(text) => text.trim().parse().map_err(|_| {
                Error::new(format!(
                    "vault secret TOKEN_REFRESH_WINDOW_SECS is {text:?}, not a number of seconds"
                ))
            })?,
            Err(_) => DEFAULT_REFRESH_WINDOW_SECS,
        };
        Ok(Self {
            api_url: trim_base(required("WEBEX_API_URL")?),
            public_url: trim_base(required("PUBLIC_URL")?),
            subscribe_key: required("SUBSCRIBE_KEY")?,
            client,
            refresh_window_secs,
        })
    }

    /// The On Request URL Webex delivers `user_id`'s webhooks to.
    pub fn webhook_target(&self, user_id: &str) -> String {
        webhook_target(&self.public_url, &self.subscribe_key, user_id)
    }
}

/// `{public}/v1/blocks/sub-key/{sub}/webex/webhook?user={id}`: the user id goes
/// in the query because Webex ids are base64 and may hold `/` or `+`.
pub fn webhook_target(public_url: &str, subscribe_key: &str, user_id: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("user", user_id)
        .finish();
    format!("{public_url}/v1/blocks/sub-key/{subscribe_key}/webex/webhook?{query}")
}

/// The key user records are sealed with: the vault secret `TOKEN_KEY`, 32
/// bytes in base64, which `pigdin serve` provides from its relay key file
/// (outside the data directory, held in memory only).
pub fn token_key() -> Result<Key> {
    let text = vault::get("TOKEN_KEY").map_err(|e| {
        Error::new(format!(
            "the relay is not configured: it has no TOKEN_KEY to seal Webex tokens with ({e}); \
             `pigdin serve` provides it from its relay key file (--relay-key-file)"
        ))
    })?;
    Key::from_base64(&text).map_err(|why| {
        Error::new(format!(
            "the relay is not configured: its TOKEN_KEY is not a key ({why}); \
             it must be 32 bytes in base64, as `pigdin serve` writes its relay key file"
        ))
    })
}

fn required(name: &str) -> Result<String> {
    vault::get(name).map_err(|e| {
        Error::new(format!(
            "the relay is not configured: {e} (`pigdin serve` sets it from its --webex-api-url / --public-url options)"
        ))
    })
}

fn trim_base(url: String) -> String {
    url.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_target_carries_the_user_id_encoded() {
        assert_eq!(
            webhook_target("http://127.0.0.1:8090", "demo", "Y2lz/a+b="),
            "http://127.0.0.1:8090/v1/blocks/sub-key/demo/webex/webhook?user=Y2lz%2Fa%2Bb%3D"
        );
    }
}
