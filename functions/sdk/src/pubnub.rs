//! Publishing, App Context, history, message actions, time and Access
//! Manager tokens, like PubNub's `pubnub` module.
//!
//! Publishes (and adding or removing a message action, which reaches
//! subscribers as a publish does) count against the execution's
//! `publishes` budget, and a message
//! published here runs the target channel's own Before/After handlers (the
//! host caps such chains at a few hops).

use serde_json::Value;

use crate::bindings::pigdin::functions::pubnub as host;
use crate::{Error, Result};

/// What to publish and how; `PublishOptions::new(channel, message)` and setters.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishOptions {
    pub channel: String,
    pub message: Value,
    pub meta: Option<Value>,
    /// Publish as this uuid instead of the module's own identity.
    pub publisher: Option<String>,
    /// Whether to keep the message in history (default: yes; fire never stores).
    pub store: Option<bool>,
    /// History retention for this message, in hours.
    pub ttl_hours: Option<u32>,
}

impl PublishOptions {
    /// `message` may be anything JSON-like: `json!({...})`, a `&str`, a number.
    pub fn new(channel: impl Into<String>, message: impl Into<Value>) -> Self {
        Self {
            channel: channel.into(),
            message: message.into(),
            meta: None,
            publisher: None,
            store: None,
            ttl_hours: None,
        }
    }

    pub fn meta(mut self, meta: impl Into<Value>) -> Self {
        self.meta = Some(meta.into());
        self
    }

    pub fn publisher(mut self, uuid: impl Into<String>) -> Self {
        self.publisher = Some(uuid.into());
        self
    }

    pub fn store(mut self, store: bool) -> Self {
        self.store = Some(store);
        self
    }

    pub fn ttl_hours(mut self, hours: u32) -> Self {
        self.ttl_hours = Some(hours);
        self
    }

    fn to_host(&self) -> host::PublishOptions {
        host::PublishOptions {
            channel: self.channel.clone(),
            message: self.message.to_string(),
            meta: self.meta.as_ref().map(Value::to_string),
            publisher: self.publisher.clone(),
            store: self.store,
            ttl_hours: self.ttl_hours,
        }
    }
}

/// Publishes to subscribers, history and the channel's functions; returns the timetoken.
pub fn publish(options: PublishOptions) -> Result<String> {
    host::publish(&options.to_host()).map_err(|e| Error::host("pubnub.publish", e))
}

/// Like [`publish`], but reaches the channel's functions only: never
/// subscribers, never history. Returns the timetoken.
pub fn fire(options: PublishOptions) -> Result<String> {
    host::fire(&options.to_host()).map_err(|e| Error::host("pubnub.fire", e))
}

/// Sends a signal (small, never stored) as the module; returns the timetoken.
pub fn signal(channel: &str, message: &Value) -> Result<String> {
    signal_as(channel, message, None)
}

/// Sends a signal as `publisher` (the module's own identity when `None`).
pub fn signal_as(channel: &str, message: &Value, publisher: Option<&str>) -> Result<String> {
    host::signal(channel, &message.to_string(), publisher)
        .map_err(|e| Error::host("pubnub.signal", e))
}

/// The current timetoken: 17 digits, 100 ns since the Unix epoch.
pub fn time() -> String {
    host::time()
}

/// The uuid's metadata object (`{id, name, email, externalId, profileUrl,
/// type, status, custom, updated, eTag}`), or `None` when it has none.
pub fn get_uuid_metadata(uuid: &str) -> Result<Option<Value>> {
    let found =
        host::get_uuid_metadata(uuid).map_err(|e| Error::host("pubnub.get_uuid_metadata", e))?;
    found.as_deref().map(parse).transpose()
}

/// Merges the fields of `data` into the uuid's metadata; returns the stored object.
pub fn set_uuid_metadata(uuid: &str, data: &Value) -> Result<Value> {
    let stored = host::set_uuid_metadata(uuid, &data.to_string())
        .map_err(|e| Error::host("pubnub.set_uuid_metadata", e))?;
    parse(&stored)
}

/// Deletes the uuid's metadata; `false` when there was none.
pub fn remove_uuid_metadata(uuid: &str) -> Result<bool> {
    host::remove_uuid_metadata(uuid).map_err(|e| Error::host("pubnub.remove_uuid_metadata", e))
}

/// The channel's metadata object, or `None` when it has none.
pub fn get_channel_metadata(channel: &str) -> Result<Option<Value>> {
    let found = host::get_channel_metadata(channel)
        .map_err(|e| Error::host("pubnub.get_channel_metadata", e))?;
    found.as_deref().map(parse).transpose()
}

/// Merges the fields of `data` into the channel's metadata; returns the stored object.
pub fn set_channel_metadata(channel: &str, data: &Value) -> Result<Value> {
    let stored = host::set_channel_metadata(channel, &data.to_string())
        .map_err(|e| Error::host("pubnub.set_channel_metadata", e))?;
    parse(&stored)
}

/// Deletes the channel's metadata; `false` when there was none.
pub fn remove_channel_metadata(channel: &str) -> Result<bool> {
    host::remove_channel_metadata(channel)
        .map_err(|e| Error::host("pubnub.remove_channel_metadata", e))
}

/// The uuid's memberships: `{channel: {id}, custom, updated, eTag}` objects.
pub fn get_memberships(uuid: &str) -> Result<Vec<Value>> {
    let list = host::get_memberships(uuid).map_err(|e| Error::host("pubnub.get_memberships", e))?;
    parse(&list)
}

/// Adds or updates memberships; each of `channels` is a channel id (`json!("room")`)
/// or `{id, custom}`. Returns the uuid's memberships afterwards.
pub fn set_memberships(uuid: &str, channels: &[Value]) -> Result<Vec<Value>> {
    let channels = serde_json::to_string(channels)?;
    let list = host::set_memberships(uuid, &channels)
        .map_err(|e| Error::host("pubnub.set_memberships", e))?;
    parse(&list)
}

/// Removes the uuid from `channels`; returns its memberships afterwards.
pub fn remove_memberships(uuid: &str, channels: &[&str]) -> Result<Vec<Value>> {
    let channels: Vec<String> = channels.iter().map(|c| (*c).to_owned()).collect();
    let list = host::remove_memberships(uuid, &channels)
        .map_err(|e| Error::host("pubnub.remove_memberships", e))?;
    parse(&list)
}

/// The channel's members: `{uuid: {id}, custom, updated, eTag}` objects.
pub fn get_channel_members(channel: &str) -> Result<Vec<Value>> {
    let list = host::get_channel_members(channel)
        .map_err(|e| Error::host("pubnub.get_channel_members", e))?;
    parse(&list)
}

/// Up to `count` (at most 100) latest messages of `channel`, oldest first:
/// `{message, timetoken, meta, uuid}` objects.
pub fn history(channel: &str, count: u32) -> Result<Vec<Value>> {
    let list = host::history(channel, count).map_err(|e| Error::host("pubnub.history", e))?;
    parse(&list)
}

/// Adds a message action (a reaction, a receipt: `kind` is PubNub's `type`,
/// at most 15 characters) to the message at `message_timetoken` on
/// `channel`, as `uuid` (the module's own identity when `None`); the
/// channel's subscribers hear of it. Returns the stored action:
/// `{type, value, uuid, actionTimetoken, messageTimetoken}`.
pub fn add_message_action(
    channel: &str,
    message_timetoken: &str,
    kind: &str,
    value: &str,
    uuid: Option<&str>,
) -> Result<Value> {
    let action = host::add_message_action(channel, message_timetoken, kind, value, uuid)
        .map_err(|e| Error::host("pubnub.add_message_action", e))?;
    parse(&action)
}

/// Removes a message action (announced as by `uuid`, the module when
/// `None`); false when there was none.
pub fn remove_message_action(
    channel: &str,
    message_timetoken: &str,
    action_timetoken: &str,
    uuid: Option<&str>,
) -> Result<bool> {
    host::remove_message_action(channel, message_timetoken, action_timetoken, uuid)
        .map_err(|e| Error::host("pubnub.remove_message_action", e))
}

/// A page of a channel's message actions: the newest of the range, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageActions {
    /// `{type, value, uuid, actionTimetoken, messageTimetoken}` objects.
    pub actions: Vec<Value>,
    /// Older actions remain: ask again with `start` = the first one's `actionTimetoken`.
    pub more: bool,
}

/// Up to `limit` (1..=100) message actions on `channel` with action
/// timetokens below `start` and at or above `end`.
pub fn get_message_actions(
    channel: &str,
    start: Option<&str>,
    end: Option<&str>,
    limit: u32,
) -> Result<MessageActions> {
    let page = host::get_message_actions(channel, start, end, limit)
        .map_err(|e| Error::host("pubnub.get_message_actions", e))?;
    let mut page: Value = parse(&page)?;
    Ok(MessageActions {
        actions: match page["actions"].take() {
            Value::Array(actions) => actions,
            _ => Vec::new(),
        },
        more: page["more"].as_bool().unwrap_or(false),
    })
}

/// Issues an Access Manager token (functions act as the server). `request`
/// is PubNub's grant-token body, for example
/// `json!({"ttl": 60, "permissions": {"resources": {"channels": {"room": 3}}, "uuid": "alice"}})`
/// (bits: read 1, write 2, manage 4, delete 8, get 32, update 64, join 128;
/// `patterns` take regular expressions). Fails when the server has no secret key.
pub fn grant_token(request: &Value) -> Result<String> {
    host::grant_token(&request.to_string()).map_err(|e| Error::host("pubnub.grant_token", e))
}

/// Revokes an Access Manager token: it is refused from now on.
pub fn revoke_token(token: &str) -> Result<()> {
    host::revoke_token(token).map_err(|e| Error::host("pubnub.revoke_token", e))
}

/// Who is present on `channel`: `{uuid, state}` objects.
pub fn here_now(channel: &str) -> Result<Vec<Value>> {
    let list = host::here_now(channel).map_err(|e| Error::host("pubnub.here_now", e))?;
    parse(&list)
}

/// The channels `uuid` is present on.
pub fn where_now(uuid: &str) -> Result<Vec<String>> {
    host::where_now(uuid).map_err(|e| Error::host("pubnub.where_now", e))
}

/// Decodes JSON text the host returned.
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_str(text)?)
}
