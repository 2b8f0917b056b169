//! PubNub timetokens: 17-digit counts of 100 ns since the Unix epoch,
//! strictly increasing even when the wall clock stalls or steps back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Default)]
pub struct TimetokenClock {
    last: AtomicU64,
}

impl TimetokenClock {
    /// The current time as a timetoken, without reserving it.
    pub fn now(&self) -> u64 {
        wall_clock().max(self.last.load(Ordering::Acquire))
    }

    /// A timetoken greater than every one handed out before.
    pub fn next(&self) -> u64 {
        let wall = wall_clock();
        let mut last = self.last.load(Ordering::Acquire);
        loop {
            let candidate = wall.max(last + 1);
            match self.last.compare_exchange_weak(
                last,
                candidate,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return candidate,
                Err(actual) => last = actual,
            }
        }
    }
}

fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_nanos() / 100) as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timetokens_are_17_digits_and_strictly_increasing() {
        let clock = TimetokenClock::default();
        let mut previous = 0;
        for _ in 0..10_000 {
            let tt = clock.next();
            assert!(tt > previous);
            assert_eq!(tt.to_string().len(), 17);
            previous = tt;
        }
    }
}
