//! The two kinds of binding pattern: channel patterns for publish-type events
//! and path patterns for On Request.

/// A channel binding: an exact channel, or `prefix.*` / `prefix.mid.*`
/// matching every channel under the prefix, as PubNub Functions binds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelPattern {
    Exact(String),
    /// The prefix including its trailing dot, e.g. `webex.`.
    Prefix(String),
}

impl ChannelPattern {
    pub fn parse(pattern: &str) -> Result<Self, String> {
        if pattern.is_empty() {
            return Err("channel pattern is empty".into());
        }
        if let Some(prefix) = pattern.strip_suffix(".*") {
            let segments: Vec<&str> = prefix.split('.').collect();
            if segments.len() > 2 || segments.iter().any(|s| s.is_empty() || s.contains('*')) {
                return Err(format!(
                    "channel pattern {pattern:?}: a wildcard binding is `prefix.*` or `prefix.mid.*` (one or two non-empty segments before `.*`)"
                ));
            }
            return Ok(Self::Prefix(format!("{prefix}.")));
        }
        if pattern.contains('*') {
            return Err(format!(
                "channel pattern {pattern:?}: `*` is only allowed as the last segment, as in `chat.*`"
            ));
        }
        if pattern
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '/')
        {
            return Err(format!(
                "channel pattern {pattern:?} contains whitespace, `,` or `/`, which channel names cannot"
            ));
        }
        Ok(Self::Exact(pattern.to_owned()))
    }

    pub fn matches(&self, channel: &str) -> bool {
        match self {
            Self::Exact(name) => name == channel,
            Self::Prefix(prefix) => {
                channel.len() > prefix.len() && channel.starts_with(prefix.as_str())
            }
        }
    }
}

impl std::fmt::Display for ChannelPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(name) => f.write_str(name),
            Self::Prefix(prefix) => write!(f, "{prefix}*"),
        }
    }
}

/// An On Request path: exact, or with `*` standing for any run of characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern(String);

impl PathPattern {
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let trimmed = pattern.trim_start_matches('/');
        if trimmed.is_empty() {
            return Err("on-request path is empty; give e.g. `path = \"counter\"`".into());
        }
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c == '?' || c == '#')
        {
            return Err(format!(
                "on-request path {pattern:?} contains whitespace, `?` or `#`"
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, path: &str) -> bool {
        glob_match(&self.0, path.trim_start_matches('/'))
    }

    /// Whether some path could match both patterns (checked between deployed modules).
    pub fn overlaps(&self, other: &PathPattern) -> bool {
        globs_intersect(
            &self.0.chars().collect::<Vec<_>>(),
            &other.0.chars().collect::<Vec<_>>(),
        )
    }
}

/// Whether some text matches both `*`-globs: walks both patterns at once,
/// where a `*` either ends or swallows the other pattern's next symbol.
fn globs_intersect(a: &[char], b: &[char]) -> bool {
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut pending = vec![(0, 0)];
    while let Some((i, j)) = pending.pop() {
        if std::mem::replace(&mut seen[i][j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x == Some('*') {
            pending.push((i + 1, j));
            if j < b.len() {
                pending.push((i, j + 1));
            }
        }
        if y == Some('*') {
            pending.push((i, j + 1));
            if i < a.len() {
                pending.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (x, y)
            && x == y
            && x != '*'
        {
            pending.push((i + 1, j + 1));
        }
    }
    false
}

/// `*` matches any run of characters (including none); everything else literally.
fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_patterns_follow_pubnub_rules() {
        let p = ChannelPattern::parse("webex.*").unwrap();
        assert!(p.matches("webex.alice.room1"));
        assert!(p.matches("webex.alice"));
        assert!(!p.matches("webex."));
        assert!(!p.matches("webexx.alice"));
        let p = ChannelPattern::parse("a.b.*").unwrap();
        assert!(p.matches("a.b.c") && !p.matches("a.c.d"));
        assert!(ChannelPattern::parse("a.b.c.*").is_err());
        assert!(ChannelPattern::parse("a*").is_err());
        assert!(ChannelPattern::parse("*").is_err());
        assert!(
            ChannelPattern::parse("webex-user-update")
                .unwrap()
                .matches("webex-user-update")
        );
    }

    #[test]
    fn path_patterns_glob() {
        let p = PathPattern::parse("counter").unwrap();
        assert!(p.matches("counter") && p.matches("/counter") && !p.matches("counter/x"));
        let p = PathPattern::parse("users/*/profile").unwrap();
        assert!(p.matches("users/alice/profile"));
        assert!(!p.matches("users/alice/settings"));
        let p = PathPattern::parse("webhook*").unwrap();
        assert!(p.matches("webhook") && p.matches("webhook/alice"));
        assert!(PathPattern::parse("").is_err());
    }

    #[test]
    fn overlapping_paths_are_detected() {
        let a = PathPattern::parse("api/*").unwrap();
        assert!(a.overlaps(&PathPattern::parse("api/users").unwrap()));
        assert!(!a.overlaps(&PathPattern::parse("counter").unwrap()));
        assert!(a.overlaps(&PathPattern::parse("api/*").unwrap()));
        let overlap = |x: &str, y: &str| {
            let (x, y) = (
                PathPattern::parse(x).unwrap(),
                PathPattern::parse(y).unwrap(),
            );
            assert_eq!(x.overlaps(&y), y.overlaps(&x));
            x.overlaps(&y)
        };
        // Both globs: "abc" matches both, though neither matches the other's literal parts.
        assert!(overlap("a*c", "ab*"));
        assert!(overlap("items/*/x", "items/a*"));
        assert!(overlap("*a", "b*"));
        assert!(overlap("*", "counter"));
        assert!(overlap("counter", "counter"));
        assert!(!overlap("x*y", "x*z"));
        assert!(!overlap("a*c", "b*"));
        assert!(!overlap("counter", "count"));
        assert!(!overlap("users/*/profile", "users/*/settings"));
    }
}
