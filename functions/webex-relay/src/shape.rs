//! The relay's message shapes: Webex objects in, Pigdin messages and App
//! Context objects out. Pure, so it is tested on the host.

use pigdin_sdk::{Value, json};

/// The platform tag on everything the relay publishes and stores.
pub const PLATFORM: &str = "webex";

/// `webex.{userId}.{roomId}`: where `userId` sees room `roomId`.
pub fn room_channel(user_id: &str, room_id: &str) -> String {
    format!("webex.{user_id}.{room_id}")
}

/// The `(userId, roomId)` of a room channel.
pub fn parse_room_channel(channel: &str) -> Option<(&str, &str)> {
    let rest = channel.strip_prefix("webex.")?;
    let (user, room) = rest.split_once('.')?;
    (!user.is_empty() && !room.is_empty()).then_some((user, room))
}

/// Who sent an incoming message, as the subscriber sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    pub email: String,
}

impl Sender {
    /// From UUID metadata (`{name, email, ...}`).
    pub fn from_metadata(metadata: &Value) -> Self {
        Self {
            name: text(&metadata["name"]),
            email: text(&metadata["email"]),
        }
    }
}

/// The room, as cached in the room channel's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub title: String,
    pub is_direct: bool,
}

impl Room {
    /// From channel metadata written by [`room_metadata`].
    pub fn from_metadata(metadata: &Value) -> Self {
        Self {
            title: text(&metadata["name"]),
            is_direct: metadata["custom"]["roomType"] == "direct",
        }
    }
}

/// The message published on the room channel for a Webex message.
/// `html` is Webex's rendering when the sender used markdown, else `null`;
/// `externalObj` is the Webex message as fetched.
pub fn incoming(message: &Value, sender: &Sender, room: &Room) -> Value {
    json!({
        "fromPlatform": PLATFORM,
        "senderName": sender.name,
        "senderEmail": sender.email,
        "channelName": room.title,
        "isDirect": room.is_direct,
        "text": message["text"],
        "html": message["html"],
        "externalObj": message,
    })
}

/// UUID metadata for a Webex person (`GET /people/{id}`).
pub fn person_metadata(person: &Value) -> Value {
    json!({
        "name": text(&person["displayName"]),
        "email": text(&person["emails"][0]),
        "profileUrl": person["avatar"],
        "custom": { "platform": PLATFORM },
    })
}

/// Channel metadata for a Webex room (`GET /rooms/{id}`), cached on the room channel.
pub fn room_metadata(room: &Value) -> Value {
    json!({
        "name": text(&room["title"]),
        "custom": {
            "platform": PLATFORM,
            "roomId": room["id"],
            "roomType": room["type"],
        },
    })
}

/// A reply a client asked to forward: `{forwardToPlatform: true, fromPlatform:
/// "webex", platformChannelId, text, markdown?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub room_id: String,
    pub text: Option<String>,
    pub markdown: Option<String>,
}

impl Reply {
    /// `None` when the message is not for Webex (no flag, or another platform);
    /// an error when it is but lacks what Webex needs.
    pub fn from_message(message: &Value) -> Result<Option<Self>, String> {
        if message["forwardToPlatform"] != true || message["fromPlatform"] != PLATFORM {
            return Ok(None);
        }
        let room_id = message["platformChannelId"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or(
                "a message with forwardToPlatform needs platformChannelId (the Webex room id)",
            )?;
        let text = message["text"].as_str().map(str::to_owned);
        let markdown = message["markdown"].as_str().map(str::to_owned);
        if text.as_deref().unwrap_or_default().is_empty()
            && markdown.as_deref().unwrap_or_default().is_empty()
        {
            return Err("a message with forwardToPlatform needs `text` or `markdown`".into());
        }
        Ok(Some(Self {
            room_id: room_id.to_owned(),
            text,
            markdown,
        }))
    }

    /// The `POST /messages` body: `markdown` when given (with `text` as
    /// Webex's plain fallback), else `text`.
    pub fn webex_body(&self) -> Value {
        let mut body = json!({ "roomId": self.room_id });
        if let Some(text) = &self.text {
            body["text"] = json!(text);
        }
        if let Some(markdown) = &self.markdown {
            body["markdown"] = json!(markdown);
        }
        body
    }
}

/// The message as it goes on to subscribers: the forwarding flag removed.
pub fn without_forward_flag(mut message: Value) -> Value {
    if let Some(object) = message.as_object_mut() {
        object.remove("forwardToPlatform");
    }
    message
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_channels_round_trip() {
        let channel = room_channel(
            "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9h",
            "Y2lzY29zcGFyazovL3VzL1JPT00vYg",
        );
        assert_eq!(
            channel,
            "webex.Y2lzY29zcGFyazovL3VzL1BFT1BMRS9h.Y2lzY29zcGFyazovL3VzL1JPT00vYg"
        );
        assert_eq!(
            parse_room_channel(&channel),
            Some((
                "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9h",
                "Y2lzY29zcGFyazovL3VzL1JPT00vYg"
            ))
        );
        assert_eq!(parse_room_channel("webex.only"), None);
        assert_eq!(parse_room_channel("chat.a.b"), None);
    }

    #[test]
    fn an_incoming_message_has_exactly_the_specified_fields() {
        let message = json!({
            "id": "M1", "roomId": "R1", "roomType": "group", "text": "hi *there*",
            "html": "<p>hi <em>there</em></p>", "personId": "P1", "personEmail": "alice@example.com",
        });
        let sender =
            Sender::from_metadata(&json!({"name": "Alice Andersen", "email": "alice@example.com"}));
        let room = Room::from_metadata(&room_metadata(
            &json!({"id": "R1", "title": "Design", "type": "group"}),
        ));
        assert_eq!(
            incoming(&message, &sender, &room),
            json!({
                "fromPlatform": "webex",
                "senderName": "Alice Andersen",
                "senderEmail": "alice@example.com",
                "channelName": "Design",
                "isDirect": false,
                "text": "hi *there*",
                "html": "<p>hi <em>there</em></p>",
                "externalObj": message,
            })
        );
    }

    #[test]
    fn a_direct_room_without_html_gives_null_html() {
        let room = Room::from_metadata(&room_metadata(
            &json!({"id": "R2", "title": "Alice Andersen", "type": "direct"}),
        ));
        assert!(room.is_direct);
        let shaped = incoming(
            &json!({"text": "yo"}),
            &Sender::from_metadata(&json!({})),
            &room,
        );
        assert_eq!(shaped["html"], Value::Null);
        assert_eq!(shaped["senderName"], "");
    }

    #[test]
    fn person_metadata_takes_the_first_email_and_avatar() {
        let person = json!({"id": "P1", "displayName": "Alice Andersen", "emails": ["alice@example.com", "a@x"], "avatar": "https://a/1"});
        assert_eq!(
            person_metadata(&person),
            json!({"name": "Alice Andersen", "email": "alice@example.com", "profileUrl": "https://a/1", "custom": {"platform": "webex"}})
        );
    }

    #[test]
    fn only_flagged_webex_messages_are_replies() {
        assert_eq!(Reply::from_message(&json!({"text": "hi"})), Ok(None));
        assert_eq!(
            Reply::from_message(
                &json!({"forwardToPlatform": true, "fromPlatform": "teams", "text": "hi"})
            ),
            Ok(None)
        );
        assert_eq!(Reply::from_message(&json!("plain")), Ok(None));
        let reply = Reply::from_message(&json!({
            "forwardToPlatform": true, "fromPlatform": "webex", "platformChannelId": "R1", "text": "hi"
        }))
        .unwrap()
        .unwrap();
        assert_eq!(reply.webex_body(), json!({"roomId": "R1", "text": "hi"}));
    }

    #[test]
    fn markdown_is_sent_with_its_text_fallback() {
        let reply = Reply::from_message(&json!({
            "forwardToPlatform": true, "fromPlatform": "webex", "platformChannelId": "R1",
            "text": "hi", "markdown": "**hi**"
        }))
        .unwrap()
        .unwrap();
        assert_eq!(
            reply.webex_body(),
            json!({"roomId": "R1", "text": "hi", "markdown": "**hi**"})
        );
    }

    #[test]
    fn a_flagged_reply_without_room_or_text_is_an_error() {
        let no_room = Reply::from_message(
            &json!({"forwardToPlatform": true, "fromPlatform": "webex", "text": "hi"}),
        );
        assert!(no_room.unwrap_err().contains("platformChannelId"));
        let no_text = Reply::from_message(
            &json!({"forwardToPlatform": true, "fromPlatform": "webex", "platformChannelId": "R"}),
        );
        assert!(no_text.unwrap_err().contains("`text` or `markdown`"));
    }

    #[test]
    fn the_flag_is_stripped_and_the_rest_kept() {
        let message = json!({"forwardToPlatform": true, "fromPlatform": "webex", "platformChannelId": "R1", "text": "hi"});
        assert_eq!(
            without_forward_flag(message),
            json!({"fromPlatform": "webex", "platformChannelId": "R1", "text": "hi"})
        );
    }
}
