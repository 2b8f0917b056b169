//! The module's key-value store, like PubNub's `kvstore` module.
//!
//! Values are JSON; counters are a separate set of integer keys changed
//! atomically. Every call counts against the execution's `kv_calls` budget.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::pigdin::functions::kvstore as host;
use crate::{Error, Result};

/// The largest page the host hands out; fewer calls means less budget spent.
const PAGE_SIZE: u32 = 100;

/// The value at `key` decoded as `T`, or `None` when unset or expired.
///
/// ```ignore
/// let profile: Option<serde_json::Value> = kvstore::get("profile")?;
/// ```
pub fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>> {
    let stored = host::get(key).map_err(|e| Error::host("kvstore.get", e))?;
    match stored {
        Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        None => Ok(None),
    }
}

/// Stores `value` as JSON at `key`; with `ttl_minutes` it expires after that long.
pub fn set<T: Serialize + ?Sized>(key: &str, value: &T, ttl_minutes: Option<u32>) -> Result<()> {
    let text = serde_json::to_string(value)?;
    host::set(key, &text, ttl_minutes).map_err(|e| Error::host("kvstore.set", e))
}

/// Deletes `key`; deleting an absent key is not an error.
pub fn remove(key: &str) -> Result<()> {
    host::remove(key).map_err(|e| Error::host("kvstore.remove", e))
}

/// Atomically adds `delta` to the counter `key` (0 when unset) and returns the new value.
pub fn incr_counter(key: &str, delta: i64) -> Result<i64> {
    host::incr_counter(key, delta).map_err(|e| Error::host("kvstore.incr_counter", e))
}

/// The counter `key`, 0 when unset.
pub fn get_counter(key: &str) -> Result<i64> {
    host::get_counter(key).map_err(|e| Error::host("kvstore.get_counter", e))
}

/// Value keys (not counters) starting with `prefix`, in order.
///
/// Pages are fetched as the iterator advances, so stopping early saves KV
/// calls. After an error the iterator yields nothing more.
///
/// ```ignore
/// let keys: Vec<String> = kvstore::keys("user:").collect::<Result<_>>()?;
/// ```
pub fn keys(prefix: &str) -> Keys {
    Keys::new(prefix, KeyKind::Values)
}

/// Counter keys starting with `prefix`, in order; see [`keys`].
pub fn counter_keys(prefix: &str) -> Keys {
    Keys::new(prefix, KeyKind::Counters)
}

#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Values,
    Counters,
}

/// Iterator over keys that follows the host's pagination; made by [`keys`] and [`counter_keys`].
#[derive(Debug)]
pub struct Keys {
    prefix: String,
    kind: KeyKind,
    page: std::vec::IntoIter<String>,
    next: Cursor,
}

#[derive(Debug)]
enum Cursor {
    Start,
    After(String),
    Done,
}

impl Keys {
    fn new(prefix: &str, kind: KeyKind) -> Self {
        Self {
            prefix: prefix.to_owned(),
            kind,
            page: Vec::new().into_iter(),
            next: Cursor::Start,
        }
    }

    fn fetch_page(&mut self) -> Result<()> {
        let cursor = match &self.next {
            Cursor::Start => None,
            Cursor::After(cursor) => Some(cursor.as_str()),
            Cursor::Done => return Ok(()),
        };
        let page = match self.kind {
            KeyKind::Values => host::list_keys(&self.prefix, cursor, PAGE_SIZE)
                .map_err(|e| Error::host("kvstore.keys", e))?,
            KeyKind::Counters => host::list_counter_keys(&self.prefix, cursor, PAGE_SIZE)
                .map_err(|e| Error::host("kvstore.counter_keys", e))?,
        };
        // An empty page ends the listing even with a cursor, so a confused
        // host cannot make this loop forever.
        self.next = match page.next_cursor {
            Some(cursor) if !page.keys.is_empty() => Cursor::After(cursor),
            _ => Cursor::Done,
        };
        self.page = page.keys.into_iter();
        Ok(())
    }
}

impl Iterator for Keys {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(key) = self.page.next() {
                return Some(Ok(key));
            }
            if matches!(self.next, Cursor::Done) {
                return None;
            }
            if let Err(error) = self.fetch_page() {
                self.next = Cursor::Done;
                return Some(Err(error));
            }
        }
    }
}
