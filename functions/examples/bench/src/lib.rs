//! Handlers that do as little as possible, so benchmarks measure the runtime:
//! a pass-through Before Publish, one that adds a field, a constant answer,
//! and one KV read + write.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    before_publish "noop" => noop,
    before_publish "stamp" => stamp,
    on_request "hello" => hello,
    on_request "kv" => kv,
}

fn noop(req: PublishRequest) -> BeforeResult {
    req.ok()
}

/// Adds a field and lets the message through (the twin of tests/js/bench/stamp.js).
fn stamp(mut req: PublishRequest) -> BeforeResult {
    req.message["stamped"] = Value::Bool(true);
    req.ok()
}

fn hello(_req: Request, res: Response) -> HttpResponse {
    res.header("content-type", "text/plain").send("hello")
}

/// One `kvstore::get` and one `kvstore::set` of key `k`.
fn kv(_req: Request, res: Response) -> Result<HttpResponse> {
    let previous: Option<Value> = kvstore::get("k")?;
    let next = previous.as_ref().and_then(Value::as_i64).unwrap_or(0) + 1;
    kvstore::set("k", &next, None)?;
    Ok(res.header("content-type", "text/plain").send("ok"))
}
