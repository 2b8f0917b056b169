//! `pigdin webex-sim rooms` and `pigdin webex-sim add-room`.

use serde_json::{Value, json};

use super::client::{SimClient, SimUrl, print_json};

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    sim: SimUrl,
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// The title (group rooms).
    #[arg(long)]
    title: Option<String>,
    /// `group` or `direct` (exactly two members).
    #[arg(long = "type", default_value = "group")]
    kind: String,
    /// A member (id, email or name); repeat for each.
    #[arg(long = "member", required = true)]
    members: Vec<String>,
    #[command(flatten)]
    sim: SimUrl,
}

fn member_names(room: &Value) -> String {
    room["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["displayName"].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn list(args: ListArgs) -> anyhow::Result<()> {
    let state = SimClient::new(&args.sim).get("state").await?;
    if args.sim.json {
        print_json(&state["rooms"]);
        return Ok(());
    }
    for room in state["rooms"].as_array().into_iter().flatten() {
        println!(
            "{:<28} {:<7} {}  [{}]",
            room["title"].as_str().unwrap_or_default(),
            room["type"].as_str().unwrap_or_default(),
            room["id"].as_str().unwrap_or_default(),
            member_names(room)
        );
    }
    Ok(())
}

pub async fn add(args: AddArgs) -> anyhow::Result<()> {
    let room = SimClient::new(&args.sim)
        .post(
            "rooms",
            &json!({"title": args.title, "type": args.kind, "members": args.members}),
        )
        .await?;
    if args.sim.json {
        print_json(&room);
    } else {
        println!(
            "added {} room {:?} [{}]: {}",
            room["type"].as_str().unwrap_or_default(),
            room["title"].as_str().unwrap_or_default(),
            member_names(&room),
            room["id"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
