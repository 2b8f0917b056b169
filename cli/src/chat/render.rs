//! How the chat shows things.

use serde_json::Value;

use super::inbox::Received;
use crate::network::app_context::UuidMetadata;
use crate::network::history::Stored;

pub const HELP: &str = "\
commands (a number picks message N; without one, the latest message):
  r text   reply to the latest message's room      r3 text  reply to message 3's room
  p / p3   the room's last 10 messages / up to 3   s / s3   who sent the message
  m / m3   the room's members                      h        this help
  q        quit";

/// `3) webex message from Alice in "Design": text`
pub fn incoming(message: &Received) -> String {
    format!(
        "{}) webex message from {} in \"{}\": {}",
        message.number, message.sender_name, message.room_name, message.text
    )
}

/// One history line: `  Alice: text`, or `  you: text` for the user's replies.
pub fn stored(entry: &Stored, user_id: &str) -> String {
    let message = &entry.message;
    let who = if entry.publisher.as_deref() == Some(user_id) {
        "you".to_owned()
    } else {
        message["senderName"]
            .as_str()
            .or(entry.publisher.as_deref())
            .unwrap_or("someone")
            .to_owned()
    };
    let text = match &message["text"] {
        Value::String(text) => text.clone(),
        _ => message.to_string(),
    };
    format!("  {who}: {text}")
}

/// What App Context knows about a sender.
pub fn sender(number: usize, person: &UuidMetadata) -> String {
    let mut text = format!("message {number} was sent by {}", person.describe());
    text.push_str(&format!("\n  webex person id: {}", person.id));
    if let Some(url) = &person.profile_url {
        text.push_str(&format!("\n  profile: {url}"));
    }
    text
}

/// The members of a room.
pub fn members(room_name: &str, members: &[UuidMetadata]) -> String {
    let mut text = format!("members of \"{room_name}\" known to Pigdin:");
    for member in members {
        text.push_str(&format!("\n  {}", member.describe()));
    }
    text
}
