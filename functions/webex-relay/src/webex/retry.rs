//! When to try a Webex call again, and after how long.

use std::time::Duration;

/// Webex's Python SDK waits this long when a 429 has no `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(15);
/// Rate-limit retries of one call; beyond this Webex is not letting up.
const MAX_RATE_LIMIT_RETRIES: u32 = 2;
/// Server-error retries of one call, with a short doubling pause.
const MAX_SERVER_ERROR_RETRIES: u32 = 2;
const SERVER_ERROR_PAUSE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Final: a success, or an error retrying will not fix.
    No,
    /// Try again after this pause.
    After(Duration),
}

/// What to do after the `retries_so_far`-th retry answered `status`.
pub fn decide(status: u16, retry_after: Option<&str>, retries_so_far: u32) -> Retry {
    match status {
        // 423 is what Webex sometimes sends instead of 429.
        429 | 423 if retries_so_far < MAX_RATE_LIMIT_RETRIES => {
            Retry::After(parse_retry_after(retry_after))
        }
        500 | 502 | 503 | 504 if retries_so_far < MAX_SERVER_ERROR_RETRIES => {
            Retry::After(SERVER_ERROR_PAUSE * 2u32.pow(retries_so_far))
        }
        _ => Retry::No,
    }
}

/// `Retry-After` in seconds, never below 1 s (as Webex's SDK does).
fn parse_retry_after(header: Option<&str>) -> Duration {
    header
        .and_then(|h| h.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs.max(1)))
        .unwrap_or(DEFAULT_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_wait_as_told_at_least_a_second() {
        assert_eq!(
            decide(429, Some("3"), 0),
            Retry::After(Duration::from_secs(3))
        );
        assert_eq!(
            decide(429, Some("0"), 0),
            Retry::After(Duration::from_secs(1))
        );
        assert_eq!(decide(423, None, 1), Retry::After(DEFAULT_RETRY_AFTER));
        assert_eq!(decide(429, Some("1"), 2), Retry::No);
    }

    #[test]
    fn server_errors_retry_twice_with_growing_pauses() {
        assert_eq!(
            decide(500, None, 0),
            Retry::After(Duration::from_millis(100))
        );
        assert_eq!(
            decide(503, None, 1),
            Retry::After(Duration::from_millis(200))
        );
        assert_eq!(decide(500, None, 2), Retry::No);
    }

    #[test]
    fn other_answers_are_final() {
        for status in [200, 204, 400, 401, 403, 404] {
            assert_eq!(decide(status, Some("1"), 0), Retry::No);
        }
    }
}
