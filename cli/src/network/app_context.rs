//! App Context (Objects v2) over REST: the SDK crate does not cover it.
//! The relay keeps users, Webex senders and rooms here.

use serde_json::{Value, json};

use super::{Network, encode};

/// A user's or sender's UUID metadata, as the relay stores it.
#[derive(Debug, Clone)]
pub struct UuidMetadata {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub profile_url: Option<String>,
    pub custom: Value,
}

impl UuidMetadata {
    fn from_data(data: &Value) -> Self {
        let text = |key: &str| data[key].as_str().map(str::to_owned);
        Self {
            id: text("id").unwrap_or_default(),
            name: text("name"),
            email: text("email"),
            profile_url: text("profileUrl"),
            custom: data["custom"].clone(),
        }
    }

    /// `Name <email>`, with what is known.
    pub fn describe(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (Some(name), None) => name.clone(),
            (None, Some(email)) => format!("<{email}>"),
            (None, None) => self.id.clone(),
        }
    }

    /// `custom.{key}` as text.
    pub fn custom_text(&self, key: &str) -> Option<&str> {
        self.custom[key].as_str()
    }
}

impl Network {
    /// The UUID metadata of `uuid`, or `None` when there is none.
    pub async fn uuid_metadata(&self, uuid: &str) -> anyhow::Result<Option<UuidMetadata>> {
        let path = format!(
            "/v2/objects/{}/uuids/{}?include=custom",
            encode(&self.subscribe_key),
            encode(uuid)
        );
        let response = self.request(reqwest::Method::GET, &path, None).send().await;
        // 404 means "no such user", which callers turn into advice; other
        // failures (no runtime, bad key) keep the client's clear message.
        if let Ok(response) = &response
            && response.status() == reqwest::StatusCode::NOT_FOUND
        {
            return Ok(None);
        }
        let answer = self.get_json(&path).await?;
        Ok(Some(UuidMetadata::from_data(&answer["data"])))
    }

    /// The members of `channel` with their UUID metadata.
    pub async fn channel_members(&self, channel: &str) -> anyhow::Result<Vec<UuidMetadata>> {
        let path = format!(
            "/v2/objects/{}/channels/{}/uuids?include=uuid,uuid.custom&limit=100",
            encode(&self.subscribe_key),
            encode(channel)
        );
        let answer = self.get_json(&path).await?;
        Ok(answer["data"]
            .as_array()
            .map(|members| {
                members
                    .iter()
                    .map(|member| UuidMetadata::from_data(&member["uuid"]))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Adds `uuids` to the members of `channel` (existing members stay).
    pub async fn add_channel_members(&self, channel: &str, uuids: &[&str]) -> anyhow::Result<()> {
        let path = format!(
            "/v2/objects/{}/channels/{}/uuids",
            encode(&self.subscribe_key),
            encode(channel)
        );
        let set: Vec<Value> = uuids.iter().map(|id| json!({"uuid": {"id": id}})).collect();
        self.rest
            .send(self.request(reqwest::Method::PATCH, &path, Some(&json!({ "set": set }))))
            .await
            .map(drop)
    }
}
