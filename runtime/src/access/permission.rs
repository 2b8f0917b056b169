//! Permissions and the resources they apply to, with PubNub's bit values
//! (the same bits in v2 grants and v3 tokens).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Read,
    Write,
    Manage,
    Delete,
    Get,
    Update,
    Join,
}

impl Permission {
    pub const ALL: [Self; 7] = [
        Self::Read,
        Self::Write,
        Self::Manage,
        Self::Delete,
        Self::Get,
        Self::Update,
        Self::Join,
    ];

    pub fn bit(self) -> u32 {
        match self {
            Self::Read => 1,
            Self::Write => 2,
            Self::Manage => 4,
            Self::Delete => 8,
            Self::Get => 32,
            Self::Update => 64,
            Self::Join => 128,
        }
    }

    /// The v2 grant parameter (`r w m d g u j`).
    pub fn v2_flag(self) -> &'static str {
        match self {
            Self::Read => "r",
            Self::Write => "w",
            Self::Manage => "m",
            Self::Delete => "d",
            Self::Get => "g",
            Self::Update => "u",
            Self::Join => "j",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Manage => "manage",
            Self::Delete => "delete",
            Self::Get => "get",
            Self::Update => "update",
            Self::Join => "join",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    Channel,
    Group,
    Uuid,
}

impl ResourceKind {
    /// The name used in storage keys.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Channel => "chan",
            Self::Group => "grp",
            Self::Uuid => "uuid",
        }
    }
}

/// What one request needs: `permission` on a named resource, or (for
/// key-wide operations such as listing every group) on the keyset itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    On {
        kind: ResourceKind,
        name: String,
        permission: Permission,
    },
    Keyset(Permission),
    /// Only a request signed with the secret key may do this.
    ServerOnly,
}

impl Requirement {
    pub fn on(kind: ResourceKind, name: impl Into<String>, permission: Permission) -> Self {
        Self::On {
            kind,
            name: name.into(),
            permission,
        }
    }
}
