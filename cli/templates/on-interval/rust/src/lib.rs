//! On Interval: a heartbeat. Every `interval_secs` (module.toml) it publishes
//! a numbered tick on the `heartbeat` channel; the number is a KV counter, so
//! it keeps counting across restarts and redeploys.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    on_interval "tick" => tick,
}

fn tick() -> Result<()> {
    let tick = kvstore::incr_counter("ticks", 1)?;
    pubnub::publish(PublishOptions::new(
        "heartbeat",
        json!({ "from": "{{name}}", "tick": tick, "timetoken": pubnub::time() }),
    ))?;
    Ok(())
}
