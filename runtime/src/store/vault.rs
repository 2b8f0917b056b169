//! Module secrets. Written by `pigdin vault set` or the environment at `serve`,
//! read only by the module's own functions; never logged, never served.

use std::sync::Arc;

use super::GroupCommit;

#[derive(Clone)]
pub struct Vault {
    tree: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl Vault {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            tree: db.open_tree("vault")?,
            commit,
        })
    }

    pub async fn set(&self, module: &str, name: &str, value: &str) -> anyhow::Result<()> {
        self.tree.insert(key(module, name), value.as_bytes())?;
        self.commit.durable().await
    }

    pub fn get(&self, module: &str, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .tree
            .get(key(module, name))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The names (never the values) of a module's secrets.
    pub fn names(&self, module: &str) -> anyhow::Result<Vec<String>> {
        let prefix = key(module, "");
        self.tree
            .scan_prefix(&prefix)
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?[prefix.len()..]).into_owned()))
            .collect()
    }
}

fn key(module: &str, name: &str) -> Vec<u8> {
    [module.as_bytes(), &[0], name.as_bytes()].concat()
}
