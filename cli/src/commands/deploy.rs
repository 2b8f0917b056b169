//! `pigdin deploy PATH`: build (or read) the module and install it into the running server.

use std::path::PathBuf;

use base64::Engine as _;
use serde_json::json;

use crate::admin_client::{AdminClient, Origin};
use crate::module_build::{self, BuiltCode, SingleFile};

#[derive(clap::Args)]
pub struct Args {
    /// A module directory (module.toml with a crate or JavaScript sources, or
    /// a PubNub block.json), or one JavaScript file (with --name and --event).
    #[arg(value_name = "PATH")]
    target: PathBuf,
    #[command(flatten)]
    single: SingleFile,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let built = module_build::build(&args.target, &args.single)?;
    let client = AdminClient::new(&args.origin);
    let body = match &built.code {
        BuiltCode::Component { wasm, .. } => json!({
            "manifest": built.manifest_text,
            "component": base64::engine::general_purpose::STANDARD.encode(wasm),
        }),
        BuiltCode::JavaScript(sources) => json!({
            "manifest": built.manifest_text,
            "sources": sources,
        }),
    };
    let name = &built.manifest.name;
    let answer = client
        .json(
            client
                .request(reqwest::Method::PUT, &format!("/admin/modules/{name}"))
                .json(&body),
        )
        .await
        .map_err(|e| anyhow::anyhow!("deploying module {name:?} was rejected: {e:#}"))?;
    let module = &answer["module"];
    println!(
        "deployed {name} version {} ({})",
        module["version"].as_str().unwrap_or("?"),
        built.describe()
    );
    super::functions::print_functions(module);
    Ok(())
}
