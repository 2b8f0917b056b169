//! The messages received in this session, numbered from 1 as shown.

use std::sync::{Arc, Mutex};

use serde_json::Value;

/// One received Webex message.
#[derive(Debug, Clone)]
pub struct Received {
    pub number: usize,
    /// `webex.{userId}.{roomId}`.
    pub channel: String,
    pub room_id: String,
    pub room_name: String,
    /// The publisher: the Webex person id of the sender.
    pub sender_id: Option<String>,
    pub sender_name: String,
    pub sender_email: Option<String>,
    pub text: String,
    pub timetoken: u64,
}

impl Received {
    /// Reads a relayed message (`{senderName, channelName, text, ...}`).
    pub fn from_relay(
        channel: &str,
        room_id: &str,
        sender_id: Option<String>,
        timetoken: u64,
        message: &Value,
    ) -> Self {
        let text = |key: &str| message[key].as_str().map(str::to_owned);
        Self {
            number: 0,
            channel: channel.to_owned(),
            room_id: room_id.to_owned(),
            room_name: text("channelName").unwrap_or_else(|| room_id.to_owned()),
            sender_name: text("senderName")
                .or_else(|| text("senderEmail"))
                .or_else(|| sender_id.clone())
                .unwrap_or_else(|| "someone".to_owned()),
            sender_email: text("senderEmail"),
            sender_id,
            text: text("text").unwrap_or_else(|| message.to_string()),
            timetoken,
        }
    }
}

#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

impl Inbox {
    /// Numbers and keeps `message`; returns it numbered.
    pub fn push(&self, mut message: Received) -> Received {
        let mut messages = self.0.lock().unwrap();
        message.number = messages.len() + 1;
        messages.push(message.clone());
        message
    }

    /// Message `number`, or the latest for `None`; the error says what exists.
    pub fn get(&self, number: Option<usize>) -> Result<Received, String> {
        let messages = self.0.lock().unwrap();
        let found = match number {
            None => messages.last(),
            Some(n) => messages.get(n - 1),
        };
        found
            .cloned()
            .ok_or_else(|| match (number, messages.len()) {
                (_, 0) => "no messages yet".to_owned(),
                (Some(n), 1) => format!("no message {n}: there is only message 1"),
                (Some(n), count) => format!("no message {n}: messages are 1 to {count}"),
                (None, _) => unreachable!("a latest message exists when there are messages"),
            })
    }
}
