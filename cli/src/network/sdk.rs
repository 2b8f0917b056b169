//! The official PubNub SDK (crates.io `pubnub`), pointed at the runtime:
//! publish, fire and subscribe go through it.

use std::collections::HashMap;

use anyhow::anyhow;
use pubnub::core::PubNubError;
use pubnub::transport::TransportReqwest;
use pubnub::{Keyset, PubNubClient, PubNubClientBuilder};
use serde_json::Value;

use super::Network;
use crate::admin_client::{ACCESS_MANAGER, AccessRefused};

impl Network {
    /// An SDK client acting as `user_id`.
    pub fn sdk_client(&self, user_id: &str) -> anyhow::Result<PubNubClient> {
        let mut transport = TransportReqwest::new();
        // The SDK takes another origin as a hostname with its scheme.
        transport.set_hostname(self.origin.clone());
        let client = PubNubClientBuilder::with_transport(transport)
            .with_keyset(Keyset {
                subscribe_key: self.subscribe_key.clone(),
                publish_key: Some(self.publish_key.clone()),
                secret_key: self.credentials.secret_key().map(str::to_owned),
            })
            .with_user_id(user_id)
            .build()
            .map_err(|e| anyhow!("cannot configure the PubNub client: {e}"))?;
        if let Some(token) = self.credentials.token() {
            client.set_token(token);
        }
        Ok(client)
    }

    /// Fires `message` on `channel` with `meta: {task}` as `user_id`: it
    /// reaches the channel's functions only (no subscribers, no history).
    /// A function's refusal comes back as its reason.
    pub async fn fire(
        &self,
        user_id: &str,
        channel: &str,
        task: &str,
        message: Value,
    ) -> anyhow::Result<()> {
        let client = self.sdk_client(user_id)?;
        let meta = HashMap::from([("task".to_owned(), task.to_owned())]);
        client
            .publish_message(message)
            .channel(channel)
            .store(false)
            .replicate(false)
            .meta(meta)
            // In the body, not the URL: the message may carry tokens.
            .use_post(true)
            .execute()
            .await
            .map(drop)
            .map_err(|e| self.explain(e))
    }

    /// Publishes `message` on `channel` as `client`'s user; stored in history.
    pub async fn publish(
        &self,
        client: &PubNubClient,
        channel: &str,
        message: Value,
    ) -> anyhow::Result<()> {
        client
            .publish_message(message)
            .channel(channel)
            .execute()
            .await
            .map(drop)
            .map_err(|e| self.explain(e))
    }

    /// An SDK error as the user should read it: a function's reason as is,
    /// an unreachable runtime as the usual advice.
    pub fn explain(&self, error: PubNubError) -> anyhow::Error {
        match error {
            PubNubError::API {
                status,
                message,
                service: Some(service),
                ..
            } if service == ACCESS_MANAGER => AccessRefused { status, message }.into(),
            PubNubError::API { message, .. } => anyhow!("{message}"),
            PubNubError::Transport { details, .. } => anyhow!(
                "no Pigdin runtime at {} — start it with `pigdin serve` (or pass --origin / PIGDIN_ORIGIN) ({details})",
                self.origin
            ),
            other => anyhow!("{other}"),
        }
    }
}
