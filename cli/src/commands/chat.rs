//! `pigdin chat USER`: the interactive client (see `crate::chat`).

use crate::network::Network;
use crate::network::as_user::{AsUser, UserArgs};

pub type Args = UserArgs;

pub async fn run(args: Args) -> anyhow::Result<()> {
    let AsUser {
        network,
        user_id,
        metadata,
        ..
    } = Network::connect_as(&args, "chat").await?;
    let Some(user) = metadata else {
        anyhow::bail!(
            "no Pigdin user {user_id} on {} — set it up first with `pigdin create-user user-info.json`",
            network.origin
        );
    };
    crate::chat::run(network, user).await
}
