//! `pigdin serve --webex-sim`: the Webex simulator in-process, with the relay
//! pointed at it (its API URL and its client credentials).

use std::net::SocketAddr;

use pigdin_webex_sim::{RunningSim, SimConfig};

use super::webex_relay::RelaySettings;

#[derive(clap::Args, Clone)]
pub struct SimArgs {
    /// Start the Webex simulator beside the runtime and point the relay at it
    /// (instead of --webex-api-url).
    #[arg(long)]
    pub webex_sim: bool,
    /// Where the simulator listens (with --webex-sim).
    #[arg(long, default_value = "127.0.0.1:0", requires = "webex_sim")]
    pub webex_sim_listen: SocketAddr,
}

/// Starts the simulator when asked and rewires `relay` to it. Keep the returned
/// handle alive as long as the server: dropping it stops the simulator.
pub async fn start_if_asked(
    args: &SimArgs,
    relay: &mut RelaySettings,
) -> anyhow::Result<Option<RunningSim>> {
    if !args.webex_sim {
        return Ok(None);
    }
    let sim = pigdin_webex_sim::start(SimConfig {
        listen: args.webex_sim_listen,
        ..SimConfig::default()
    })
    .await?;
    relay.api_url = sim.url();
    relay.client = Some((
        sim.client().client_id.clone(),
        sim.client().client_secret.clone(),
    ));
    println!("webex simulator listening on {}", sim.url());
    Ok(Some(sim))
}
