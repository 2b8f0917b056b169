//! A relay user's record in KV, one key per user (`user:{userId}`), so one
//! KV call loads everything a handler needs.

use pigdin_sdk::prelude::*;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "user:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    pub user_id: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Unix seconds when the access token expires (0: unknown).
    pub expires_at: u64,
    /// Unix seconds when the refresh token expires (0: unknown).
    #[serde(default)]
    pub refresh_expires_at: u64,
    #[serde(default)]
    pub webhook_id: Option<String>,
    #[serde(default)]
    pub webhook_secret: Option<String>,
}

fn key(user_id: &str) -> String {
    format!("{PREFIX}{user_id}")
}

pub fn load(user_id: &str) -> Result<Option<UserRecord>> {
    kvstore::get(&key(user_id))
}

pub fn save(record: &UserRecord) -> Result<()> {
    kvstore::set(&key(&record.user_id), record, None)
}

pub fn remove(user_id: &str) -> Result<()> {
    kvstore::remove(&key(user_id))
}

/// The ids of every user with a record, in order.
pub fn all_ids() -> Result<Vec<String>> {
    kvstore::keys(PREFIX)
        .map(|key| key.map(|k| k[PREFIX.len()..].to_owned()))
        .collect()
}
