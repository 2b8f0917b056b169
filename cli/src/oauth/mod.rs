//! The OAuth authorization-code flow with PKCE and state against Webex (or
//! the simulator), through a loopback redirect listener.

pub mod loopback;

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use loopback::Listener;

/// Webex's token response adds the refresh token's lifetime.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebexTokenFields {
    pub refresh_token_expires_in: Option<u64>,
}
impl ExtraTokenFields for WebexTokenFields {}

type WebexTokenResponse = StandardTokenResponse<WebexTokenFields, BasicTokenType>;
type WebexClient = Client<
    BasicErrorResponse,
    WebexTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What the flow needs.
pub struct Flow {
    pub api_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
    pub redirect_port: u16,
    pub wait: Duration,
    /// How the authorize URL reaches the server: a browser, or (tests) a GET.
    pub open: Opener,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    Browser,
    /// Follow the URL with an HTTP client: an authorization server that
    /// consents at once (the simulator) redirects straight to the listener.
    Fetch,
}

/// What the flow got.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: Option<u64>,
    pub refresh_token_expires_in: Option<u64>,
}

impl Flow {
    pub async fn run(&self) -> anyhow::Result<Tokens> {
        let api = self.api_url.trim_end_matches('/');
        let listener = Listener::bind(self.redirect_port).await?;
        let client: WebexClient = Client::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.clone()))
            .set_auth_uri(
                AuthUrl::new(format!("{api}/authorize"))
                    .with_context(|| format!("--webex-api-url {api:?} is not a URL"))?,
            )
            .set_token_uri(TokenUrl::new(format!("{api}/access_token"))?)
            // Webex reads client_id/client_secret from the form body.
            .set_auth_type(oauth2::AuthType::RequestBody)
            .set_redirect_uri(RedirectUrl::new(listener.redirect_uri.clone())?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (authorize_url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(
                self.scope
                    .split_whitespace()
                    .map(|s| Scope::new(s.to_owned())),
            )
            .set_pkce_challenge(challenge)
            .url();

        println!("open this URL to let Pigdin act for your Webex user:\n  {authorize_url}");
        println!("waiting for the redirect to {} …", listener.redirect_uri);
        match self.open {
            Opener::Browser => open_in_browser(authorize_url.as_str()),
            Opener::Fetch => {
                let url = authorize_url.to_string();
                tokio::spawn(async move {
                    // The redirect lands on the listener; its answer is not needed.
                    if let Err(e) = reqwest::get(&url).await {
                        eprintln!("could not fetch the authorize URL: {e}");
                    }
                });
            }
        }
        let callback = tokio::time::timeout(self.wait, listener.callback())
            .await
            .map_err(|_| {
                anyhow!(
                    "no redirect to {} within {} s — open the URL above, and check that the integration's redirect URI is exactly that",
                    listener.redirect_uri,
                    self.wait.as_secs()
                )
            })??;
        if let Some(error) = callback.error {
            bail!(
                "Webex refused the authorization: {error}{}",
                callback
                    .error_description
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
        }
        // The state ties the redirect to this login (CSRF protection).
        if callback.state.as_deref() != Some(state.secret().as_str()) {
            bail!("the redirect's state does not match this login; start `pigdin login` again");
        }
        let code = callback
            .code
            .ok_or_else(|| anyhow!("the redirect carried no authorization code"))?;
        let http = reqwest::Client::builder()
            // No redirects on the token endpoint (oauth2's advice against SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(response) => anyhow!(
                    "Webex refused the code exchange at {api}/access_token: {}{}",
                    response.error(),
                    response
                        .error_description()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
                RequestTokenError::Parse(error, body) => anyhow!(
                    "unexpected answer from {api}/access_token ({error}): {}",
                    String::from_utf8_lossy(&body)
                ),
                other => anyhow!("the code exchange at {api}/access_token failed: {other}"),
            })?;
        Ok(Tokens {
            access_token: token.access_token().secret().clone(),
            refresh_token: token
                .refresh_token()
                .map(|t| t.secret().clone())
                .ok_or_else(|| anyhow!("Webex gave no refresh token"))?,
            expires_in: token.expires_in().map(|d| d.as_secs()),
            refresh_token_expires_in: token.extra_fields().refresh_token_expires_in,
        })
    }
}

/// Best effort: a missing `xdg-open`/`open` leaves the printed URL.
fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
