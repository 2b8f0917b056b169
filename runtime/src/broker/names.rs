//! What a channel, channel group or user id may look like. PubNub's hard
//! limits: 2,048 characters for a channel name, 92 for a user id.

/// Longest channel (and channel group) name, in characters.
pub const MAX_CHANNEL_CHARS: usize = 2048;
/// Longest user id (`uuid`), in characters.
pub const MAX_UUID_CHARS: usize = 92;

/// A publishable channel name: no wildcard, list separator, slash or whitespace.
pub fn validate_channel(name: &str) -> Result<(), String> {
    validate_name("channel", name)
}

/// A channel group name follows the channel rules.
pub fn validate_group(name: &str) -> Result<(), String> {
    validate_name("channel group", name)
}

pub fn validate_uuid(uuid: &str) -> Result<(), String> {
    if uuid.is_empty() {
        return Err("uuid is empty".into());
    }
    let chars = uuid.chars().count();
    if chars > MAX_UUID_CHARS {
        return Err(format!(
            "uuid is {chars} characters long; the limit is {MAX_UUID_CHARS}"
        ));
    }
    if uuid.chars().any(char::is_control) {
        return Err(format!("uuid {uuid:?} contains control characters"));
    }
    Ok(())
}

fn validate_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("{what} name is empty"));
    }
    let chars = name.chars().count();
    if chars > MAX_CHANNEL_CHARS {
        return Err(format!(
            "{what} name is {chars} characters long; the limit is {MAX_CHANNEL_CHARS}"
        ));
    }
    if name
        .chars()
        .any(|c| matches!(c, '*' | ',' | '/' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "invalid {what} name {name:?}: no `*`, `,`, `/`, `\\`, whitespace or control characters"
        ));
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
