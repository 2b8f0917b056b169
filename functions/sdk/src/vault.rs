//! The module's secrets, like PubNub's `vault` module.

use crate::bindings::pigdin::functions::vault as host;
use crate::{Error, Result};

/// The secret `name`; an error when it is not set.
pub fn get(name: &str) -> Result<String> {
    host::get(name).map_err(|e| Error::host("vault.get", e))
}
