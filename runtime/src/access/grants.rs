//! v2 grants (`/v2/auth/grant`): permission bits per (resource, auth key),
//! stored in sled with an expiry. A grant without an auth key applies to
//! every client; one without channels, groups or uuids applies to the whole
//! keyset. A channel grant on `a.*` covers `a.x` (PubNub's wildcard grants).
//! Granting all zeros is how v2 revokes, so it simply overwrites.

use std::sync::Arc;

use super::permission::{Permission, ResourceKind};
use crate::store::GroupCommit;

/// Storage tag of keyset-wide grants.
const KEYSET_TAG: &str = "key";

#[derive(Clone)]
pub struct Grants {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
}

/// One stored grant: bits and when it lapses (unix seconds; `None`: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stored {
    bits: u32,
    expires_at: Option<u64>,
}

impl Stored {
    fn to_bytes(self) -> [u8; 12] {
        let mut out = [0; 12];
        out[..4].copy_from_slice(&self.bits.to_be_bytes());
        out[4..].copy_from_slice(&self.expires_at.unwrap_or(0).to_be_bytes());
        out
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bits = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
        let expires_at = u64::from_be_bytes(bytes.get(4..12)?.try_into().ok()?);
        Some(Self {
            bits,
            expires_at: (expires_at != 0).then_some(expires_at),
        })
    }
}

/// What a v2 grant names: a resource, or the keyset (`None`).
pub type Target = Option<(ResourceKind, String)>;

impl Grants {
    pub fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("access_grants")?,
            commit,
        })
    }

    /// Stores `bits` for each target × auth key (`""`: any client), lapsing
    /// `ttl_minutes` from `now` (0: never), durably.
    pub async fn grant(
        &self,
        targets: &[Target],
        auth_keys: &[String],
        bits: u32,
        ttl_minutes: u64,
        now_secs: u64,
    ) -> anyhow::Result<()> {
        let stored = Stored {
            bits,
            expires_at: (ttl_minutes > 0).then_some(now_secs + ttl_minutes * 60),
        };
        let any = [String::new()];
        let auth_keys = if auth_keys.is_empty() {
            &any[..]
        } else {
            auth_keys
        };
        let mut batch = sled::Batch::default();
        for target in targets {
            for auth in auth_keys {
                batch.insert(key(target, auth), &stored.to_bytes()[..]);
            }
        }
        self.tree.apply_batch(batch)?;
        self.commit.durable().await
    }

    /// Whether the client holding `auth` (or any client) was granted
    /// `permission` on `target`, directly, by a wildcard channel grant, or
    /// keyset-wide.
    pub fn allows(
        &self,
        target: &Target,
        auth: Option<&str>,
        permission: Permission,
        now_secs: u64,
    ) -> bool {
        let mut candidates: Vec<Target> = vec![None];
        if let Some((kind, name)) = target {
            candidates.push(Some((*kind, name.clone())));
            if *kind == ResourceKind::Channel {
                // `a.b.c` is covered by grants on `a.*` and `a.b.*`.
                let mut prefix = String::new();
                for segment in name.split('.').take(2) {
                    prefix.push_str(segment);
                    prefix.push('.');
                    if prefix.len() < name.len() {
                        candidates.push(Some((*kind, format!("{prefix}*"))));
                    }
                }
            }
        }
        let auths = [Some(""), auth.filter(|a| !a.is_empty())];
        candidates.iter().any(|candidate| {
            auths.iter().flatten().any(|auth| {
                self.tree
                    .get(key(candidate, auth))
                    .ok()
                    .flatten()
                    .and_then(|bytes| Stored::from_bytes(&bytes))
                    .is_some_and(|stored| {
                        stored.bits & permission.bit() != 0
                            && stored.expires_at.is_none_or(|at| now_secs < at)
                    })
            })
        })
    }
}

fn key(target: &Target, auth: &str) -> Vec<u8> {
    let (tag, name) = match target {
        Some((kind, name)) => (kind.tag(), name.as_str()),
        None => (KEYSET_TAG, ""),
    };
    [tag.as_bytes(), &[0], name.as_bytes(), &[0], auth.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants() -> (Grants, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        (Grants::open(&db, commit).unwrap(), dir)
    }

    fn channel(name: &str) -> Target {
        Some((ResourceKind::Channel, name.into()))
    }

    #[tokio::test]
    async fn grants_apply_per_auth_key_and_lapse() {
        let (grants, _dir) = grants();
        let now = 1_000;
        grants
            .grant(&[channel("a")], &["k".into()], 1, 1, now)
            .await
            .unwrap();
        assert!(grants.allows(&channel("a"), Some("k"), Permission::Read, now));
        assert!(!grants.allows(&channel("a"), Some("k"), Permission::Write, now));
        assert!(!grants.allows(&channel("a"), Some("other"), Permission::Read, now));
        assert!(!grants.allows(&channel("a"), None, Permission::Read, now));
        assert!(!grants.allows(&channel("a"), Some("k"), Permission::Read, now + 60));
        // Zero bits revoke.
        grants
            .grant(&[channel("a")], &["k".into()], 0, 0, now)
            .await
            .unwrap();
        assert!(!grants.allows(&channel("a"), Some("k"), Permission::Read, now));
    }

    #[tokio::test]
    async fn wildcard_anyone_and_keyset_grants() {
        let (grants, _dir) = grants();
        grants.grant(&[channel("a.*")], &[], 2, 0, 0).await.unwrap();
        assert!(grants.allows(&channel("a.b"), None, Permission::Write, 0));
        assert!(grants.allows(&channel("a.b"), Some("x"), Permission::Write, 0));
        assert!(!grants.allows(&channel("b.a"), None, Permission::Write, 0));
        grants
            .grant(&[None], &["admin".into()], 4, 0, 0)
            .await
            .unwrap();
        let group = Some((ResourceKind::Group, "g".into()));
        assert!(grants.allows(&group, Some("admin"), Permission::Manage, 0));
        assert!(!grants.allows(&group, Some("x"), Permission::Manage, 0));
    }
}
