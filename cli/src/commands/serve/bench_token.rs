//! `--bench-token CHANNEL`: a token allowed to publish to one channel, and a
//! ready publish URL carrying it, so a load tool (wrk) can measure what the
//! signature and token checks cost against the same run without
//! `--secret-key`.

use std::net::SocketAddr;

use anyhow::Context;
use pigdin_runtime::Runtime;
use pigdin_runtime::api::params::percent_encode;
use serde_json::json;

/// The uuid the token is authorized for (the URL carries it).
const BENCH_UUID: &str = "bench";
/// The longest a v3 token may last: enough for any benchmark.
const BENCH_TTL_MINUTES: u64 = 43_200;

pub fn print(runtime: &Runtime, address: SocketAddr, channel: &str) -> anyhow::Result<()> {
    let token = runtime
        .access
        .grant_token(&json!({
            "ttl": BENCH_TTL_MINUTES,
            "permissions": {
                "resources": {"channels": {channel: 2}},
                "uuid": BENCH_UUID,
            },
        }))
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("--bench-token needs Access Manager on (--secret-key)")?;
    let config = &runtime.config;
    println!("  bench token (write on {channel:?}, uuid {BENCH_UUID:?}): {token}");
    println!(
        "  bench publish URL: http://{address}/publish/{}/{}/0/{}/0/%22hi%22?store=0&uuid={BENCH_UUID}&auth={}",
        config.publish_key,
        config.subscribe_key,
        percent_encode(channel),
        percent_encode(&token),
    );
    Ok(())
}
