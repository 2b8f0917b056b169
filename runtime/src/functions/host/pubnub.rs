//! `pubnub`: publish, fire and signal through the same pipeline as every
//! other publisher (so the target channel's functions run, one hop deeper),
//! App Context (through the same writes as the HTTP API, so subscribers see
//! change events), history, message actions (announced as the HTTP API's
//! are), time and Access Manager tokens (functions act with the server role).
use serde_json::{Value, json};

use super::HostState;
use super::pigdin::functions::pubnub::{Host, PublishOptions};
use crate::functions::limits::Budgeted;
use crate::message::{PublishInput, Verb};
use crate::ops::NewMessageAction;
use crate::store::{LinkSide, LinkUpdate, MetadataKind};

type PnResult<T> = wasmtime::Result<Result<T, String>>;

fn parse_json(what: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{what} is not valid JSON: {e}"))
}

fn to_text(value: &Value) -> String {
    value.to_string()
}

impl HostState {
    fn default_publisher(&self) -> String {
        format!("pigdin-function-{}", self.module)
    }

    async fn send(&mut self, verb: Verb, options: PublishOptions) -> PnResult<String> {
        self.spend(Budgeted::Publish)?;
        let message = match parse_json("message", &options.message) {
            Ok(m) => m,
            Err(e) => return Ok(Err(e)),
        };
        let meta = match options
            .meta
            .as_deref()
            .map(|m| parse_json("meta", m))
            .transpose()
        {
            Ok(m) => m,
            Err(e) => return Ok(Err(e)),
        };
        let input = PublishInput {
            channel: options.channel,
            message,
            meta,
            publisher: Some(
                options
                    .publisher
                    .unwrap_or_else(|| self.default_publisher()),
            ),
            verb,
            store: options.store.unwrap_or(true),
            ttl_hours: options.ttl_hours,
            params: Vec::new(),
            custom_message_type: None,
            hops: self.hops.saturating_add(1),
        };
        let runtime = self.runtime.clone();
        let published = self
            .bounded("pubnub.publish", runtime.publish(input))
            .await?;
        Ok(published
            .map(|tt| tt.to_string())
            .map_err(|e| e.to_string()))
    }

    async fn metadata_set(
        &mut self,
        kind: MetadataKind,
        id: String,
        data: String,
    ) -> PnResult<String> {
        let data = match parse_json("metadata", &data) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        let runtime = self.runtime.clone();
        let actor = self.default_publisher();
        let result = self
            .bounded(
                "App Context set",
                runtime.set_metadata(kind, &id, &data, None, Some(&actor)),
            )
            .await?;
        Ok(result.map(|v| to_text(&v)).map_err(|e| e.to_string()))
    }

    async fn metadata_remove(&mut self, kind: MetadataKind, id: String) -> PnResult<bool> {
        let runtime = self.runtime.clone();
        let actor = self.default_publisher();
        let result = self
            .bounded(
                "App Context remove",
                runtime.remove_metadata(kind, &id, None, Some(&actor)),
            )
            .await?;
        Ok(result.map_err(|e| e.to_string()))
    }

    /// Sets and deletes memberships of `uuid` (announcing each), then
    /// returns all of them.
    async fn memberships_update(
        &mut self,
        what: &'static str,
        uuid: String,
        set: Vec<LinkUpdate>,
        delete: Vec<String>,
    ) -> PnResult<String> {
        let runtime = self.runtime.clone();
        let actor = self.default_publisher();
        let result = self
            .bounded(
                what,
                runtime.update_links(LinkSide::Memberships, &uuid, &set, &delete, Some(&actor)),
            )
            .await?;
        Ok(result
            .map_err(|e| e.to_string())
            .and_then(|_| {
                self.runtime
                    .store
                    .app_context
                    .memberships(&uuid)
                    .map_err(|e| e.to_string())
            })
            .map(|m| to_text(&json!(m))))
    }

    /// A timetoken a guest passed as text (17 digits).
    fn timetoken(name: &str, text: &str) -> Result<u64, String> {
        text.parse()
            .ok()
            .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("{name} {text:?} is not a timetoken (a 17-digit number)"))
    }

    fn metadata_get(&self, kind: MetadataKind, id: &str) -> Result<Option<String>, String> {
        self.runtime
            .store
            .app_context
            .get(kind, id)
            .map(|v| v.as_ref().map(to_text))
            .map_err(|e| e.to_string())
    }
}

impl Host for HostState {
    async fn publish(&mut self, options: PublishOptions) -> PnResult<String> {
        self.send(Verb::Publish, options).await
    }

    async fn fire(&mut self, options: PublishOptions) -> PnResult<String> {
        self.send(Verb::Fire, options).await
    }

    async fn signal(
        &mut self,
        channel: String,
        message: String,
        publisher: Option<String>,
    ) -> PnResult<String> {
        let options = PublishOptions {
            channel,
            message,
            meta: None,
            publisher,
            store: Some(false),
            ttl_hours: None,
        };
        self.send(Verb::Signal, options).await
    }

    async fn time(&mut self) -> wasmtime::Result<String> {
        Ok(self.runtime.broker.now().to_string())
    }

    async fn get_uuid_metadata(&mut self, uuid: String) -> PnResult<Option<String>> {
        Ok(self.metadata_get(MetadataKind::Uuid, &uuid))
    }

    async fn set_uuid_metadata(&mut self, uuid: String, data: String) -> PnResult<String> {
        self.metadata_set(MetadataKind::Uuid, uuid, data).await
    }

    async fn remove_uuid_metadata(&mut self, uuid: String) -> PnResult<bool> {
        self.metadata_remove(MetadataKind::Uuid, uuid).await
    }

    async fn get_channel_metadata(&mut self, channel: String) -> PnResult<Option<String>> {
        Ok(self.metadata_get(MetadataKind::Channel, &channel))
    }

    async fn set_channel_metadata(&mut self, channel: String, data: String) -> PnResult<String> {
        self.metadata_set(MetadataKind::Channel, channel, data)
            .await
    }

    async fn remove_channel_metadata(&mut self, channel: String) -> PnResult<bool> {
        self.metadata_remove(MetadataKind::Channel, channel).await
    }

    async fn get_memberships(&mut self, uuid: String) -> PnResult<String> {
        Ok(self
            .runtime
            .store
            .app_context
            .memberships(&uuid)
            .map(|m| to_text(&json!(m)))
            .map_err(|e| e.to_string()))
    }

    async fn set_memberships(&mut self, uuid: String, channels: String) -> PnResult<String> {
        let channels = match parse_json("channels", &channels) {
            Ok(Value::Array(list)) => list,
            Ok(other) => return Ok(Err(format!("channels must be a JSON array, got {other}"))),
            Err(e) => return Ok(Err(e)),
        };
        let set = match channels
            .iter()
            .map(|entry| LinkUpdate::parse(entry, MetadataKind::Channel))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(set) => set,
            Err(e) => return Ok(Err(e.to_string())),
        };
        self.memberships_update("App Context set-memberships", uuid, set, Vec::new())
            .await
    }

    async fn remove_memberships(
        &mut self,
        uuid: String,
        channels: Vec<String>,
    ) -> PnResult<String> {
        self.memberships_update("App Context remove-memberships", uuid, Vec::new(), channels)
            .await
    }

    async fn get_channel_members(&mut self, channel: String) -> PnResult<String> {
        Ok(self
            .runtime
            .store
            .app_context
            .members(&channel)
            .map(|m| to_text(&json!(m)))
            .map_err(|e| e.to_string()))
    }

    async fn history(&mut self, channel: String, count: u32) -> PnResult<String> {
        let messages = match self
            .runtime
            .store
            .history
            .latest(&channel, count.min(100) as usize)
        {
            Ok(m) => m,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let list: Vec<Value> = messages
            .into_iter()
            .map(|m| {
                json!({
                    "message": m.message,
                    "timetoken": m.timetoken.to_string(),
                    "meta": m.meta,
                    "uuid": m.publisher,
                })
            })
            .collect();
        Ok(Ok(to_text(&json!(list))))
    }

    async fn grant_token(&mut self, request: String) -> PnResult<String> {
        let body = match parse_json("the grant-token request", &request) {
            Ok(body) => body,
            Err(e) => return Ok(Err(e)),
        };
        Ok(self
            .runtime
            .access
            .grant_token(&body)
            .map_err(|e| e.to_string()))
    }

    async fn revoke_token(&mut self, token: String) -> PnResult<()> {
        Ok(self
            .runtime
            .access
            .revoke_token(&token)
            .await
            .map_err(|e| e.to_string()))
    }

    async fn add_message_action(
        &mut self,
        channel: String,
        message_timetoken: String,
        action_type: String,
        value: String,
        uuid: Option<String>,
    ) -> PnResult<String> {
        // It reaches subscribers as a publish does.
        self.spend(Budgeted::Publish)?;
        let message_timetoken = match Self::timetoken("message timetoken", &message_timetoken) {
            Ok(tt) => tt,
            Err(e) => return Ok(Err(e)),
        };
        let uuid = uuid.unwrap_or_else(|| self.default_publisher());
        let runtime = self.runtime.clone();
        let new = NewMessageAction {
            channel: &channel,
            message_timetoken,
            kind: &action_type,
            value: &value,
            uuid: &uuid,
        };
        let added = self
            .bounded("pubnub.addMessageAction", runtime.add_message_action(new))
            .await?;
        Ok(added
            .map(|action| to_text(&action.to_json()))
            .map_err(|e| e.to_string()))
    }

    async fn remove_message_action(
        &mut self,
        channel: String,
        message_timetoken: String,
        action_timetoken: String,
        uuid: Option<String>,
    ) -> PnResult<bool> {
        self.spend(Budgeted::Publish)?;
        let timetokens = Self::timetoken("message timetoken", &message_timetoken)
            .and_then(|m| Self::timetoken("action timetoken", &action_timetoken).map(|a| (m, a)));
        let (message_timetoken, action_timetoken) = match timetokens {
            Ok(pair) => pair,
            Err(e) => return Ok(Err(e)),
        };
        let uuid = uuid.unwrap_or_else(|| self.default_publisher());
        let runtime = self.runtime.clone();
        let removed = self
            .bounded(
                "pubnub.removeMessageAction",
                runtime.remove_message_action(&channel, message_timetoken, action_timetoken, &uuid),
            )
            .await?;
        Ok(removed.map(|r| r.is_some()).map_err(|e| e.to_string()))
    }

    async fn get_message_actions(
        &mut self,
        channel: String,
        start: Option<String>,
        end: Option<String>,
        limit: u32,
    ) -> PnResult<String> {
        let bound = |name: &str, text: Option<String>| {
            text.filter(|t| !t.is_empty())
                .map(|t| Self::timetoken(name, &t))
                .transpose()
        };
        let (start, end) = match (bound("start", start), bound("end", end)) {
            (Ok(start), Ok(end)) => (start, end),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        let page = self
            .runtime
            .message_actions(&channel, start, end, Some(limit as usize));
        Ok(page
            .map(|page| {
                let actions: Vec<Value> = page.actions.iter().map(|a| a.to_json()).collect();
                to_text(&json!({ "actions": actions, "more": page.more }))
            })
            .map_err(|e| e.to_string()))
    }

    async fn here_now(&mut self, channel: String) -> PnResult<String> {
        let present: Vec<Value> = self
            .runtime
            .broker
            .presence
            .here_now(&channel)
            .into_iter()
            .map(|(uuid, state)| json!({ "uuid": uuid, "state": state }))
            .collect();
        Ok(Ok(to_text(&json!(present))))
    }

    async fn where_now(&mut self, uuid: String) -> PnResult<Vec<String>> {
        Ok(Ok(self.runtime.broker.presence.where_now(&uuid)))
    }
}
