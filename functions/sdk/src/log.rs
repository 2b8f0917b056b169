//! The module's log, shown by `pigdin logs` (PubNub's `console`).
//!
//! Plain functions rather than macros: `log::info(format!("tick {n}"))`.

use crate::bindings::pigdin::functions::log as host;

pub fn debug(message: impl AsRef<str>) {
    host::write(host::Level::Debug, message.as_ref());
}

pub fn info(message: impl AsRef<str>) {
    host::write(host::Level::Info, message.as_ref());
}

pub fn warn(message: impl AsRef<str>) {
    host::write(host::Level::Warn, message.as_ref());
}

pub fn error(message: impl AsRef<str>) {
    host::write(host::Level::Error, message.as_ref());
}
