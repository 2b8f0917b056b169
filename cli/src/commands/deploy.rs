//! `pigdin deploy DIR`: build the module and install it into the running server.

use std::path::PathBuf;

use base64::Engine as _;
use serde_json::json;

use crate::admin_client::{AdminClient, Origin};
use crate::module_build;

#[derive(clap::Args)]
pub struct Args {
    /// The module directory (holding module.toml and the crate).
    dir: PathBuf,
    #[command(flatten)]
    origin: Origin,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let built = module_build::build(&args.dir)?;
    let client = AdminClient::new(&args.origin);
    let body = json!({
        "manifest": built.manifest_text,
        "component": base64::engine::general_purpose::STANDARD.encode(&built.wasm),
    });
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
        "deployed {name} version {} ({} bytes from {})",
        module["version"].as_str().unwrap_or("?"),
        built.wasm.len(),
        built.wasm_path.display()
    );
    super::functions::print_functions(module);
    Ok(())
}
