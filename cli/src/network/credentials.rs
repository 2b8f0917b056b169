//! What a command presents to Access Manager: nothing (a runtime without a
//! secret key), a user's token, or the keyset's secret key (the server role,
//! which `create-user` needs to set users up and issue their tokens).

use std::path::{Path, PathBuf};

use anyhow::Context;
use pigdin_runtime::access::signature::{SignedRequest, sign_v2};

#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// Access Manager is off (or the command expects to be refused).
    #[default]
    Open,
    /// A v3 token (`auth=`), e.g. the one `create-user` stored for a user.
    Token(String),
    /// The secret key: every request is signed (`timestamp`, `signature`).
    SecretKey(String),
}

impl Credentials {
    /// The secret key when given, else `--auth`, else the token stored beside
    /// `user_info_file` (if there is one), else none.
    pub fn choose(
        secret_key: Option<&str>,
        auth: Option<&str>,
        user_info_file: Option<&Path>,
    ) -> anyhow::Result<Self> {
        if let Some(key) = secret_key.filter(|k| !k.is_empty()) {
            return Ok(Self::SecretKey(key.to_owned()));
        }
        if let Some(token) = auth.filter(|t| !t.is_empty()) {
            return Ok(Self::Token(token.to_owned()));
        }
        let Some(path) = user_info_file.map(token_file) else {
            return Ok(Self::Open);
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Self::Token(text.trim().to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::Open),
            Err(e) => {
                Err(e).with_context(|| format!("cannot read the token file {}", path.display()))
            }
        }
    }

    pub fn secret_key(&self) -> Option<&str> {
        match self {
            Self::SecretKey(key) => Some(key),
            _ => None,
        }
    }

    pub fn token(&self) -> Option<&str> {
        match self {
            Self::Token(token) => Some(token),
            _ => None,
        }
    }

    /// `path_and_query` (already percent-encoded) with what Access Manager
    /// needs appended: `auth`, or a fresh `timestamp` and its `signature`.
    pub fn apply(
        &self,
        publish_key: &str,
        method: &reqwest::Method,
        path_and_query: &str,
        body: &[u8],
    ) -> String {
        let separator = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        match self {
            Self::Open => path_and_query.to_owned(),
            Self::Token(token) => {
                format!("{path_and_query}{separator}auth={}", super::encode(token))
            }
            Self::SecretKey(secret) => {
                let timestamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let signed = format!("{path_and_query}{separator}timestamp={timestamp}");
                let (path, query) = signed.split_once('?').unwrap_or((&signed, ""));
                // Signed over the decoded parameters, as the server reads them.
                let params: Vec<(String, String)> =
                    serde_urlencoded::from_str(query).unwrap_or_default();
                let signature = sign_v2(
                    secret,
                    publish_key,
                    &SignedRequest {
                        method: method.as_str(),
                        path,
                        params: &params,
                        body,
                    },
                );
                format!("{signed}&signature={}", super::encode(&signature))
            }
        }
    }
}

/// Where `create-user` keeps a user's token: beside the user-info file,
/// `user-info.json` → `user-info.token`.
pub fn token_file(user_info_file: &Path) -> PathBuf {
    user_info_file.with_extension("token")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_appended_encoded() {
        let credentials = Credentials::Token("a+b/c=".into());
        assert_eq!(
            credentials.apply("pub", &reqwest::Method::GET, "/time/0", b""),
            "/time/0?auth=a%2Bb%2Fc%3D"
        );
        assert_eq!(
            credentials.apply("pub", &reqwest::Method::GET, "/x?uuid=u", b""),
            "/x?uuid=u&auth=a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn a_signed_request_verifies_with_the_same_secret_only() {
        use pigdin_runtime::access::signature::verify;
        let credentials = Credentials::SecretKey("sec".into());
        let body = br#"{"name":"Alice"}"#;
        let signed = credentials.apply(
            "pub",
            &reqwest::Method::PATCH,
            "/v2/objects/sub/uuids/alice?include=custom",
            body,
        );
        let (path, query) = signed.split_once('?').unwrap();
        let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
        let request = SignedRequest {
            method: "PATCH",
            path,
            params: &params,
            body,
        };
        let now = params
            .iter()
            .find(|(k, _)| k == "timestamp")
            .unwrap()
            .1
            .parse()
            .unwrap();
        assert!(verify("sec", "sub", "pub", &request, now).is_ok());
        assert!(verify("other", "sub", "pub", &request, now).is_err());
    }

    #[test]
    fn the_token_file_sits_beside_the_user_info_file() {
        assert_eq!(
            token_file(Path::new("/home/pat/user-info.json")),
            Path::new("/home/pat/user-info.token")
        );
    }
}
