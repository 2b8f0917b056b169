//! `pigdin kv MODULE list|get|set|delete`: a deployed module's KV store,
//! read and edited through the admin API (`/admin/modules/{name}/kv`).

use anyhow::Context;
use serde_json::{Value, json};

use crate::admin_client::{AdminClient, Origin};
use crate::network::encode as percent_encode;

#[derive(clap::Args)]
pub struct Args {
    /// The deployed module whose KV store to act on.
    module: String,
    #[command(subcommand)]
    command: KvCommand,
    #[command(flatten)]
    origin: Origin,
}

#[derive(clap::Subcommand)]
enum KvCommand {
    /// List the keys holding values (not counters), in key order.
    List {
        /// Only keys starting with this.
        #[arg(long, default_value = "")]
        prefix: String,
        /// Print the keys as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Print a key's value (JSON).
    Get {
        /// The key to read.
        key: String,
    },
    /// Store a value under a key, as `kvstore.set` would.
    Set {
        /// The key to write.
        key: String,
        /// The value: JSON (`{"a":1}`, `42`, `"text"`); anything that is not JSON is stored as a string.
        value: String,
        /// Expire after this many minutes (1 to 525,600; none: kept).
        #[arg(long)]
        ttl: Option<u32>,
    },
    /// Remove a key.
    Delete {
        /// The key to remove.
        key: String,
    },
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = AdminClient::new(&args.origin);
    let base = format!("/admin/modules/{}/kv", percent_encode(&args.module));
    let key_path = |key: &str| format!("{base}/{}", percent_encode(key));
    match args.command {
        KvCommand::List { prefix, json } => {
            let mut keys = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut request = client
                    .request(reqwest::Method::GET, &base)
                    .query(&[("prefix", prefix.as_str())]);
                if let Some(after) = &after {
                    request = request.query(&[("after", after.as_str())]);
                }
                let page = client.json(request).await?;
                keys.extend(
                    page["keys"]
                        .as_array()
                        .context("the runtime's key list has no `keys`")?
                        .iter()
                        .filter_map(|k| k.as_str().map(str::to_owned)),
                );
                match page["next"].as_str() {
                    Some(next) => after = Some(next.to_owned()),
                    None => break,
                }
            }
            if json {
                println!("{}", Value::from(keys));
            } else {
                for key in keys {
                    println!("{key}");
                }
            }
        }
        KvCommand::Get { key } => {
            let answer = client
                .json(client.request(reqwest::Method::GET, &key_path(&key)))
                .await?;
            println!("{}", answer["value"]);
        }
        KvCommand::Set { key, value, ttl } => {
            let value = serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value));
            client
                .send(
                    client
                        .request(reqwest::Method::PUT, &key_path(&key))
                        .json(&json!({ "value": value, "ttl_minutes": ttl })),
                )
                .await?;
            println!("stored {key} for module {}", args.module);
        }
        KvCommand::Delete { key } => {
            client
                .send(client.request(reqwest::Method::DELETE, &key_path(&key)))
                .await?;
            println!("deleted {key} from module {}", args.module);
        }
    }
    Ok(())
}
