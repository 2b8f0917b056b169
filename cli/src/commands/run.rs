//! `pigdin run MODULE FUNCTION`: fire an On Interval function now.

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    module: String,
    function: String,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = AdminClient::new(&args.origin);
    let path = format!(
        "/admin/modules/{}/functions/{}/run",
        args.module, args.function
    );
    client
        .send(client.request(reqwest::Method::POST, &path))
        .await?;
    println!("ran {}/{}", args.module, args.function);
    Ok(())
}
