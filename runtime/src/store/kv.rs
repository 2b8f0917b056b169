//! Function KV storage: JSON values with optional TTL and atomic counters,
//! one namespace per module, in the sled tree `kv`.
//!
//! Key layout: `module \0 kind key`, kind `v` (value) or `c` (counter).
//! A value is stored as 8 bytes of expiry (unix ms, big-endian, 0 = never)
//! followed by its JSON text; a counter as 8 bytes of big-endian i64.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::GroupCommit;

const VALUE: u8 = b'v';
const COUNTER: u8 = b'c';
/// PubNub Functions clamps TTLs to one year.
const MAX_TTL_MINUTES: u32 = 525_600;
/// A page of keys holds at most this many, as `getKeys` does.
pub const MAX_PAGE: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("KV key is {len} characters; the limit is {max}")]
    KeyTooLong { len: usize, max: usize },
    #[error("KV key must not be empty")]
    EmptyKey,
    #[error("KV value for key {key:?} is {len} characters; the limit is {max}")]
    ValueTooLong { key: String, len: usize, max: usize },
    #[error("KV value for key {key:?} is not JSON: {reason}")]
    NotJson { key: String, reason: String },
    #[error("KV counter {key:?} would overflow")]
    CounterOverflow { key: String },
    #[error("KV storage failed: {0}")]
    Storage(String),
}

impl From<sled::Error> for KvError {
    fn from(e: sled::Error) -> Self {
        KvError::Storage(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    pub keys: Vec<String>,
    pub next_cursor: Option<String>,
}

/// All modules' KV data.
#[derive(Clone)]
pub struct KvStore {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
    /// How long a TTL "minute" lasts: 60 s, shortened only to test expiry.
    minute_ms: u64,
}

impl KvStore {
    pub(super) fn new(db: sled::Db, commit: Arc<GroupCommit>, minute: Duration) -> Self {
        let tree = db.open_tree("kv").expect("open kv tree");
        Self {
            tree,
            commit,
            minute_ms: minute.as_millis().max(1) as u64,
        }
    }

    /// The namespace of one module, with its key and value size limits.
    pub fn namespace(&self, module: &str, max_key_len: usize, max_value_len: usize) -> KvNamespace {
        KvNamespace {
            store: self.clone(),
            prefix: namespace_prefix(module),
            max_key_len,
            max_value_len,
        }
    }

    /// Deletes every expired value. Reads already ignore them; this reclaims space.
    pub fn purge_expired(&self) -> Result<usize, KvError> {
        let now = now_ms();
        let mut purged = 0;
        for entry in self.tree.iter() {
            let (key, value) = entry?;
            if is_value_key(&key) && is_expired(&value, now) {
                // Only remove the exact bytes we saw expire, so a concurrent rewrite survives.
                if self
                    .tree
                    .compare_and_swap(&key, Some(&value), None as Option<&[u8]>)?
                    .is_ok()
                {
                    purged += 1;
                }
            }
        }
        Ok(purged)
    }

    /// Runs [`Self::purge_expired`] every `period` until the task is dropped.
    pub async fn purge_periodically(self, period: Duration) {
        super::purge::every(period, "KV values", move || self.purge_expired()).await
    }

    /// Removes every key and counter of `module`.
    pub async fn remove_namespace(&self, module: &str) -> Result<(), KvError> {
        let prefix = namespace_prefix(module);
        for key in self.tree.scan_prefix(&prefix).keys() {
            self.tree.remove(key?)?;
        }
        self.durable().await
    }

    async fn durable(&self) -> Result<(), KvError> {
        self.commit
            .durable()
            .await
            .map_err(|e| KvError::Storage(e.to_string()))
    }
}

/// One module's KV namespace.
#[derive(Clone)]
pub struct KvNamespace {
    store: KvStore,
    prefix: Vec<u8>,
    max_key_len: usize,
    max_value_len: usize,
}

impl KvNamespace {
    pub fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.check_key(key)?;
        let Some(raw) = self.store.tree.get(self.full_key(VALUE, key))? else {
            return Ok(None);
        };
        if is_expired(&raw, now_ms()) {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&raw[8..]).into_owned()))
    }

    /// Stores `value` (JSON text); durable when this returns.
    pub async fn set(
        &self,
        key: &str,
        value: &str,
        ttl_minutes: Option<u32>,
    ) -> Result<(), KvError> {
        self.check_key(key)?;
        let len = value.chars().count();
        if len > self.max_value_len {
            return Err(KvError::ValueTooLong {
                key: key.to_owned(),
                len,
                max: self.max_value_len,
            });
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(value) {
            return Err(KvError::NotJson {
                key: key.to_owned(),
                reason: e.to_string(),
            });
        }
        let expires_at = match ttl_minutes {
            None => 0,
            Some(minutes) => {
                now_ms() + u64::from(minutes.clamp(1, MAX_TTL_MINUTES)) * self.store.minute_ms
            }
        };
        let mut raw = Vec::with_capacity(8 + value.len());
        raw.extend_from_slice(&expires_at.to_be_bytes());
        raw.extend_from_slice(value.as_bytes());
        self.store.tree.insert(self.full_key(VALUE, key), raw)?;
        self.store.durable().await
    }

    pub async fn remove(&self, key: &str) -> Result<(), KvError> {
        self.check_key(key)?;
        self.store.tree.remove(self.full_key(VALUE, key))?;
        self.store.durable().await
    }

    /// Atomically adds `delta`; durable when this returns.
    pub async fn incr_counter(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        self.check_key(key)?;
        let mut overflow = false;
        let updated = self
            .store
            .tree
            .update_and_fetch(self.full_key(COUNTER, key), |old| {
                let current = old.map(decode_counter).unwrap_or(0);
                let next = current.checked_add(delta).unwrap_or_else(|| {
                    overflow = true;
                    current
                });
                Some(next.to_be_bytes().to_vec())
            })?;
        if overflow {
            return Err(KvError::CounterOverflow {
                key: key.to_owned(),
            });
        }
        self.store.durable().await?;
        Ok(updated.as_deref().map(decode_counter).unwrap_or(0))
    }

    pub fn get_counter(&self, key: &str) -> Result<i64, KvError> {
        self.check_key(key)?;
        Ok(self
            .store
            .tree
            .get(self.full_key(COUNTER, key))?
            .as_deref()
            .map(decode_counter)
            .unwrap_or(0))
    }

    pub fn list_keys(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, KvError> {
        self.list(VALUE, prefix, cursor, limit)
    }

    pub fn list_counter_keys(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, KvError> {
        self.list(COUNTER, prefix, cursor, limit)
    }

    fn list(
        &self,
        kind: u8,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, KvError> {
        let limit = limit.clamp(1, MAX_PAGE) as usize;
        let kind_prefix_len = self.prefix.len() + 1;
        let scan_prefix = self.full_key(kind, prefix);
        let now = now_ms();
        let mut keys = Vec::new();
        let mut next_cursor = None;
        let range_start = match cursor {
            // Start strictly after the cursor key.
            Some(after) => {
                let mut start = self.full_key(kind, after);
                start.push(0);
                start
            }
            None => scan_prefix.clone(),
        };
        for entry in self.store.tree.range(range_start..) {
            let (full_key, value) = entry?;
            if !full_key.starts_with(&scan_prefix) {
                break;
            }
            if kind == VALUE && is_expired(&value, now) {
                continue;
            }
            if keys.len() == limit {
                next_cursor = keys.last().cloned();
                break;
            }
            keys.push(String::from_utf8_lossy(&full_key[kind_prefix_len..]).into_owned());
        }
        Ok(KeyPage { keys, next_cursor })
    }

    fn check_key(&self, key: &str) -> Result<(), KvError> {
        let len = key.chars().count();
        if len == 0 {
            return Err(KvError::EmptyKey);
        }
        if len > self.max_key_len {
            return Err(KvError::KeyTooLong {
                len,
                max: self.max_key_len,
            });
        }
        Ok(())
    }

    fn full_key(&self, kind: u8, key: &str) -> Vec<u8> {
        let mut full = Vec::with_capacity(self.prefix.len() + 1 + key.len());
        full.extend_from_slice(&self.prefix);
        full.push(kind);
        full.extend_from_slice(key.as_bytes());
        full
    }
}

fn namespace_prefix(module: &str) -> Vec<u8> {
    let mut prefix = module.as_bytes().to_vec();
    prefix.push(0);
    prefix
}

fn is_value_key(full_key: &[u8]) -> bool {
    full_key
        .iter()
        .position(|&b| b == 0)
        .and_then(|i| full_key.get(i + 1))
        == Some(&VALUE)
}

fn is_expired(raw: &[u8], now_ms: u64) -> bool {
    let expires_at = u64::from_be_bytes(raw[..8].try_into().expect("8-byte expiry"));
    expires_at != 0 && expires_at <= now_ms
}

fn decode_counter(raw: &[u8]) -> i64 {
    i64::from_be_bytes(raw.try_into().unwrap_or([0; 8]))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, KvStore) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        (dir, KvStore::new(db, commit, Duration::from_secs(60)))
    }

    #[tokio::test]
    async fn namespaces_are_separate() {
        let (_dir, kv) = store();
        let a = kv.namespace("a", 1000, 32000);
        let b = kv.namespace("b", 1000, 32000);
        a.set("k", "1", None).await.unwrap();
        assert_eq!(a.get("k").unwrap().as_deref(), Some("1"));
        assert_eq!(b.get("k").unwrap(), None);
    }

    #[tokio::test]
    async fn limits_and_json_are_enforced() {
        let (_dir, kv) = store();
        let ns = kv.namespace("m", 3, 5);
        assert!(matches!(
            ns.set("long", "1", None).await,
            Err(KvError::KeyTooLong { .. })
        ));
        assert!(matches!(
            ns.set("k", "\"toolong\"", None).await,
            Err(KvError::ValueTooLong { .. })
        ));
        assert!(matches!(
            ns.set("k", "{x", None).await,
            Err(KvError::NotJson { .. })
        ));
        assert_eq!(ns.get("k").unwrap(), None);
    }

    #[tokio::test]
    async fn expired_values_are_invisible_and_purged() {
        let (_dir, kv) = store();
        let ns = kv.namespace("m", 100, 100);
        ns.set("k", "1", Some(1)).await.unwrap();
        // Rewrite the expiry into the past, as if a minute had gone by.
        let full = ns.full_key(VALUE, "k");
        let mut raw = kv.tree.get(&full).unwrap().unwrap().to_vec();
        raw[..8].copy_from_slice(&(now_ms() - 1).to_be_bytes());
        kv.tree.insert(&full, raw).unwrap();
        assert_eq!(ns.get("k").unwrap(), None);
        assert!(ns.list_keys("", None, 10).unwrap().keys.is_empty());
        assert_eq!(kv.purge_expired().unwrap(), 1);
        assert!(kv.tree.get(&full).unwrap().is_none());
    }

    #[tokio::test]
    async fn counters_are_atomic_under_concurrency() {
        let (_dir, kv) = store();
        let ns = kv.namespace("m", 100, 100);
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let ns = ns.clone();
                tokio::spawn(async move { ns.incr_counter("c", 2).await.unwrap() })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(ns.get_counter("c").unwrap(), 100);
        assert_eq!(ns.get_counter("unset").unwrap(), 0);
    }

    #[tokio::test]
    async fn keys_page_by_prefix() {
        let (_dir, kv) = store();
        let ns = kv.namespace("m", 100, 100);
        for i in 0..5 {
            ns.set(&format!("user.{i}"), "1", None).await.unwrap();
        }
        ns.set("other", "1", None).await.unwrap();
        let first = ns.list_keys("user.", None, 2).unwrap();
        assert_eq!(first.keys, ["user.0", "user.1"]);
        let second = ns
            .list_keys("user.", first.next_cursor.as_deref(), 2)
            .unwrap();
        assert_eq!(second.keys, ["user.2", "user.3"]);
        let last = ns
            .list_keys("user.", second.next_cursor.as_deref(), 2)
            .unwrap();
        assert_eq!(last.keys, ["user.4"]);
        assert_eq!(last.next_cursor, None);
    }
}
