//! On Request: a small JSON API over this module's KV store, answering at
//! `/v1/blocks/sub-key/SUB_KEY/{{name}}`:
//!
//! - `GET` → `{"visits": N}`, N counting the calls
//! - `POST ?key=K` with a JSON body: stores it under K → 201 `{"key": K, "value": ...}`
//! - `GET ?key=K` → `{"key": K, "value": ...}`; 404 when nothing is stored
//! - `DELETE ?key=K` → `{"key": K, "deleted": true}`

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    on_request "api" => api,
}

/// Stored values are kept a week (KV TTLs are in minutes).
const TTL_MINUTES: u32 = 7 * 24 * 60;

fn api(req: Request, res: Response) -> Result<HttpResponse> {
    let Some(key) = req.param("key").filter(|key| !key.is_empty()) else {
        if req.method != "GET" {
            return Ok(error(res, 400, "name the key in the query: ?key=NAME"));
        }
        let visits = kvstore::incr_counter("visits", 1)?;
        return Ok(res.json(&json!({ "visits": visits })));
    };
    match req.method.as_str() {
        "GET" => match kvstore::get::<Value>(key)? {
            Some(value) => Ok(res.json(&json!({ "key": key, "value": value }))),
            None => Ok(error(res, 404, &format!("nothing is stored under {key}"))),
        },
        "POST" | "PUT" => {
            let Ok(value) = req.json::<Value>() else {
                return Ok(error(
                    res,
                    400,
                    r#"the body must be JSON, e.g. {"text":"hello"}"#,
                ));
            };
            kvstore::set(key, &value, Some(TTL_MINUTES))?;
            Ok(res.status(201).json(&json!({ "key": key, "value": value })))
        }
        "DELETE" => {
            kvstore::remove(key)?;
            Ok(res.json(&json!({ "key": key, "deleted": true })))
        }
        other => Ok(error(
            res,
            405,
            &format!("{other} is not supported: use GET, POST or DELETE"),
        )),
    }
}

fn error(res: Response, status: u16, message: &str) -> HttpResponse {
    res.status(status).json(&json!({ "error": message }))
}
