//! `pigdin chat USER`: the interactive client (see `crate::chat`).

use crate::network::as_user::AsUser;
use crate::network::{Network, NetworkArgs};

#[derive(clap::Args)]
pub struct Args {
    /// The Webex user id, or the user's user-info file.
    user: String,
    #[command(flatten)]
    network: NetworkArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let AsUser {
        network,
        user_id,
        metadata,
        ..
    } = Network::connect_as(&args.network, &args.user, "chat").await?;
    let Some(user) = metadata else {
        anyhow::bail!(
            "no Pigdin user {user_id} on {} — set it up first with `pigdin create-user user-info.json`",
            network.origin
        );
    };
    crate::chat::run(network, user).await
}
