//! Replays of signed requests inside the clock-skew window.
//!
//! Outside the window a replay fails on its stale `timestamp`. Inside it,
//! a request is a replay when its signature was already seen *and* it
//! carries the JS SDK's unique `requestid`: two identical requests without
//! one (the Python SDK sends none) may both be genuine, so those are left to
//! the timestamp window alone.

use std::collections::{HashSet, VecDeque};

use parking_lot::Mutex;

#[derive(Default)]
pub struct SeenSignatures {
    inner: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    signatures: HashSet<String>,
    /// `(forget after, signature)` in arrival order, to prune by age.
    order: VecDeque<(i64, String)>,
}

impl SeenSignatures {
    /// Records `signature`; false when it was already seen within `window_secs`.
    pub fn first_use(&self, signature: &str, now_secs: i64, window_secs: i64) -> bool {
        let mut seen = self.inner.lock();
        while let Some((forget_after, _)) = seen.order.front() {
            if *forget_after >= now_secs {
                break;
            }
            if let Some((_, old)) = seen.order.pop_front() {
                seen.signatures.remove(&old);
            }
        }
        if !seen.signatures.insert(signature.to_owned()) {
            return false;
        }
        // A timestamp is accepted up to `window_secs` either side of now, so
        // the same signature stays acceptable for twice the window.
        seen.order
            .push_back((now_secs + 2 * window_secs, signature.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_accepted_once_per_window() {
        let seen = SeenSignatures::default();
        assert!(seen.first_use("a", 100, 60));
        assert!(!seen.first_use("a", 150, 60));
        assert!(seen.first_use("b", 150, 60));
        // Long after, "a" is forgotten (its timestamp would be stale anyway).
        assert!(seen.first_use("a", 221, 60));
    }
}
