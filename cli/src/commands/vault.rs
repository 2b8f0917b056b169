//! `pigdin vault set MODULE NAME [--value V]`: the value comes from the flag
//! or, better (it stays out of shell history), from standard input.

use std::io::Read;

use anyhow::{Context, bail};

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: VaultCommand,
}

#[derive(clap::Subcommand)]
enum VaultCommand {
    /// Store a secret for a module.
    Set {
        module: String,
        name: String,
        /// The secret; read from standard input when absent.
        #[arg(long)]
        value: Option<String>,
        #[command(flatten)]
        origin: Origin,
    },
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let VaultCommand::Set {
        module,
        name,
        value,
        origin,
    } = args.command;
    let value = match value {
        Some(v) => v,
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the secret from standard input")?;
            text.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if value.is_empty() {
        bail!("the secret is empty; pass it on standard input or with --value");
    }
    let client = AdminClient::new(&origin);
    let path = format!("/admin/modules/{module}/vault/{name}");
    client
        .send(client.request(reqwest::Method::PUT, &path).body(value))
        .await?;
    println!("stored secret {name} for module {module}");
    Ok(())
}
