//! `tick` runs every second and counts; `ticks` tells the count.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    on_interval "tick" => tick,
    on_request "ticks" => ticks,
}

const TICKS: &str = "ticks";

fn tick() -> Result<()> {
    let n = kvstore::incr_counter(TICKS, 1)?;
    log::info(format!("tick {n}"));
    Ok(())
}

/// `GET /ticks` → `{"ticks": N}`.
fn ticks(_req: Request, res: Response) -> Result<HttpResponse> {
    let n = kvstore::get_counter(TICKS)?;
    Ok(res.json(&json!({ "ticks": n })))
}
