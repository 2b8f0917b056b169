//! After Publish on `chat.*`: counts each channel's messages in a KV counter
//! and, every `EVERY`-th message, publishes a notice about it on
//! `notices.CHANNEL`. An After handler runs once the message is delivered, so
//! it cannot change or stop it.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    after_publish "react" => react,
}

const EVERY: i64 = 5;

fn react(req: PublishRequest) -> Result<()> {
    let channel = &req.channel;
    let count = kvstore::incr_counter(&format!("messages:{channel}"), 1)?;
    if count % EVERY == 0 {
        // notices.* is not chat.*, so this publish does not run this function again.
        pubnub::publish(PublishOptions::new(
            format!("notices.{channel}"),
            json!({
                "notice": format!("{count} messages on {channel}"),
                "channel": channel,
                "count": count,
                "last": {
                    "message": req.message,
                    "publisher": req.publisher,
                    "timetoken": req.timetoken,
                },
            }),
        ))?;
    }
    Ok(())
}
