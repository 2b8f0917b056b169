//! What a channel, channel group or user id may look like. PubNub's hard
//! limits: 2,048 characters for a channel name, 92 for a user id.

/// Longest channel (and channel group) name, in characters.
pub const MAX_CHANNEL_CHARS: usize = 2048;
/// Longest user id (`uuid`), in characters.
pub const MAX_UUID_CHARS: usize = 92;

/// What is wrong with a name; its text is what the API answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("{what} is {chars} characters long; the limit is {limit}")]
    TooLong {
        what: &'static str,
        chars: usize,
        limit: usize,
    },
    /// A uuid with control characters.
    #[error("{what} {name:?} contains control characters")]
    Control { what: &'static str, name: String },
    /// A channel or group name with a character PubNub reserves.
    #[error("invalid {what} {name:?}: no `*`, `,`, `/`, `\\`, whitespace or control characters")]
    Reserved { what: &'static str, name: String },
    /// A wildcard subscription name that breaks PubNub's rules.
    #[error(
        "invalid wildcard {0:?}: `*` may only end a name, after one or two segments, as in `a.*` or `a.b.*`"
    )]
    Wildcard(String),
}

/// A publishable channel name: no wildcard, list separator, slash or whitespace.
pub fn validate_channel(name: &str) -> Result<(), InvalidName> {
    validate_name("channel name", name)
}

/// A channel group name follows the channel rules.
pub fn validate_group(name: &str) -> Result<(), InvalidName> {
    validate_name("channel group name", name)
}

pub fn validate_uuid(uuid: &str) -> Result<(), InvalidName> {
    let what = "uuid";
    if uuid.is_empty() {
        return Err(InvalidName::Empty(what));
    }
    let chars = uuid.chars().count();
    if chars > MAX_UUID_CHARS {
        return Err(InvalidName::TooLong {
            what,
            chars,
            limit: MAX_UUID_CHARS,
        });
    }
    if uuid.chars().any(char::is_control) {
        return Err(InvalidName::Control {
            what,
            name: uuid.to_owned(),
        });
    }
    Ok(())
}

fn validate_name(what: &'static str, name: &str) -> Result<(), InvalidName> {
    if name.is_empty() {
        return Err(InvalidName::Empty(what));
    }
    let chars = name.chars().count();
    if chars > MAX_CHANNEL_CHARS {
        return Err(InvalidName::TooLong {
            what,
            chars,
            limit: MAX_CHANNEL_CHARS,
        });
    }
    if name
        .chars()
        .any(|c| matches!(c, '*' | ',' | '/' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(InvalidName::Reserved {
            what,
            name: name.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names() {
        assert!(validate_channel("webex.user.room-1_x:y").is_ok());
        for bad in ["", "a*", "a,b", "a/b", "a b", "a\\b", "a\u{0}"] {
            assert!(validate_channel(bad).is_err(), "{bad:?}");
        }
        assert!(validate_channel(&"x".repeat(MAX_CHANNEL_CHARS)).is_ok());
        assert!(validate_channel(&"x".repeat(MAX_CHANNEL_CHARS + 1)).is_err());
    }

    #[test]
    fn uuids() {
        assert!(validate_uuid("user-1").is_ok());
        assert!(validate_uuid("").is_err());
        assert!(validate_uuid(&"u".repeat(93)).is_err());
    }
}
