//! File Sharing, as PubNub's SDKs drive it:
//!
//! 1. `generate-upload-url` hands out an upload ticket: a file id and where
//!    to POST the bytes (PubNub's is a presigned S3 form; Pigdin's is its own
//!    `/v1/files/{sub}/uploads/{id}`, valid for [`UPLOAD_TICKET_TTL`]).
//! 2. The upload (multipart form, the file last) stores the file, durably.
//! 3. `publish-file` publishes `{"message": …, "file": {"id", "name"}}` as a
//!    file message (`e: 4` to subscribers, `message_type` 4 in history),
//!    once the file is there.
//!
//! Files are listed, downloaded and deleted per channel; a deleted file's
//! messages stay in history, as on PubNub. Files are kept until deleted
//! (PubNub's retention setting is not modelled).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use parking_lot::Mutex;
use serde_json::Value;

use crate::Runtime;
use crate::broker::names;
use crate::ops::{PublishError, PublishInput};
use crate::store::StoredFile;

/// PubNub's limit on one file.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// How long an upload ticket may be used (PubNub's presigned form: about a minute).
pub const UPLOAD_TICKET_TTL: Duration = Duration::from_secs(60);
/// Longest file name, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// Most files one list page holds, and the default.
pub const MAX_FILES_PAGE: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The caller's input breaks a rule; the message names it.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error(
        "the file is {0} bytes; PubNub's limit, which Pigdin keeps, is {MAX_FILE_BYTES} bytes (5 MiB)"
    )]
    TooLarge(usize),
    #[error("file storage failed: {0}")]
    Storage(#[from] anyhow::Error),
}

/// Where and until when a file may be uploaded.
#[derive(Debug, Clone)]
pub struct UploadTicket {
    pub id: String,
    pub name: String,
    pub channel: String,
    /// Wall-clock expiry, for the SDK's `expiration_date`.
    pub expires_at: SystemTime,
    deadline: Instant,
}

/// Tickets handed out and not yet used. In memory: a ticket outlives
/// neither its minute nor the process (an SDK asks for a new one).
#[derive(Default, Clone)]
pub struct UploadTickets(Arc<Mutex<HashMap<String, UploadTicket>>>);

impl UploadTickets {
    fn issue(&self, ticket: UploadTicket) {
        let mut tickets = self.0.lock();
        let now = Instant::now();
        tickets.retain(|_, t| t.deadline > now);
        tickets.insert(ticket.id.clone(), ticket);
    }

    /// The ticket `id`, if it is still valid; it stays valid until used well.
    fn valid(&self, id: &str) -> Option<UploadTicket> {
        let tickets = self.0.lock();
        tickets
            .get(id)
            .filter(|t| t.deadline > Instant::now())
            .cloned()
    }

    fn spend(&self, id: &str) {
        self.0.lock().remove(id);
    }
}

/// What the upload's form carried besides the bytes.
pub struct Upload<'a> {
    pub ticket_id: &'a str,
    /// The form's `Content-Type` field, else the file part's type.
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl Runtime {
    /// Step 1: a ticket to upload `name` to `channel`.
    pub fn ticket_file_upload(&self, channel: &str, name: &str) -> Result<UploadTicket, FileError> {
        names::validate_channel(channel)
            .map_err(|e| FileError::Invalid(format!("Invalid channel: {e}")))?;
        validate_name(name)?;
        let now = Instant::now();
        let ticket = UploadTicket {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_owned(),
            channel: channel.to_owned(),
            expires_at: SystemTime::now() + UPLOAD_TICKET_TTL,
            deadline: now + UPLOAD_TICKET_TTL,
        };
        self.file_tickets.issue(ticket.clone());
        Ok(ticket)
    }

    /// Step 2: stores an upload against its ticket; durable when it returns.
    pub async fn upload_file(&self, upload: Upload<'_>) -> Result<StoredFile, FileError> {
        let ticket = self.file_tickets.valid(upload.ticket_id).ok_or_else(|| {
            FileError::NotFound(format!(
                "upload {} is unknown or expired (a ticket lasts {} s): ask generate-upload-url for a new one",
                upload.ticket_id,
                UPLOAD_TICKET_TTL.as_secs()
            ))
        })?;
        if upload.bytes.len() > MAX_FILE_BYTES {
            return Err(FileError::TooLarge(upload.bytes.len()));
        }
        let file = StoredFile {
            channel: ticket.channel,
            id: ticket.id,
            name: ticket.name,
            size: upload.bytes.len() as u64,
            created: iso8601(SystemTime::now()),
            content_type: upload
                .content_type
                .filter(|t| !t.is_empty())
                .unwrap_or("application/octet-stream")
                .to_owned(),
        };
        self.store.files.put(&file, upload.bytes).await?;
        self.file_tickets.spend(&file.id);
        Ok(file)
    }

    /// A file message must name, in `file`, a file uploaded to its channel.
    pub(super) fn check_file_message(&self, input: &PublishInput) -> Result<(), PublishError> {
        let file = input.message.get("file");
        let field = |name: &str| file.and_then(|f| f.get(name)).and_then(Value::as_str);
        let (Some(id), Some(name)) = (field("id"), field("name")) else {
            return Err(PublishError::Invalid(
                "a file message is {\"message\": …, \"file\": {\"id\": \"…\", \"name\": \"…\"}}; `file.id` or `file.name` is missing".into(),
            ));
        };
        match self.store.files.get(&input.channel, id) {
            Ok(Some(stored)) if stored.name == name => Ok(()),
            Ok(_) => Err(PublishError::Invalid(format!(
                "no file {id} named {name:?} was uploaded to channel {:?}: upload it first",
                input.channel
            ))),
            Err(e) => Err(PublishError::Failed(e)),
        }
    }

    /// The file `id` named `name` on `channel`.
    pub fn find_file(&self, channel: &str, id: &str, name: &str) -> Result<StoredFile, FileError> {
        self.store
            .files
            .get(channel, id)?
            .filter(|f| f.name == name)
            .ok_or_else(|| {
                FileError::NotFound(format!(
                    "no file {id} named {name:?} on channel {channel:?}"
                ))
            })
    }

    /// The bytes of the file `id` named `name`, wherever it was shared.
    pub fn file_contents(
        &self,
        id: &str,
        name: &str,
    ) -> Result<(StoredFile, sled::IVec), FileError> {
        let missing = || FileError::NotFound(format!("no file {id} named {name:?}"));
        let file = self
            .store
            .files
            .by_id(id)?
            .filter(|f| f.name == name)
            .ok_or_else(missing)?;
        let bytes = self.store.files.contents(id)?.ok_or_else(missing)?;
        Ok((file, bytes))
    }

    /// Deletes the file `id` named `name` from `channel`.
    pub async fn delete_file(&self, channel: &str, id: &str, name: &str) -> Result<(), FileError> {
        self.find_file(channel, id, name)?;
        self.store.files.delete(channel, id).await?;
        Ok(())
    }
}

fn validate_name(name: &str) -> Result<(), FileError> {
    if name.is_empty() || name.len() > MAX_FILE_NAME_BYTES {
        return Err(FileError::Invalid(format!(
            "a file name is 1 to {MAX_FILE_NAME_BYTES} bytes; {:?} is {} bytes",
            name,
            name.len()
        )));
    }
    if name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return Err(FileError::Invalid(format!(
            "file name {name:?} holds a slash, backslash or control character: name the file without them"
        )));
    }
    Ok(())
}

/// `2026-12-03T20:41:29Z`, as PubNub lists a file's `created`.
pub fn iso8601(at: SystemTime) -> String {
    let at: time::OffsetDateTime = at.into();
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
