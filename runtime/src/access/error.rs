//! Why Access Manager refused a request. The HTTP API renders these in
//! PubNub's recorded shape (its `refusal` module); the SDKs map a 403 to
//! their access-denied error and a 400 to a bad request.

use std::collections::BTreeSet;

/// Resources a request was refused on, by the payload key PubNub uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Denied {
    pub channels: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    pub uuids: BTreeSet<String>,
    /// Key-wide operations (listing every group, global here-now...).
    pub keyset: bool,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (what, names) in [
            ("channels", &self.channels),
            ("channel groups", &self.groups),
            ("uuids", &self.uuids),
        ] {
            if !names.is_empty() {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                parts.push(format!("{what} {}", names.join(", ")));
            }
        }
        if self.keyset {
            parts.push("the whole keyset".into());
        }
        write!(f, "no permission on {}", parts.join("; "))
    }
}

impl Denied {
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.groups.is_empty() && self.uuids.is_empty() && !self.keyset
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Malformed input: a token that is not a token, a missing timestamp...
    #[error("{0}")]
    BadRequest(String),
    /// A valid request refused: wrong signature, expired or revoked token...
    #[error("{0}")]
    Denied(String),
    /// The credentials are fine but lack these permissions.
    #[error("Forbidden: {0}")]
    Forbidden(Denied),
    /// The server could not do its part (storage failed).
    #[error("{0}")]
    Internal(String),
}
