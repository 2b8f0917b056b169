//! Module secrets, read only by the module's own functions; never logged,
//! never served.
//!
//! Two layers: secrets stored by `pigdin vault set` persist in sled (and so in
//! the data directory); secrets `serve` is given at start-up (its
//! configuration and the `PIGDIN_VAULT__` environment variables) are
//! [provided](Vault::provide) in memory only, so copying the data directory
//! does not copy them. A provided secret hides a stored one of the same name
//! until `set` replaces it.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::GroupCommit;

#[derive(Clone)]
pub struct Vault {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
    /// `(module, name) → value`, given at start-up; never written to disk.
    provided: Arc<RwLock<BTreeMap<(String, String), String>>>,
}

impl Vault {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("vault")?,
            commit,
            provided: Arc::default(),
        })
    }

    /// Stores a secret durably (what `pigdin vault set` does). It replaces a
    /// provided secret of the same name from now on.
    pub async fn set(&self, module: &str, name: &str, value: &str) -> anyhow::Result<()> {
        self.tree.insert(key(module, name), value.as_bytes())?;
        self.commit.durable().await?;
        self.provided
            .write()
            .remove(&(module.to_owned(), name.to_owned()));
        Ok(())
    }

    /// Holds a secret in memory for as long as the process runs: it is read
    /// before any stored one and never reaches the data directory.
    pub fn provide(&self, module: &str, name: &str, value: &str) {
        self.provided
            .write()
            .insert((module.to_owned(), name.to_owned()), value.to_owned());
    }

    pub fn get(&self, module: &str, name: &str) -> anyhow::Result<Option<String>> {
        if let Some(value) = self
            .provided
            .read()
            .get(&(module.to_owned(), name.to_owned()))
        {
            return Ok(Some(value.clone()));
        }
        Ok(self
            .tree
            .get(key(module, name))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The names (never the values) of a module's secrets, provided or
    /// stored, in order and each once.
    pub fn names(&self, module: &str) -> anyhow::Result<Vec<String>> {
        let prefix = key(module, "");
        let mut names: Vec<String> = self
            .tree
            .scan_prefix(&prefix)
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?[prefix.len()..]).into_owned()))
            .collect::<anyhow::Result<_>>()?;
        names.extend(
            self.provided
                .read()
                .keys()
                .filter(|(m, _)| m == module)
                .map(|(_, name)| name.clone()),
        );
        names.sort();
        names.dedup();
        Ok(names)
    }
}

fn key(module: &str, name: &str) -> Vec<u8> {
    [module.as_bytes(), &[0], name.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDED: &str = "provided-secret-value-5f3a";

    fn open(dir: &std::path::Path) -> Vault {
        let db = sled::open(dir).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        Vault::open(&db, commit).unwrap()
    }

    /// Every byte under `dir`, as one lossy string.
    fn all_bytes(dir: &std::path::Path) -> String {
        let mut text = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                text.push_str(&all_bytes(&path));
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
            }
        }
        text
    }

    #[tokio::test]
    async fn provided_secrets_are_read_first_listed_and_never_stored() {
        let dir = tempfile::tempdir().unwrap();
        {
            let vault = open(dir.path());
            vault.set("m", "stored", "on-disk").await.unwrap();
            vault.set("m", "both", "on-disk").await.unwrap();
            vault.provide("m", "both", PROVIDED);
            vault.provide("m", "memory", PROVIDED);
            vault.provide("other", "elsewhere", PROVIDED);
            assert_eq!(vault.get("m", "both").unwrap().as_deref(), Some(PROVIDED));
            assert_eq!(vault.get("m", "memory").unwrap().as_deref(), Some(PROVIDED));
            assert_eq!(
                vault.get("m", "stored").unwrap().as_deref(),
                Some("on-disk")
            );
            assert_eq!(vault.get("m", "elsewhere").unwrap(), None);
            assert_eq!(vault.names("m").unwrap(), ["both", "memory", "stored"]);
            // Storing one replaces the provided value from then on.
            vault.set("m", "memory", "stored-later").await.unwrap();
            assert_eq!(
                vault.get("m", "memory").unwrap().as_deref(),
                Some("stored-later")
            );
            vault.tree.flush().unwrap();
        }
        assert!(!all_bytes(dir.path()).contains(PROVIDED));
        let vault = open(dir.path());
        assert_eq!(vault.get("m", "both").unwrap().as_deref(), Some("on-disk"));
        assert_eq!(vault.names("m").unwrap(), ["both", "memory", "stored"]);
    }
}
