//! `hop` (After Publish on `chain.*`) republishes `{"hop": n + 1}` to
//! `chain.next`, which `hop` catches again: left alone this would never end,
//! so it tests the host's chaining cap. `seen` tells how many hops ran.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    after_publish "hop" => hop,
    on_request "seen" => seen,
}

const HOPS_SEEN: &str = "hops-seen";

fn hop(req: PublishRequest) -> Result<()> {
    let hop = req.message.get("hop").and_then(Value::as_i64).unwrap_or(0);
    log::info(format!("hop {hop} on {}", req.channel));
    kvstore::incr_counter(HOPS_SEEN, 1)?;
    pubnub::publish(PublishOptions::new("chain.next", json!({ "hop": hop + 1 })))?;
    Ok(())
}

/// `GET /seen` → `{"hops": N}`.
fn seen(_req: Request, res: Response) -> Result<HttpResponse> {
    let hops = kvstore::get_counter(HOPS_SEEN)?;
    Ok(res.json(&json!({ "hops": hops })))
}
