//! A relay user's record in KV, one key per user (`user:{userId}`), so one
//! KV call loads everything a handler needs.
//!
//! The record holds the user's Webex tokens and webhook secret, so it is
//! sealed at rest (see [`crate::sealed`]) under the relay's `TOKEN_KEY`, which
//! `pigdin serve` keeps outside the data directory: a copied data directory
//! does not give the tokens away. The KV value is `{"v": 1, "sealed":
//! "<base64 nonce || ciphertext>"}`, the ciphertext being the record's JSON,
//! bound to its KV key; another format would get another `v`.

use pigdin_sdk::prelude::*;
use pigdin_sdk::serde_json;
use serde::{Deserialize, Serialize};

use crate::sealed::{self, OpenError};
use crate::settings;

const PREFIX: &str = "user:";
/// The format of the stored value (`v`).
const FORMAT: u32 = 1;

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

/// What KV holds for a user.
#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    sealed: String,
}

fn key(user_id: &str) -> String {
    format!("{PREFIX}{user_id}")
}

/// The user's record, `None` when there is none. An error when the relay's
/// key is missing or the record cannot be opened with it.
pub fn load(user_id: &str) -> Result<Option<UserRecord>> {
    match load_stored(user_id)? {
        Loaded::Absent => Ok(None),
        Loaded::Record(record) => Ok(Some(record)),
        Loaded::Unreadable(error) => {
            // Also for the operator: not every caller's error reaches a log.
            log::error(error.message());
            Err(error)
        }
    }
}

/// The user's record for replacing or deleting it: like [`load`], except that a
/// record the relay cannot open counts as none (with a warning), so the user
/// can be set up again or deleted after the relay's key changed.
pub fn load_for_replacement(user_id: &str) -> Result<Option<UserRecord>> {
    match load_stored(user_id)? {
        Loaded::Absent => Ok(None),
        Loaded::Record(record) => Ok(Some(record)),
        Loaded::Unreadable(error) => {
            log::warn(format!("{error} (set-up or deletion goes on without it)"));
            Ok(None)
        }
    }
}

enum Loaded {
    Absent,
    Record(UserRecord),
    /// There is a record, but not one this relay can open.
    Unreadable(Error),
}

fn load_stored(user_id: &str) -> Result<Loaded> {
    let kv_key = key(user_id);
    let Some(value) = kvstore::get::<Value>(&kv_key)? else {
        return Ok(Loaded::Absent);
    };
    if value.get("sealed").is_none() && value.get("accessToken").is_some() {
        return migrate(value).map(Loaded::Record);
    }
    let stored = match serde_json::from_value::<Stored>(value) {
        Ok(stored) if stored.v == FORMAT => stored,
        Ok(stored) => {
            let cause = format!(
                "it is in format {}, which this relay does not know (it writes {FORMAT})",
                stored.v
            );
            return Ok(Loaded::Unreadable(unreadable(user_id, &cause)));
        }
        Err(e) => {
            let cause = format!("it is not a record the relay wrote ({e})");
            return Ok(Loaded::Unreadable(unreadable(user_id, &cause)));
        }
    };
    // A missing or invalid key is a configuration error, not the record's fault.
    let key = settings::token_key()?;
    Ok(
        match sealed::open(&key, &stored.sealed, kv_key.as_bytes()) {
            Ok(plain) => Loaded::Record(serde_json::from_slice(&plain)?),
            Err(OpenError::NotAuthentic) => Loaded::Unreadable(unreadable(
                user_id,
                "the relay's key (TOKEN_KEY, from `pigdin serve`'s relay key file) differs from the one that stored them \
             (was the data directory copied from another machine, or the key file replaced?)",
            )),
            Err(OpenError::Malformed) => {
                Loaded::Unreadable(unreadable(user_id, "the stored record is damaged"))
            }
        },
    )
}

pub fn save(record: &UserRecord) -> Result<()> {
    let kv_key = key(&record.user_id);
    let plain = serde_json::to_vec(record)?;
    let sealed = sealed::seal(&settings::token_key()?, &plain, kv_key.as_bytes()).map_err(|e| {
        Error::new(format!(
            "cannot seal the record of Webex user {}: {e}",
            record.user_id
        ))
    })?;
    kvstore::set(&kv_key, &Stored { v: FORMAT, sealed }, None)
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

fn unreadable(user_id: &str, cause: &str) -> Error {
    Error::new(format!(
        "the relay cannot open the stored Webex tokens of user {user_id}: {cause}; \
         run `pigdin create-user` again for this user"
    ))
}

/// A record stored in plain JSON before records were sealed: sealed now, so
/// the plain copy is overwritten at once.
fn migrate(value: Value) -> Result<UserRecord> {
    let record: UserRecord = serde_json::from_value(value)?;
    save(&record)?;
    log::info(format!(
        "sealed the Webex tokens of {}, stored unsealed by an earlier relay",
        record.user_id
    ));
    Ok(record)
}
