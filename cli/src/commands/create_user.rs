//! `pigdin create-user user-info.json`: hands a Webex user's tokens to the
//! relay (`newUserSetup` fired on `webex-user-update`), then shows who was
//! set up and the webhook the relay registered, read back from App Context.
//! With Access Manager on it runs with the secret key and issues the user a
//! token confined to their own channels, stored beside the user-info file.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use crate::network::credentials::{Credentials, token_file};
use crate::network::{Network, NetworkArgs};
use crate::user_info::{self, UserInfo};

/// The channel the relay's user-update function listens on.
pub const USER_UPDATE_CHANNEL: &str = "webex-user-update";

#[derive(clap::Args)]
pub struct Args {
    /// The user-info file: {platform, userId, access_token, refresh_token, expires_in?}.
    user_info: PathBuf,
    #[command(flatten)]
    network: NetworkArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    // The file is checked before the runtime, so input errors need no runtime.
    let info = UserInfo::read(&args.user_info)?;
    let credentials = Credentials::choose(
        args.network.secret_key.as_deref(),
        args.network.auth.as_deref(),
        Some(&args.user_info),
    )?;
    let network = Network::connect(&args.network, credentials, &info.user_id).await?;
    let mut message = json!({
        "userId": info.user_id,
        "access_token": info.access_token,
        "refresh_token": info.refresh_token,
    });
    if let Some(seconds) = info.expires_in {
        message["expires_in"] = seconds.into();
    }
    if let Some(seconds) = info.refresh_token_expires_in {
        message["refresh_token_expires_in"] = seconds.into();
    }
    network
        .fire(&info.user_id, USER_UPDATE_CHANNEL, "newUserSetup", message)
        .await
        .map_err(|e| network.explain_refusal(e, "create-user"))
        .context("the Webex relay did not set the user up")?;
    let user = network
        .uuid_metadata(&info.user_id)
        .await?
        .with_context(|| {
            format!(
                "the relay accepted {} but stored no App Context metadata for it — is the webex-relay module deployed? (`pigdin functions`)",
                info.user_id
            )
        })?;
    println!("set up {} (webex user {})", user.describe(), info.user_id);
    match (
        user.custom_text("webhookId"),
        user.custom_text("webhookTarget"),
    ) {
        (Some(id), Some(target)) => println!("webhook {id} → {target}"),
        (Some(id), None) => println!("webhook {id}"),
        _ => println!("no webhook recorded"),
    }
    if network.credentials.secret_key().is_some() {
        let token = network.grant_user_token(&info.user_id).await?;
        let path = token_file(&args.user_info);
        user_info::write_private(&path, &token)?;
        println!(
            "token for {} only (their webex.{}.* channels) → {}",
            info.user_id,
            info.user_id,
            path.display()
        );
    }
    println!("next: pigdin chat {}", args.user_info.display());
    Ok(())
}
