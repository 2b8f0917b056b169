//! One file per function of `module.toml`.

pub mod inbound;
pub mod to_webex;
pub mod token_refresh;
pub mod user_update;
pub mod webhook;

/// The internal channel the webhook fires verified notifications to.
pub const INBOUND_CHANNEL: &str = "webex-inbound";
