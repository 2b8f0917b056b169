//! Shared files (PubNub's File Sharing): each file's record in the sled tree
//! `files` (`channel \0 id` → [`StoredFile`] JSON), its bytes in
//! `file_contents` (`id` → bytes; sled keeps large values as blobs of their
//! own) and its channel in `file_channels` (`id` → channel, for downloads by
//! id). All three are written in one transaction, durable when `put` returns.
//! Ids are UUIDv7s, which sort by creation, so a channel's files list in the
//! order they were uploaded.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use super::GroupCommit;

/// One stored file, as `GET /v1/files/.../files` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub channel: String,
    pub id: String,
    pub name: String,
    pub size: u64,
    /// ISO 8601, as PubNub lists it.
    pub created: String,
    pub content_type: String,
}

/// A page of a channel's files and the id to go on from, if more remain.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePage {
    pub files: Vec<StoredFile>,
    pub next: Option<String>,
}

#[derive(Clone)]
pub struct Files {
    records: sled::Tree,
    contents: sled::Tree,
    channels: sled::Tree,
    commit: Arc<GroupCommit>,
}

impl Files {
    pub(super) fn open(db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        Ok(Self {
            records: db.open_tree("files")?,
            contents: db.open_tree("file_contents")?,
            channels: db.open_tree("file_channels")?,
            commit,
        })
    }

    /// Stores a file and its bytes; durable when it returns.
    pub async fn put(&self, file: &StoredFile, bytes: &[u8]) -> anyhow::Result<()> {
        let record = serde_json::to_vec(file)?;
        let key = record_key(&file.channel, &file.id);
        (&self.records, &self.contents, &self.channels)
            .transaction(|(records, contents, channels)| {
                records.insert(key.as_slice(), record.as_slice())?;
                contents.insert(file.id.as_bytes(), bytes)?;
                channels.insert(file.id.as_bytes(), file.channel.as_bytes())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| anyhow::anyhow!("storing file {}: {e:?}", file.id))?;
        self.commit.durable().await
    }

    pub fn get(&self, channel: &str, id: &str) -> anyhow::Result<Option<StoredFile>> {
        match self.records.get(record_key(channel, id))? {
            Some(raw) => Ok(Some(serde_json::from_slice(&raw)?)),
            None => Ok(None),
        }
    }

    /// The file `id`, whichever channel it was shared on.
    pub fn by_id(&self, id: &str) -> anyhow::Result<Option<StoredFile>> {
        match self.channels.get(id.as_bytes())? {
            Some(channel) => self.get(&String::from_utf8_lossy(&channel), id),
            None => Ok(None),
        }
    }

    pub fn contents(&self, id: &str) -> anyhow::Result<Option<sled::IVec>> {
        Ok(self.contents.get(id.as_bytes())?)
    }

    /// Up to `limit` of a channel's files, oldest first, after the id `after`.
    pub fn list(
        &self,
        channel: &str,
        limit: usize,
        after: Option<&str>,
    ) -> anyhow::Result<FilePage> {
        let prefix = record_key(channel, "");
        let start = match after {
            // Just past `after`: a NUL sorts below every id character.
            Some(id) => {
                let mut key = record_key(channel, id);
                key.push(0);
                key
            }
            None => prefix.clone(),
        };
        let mut files = Vec::new();
        let mut next = None;
        for entry in self.records.range(start..) {
            let (key, raw) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
            if files.len() == limit {
                next = files.last().map(|f: &StoredFile| f.id.clone());
                break;
            }
            files.push(serde_json::from_slice(&raw)?);
        }
        Ok(FilePage { files, next })
    }

    /// Removes a file and its bytes; `false` when there was none. Durable when it returns.
    pub async fn delete(&self, channel: &str, id: &str) -> anyhow::Result<bool> {
        let key = record_key(channel, id);
        let removed = (&self.records, &self.contents, &self.channels)
            .transaction(|(records, contents, channels)| {
                let removed = records.remove(key.as_slice())?.is_some();
                if removed {
                    contents.remove(id.as_bytes())?;
                    channels.remove(id.as_bytes())?;
                }
                Ok::<_, ConflictableTransactionError<()>>(removed)
            })
            .map_err(|e| anyhow::anyhow!("deleting file {id}: {e:?}"))?;
        self.commit.durable().await?;
        Ok(removed)
    }
}

/// Channel names hold no NUL (they are validated first), so the separator is unambiguous.
fn record_key(channel: &str, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(channel.len() + 1 + id.len());
    key.extend_from_slice(channel.as_bytes());
    key.push(0);
    key.extend_from_slice(id.as_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(channel: &str, id: &str) -> StoredFile {
        StoredFile {
            channel: channel.into(),
            id: id.into(),
            name: format!("{id}.txt"),
            size: 3,
            created: "2026-12-03T00:00:00Z".into(),
            content_type: "text/plain".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn files_list_by_channel_in_id_order_page_by_page_and_delete_with_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let files = Files::open(&db, Arc::new(GroupCommit::new(db.clone()))).unwrap();
        for id in ["b", "a", "c"] {
            files.put(&file("ch", id), id.as_bytes()).await.unwrap();
        }
        files.put(&file("ch2", "z"), b"z").await.unwrap();

        let first = files.list("ch", 2, None).unwrap();
        let ids: Vec<_> = first.files.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(first.next.as_deref(), Some("b"));
        let rest = files.list("ch", 2, first.next.as_deref()).unwrap();
        assert_eq!(rest.files, vec![file("ch", "c")]);
        assert_eq!(rest.next, None);

        assert_eq!(files.contents("a").unwrap().as_deref(), Some(&b"a"[..]));
        assert_eq!(files.by_id("z").unwrap(), Some(file("ch2", "z")));
        assert!(files.delete("ch", "a").await.unwrap());
        assert!(!files.delete("ch", "a").await.unwrap());
        assert_eq!(files.contents("a").unwrap(), None);
        assert_eq!(files.get("ch", "a").unwrap(), None);
        assert_eq!(files.by_id("a").unwrap(), None);
        assert_eq!(files.get("ch2", "z").unwrap(), Some(file("ch2", "z")));
    }
}
