//! `pigdin webex-sim say --room ROOM --as PERSON TEXT`.

use serde_json::json;

use super::client::{SimClient, SimUrl, print_json};

#[derive(clap::Args)]
pub struct Args {
    /// The room: its id or title.
    #[arg(long)]
    room: String,
    /// Who speaks: a person id, email, display name or first name.
    #[arg(long = "as")]
    speaker: String,
    /// Send the text as Markdown (it is also rendered to HTML).
    #[arg(long)]
    markdown: bool,
    /// The message.
    text: String,
    #[command(flatten)]
    sim: SimUrl,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = SimClient::new(&args.sim);
    let field = if args.markdown { "markdown" } else { "text" };
    let message = client
        .post(
            "say",
            &json!({"roomId": args.room, "as": args.speaker, field: args.text}),
        )
        .await?;
    if args.sim.json {
        print_json(&message);
    } else {
        println!(
            "{} said in {}: {} (message {})",
            message["personEmail"].as_str().unwrap_or_default(),
            message["roomId"].as_str().unwrap_or_default(),
            message["text"].as_str().unwrap_or_default(),
            message["id"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
