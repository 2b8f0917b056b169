//! `pigdin webex-sim messages --room ROOM`: what a room received, oldest first.

use super::client::{SimClient, SimUrl, print_json, segment};

#[derive(clap::Args)]
pub struct Args {
    /// The room: its id or title.
    #[arg(long)]
    room: String,
    #[command(flatten)]
    sim: SimUrl,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let messages = SimClient::new(&args.sim)
        .get(&format!("rooms/{}/messages", segment(&args.room)))
        .await?;
    if args.sim.json {
        print_json(&messages["items"]);
        return Ok(());
    }
    for message in messages["items"].as_array().into_iter().flatten() {
        println!(
            "{}  {}: {}",
            message["created"].as_str().unwrap_or_default(),
            message["personEmail"].as_str().unwrap_or_default(),
            message["text"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
