//! Bare `pigdin webex-sim`: serve the simulator until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use pigdin_webex_sim::SimConfig;

#[derive(clap::Args)]
pub struct ServerArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(
        long,
        env = "PIGDIN_WEBEX_SIM_LISTEN",
        default_value = "127.0.0.1:8091"
    )]
    listen: SocketAddr,
    /// Lifetime of access tokens (Webex: 14 days).
    #[arg(long, default_value_t = pigdin_webex_sim::WEBEX_ACCESS_TOKEN_LIFETIME.as_secs())]
    access_token_lifetime_secs: u64,
    /// Lifetime of refresh tokens (Webex: 90 days).
    #[arg(long, default_value_t = pigdin_webex_sim::WEBEX_REFRESH_TOKEN_LIFETIME.as_secs())]
    refresh_token_lifetime_secs: u64,
}

pub async fn run(args: ServerArgs) -> anyhow::Result<()> {
    let sim = pigdin_webex_sim::start(SimConfig {
        listen: args.listen,
        access_token_lifetime: Duration::from_secs(args.access_token_lifetime_secs),
        refresh_token_lifetime: Duration::from_secs(args.refresh_token_lifetime_secs),
        ..SimConfig::default()
    })
    .await?;
    // Tests and scripts wait for this line: the simulator is ready when it appears.
    println!("webex simulator listening on {}", sim.url());
    println!(
        "  control API at {}/_sim; seeded people: pat, alice, bob, carol (see `pigdin webex-sim people`)",
        sim.origin()
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => Ok(()),
        _ = sim.wait() => anyhow::bail!("the webex simulator stopped"),
    }
}
