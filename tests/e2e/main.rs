//! End-to-end tests through the real `pigdin` binary: each test starts its own
//! `pigdin serve` (free port, temporary data directory) and drives it over
//! HTTP and with the `pigdin` commands, as a user would.
//!
//! Run with `cargo test -p pigdin --test e2e`.

mod support;

mod admin;
mod app_context;
mod deploy;
mod files;
mod hot_swap;
mod interval;
mod javascript;
mod kv;
mod legacy;
mod limits;
mod logs;
mod manifest;
mod message_actions;
mod new;
mod on_request;
mod persistence;
mod presence;
mod pubnub_rust;
mod push;
mod relay;
mod user_commands;
mod vault;
mod webex_chat;
mod webex_sim;
