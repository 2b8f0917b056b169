//! `pigdin logs MODULE [--follow]`.

use futures::StreamExt;
use pigdin_runtime::functions::logs::LogEntry;

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    /// The module's name.
    module: String,
    /// Keep printing new lines as they come.
    #[arg(short, long)]
    follow: bool,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = AdminClient::new(&args.origin);
    let path = format!("/admin/modules/{}/logs?follow={}", args.module, args.follow);
    let response = client
        .send(client.request(reqwest::Method::GET, &path))
        .await?;
    let mut stream = response.bytes_stream();
    let mut pending = Vec::new();
    while let Some(chunk) = stream.next().await {
        pending.extend_from_slice(&chunk?);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            match serde_json::from_slice::<LogEntry>(&line) {
                Ok(entry) => println!("{}", format_entry(&entry)),
                Err(_) => print!("{}", String::from_utf8_lossy(&line)),
            }
        }
    }
    Ok(())
}

fn format_entry(entry: &LogEntry) -> String {
    let time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(entry.time_ms) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
    let level = format!("{:?}", entry.level).to_uppercase();
    format!(
        "{time} {level:<5} {}/{}: {}",
        entry.module, entry.function, entry.message
    )
}
