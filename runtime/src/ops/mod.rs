//! The Runtime's operations, one file per family. The HTTP API (`api/`) and
//! the function host's imports (`functions/host/`) both call these, so a
//! publish, a presence change or an App Context write behaves the same
//! whoever asks for it.
//!
//! - `publish`: publish / fire / signal through Before → store → fan-out → After.
//! - `presence`: heartbeats, leaves, state, their events and After Presence
//!   functions; the hold a long-poll keeps; the presence and topic sweeps.
//! - `app_context`: metadata and membership writes that announce themselves.
//! - `push`: what a publish would have sent to mobile devices, into the push outbox.
//! - `message_actions`: message actions (reactions, receipts) that announce themselves.
//! - `files`: File Sharing's upload tickets, uploads, downloads and file messages.

mod app_context;
pub mod files;
pub mod message_actions;
pub mod presence;
pub mod publish;
pub mod push;

pub use message_actions::NewMessageAction;
pub use presence::{PresenceHold, spawn_maintenance};
pub use publish::{MAX_MESSAGE_BYTES, PublishError, PublishInput, Verb};
