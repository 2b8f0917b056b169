//! Message history over REST (`/v3/history`): the SDK crate does not cover it.

use serde_json::Value;

use super::{Network, encode};

/// One stored message.
#[derive(Debug, Clone)]
pub struct Stored {
    pub publisher: Option<String>,
    pub message: Value,
}

impl Network {
    /// Up to `max` messages of `channel` older than `before` (a timetoken,
    /// exclusive; the newest messages when `None`), oldest first.
    pub async fn history(
        &self,
        channel: &str,
        before: Option<u64>,
        max: usize,
    ) -> anyhow::Result<Vec<Stored>> {
        let mut path = format!(
            "/v3/history/sub-key/{}/channel/{}?max={max}&include_uuid=true",
            encode(&self.subscribe_key),
            encode(channel)
        );
        if let Some(before) = before {
            path.push_str(&format!("&start={before}"));
        }
        let answer = self.get_json(&path).await?;
        let entries = answer["channels"][channel]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(entries
            .into_iter()
            .map(|entry| Stored {
                publisher: entry["uuid"].as_str().map(str::to_owned),
                message: entry["message"].clone(),
            })
            .collect())
    }
}
