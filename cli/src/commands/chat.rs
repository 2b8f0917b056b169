//! `pigdin chat USER`: the interactive client (see `crate::chat`).

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
            "no Pigdin user {user_id} on {} — set it up first with `pigdin create-user user-info.json`",
            network.origin
        );
    };
    crate::chat::run(network, user).await
}
