//! Wildcard subscriptions, with PubNub's rules: `*` only as the last
//! segment, after one or two literal segments (`a.*`, `a.b.*`), optionally
//! with `-pnpres` for the presence events of the matching channels.
//!
//! A pattern matches every channel that starts with its prefix (`a.*` gets
//! `a.b` and `a.b.c`), but plain patterns never match presence channels and
//! presence patterns match only presence channels.
//!
//! A presence event delivered through `a.*-pnpres` carries `b: "a.*-pnpres"`
//! (the wire notes leave this unconfirmed). Both SDKs accept it: JS routes on
//! the name it subscribed to and reports it as the event's `subscription`;
//! Python strips the suffix. Checked by tests/interop.

use super::names::InvalidName;

/// The suffix of presence channels and subscriptions.
pub const PRESENCE_SUFFIX: &str = "-pnpres";

/// How deep a wildcard may be: `a.b.*` has two literal segments.
const MAX_LITERAL_SEGMENTS: usize = 2;

/// Whether a subscription name is a wildcard pattern (it contains `*`).
pub fn is_pattern(name: &str) -> bool {
    name.contains('*')
}

/// Checks a wildcard subscription name such as `a.*` or `a.b.*-pnpres`.
pub fn validate_pattern(name: &str) -> Result<(), InvalidName> {
    let base = name.strip_suffix(PRESENCE_SUFFIX).unwrap_or(name);
    let valid = base.strip_suffix(".*").is_some_and(|prefix| {
        let segments: Vec<&str> = prefix.split('.').collect();
        segments.len() <= MAX_LITERAL_SEGMENTS
            && segments.iter().all(|s| !s.is_empty() && !s.contains('*'))
    });
    if valid {
        Ok(())
    } else {
        Err(InvalidName::Wildcard(name.to_owned()))
    }
}

/// The wildcard subscriptions that receive a message on `channel`: for
/// `a.b.c`, `a.*` and `a.b.*`; for `a.b-pnpres`, `a.*-pnpres`.
pub fn patterns_matching(channel: &str) -> Vec<String> {
    let (base, suffix) = match channel.strip_suffix(PRESENCE_SUFFIX) {
        Some(base) => (base, PRESENCE_SUFFIX),
        None => (channel, ""),
    };
    let mut patterns = Vec::new();
    let mut prefix_end = 0;
    for _ in 0..MAX_LITERAL_SEGMENTS {
        let Some(dot) = base[prefix_end..].find('.') else {
            break;
        };
        let dot = prefix_end + dot;
        let segment = &base[prefix_end..dot];
        // A pattern needs a non-empty segment before its dot and something after it.
        if segment.is_empty() || segment.contains('*') || dot + 1 >= base.len() {
            break;
        }
        patterns.push(format!("{}*{suffix}", &base[..=dot]));
        prefix_end = dot + 1;
    }
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_patterns_follow_pubnub_rules() {
        for ok in ["a.*", "a.b.*", "a.*-pnpres", "webex.user1.*-pnpres"] {
            assert!(validate_pattern(ok).is_ok(), "{ok}");
        }
        for bad in [
            "*", "*.x", "a.*.b", "a.b.c.*", "a*", ".*", "a..*", "a.**", "a.*b",
        ] {
            assert!(validate_pattern(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn channels_reach_their_one_and_two_segment_patterns() {
        assert_eq!(patterns_matching("a.b.c"), ["a.*", "a.b.*"]);
        assert_eq!(patterns_matching("a.b"), ["a.*"]);
        assert_eq!(patterns_matching("a"), Vec::<String>::new());
        assert_eq!(patterns_matching("a."), Vec::<String>::new());
        assert_eq!(patterns_matching("a.b.c.d"), ["a.*", "a.b.*"]);
        assert_eq!(patterns_matching("a.b-pnpres"), ["a.*-pnpres".to_string()]);
        assert_eq!(
            patterns_matching("webex.u.room-pnpres"),
            ["webex.*-pnpres", "webex.u.*-pnpres"]
        );
    }

    #[test]
    fn plain_patterns_never_see_presence_channels() {
        assert!(!patterns_matching("a.b-pnpres").contains(&"a.*".to_string()));
        assert!(!patterns_matching("a.b").contains(&"a.*-pnpres".to_string()));
    }
}
