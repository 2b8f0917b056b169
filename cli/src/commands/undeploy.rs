//! `pigdin undeploy NAME`.

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    /// The module's name.
    name: String,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = AdminClient::new(&args.origin);
    client
        .send(client.request(
            reqwest::Method::DELETE,
            &format!("/admin/modules/{}", args.name),
        ))
        .await?;
    println!(
        "undeployed {} (its KV data and vault secrets are kept)",
        args.name
    );
    Ok(())
}
