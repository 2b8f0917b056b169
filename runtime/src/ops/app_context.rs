//! App Context writes that announce themselves. The HTTP API and functions'
//! `pubnub` import both write through here, so every change reaches
//! subscribers as PubNub's `e: 2` event:
//! `{"source":"objects","version":"2.0","event":"set"|"delete","type":…,"data":…}`.
//!
//! Where events go: uuid metadata to the channel named by the uuid, channel
//! metadata to the channel, a membership to its channel and to the channel
//! named by its uuid (so a user's own listener hears of its memberships).
//! Events are not stored in history.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::Runtime;
use crate::store::{
    AppContextError, LinkChanges, LinkSide, LinkUpdate, MetadataKind, StoredMessage,
};

/// PubNub's message type for App Context events (`e: 2`).
const APP_CONTEXT_EVENT: u8 = 2;

impl Runtime {
    /// Sets metadata (see [`crate::store::AppContext::set`]) and announces it.
    /// `actor` is the uuid making the change, shown as the event's publisher.
    pub async fn set_metadata(
        &self,
        kind: MetadataKind,
        id: &str,
        data: &Value,
        if_match: Option<&str>,
        actor: Option<&str>,
    ) -> Result<Value, AppContextError> {
        let object = self.store.app_context.set(kind, id, data, if_match).await?;
        self.announce(id, "set", kind.name(), object.clone(), actor);
        Ok(object)
    }

    /// Removes metadata and announces it; false when there was none.
    pub async fn remove_metadata(
        &self,
        kind: MetadataKind,
        id: &str,
        if_match: Option<&str>,
        actor: Option<&str>,
    ) -> Result<bool, AppContextError> {
        let removed = self.store.app_context.remove(kind, id, if_match).await?;
        if removed.is_some() {
            self.announce(id, "delete", kind.name(), json!({ "id": id }), actor);
        }
        Ok(removed.is_some())
    }

    /// Sets and deletes memberships of `owner` and announces each one.
    pub async fn update_links(
        &self,
        side: LinkSide,
        owner: &str,
        set: &[LinkUpdate],
        delete: &[String],
        actor: Option<&str>,
    ) -> Result<LinkChanges, AppContextError> {
        let changes = self
            .store
            .app_context
            .update_links(side, owner, set, delete)
            .await?;
        let events = changes
            .set
            .iter()
            .map(|link| ("set", link))
            .chain(changes.deleted.iter().map(|link| ("delete", link)));
        for (event, link) in events {
            let data = link.to_event_data();
            self.announce(&link.channel, event, "membership", data.clone(), actor);
            if link.uuid != link.channel {
                self.announce(&link.uuid, event, "membership", data, actor);
            }
        }
        Ok(changes)
    }

    fn announce(&self, channel: &str, event: &str, kind: &str, data: Value, actor: Option<&str>) {
        let payload = json!({
            "source": "objects",
            "version": "2.0",
            "event": event,
            "type": kind,
            "data": data,
        });
        self.broker.deliver(Arc::new(StoredMessage {
            channel: channel.to_owned(),
            timetoken: self.broker.next_timetoken(),
            message: payload,
            meta: None,
            publisher: actor.map(str::to_owned),
            message_type: APP_CONTEXT_EVENT,
            custom_message_type: None,
        }));
    }
}
