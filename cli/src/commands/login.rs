//! `pigdin login`: OAuth with Webex (authorization code, PKCE, state) through
//! a loopback redirect; writes `user-info.json` (mode 0600) for `create-user`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow};
use serde_json::Value;

use crate::admin_client::Origin;
use crate::oauth::{Flow, Opener};
use crate::user_info::{self, UserInfo};

#[derive(clap::Args)]
pub struct Args {
    /// The Webex API base URL (the simulator's, for local use).
    #[arg(
        long,
        env = "PIGDIN_WEBEX_API_URL",
        default_value = "https://webexapis.com/v1"
    )]
    webex_api_url: String,
    /// The Client ID of your Webex integration (developer.webex.com).
    #[arg(long, env = "WEBEX_CLIENT_ID")]
    client_id: Option<String>,
    /// The Client Secret of your Webex integration.
    #[arg(long, env = "WEBEX_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// The loopback port of the redirect URI http://127.0.0.1:PORT/callback;
    /// register exactly that URI in the integration. 0 picks a free port.
    #[arg(long, default_value_t = 8092)]
    redirect_port: u16,
    /// Space-separated OAuth scopes to ask for.
    #[arg(long, default_value = "spark:all")]
    scope: String,
    /// Where to write the user-info file.
    #[arg(long, default_value = "user-info.json")]
    out: PathBuf,
    /// Seconds to wait for the redirect.
    #[arg(long, default_value_t = 300)]
    wait: u64,
    /// Fetch the authorize URL instead of opening a browser (for a server
    /// that consents at once, such as the simulator, in tests).
    #[arg(long, env = "PIGDIN_LOGIN_FETCH_AUTHORIZE_URL", hide = true)]
    fetch_authorize_url: bool,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client_id = args.client_id.clone().ok_or_else(|| {
        anyhow!(
            "pass --client-id or set WEBEX_CLIENT_ID: the Client ID of your Webex integration (developer.webex.com; the simulator accepts any)"
        )
    })?;
    let client_secret = args.client_secret.clone().ok_or_else(|| {
        anyhow!("pass --client-secret or set WEBEX_CLIENT_SECRET: the Client Secret of your Webex integration")
    })?;
    let api = args.webex_api_url.trim_end_matches('/').to_owned();
    let flow = Flow {
        api_url: api.clone(),
        client_id,
        client_secret,
        scope: args.scope.clone(),
        redirect_port: args.redirect_port,
        wait: Duration::from_secs(args.wait),
        open: if args.fetch_authorize_url {
            Opener::Fetch
        } else {
            Opener::Browser
        },
    };
    let tokens = flow.run().await?;
    let me = people_me(&api, &tokens.access_token).await?;
    let user_id = me["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{api}/people/me answered without an id: {me}"))?
        .to_owned();
    let info = UserInfo {
        user_id: user_id.clone(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_in: tokens.expires_in,
        refresh_token_expires_in: tokens.refresh_token_expires_in,
    };
    let mut text = serde_json::to_string_pretty(&info.to_json())?;
    text.push('\n');
    user_info::write_private(&args.out, &text)?;
    let name = me["displayName"].as_str().unwrap_or("?");
    let email = me["emails"][0].as_str().unwrap_or("?");
    println!("logged in as {name} <{email}> (webex user {user_id})");
    println!(
        "wrote {} (mode 0600; it holds your tokens)",
        args.out.display()
    );
    println!(
        "next: pigdin create-user {} --origin {}",
        args.out.display(),
        args.origin.origin
    );
    Ok(())
}

/// `GET {api}/people/me` with the new token.
async fn people_me(api: &str, access_token: &str) -> anyhow::Result<Value> {
    let response = reqwest::Client::new()
        .get(format!("{api}/people/me"))
        .bearer_auth(access_token)
        .send()
        .await
        .with_context(|| format!("cannot reach {api}/people/me"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .with_context(|| format!("{api}/people/me did not answer JSON"))?;
    if !status.is_success() {
        anyhow::bail!(
            "{api}/people/me refused the new token (HTTP {}): {}",
            status.as_u16(),
            body["message"].as_str().unwrap_or_default()
        );
    }
    Ok(body)
}
