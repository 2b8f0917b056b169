//! On Request examples: `counter` counts its calls, `kv` exposes the KV store
//! over query parameters (used by the end-to-end tests).

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    on_request "counter" => counter,
    on_request "kv" => kv,
}

/// `GET /counter` → `{"count": N}`, N rising by one per call.
fn counter(_req: Request, res: Response) -> Result<HttpResponse> {
    let count = kvstore::incr_counter("count", 1)?;
    Ok(res.json(&json!({ "count": count })))
}

/// `GET /kv?op=...`:
///
/// - `op=get&key=K` → `{"value": V}` (`null` when unset)
/// - `op=set&key=K&value=JSON[&ttl=MINUTES]` → `{"ok": true}`
/// - `op=remove&key=K` → `{"ok": true}`
/// - `op=incr&key=K[&value=DELTA]` → `{"count": N}`
/// - `op=keys[&prefix=P]` → `{"keys": [...]}`
///
/// Bad parameters answer 400 `{"error": ...}`; a failing store answers 500.
fn kv(req: Request, res: Response) -> HttpResponse {
    match run_kv_op(&req) {
        Ok(body) => res.json(&body),
        Err(KvError::BadRequest(message)) => res.status(400).json(&json!({ "error": message })),
        Err(KvError::Store(error)) => res.status(500).json(&json!({ "error": error.to_string() })),
    }
}

enum KvError {
    BadRequest(String),
    Store(Error),
}

impl From<Error> for KvError {
    fn from(error: Error) -> Self {
        Self::Store(error)
    }
}

fn run_kv_op(req: &Request) -> std::result::Result<Value, KvError> {
    let bad = |message: String| KvError::BadRequest(message);
    let key = || match req.param("key") {
        Some(key) if !key.is_empty() => Ok(key),
        _ => Err(bad("missing `key`".into())),
    };
    match req.param("op") {
        Some("get") => {
            let value: Option<Value> = kvstore::get(key()?)?;
            Ok(json!({ "value": value }))
        }
        Some("set") => {
            let text = req
                .param("value")
                .ok_or_else(|| bad("missing `value`".into()))?;
            let value: Value = pigdin_sdk::serde_json::from_str(text)
                .map_err(|e| bad(format!("`value` is not JSON: {e}")))?;
            let ttl = req
                .param("ttl")
                .map(str::parse::<u32>)
                .transpose()
                .map_err(|e| bad(format!("`ttl` is not a number of minutes: {e}")))?;
            kvstore::set(key()?, &value, ttl)?;
            Ok(json!({ "ok": true }))
        }
        Some("remove") => {
            kvstore::remove(key()?)?;
            Ok(json!({ "ok": true }))
        }
        Some("incr") => {
            let delta = req
                .param("value")
                .map(str::parse::<i64>)
                .transpose()
                .map_err(|e| bad(format!("`value` is not an integer: {e}")))?;
            let count = kvstore::incr_counter(key()?, delta.unwrap_or(1))?;
            Ok(json!({ "count": count }))
        }
        Some("keys") => {
            let prefix = req.param("prefix").unwrap_or_default();
            let keys = kvstore::keys(prefix).collect::<Result<Vec<String>>>()?;
            Ok(json!({ "keys": keys }))
        }
        Some(other) => Err(bad(format!(
            "unknown `op` {other:?}: use get, set, remove, incr or keys"
        ))),
        None => Err(bad("missing `op` (get, set, remove, incr or keys)".into())),
    }
}
