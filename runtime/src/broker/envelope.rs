//! The subscribe envelope (one `m[]` entry). Serialised once per message:
//! each subscriber's copy only stitches in the subscribe key and, for
//! wildcard and channel-group deliveries, `b`.
//!
//! Fields the SDKs read: `a`, `f`, `i`, `p.t`, `p.r`, `k`, `c`, `d` always
//! (Python indexes them unconditionally); `e` only for non-messages (JS
//! takes `e: 0` for a file); `u` (meta), `cmt` (custom message type) and
//! `b` when there is something to say.

use serde_json::Value;

use super::wildcard::PRESENCE_SUFFIX;
use crate::store::StoredMessage;

/// The region in every timetoken cursor; JS rejects `r: 0`.
pub const REGION: u32 = 42;
const SHARD: &str = "3";

#[derive(Debug)]
pub struct Envelope {
    /// The message as history stores it; its timetoken is set when sequenced.
    pub message: StoredMessage,
    /// Everything before the timetoken: `{"a":..,"f":0,["e":..,]"i":..,"s":..,"p":{"t":"`.
    head: String,
    /// Everything after it: `","r":42},"c":..,"d":..[,"u":..][,"cmt":..]`.
    tail: String,
}

impl Envelope {
    /// `sequence` is the publisher's `seqn` (`s`), 1 when it sent none.
    pub fn new(message: StoredMessage, sequence: u64) -> Self {
        let mut head = format!(r#"{{"a":"{SHARD}","f":0,"#);
        let is_presence = message.channel.ends_with(PRESENCE_SUFFIX);
        if message.message_type != 0 && !is_presence {
            head.push_str(&format!(r#""e":{},"#, message.message_type));
        }
        head.push_str(&format!(
            r#""i":{},"s":{sequence},"p":{{"t":""#,
            json_string(message.publisher.as_deref().unwrap_or_default())
        ));
        let mut tail = format!(
            r#"","r":{REGION}}},"c":{},"d":{}"#,
            json_string(&message.channel),
            message.message
        );
        if let Some(meta) = &message.meta {
            tail.push_str(&format!(r#","u":{meta}"#));
        }
        if let Some(custom) = &message.custom_message_type {
            tail.push_str(&format!(r#","cmt":{}"#, json_string(custom)));
        }
        Self {
            message,
            head,
            tail,
        }
    }

    pub fn timetoken(&self) -> u64 {
        self.message.timetoken
    }

    pub fn channel(&self) -> &str {
        &self.message.channel
    }

    pub fn is_presence(&self) -> bool {
        self.message.channel.ends_with(PRESENCE_SUFFIX)
    }

    /// Appends this envelope as one subscriber receives it. `subscribe_key`
    /// is already JSON (quoted); `subscription` is the wildcard or group
    /// that matched, when it was not the channel itself.
    pub fn write(&self, out: &mut String, subscribe_key: &str, subscription: Option<&str>) {
        out.push_str(&self.head);
        out.push_str(&self.message.timetoken.to_string());
        out.push_str(&self.tail);
        out.push_str(r#","k":"#);
        out.push_str(subscribe_key);
        if let Some(subscription) = subscription {
            out.push_str(r#","b":"#);
            out.push_str(&json_string(subscription));
        }
        out.push('}');
    }
}

/// A string as a JSON string literal.
pub fn json_string(text: &str) -> String {
    Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stored(channel: &str, message_type: u8) -> StoredMessage {
        StoredMessage {
            channel: channel.into(),
            timetoken: 17379929965457610,
            message: json!({"text": "hi \"there\""}),
            meta: Some(json!({"lang": "en"})),
            publisher: Some("alice".into()),
            message_type,
            custom_message_type: Some("chat-text".into()),
        }
    }

    fn render(envelope: &Envelope, subscription: Option<&str>) -> Value {
        let mut out = String::new();
        envelope.write(&mut out, r#""demo""#, subscription);
        serde_json::from_str(&out).expect("valid JSON")
    }

    #[test]
    fn message_envelope_has_every_field_the_sdks_read() {
        let envelope = Envelope::new(stored("chat.room", 0), 7);
        assert_eq!(
            render(&envelope, Some("chat.*")),
            json!({
                "a": "3", "f": 0, "i": "alice", "s": 7,
                "p": {"t": "17379929965457610", "r": 42},
                "k": "demo", "c": "chat.room",
                "d": {"text": "hi \"there\""},
                "u": {"lang": "en"}, "cmt": "chat-text", "b": "chat.*"
            })
        );
    }

    #[test]
    fn messages_carry_no_event_type_and_signals_carry_one() {
        let message = render(&Envelope::new(stored("c", 0), 1), None);
        assert!(message.get("e").is_none());
        assert!(message.get("b").is_none());
        let signal = render(&Envelope::new(stored("c", 1), 1), None);
        assert_eq!(signal["e"], 1);
    }

    #[test]
    fn presence_envelopes_are_recognised_by_channel() {
        let mut presence = stored("c-pnpres", 0);
        presence.meta = None;
        presence.custom_message_type = None;
        let envelope = Envelope::new(presence, 1);
        assert!(envelope.is_presence());
        let rendered = render(&envelope, None);
        assert!(rendered.get("e").is_none());
        assert!(rendered.get("u").is_none());
        assert_eq!(rendered["c"], "c-pnpres");
    }

    #[test]
    fn a_missing_publisher_is_an_empty_string() {
        let mut message = stored("c", 0);
        message.publisher = None;
        assert_eq!(render(&Envelope::new(message, 1), None)["i"], "");
    }
}
