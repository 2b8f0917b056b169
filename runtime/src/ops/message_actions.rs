//! Message Actions that announce themselves. The HTTP API and functions'
//! `pubnub` import both go through here, so every add and removal reaches
//! the channel's subscribers as PubNub's `e: 3` event:
//! `{"source":"actions","version":"1.0","event":"added"|"removed","data":{type,value,uuid,messageTimetoken,actionTimetoken}}`,
//! published by the uuid that acted (the SDKs take the action's `uuid` from
//! the envelope's `i`). An added action's event carries the action's
//! timetoken. Events are not stored in history.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::Runtime;
use crate::broker::names;
use crate::ops::MAX_MESSAGE_BYTES;
use crate::store::{ActionPage, MessageAction, MessageActionError, StoredMessage};

/// PubNub's message type for message action events (`e: 3`).
const MESSAGE_ACTION_EVENT: u8 = 3;
/// Longest action `type`, in characters (the SDKs' documented limit).
pub const MAX_ACTION_TYPE_CHARS: usize = 15;
/// Most actions in one page, and the default.
pub const MAX_ACTIONS_PAGE: usize = 100;

/// What a caller asks to add.
#[derive(Debug, Clone)]
pub struct NewMessageAction<'a> {
    pub channel: &'a str,
    pub message_timetoken: u64,
    pub kind: &'a str,
    pub value: &'a str,
    pub uuid: &'a str,
}

impl Runtime {
    /// Stores an action on the message `message_timetoken` of `channel`
    /// (as hosted, the message's existence is not checked) and announces
    /// it; returns what was stored.
    pub async fn add_message_action(
        &self,
        new: NewMessageAction<'_>,
    ) -> Result<MessageAction, MessageActionError> {
        validate(&new)?;
        let action = MessageAction {
            channel: new.channel.to_owned(),
            message_timetoken: new.message_timetoken,
            action_timetoken: self.broker.next_timetoken(),
            kind: new.kind.to_owned(),
            value: new.value.to_owned(),
            uuid: new.uuid.to_owned(),
        };
        self.store.message_actions.add(&action).await?;
        self.announce_action(
            &action,
            "added",
            &action.uuid,
            Some(action.action_timetoken),
        );
        Ok(action)
    }

    /// Removes an action and announces it, with `actor` as the one who
    /// removed it; `None` when there was no such action.
    pub async fn remove_message_action(
        &self,
        channel: &str,
        message_timetoken: u64,
        action_timetoken: u64,
        actor: &str,
    ) -> Result<Option<MessageAction>, MessageActionError> {
        let removed = self
            .store
            .message_actions
            .remove(channel, message_timetoken, action_timetoken)
            .await?;
        if let Some(action) = &removed {
            self.announce_action(action, "removed", actor, None);
        }
        Ok(removed)
    }

    /// A page of `channel`'s actions (see [`crate::store::MessageActions::page`]);
    /// `limit` is clamped to 1..=[`MAX_ACTIONS_PAGE`].
    pub fn message_actions(
        &self,
        channel: &str,
        start: Option<u64>,
        end: Option<u64>,
        limit: Option<usize>,
    ) -> anyhow::Result<ActionPage> {
        let limit = limit
            .filter(|&n| n > 0)
            .unwrap_or(MAX_ACTIONS_PAGE)
            .min(MAX_ACTIONS_PAGE);
        self.store.message_actions.page(channel, start, end, limit)
    }

    fn announce_action(
        &self,
        action: &MessageAction,
        event: &str,
        actor: &str,
        timetoken: Option<u64>,
    ) {
        let payload = json!({
            "source": "actions",
            "version": "1.0",
            "event": event,
            "data": action.to_json(),
        });
        self.broker.deliver(Arc::new(StoredMessage {
            channel: action.channel.clone(),
            timetoken: timetoken.unwrap_or_else(|| self.broker.next_timetoken()),
            message: payload,
            meta: None,
            publisher: Some(actor.to_owned()),
            message_type: MESSAGE_ACTION_EVENT,
            custom_message_type: None,
        }));
    }
}

/// PubNub's shape of a message's actions in history:
/// `{type: {value: [{uuid, actionTimetoken}]}}`, in the order given.
pub fn actions_by_type(actions: &[MessageAction]) -> Value {
    let mut by_type = serde_json::Map::new();
    for action in actions {
        let values = by_type
            .entry(action.kind.clone())
            .or_insert_with(|| json!({}));
        let list = values
            .as_object_mut()
            .expect("an object")
            .entry(action.value.clone())
            .or_insert_with(|| json!([]));
        list.as_array_mut().expect("an array").push(json!({
            "uuid": action.uuid,
            "actionTimetoken": action.action_timetoken.to_string(),
        }));
    }
    Value::Object(by_type)
}

fn validate(new: &NewMessageAction<'_>) -> Result<(), MessageActionError> {
    let invalid = |message: String| Err(MessageActionError::Invalid(message));
    names::validate_channel(new.channel).map_err(|e| MessageActionError::Invalid(e.to_string()))?;
    names::validate_uuid(new.uuid).map_err(|e| MessageActionError::Invalid(e.to_string()))?;
    let type_chars = new.kind.chars().count();
    if type_chars == 0 {
        return invalid("the action's `type` must not be empty".into());
    }
    if type_chars > MAX_ACTION_TYPE_CHARS {
        return invalid(format!(
            "the action's `type` is {type_chars} characters long; the limit is {MAX_ACTION_TYPE_CHARS}"
        ));
    }
    if new.value.is_empty() {
        return invalid("the action's `value` must not be empty".into());
    }
    let size = new.channel.len() + new.kind.len() + new.value.len();
    if size > MAX_MESSAGE_BYTES {
        return invalid(format!(
            "the action is {size} bytes with its channel; the limit is {MAX_MESSAGE_BYTES}, as for a publish"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_groups_actions_by_type_then_value() {
        let action = |kind: &str, value: &str, uuid: &str, at: u64| MessageAction {
            channel: "c".into(),
            message_timetoken: 1,
            action_timetoken: at,
            kind: kind.into(),
            value: value.into(),
            uuid: uuid.into(),
        };
        let grouped = actions_by_type(&[
            action("reaction", "👍", "ann", 2),
            action("reaction", "👍", "bob", 3),
            action("receipt", "read", "ann", 4),
        ]);
        assert_eq!(
            grouped,
            json!({
                "reaction": {"👍": [
                    {"uuid": "ann", "actionTimetoken": "2"},
                    {"uuid": "bob", "actionTimetoken": "3"},
                ]},
                "receipt": {"read": [{"uuid": "ann", "actionTimetoken": "4"}]},
            })
        );
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let new = NewMessageAction {
            channel: "c",
            message_timetoken: 1,
            kind: "reaction",
            value: "x",
            uuid: "u",
        };
        assert!(validate(&new).is_ok());
        for (bad, says) in [
            (
                NewMessageAction {
                    kind: "",
                    ..new.clone()
                },
                "empty",
            ),
            (
                NewMessageAction {
                    kind: "sixteen-chars-xx",
                    ..new.clone()
                },
                "limit is 15",
            ),
            (
                NewMessageAction {
                    value: "",
                    ..new.clone()
                },
                "value",
            ),
            (
                NewMessageAction {
                    uuid: "",
                    ..new.clone()
                },
                "uuid",
            ),
        ] {
            let error = validate(&bad).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
    }
}
