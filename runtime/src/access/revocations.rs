//! Revoked v3 tokens, by signature, kept (durably) until the token would
//! have expired anyway.

use std::collections::HashSet;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::store::GroupCommit;

/// sled is the record; an in-memory copy answers the per-request check.
pub struct Revocations {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
    revoked: RwLock<HashSet<Vec<u8>>>,
}

impl Revocations {
    pub fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        let tree = db.open_tree("access_revoked_tokens")?;
        let revoked = tree
            .iter()
            .keys()
            .map(|key| key.map(|k| k.to_vec()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            tree,
            commit,
            revoked: RwLock::new(revoked),
        })
    }

    /// Records the token with this signature as revoked, durably.
    pub async fn revoke(&self, signature: &[u8], expires_at: u64) -> anyhow::Result<()> {
        self.tree.insert(signature, &expires_at.to_be_bytes())?;
        self.commit.durable().await?;
        self.revoked.write().insert(signature.to_vec());
        Ok(())
    }

    pub fn is_revoked(&self, signature: &[u8]) -> bool {
        self.revoked.read().contains(signature)
    }

    /// Forgets revocations of tokens that have expired since (their expiry
    /// already refuses them).
    pub fn purge_expired(&self, now_secs: u64) -> anyhow::Result<usize> {
        let mut purged = 0;
        for entry in self.tree.iter() {
            let (key, value) = entry?;
            let expires_at = value
                .as_ref()
                .try_into()
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if expires_at <= now_secs {
                self.tree.remove(&key)?;
                self.revoked.write().remove(key.as_ref());
                purged += 1;
            }
        }
        Ok(purged)
    }
}
