//! On Request: a webhook receiver. The sender signs the raw request body with
//! HMAC-SHA256 under a secret it shares with this module and sends the
//! signature, Base64, in the `X-Signature` header. A request without a valid
//! signature answers 401; a signed one is published on `webhooks.{{name}}`,
//! where your app subscribes.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use pigdin_sdk::prelude::*;
use sha2::Sha256;

pigdin_sdk::module! {
    on_request "receive" => receive,
}

/// Set it with: `pigdin vault set {{name}} webhook-secret`.
const SECRET_NAME: &str = "webhook-secret";

fn receive(req: Request, res: Response) -> Result<HttpResponse> {
    if req.method != "POST" {
        return Ok(error(res, 405, "POST the event, signed in X-Signature"));
    }
    let Ok(secret) = vault::get(SECRET_NAME) else {
        log::error(format!(
            "no secret yet: run pigdin vault set {{name}} {SECRET_NAME}"
        ));
        return Ok(error(res, 503, "this receiver has no secret set"));
    };
    let Some(given) = req.header("x-signature") else {
        return Ok(error(res, 401, "missing X-Signature"));
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(&req.body);
    // verify_slice compares in constant time.
    if decode_base64(given).is_none_or(|given| mac.verify_slice(&given).is_err()) {
        return Ok(error(res, 401, "the signature does not match the body"));
    }
    let event = pigdin_sdk::serde_json::from_slice::<Value>(&req.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&req.body).into_owned()));
    pubnub::publish(PublishOptions::new("webhooks.{{name}}", event))?;
    Ok(res.json(&json!({ "received": true })))
}

/// Standard or URL-safe Base64, padded or not.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(normalized)
        .ok()
}

fn error(res: Response, status: u16, message: &str) -> HttpResponse {
    res.status(status).json(&json!({ "error": message }))
}
