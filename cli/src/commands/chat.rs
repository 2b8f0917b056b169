//! `pigdin chat USER`: the interactive client (see `crate::chat`).

use crate::network::credentials::Credentials;
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
    let (user_id, file) = user_info::user_from_arg(&args.user)?;
    let credentials = Credentials::choose(
        args.network.secret_key.as_deref(),
        args.network.auth.as_deref(),
        file,
    )?;
    let network = Network::connect(&args.network, credentials, &user_id).await?;
    let user = network
        .uuid_metadata(&user_id)
        .await
        .map_err(|e| network.explain_refusal(e, "chat"))?;
    let Some(user) = user else {
        anyhow::bail!(
            "no Pigdin user {user_id} on {} — set it up first with `pigdin create-user user-info.json`",
            network.origin
        );
    };
    crate::chat::run(network, user).await
}
