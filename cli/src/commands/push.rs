//! `pigdin push outbox [--channel CH] [--limit N] [--json] [--clear]`: what
//! publishes would have pushed to registered mobile devices (Pigdin reaches
//! no APNs or FCM), newest first, from the admin API's push outbox.

use serde_json::Value;

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PushCommand,
}

#[derive(clap::Subcommand)]
enum PushCommand {
    /// List what would have been pushed, newest first.
    Outbox {
        /// Only pushes for messages on this channel.
        #[arg(long)]
        channel: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print the raw JSON.
        #[arg(long)]
        json: bool,
        /// Empty the outbox instead of listing it.
        #[arg(long, conflicts_with_all = ["channel", "json"])]
        clear: bool,
        #[command(flatten)]
        origin: Origin,
    },
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let PushCommand::Outbox {
        channel,
        limit,
        json,
        clear,
        origin,
    } = args.command;
    let client = AdminClient::new(&origin);
    if clear {
        let answer = client
            .json(client.request(reqwest::Method::DELETE, "/admin/push/outbox"))
            .await?;
        println!(
            "push outbox cleared ({} entries removed)",
            answer["removed"].as_u64().unwrap_or(0)
        );
        return Ok(());
    }
    let mut query = vec![("limit", limit.to_string())];
    if let Some(channel) = &channel {
        query.push(("channel", channel.clone()));
    }
    let answer = client
        .json(
            client
                .request(reqwest::Method::GET, "/admin/push/outbox")
                .query(&query),
        )
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let entries = answer["entries"].as_array().cloned().unwrap_or_default();
    if entries.is_empty() {
        println!(
            "the push outbox is empty: nothing was published with pn_apns / pn_fcm / pn_gcm on {} with registered devices",
            channel.map_or("a channel".to_owned(), |c| format!("channel {c}"))
        );
    }
    for entry in &entries {
        println!("{}", line(entry));
    }
    Ok(())
}

/// `TIMETOKEN CHANNEL TYPE TOKEN [ENVIRONMENT/TOPIC] PAYLOAD`.
fn line(entry: &Value) -> String {
    let text = |key: &str| entry[key].as_str().unwrap_or("?").to_owned();
    let mut line = format!(
        "{} {} {} {}",
        text("timetoken"),
        text("channel"),
        text("push_type"),
        text("token")
    );
    if let (Some(environment), Some(topic)) =
        (entry["environment"].as_str(), entry["topic"].as_str())
    {
        line.push_str(&format!(" {environment}/{topic}"));
    }
    line.push_str(&format!(" {}", entry["payload"]));
    line
}
