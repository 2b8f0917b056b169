//! `pigdin functions`: modules, functions, bindings, versions.

use serde_json::Value;

use crate::admin_client::{AdminClient, Origin};

#[derive(clap::Args)]
pub struct Args {
    /// Print the raw JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let client = AdminClient::new(&args.origin);
    let answer = client
        .json(client.request(reqwest::Method::GET, "/admin/modules"))
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let modules = answer["modules"].as_array().cloned().unwrap_or_default();
    if modules.is_empty() {
        println!("no modules deployed; deploy one with `pigdin deploy DIR`");
    }
    for module in &modules {
        println!(
            "{} version {}{}{}",
            module["name"].as_str().unwrap_or("?"),
            module["version"].as_str().unwrap_or("?"),
            if module["language"] == "javascript" {
                " (JavaScript)"
            } else {
                ""
            },
            if module["bundled"] == true {
                " (bundled)"
            } else {
                ""
            }
        );
        print_functions(module);
    }
    Ok(())
}

pub fn print_functions(module: &Value) {
    for function in module["functions"].as_array().into_iter().flatten() {
        println!(
            "  {:<20} {:<15} {}",
            function["name"].as_str().unwrap_or("?"),
            function["event"].as_str().unwrap_or("?"),
            function["binding"].as_str().unwrap_or("")
        );
    }
}
