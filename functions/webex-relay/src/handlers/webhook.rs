//! `webhook`, On Request at `webex/webhook?user={userId}`: where Webex
//! delivers the user's `messages`/`created` notifications.
//!
//! It only checks the delivery and answers at once (Webex disables webhooks
//! that answer slowly or fail); the fetching and publishing happen in the
//! `inbound` After handler, which the fire below triggers in the background.

use pigdin_sdk::prelude::*;

use super::INBOUND_CHANNEL;
use crate::signature;
use crate::users;

pub fn handle(req: Request, res: Response) -> Result<HttpResponse> {
    if req.method != "POST" {
        return Ok(res
            .status(405)
            .header("allow", "POST")
            .json(&json!({ "error": "Webex webhooks are delivered with POST" })));
    }
    let Some(user_id) = req.param("user").filter(|id| !id.is_empty()) else {
        return Ok(res.status(400).json(
            &json!({ "error": "missing ?user=USER_ID: the webhook target names the relay user" }),
        ));
    };
    let secret = users::load(user_id)?.and_then(|record| record.webhook_secret);
    let Some(secret) = secret else {
        return Ok(res.status(404).json(
            &json!({ "error": format!("no Webex user {user_id} with a webhook is set up in the relay") }),
        ));
    };
    let Some(signature) = req.header("x-spark-signature") else {
        return Ok(res
            .status(401)
            .json(&json!({ "error": "missing X-Spark-Signature" })));
    };
    if !signature::verify(&secret, &req.body, signature) {
        return Ok(res.status(401).json(
            &json!({ "error": "X-Spark-Signature does not match the body under this user's webhook secret" }),
        ));
    }
    let body = req.body_text()?;
    pubnub::fire(PublishOptions::new(
        INBOUND_CHANNEL,
        json!({ "userId": user_id, "body": body, "signature": signature }),
    ))?;
    Ok(res.json(&json!({ "ok": true })))
}
