//! `pigdin delete-user USER`: asks the relay to forget a user (`deleteUser`
//! fired on `webex-user-update`): its Webex webhook, tokens and App Context data.

use anyhow::Context;
use serde_json::json;

use super::create_user::USER_UPDATE_CHANNEL;
use crate::network::{Network, NetworkArgs};
use crate::user_info;

#[derive(clap::Args)]
pub struct Args {
    /// The Webex user id, or the user's user-info file.
    user: String,
    #[command(flatten)]
    network: NetworkArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let user_id = user_info::user_id_from_arg(&args.user)?;
    let network = Network::connect(&args.network).await?;
    let Some(user) = network.uuid_metadata(&user_id).await? else {
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
        .context("the Webex relay did not delete the user")?;
    println!("deleted {} (webex user {user_id})", user.describe());
    if let Some(webhook) = user.custom_text("webhookId") {
        println!("removed Webex webhook {webhook}");
    }
    println!("removed the stored tokens, the user's App Context metadata and room memberships");
    Ok(())
}
