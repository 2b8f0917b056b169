//! Connecting as the Pigdin user a command names (a user id or a user-info
//! file): with the credentials that go with them, and their App Context record.

use std::path::PathBuf;

use super::app_context::UuidMetadata;
use super::credentials::Credentials;
use super::{Network, NetworkArgs};
use crate::user_info;

/// The arguments of a command that acts as a user.
#[derive(clap::Args)]
pub struct UserArgs {
    /// The Webex user id, or the user's user-info file.
    pub user: String,
    #[command(flatten)]
    pub network: NetworkArgs,
}

pub struct AsUser {
    pub network: Network,
    pub user_id: String,
    /// The user-info file, when the user was named by one.
    pub file: Option<PathBuf>,
    /// The user's UUID metadata; `None` when the relay knows no such user.
    pub metadata: Option<UuidMetadata>,
}

impl Network {
    /// Connects as the user `args` name, for `command` (named in advice on refusals).
    pub async fn connect_as(args: &UserArgs, command: &str) -> anyhow::Result<AsUser> {
        let (user_id, file) = user_info::user_from_arg(&args.user)?;
        let args = &args.network;
        let credentials =
            Credentials::choose(args.secret_key.as_deref(), args.auth.as_deref(), file)?;
        let network = Network::connect(args, credentials, &user_id).await?;
        let metadata = network
            .uuid_metadata(&user_id)
            .await
            .map_err(|e| network.explain_refusal(e, command))?;
        Ok(AsUser {
            network,
            user_id,
            file: file.map(ToOwned::to_owned),
            metadata,
        })
    }
}
