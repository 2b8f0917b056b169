//! `pigdin run MODULE FUNCTION`: fire an On Interval function now.

use crate::client::{Client, Origin};

#[derive(clap::Args)]
pub struct Args {
    module: String,
    function: String,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = Client::new(&args.origin);
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
