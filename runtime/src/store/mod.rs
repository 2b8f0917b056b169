//! Durable storage: one sled database in the data directory.
//!
//! Every acknowledged write goes through [`GroupCommit`], so it survives a
//! `kill -9` of the server while concurrent writers share one flush.

mod app_context;
mod channel_groups;
mod files;
mod group_commit;
mod history;
mod kv;
mod message_actions;
mod name_set;
mod purge;
mod push_outbox;
mod push_registrations;
mod vault;

pub use app_context::{
    AppContext, AppContextError, Link, LinkChanges, LinkSide, LinkUpdate, MetadataKind,
};
pub use channel_groups::{ChannelGroups, GroupError, MAX_CHANNELS_PER_GROUP};
pub use files::{FilePage, Files, StoredFile};
pub use group_commit::GroupCommit;
pub use history::{Direction, History, Page, StoredMessage, now_timetoken};
pub use kv::{KeyPage, KvError, KvNamespace, KvStore, MAX_PAGE as MAX_KV_PAGE};
pub use message_actions::{ActionPage, MessageAction, MessageActionError, MessageActions};
pub use push_outbox::{MAX_OUTBOX_ENTRIES, OutboxEntry, PushOutbox};
pub use push_registrations::{
    Device, MAX_CHANNELS_PER_DEVICE, PushRegistrations, PushService, PushStoreError,
};
pub use vault::Vault;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

/// The storage of one runtime: its sled database and what is built on it.
#[derive(Clone)]
pub struct Store {
    pub db: sled::Db,
    pub commit: Arc<GroupCommit>,
    pub kv: KvStore,
    pub vault: Vault,
    pub history: History,
    pub message_actions: MessageActions,
    pub app_context: AppContext,
    pub groups: ChannelGroups,
    pub files: Files,
    pub push: PushRegistrations,
    pub push_outbox: PushOutbox,
}

impl Store {
    /// Opens (creating when absent) the database under `data_dir/db`.
    /// `kv_minute` is how long a KV TTL minute lasts (60 s outside tests).
    pub fn open(data_dir: &Path, kv_minute: Duration) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let db_path = data_dir.join("db");
        let db = sled::Config::new()
            .path(&db_path)
            // Durability comes from explicit flushes; sled's own timer would only add writes.
            .flush_every_ms(None)
            .open()
            .with_context(|| {
                format!(
                    "cannot open the database at {} (is another pigdin using this data directory? use --data-dir)",
                    db_path.display()
                )
            })?;
        let commit = Arc::new(GroupCommit::new(db.clone()));
        let message_actions = MessageActions::open(&db, commit.clone())?;
        Ok(Self {
            kv: KvStore::new(db.clone(), commit.clone(), kv_minute),
            vault: Vault::open(&db, commit.clone())?,
            history: History::open(&db, commit.clone(), message_actions.clone())?,
            message_actions,
            app_context: AppContext::open(&db, commit.clone())?,
            groups: ChannelGroups::open(&db, commit.clone())?,
            files: Files::open(&db, commit.clone())?,
            push: PushRegistrations::open(&db, commit.clone())?,
            push_outbox: PushOutbox::open(&db, commit.clone())?,
            db,
            commit,
        })
    }
}
