//! `inbound`, After Publish-or-Fire on `webex-inbound`: turns a verified
//! webhook notification into a message on `webex.{userId}.{roomId}`,
//! published as the Webex sender.
//!
//! Anyone may fire on `webex-inbound`, so the signature is checked again:
//! only what Webex signed is acted on.

use pigdin_sdk::prelude::*;
use pigdin_sdk::serde_json;

use crate::clock::Deadline;
use crate::settings::Settings;
use crate::shape::{self, Room, Sender};
use crate::signature;
use crate::users;
use crate::webex::{Session, segment};

pub fn handle(req: PublishRequest) -> Result<()> {
    let field = |name: &str| {
        req.message[name]
            .as_str()
            .ok_or_else(|| Error::new(format!("ignored a webex-inbound message without `{name}`")))
    };
    let (user_id, body, signature) = (field("userId")?, field("body")?, field("signature")?);
    let record = users::load(user_id)?
        .ok_or_else(|| Error::new(format!("ignored a notification for unknown user {user_id}")))?;
    let secret = record.webhook_secret.as_deref().unwrap_or_default();
    if secret.is_empty() || !signature::verify(secret, body.as_bytes(), signature) {
        return Err(Error::new(format!(
            "ignored a webex-inbound message for {user_id} whose signature does not match"
        )));
    }
    let notification: Value = serde_json::from_str(body)?;
    if notification["resource"] != "messages" || notification["event"] != "created" {
        return Ok(());
    }
    let data = &notification["data"];
    // The user's own messages (sent through the relay's to-webex or from any
    // Webex client) are not news to them: see README, "Echoes".
    if data["personId"] == user_id {
        return Ok(());
    }
    let message_id = data["id"]
        .as_str()
        .ok_or("ignored a notification without data.id")?;
    let settings = Settings::load()?;
    let mut session = Session::new(&settings, Deadline::start(), record, true);
    let message = session.get(&format!("/messages/{}", segment(message_id)))?;
    let (Some(room_id), Some(sender_id)) =
        (message["roomId"].as_str(), message["personId"].as_str())
    else {
        return Err(Error::new(format!(
            "Webex message {message_id} has no roomId or personId"
        )));
    };
    let sender = sender(&mut session, sender_id)?;
    let channel = shape::room_channel(user_id, room_id);
    let room = room(&mut session, user_id, &channel, room_id)?;
    pubnub::publish(
        PublishOptions::new(&channel, shape::incoming(&message, &sender, &room))
            .publisher(sender_id),
    )?;
    Ok(())
}

/// The sender from UUID metadata, or from Webex on a miss (then cached).
fn sender(session: &mut Session, person_id: &str) -> Result<Sender> {
    if let Some(metadata) = pubnub::get_uuid_metadata(person_id)? {
        return Ok(Sender::from_metadata(&metadata));
    }
    let person = session.get(&format!("/people/{}", segment(person_id)))?;
    let metadata = shape::person_metadata(&person);
    pubnub::set_uuid_metadata(person_id, &metadata)?;
    Ok(Sender::from_metadata(&metadata))
}

/// The room from the room channel's metadata, or from Webex on a miss (then
/// cached). A miss is the user's first message in the room, so that is when
/// their membership of the room channel is recorded.
fn room(session: &mut Session, user_id: &str, channel: &str, room_id: &str) -> Result<Room> {
    if let Some(metadata) = pubnub::get_channel_metadata(channel)? {
        return Ok(Room::from_metadata(&metadata));
    }
    let room = session.get(&format!("/rooms/{}", segment(room_id)))?;
    let metadata = shape::room_metadata(&room);
    pubnub::set_channel_metadata(channel, &metadata)?;
    pubnub::set_memberships(
        user_id,
        &[json!({ "id": channel, "custom": { "platform": shape::PLATFORM, "roomId": room_id } })],
    )?;
    Ok(Room::from_metadata(&metadata))
}
