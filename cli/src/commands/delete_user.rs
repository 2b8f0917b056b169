//! `pigdin delete-user USER`: asks the relay to forget a user (`deleteUser`
//! fired on `webex-user-update`): its Webex webhook, tokens and App Context data.

use anyhow::Context;
use serde_json::json;

use super::create_user::USER_UPDATE_CHANNEL;
use crate::network::Network;
use crate::network::as_user::{AsUser, UserArgs};
use crate::network::credentials::token_file;

pub type Args = UserArgs;

pub async fn run(args: Args) -> anyhow::Result<()> {
    let AsUser {
        network,
        user_id,
        file,
        metadata,
    } = Network::connect_as(&args, "delete-user").await?;
    let Some(user) = metadata else {
        anyhow::bail!(
            "no Pigdin user {user_id} on {} — nothing to delete (users are set up with `pigdin create-user`)",
            network.origin
        );
    };
    network
        .fire(
            &user_id,
            USER_UPDATE_CHANNEL,
            "deleteUser",
            json!({ "userId": user_id }),
        )
        .await
        .map_err(|e| network.explain_refusal(e, "delete-user"))
        .context("the Webex relay did not delete the user")?;
    println!("deleted {} (webex user {user_id})", user.describe());
    if let Some(webhook) = user.custom_text("webhookId") {
        println!("removed Webex webhook {webhook}");
    }
    println!("removed the stored tokens, the user's App Context metadata and room memberships");
    // The user's Access Manager token is worthless now; its file goes too.
    if let Some(path) = file.as_deref().map(token_file)
        && std::fs::remove_file(&path).is_ok()
    {
        println!("removed {}", path.display());
    }
    Ok(())
}
