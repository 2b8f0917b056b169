//! `pigdin serve`: the runtime on its embedded defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use pigdin_runtime::{Config, JsEngine, Runtime, XhrRoute};

mod bench_token;
mod relay_key;
mod webex_relay;
mod webex_sim;

/// Environment variables `PIGDIN_VAULT__<MODULE>__<NAME>` provide vault secrets at
/// start-up (module name upper-cased with `-` written `_`; the secret name as
/// written), held in memory only, like the relay's settings.
const VAULT_ENV_PREFIX: &str = "PIGDIN_VAULT__";

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PIGDIN_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// Where the database, deployed modules and compile cache live.
    #[arg(long, env = "PIGDIN_DATA_DIR", default_value = "pigdin-data")]
    data_dir: PathBuf,
    #[arg(long, env = "PIGDIN_PUBLISH_KEY", default_value = "demo")]
    publish_key: String,
    #[arg(long, env = "PIGDIN_SUBSCRIBE_KEY", default_value = "demo")]
    subscribe_key: String,
    /// Require this key on admin calls (and allow them from other hosts).
    #[arg(long, env = "PIGDIN_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
    /// The keyset's secret key: turns Access Manager on (signed requests,
    /// grants, tokens). Without it every request is allowed.
    #[arg(long, env = "PIGDIN_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Print a token that may publish to this channel, and a publish URL
    /// using it, to measure Access Manager's cost (e.g. with wrk). Needs --secret-key.
    #[arg(long, value_name = "CHANNEL")]
    bench_token: Option<String>,
    /// Length of a KV TTL minute in milliseconds: shorten it to watch expiry in tests.
    #[arg(
        long,
        env = "PIGDIN_KV_MINUTE_MS",
        default_value_t = 60_000,
        hide = true
    )]
    kv_minute_ms: u64,
    /// Send modules' xhr calls for ORIGIN to URL instead (repeatable), e.g.
    /// `--xhr-route https://webexapis.com=http://127.0.0.1:9000` to fake an API on loopback.
    #[arg(long = "xhr-route", value_name = "ORIGIN=URL")]
    xhr_routes: Vec<XhrRoute>,
    /// Where the bundled Webex relay reaches Webex, and Webex reaches it.
    #[command(flatten)]
    webex_relay: webex_relay::RelayArgs,
    /// The Webex simulator in-process (`--webex-sim`).
    #[command(flatten)]
    webex_sim: webex_sim::SimArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let mut config = Config {
        listen: args.listen,
        data_dir: args.data_dir,
        publish_key: args.publish_key,
        subscribe_key: args.subscribe_key,
        admin_key: args.admin_key,
        secret_key: args.secret_key,
        vault_secrets: vault_secrets_from_env(),
        kv_minute: Duration::from_millis(args.kv_minute_ms),
        kv_purge_period: Duration::from_millis(args.kv_minute_ms / 2).min(Duration::from_secs(30)),
        history_retention: None,
        subscribe_hold: Config::default().subscribe_hold,
        js_engine: Some(JsEngine(crate::bundled::JS_ENGINE)),
        xhr_routes: args.xhr_routes,
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (in use? pass --listen ADDR)",
                config.listen
            )
        })?;
    let address = listener.local_addr()?;
    let mut relay = webex_relay::RelaySettings::new(&args.webex_relay, address)?;
    warn_if_inside(&relay.key_file, &config.data_dir);
    // Held until the server stops: dropping it stops the simulator.
    let _webex_sim = webex_sim::start_if_asked(&args.webex_sim, &mut relay).await?;
    // Before the PIGDIN_VAULT__ ones, so those can still override.
    let relay_secrets = relay.vault_secrets(&config.subscribe_key);
    config.vault_secrets.splice(0..0, relay_secrets);
    let runtime = Runtime::start(config, crate::bundled::BUNDLED).await?;
    let modules: Vec<String> = runtime
        .functions
        .modules()
        .into_iter()
        .map(|m| m.name)
        .collect();
    for route in &runtime.config.xhr_routes {
        tracing::info!(origin = %route.origin, target = %route.target, "xhr calls rerouted");
    }
    // Tests and scripts wait for this line: the server is ready when it appears.
    println!("pigdin listening on http://{address}");
    println!(
        "  publish key {}, subscribe key {}, data in {}, modules: {}",
        runtime.config.publish_key,
        runtime.config.subscribe_key,
        runtime.config.data_dir.display(),
        if modules.is_empty() {
            "none".into()
        } else {
            modules.join(", ")
        }
    );
    // Never the client secret nor the key: only where the relay talks to, is
    // reached at and keeps its key.
    println!(
        "  webex relay: Webex API {}, webhooks to {}, key file {}{}",
        relay.api_url,
        relay.public_url,
        relay.key_file.display(),
        if relay.client.is_some() {
            ""
        } else {
            " (WEBEX_CLIENT_ID/WEBEX_CLIENT_SECRET not set: token refresh needs them)"
        }
    );
    if let Some(channel) = &args.bench_token {
        bench_token::print(&runtime, address, channel)?;
    }
    pigdin_runtime::api::serve(runtime, listener).await
}

/// The relay key file belongs outside the data directory, or a copy of the
/// directory carries the key along with the tokens it seals.
fn warn_if_inside(key_file: &std::path::Path, data_dir: &std::path::Path) {
    if let (Ok(key_file), Ok(data_dir)) = (key_file.canonicalize(), data_dir.canonicalize())
        && key_file.starts_with(&data_dir)
    {
        tracing::warn!(
            key_file = %key_file.display(),
            "the relay key file is inside the data directory: a copy of the directory then \
             carries the key; keep it elsewhere (--relay-key-file)"
        );
    }
}

fn vault_secrets_from_env() -> Vec<(String, String, String)> {
    std::env::vars()
        .filter_map(|(key, value)| {
            let rest = key.strip_prefix(VAULT_ENV_PREFIX)?;
            let (module, name) = rest.split_once("__")?;
            Some((
                module.to_ascii_lowercase().replace('_', "-"),
                name.to_owned(),
                value,
            ))
        })
        .collect()
}
