//! `pigdin webex-sim people` and `pigdin webex-sim add-person`.

use serde_json::json;

use super::client::{SimClient, SimUrl, print_json};

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    sim: SimUrl,
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// Display name, e.g. "Dave Diaz".
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: String,
    /// Avatar URL.
    #[arg(long)]
    avatar: Option<String>,
    #[command(flatten)]
    sim: SimUrl,
}

pub async fn list(args: ListArgs) -> anyhow::Result<()> {
    let state = SimClient::new(&args.sim).get("state").await?;
    if args.sim.json {
        print_json(&state["people"]);
        return Ok(());
    }
    for person in state["people"].as_array().into_iter().flatten() {
        println!(
            "{:<20} {:<24} {}",
            person["displayName"].as_str().unwrap_or_default(),
            person["emails"][0].as_str().unwrap_or_default(),
            person["id"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn add(args: AddArgs) -> anyhow::Result<()> {
    let person = SimClient::new(&args.sim)
        .post(
            "people",
            &json!({"displayName": args.name, "email": args.email, "avatar": args.avatar}),
        )
        .await?;
    if args.sim.json {
        print_json(&person);
    } else {
        println!(
            "added {} <{}>: {}",
            person["displayName"].as_str().unwrap_or_default(),
            person["emails"][0].as_str().unwrap_or_default(),
            person["id"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
