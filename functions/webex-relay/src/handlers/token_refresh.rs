//! `token-refresh`, On Interval: refreshes the access tokens that expire
//! within the refresh window (`TOKEN_REFRESH_WINDOW_SECS`, default 2 days).

use pigdin_sdk::prelude::*;

use crate::clock::{self, Deadline};
use crate::settings::{self, Settings};
use crate::users;
use crate::webex::Session;

/// Leave a user for the next run when less than this is left of the budget.
const TIME_PER_USER: std::time::Duration = std::time::Duration::from_secs(1);

pub fn handle() -> Result<()> {
    let settings = Settings::load()?;
    // A missing or invalid key fails the run once, not once per user.
    settings::token_key()?;
    let deadline = Deadline::start();
    let now = clock::now_secs();
    let (mut refreshed, mut failures) = (0, Vec::new());
    for user_id in users::all_ids()? {
        if !deadline.allows(TIME_PER_USER) {
            log::warn("token-refresh ran out of time; the remaining users wait for the next run");
            break;
        }
        // One record the relay cannot open (a changed key) leaves the others refreshed.
        let record = match users::load(&user_id) {
            Ok(Some(record)) => record,
            Ok(None) => continue,
            Err(error) => {
                failures.push(error.to_string());
                continue;
            }
        };
        if !is_due(record.expires_at, now, settings.refresh_window_secs) {
            continue;
        }
        match Session::new(&settings, deadline, record, true).refresh() {
            Ok(()) => refreshed += 1,
            Err(error) => failures.push(format!("{user_id}: {error}")),
        }
    }
    log::info(format!("token-refresh: refreshed {refreshed} user(s)"));
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "token-refresh failed for {}",
            failures.join("; ")
        )))
    }
}

/// Whether a token expiring at `expires_at` (0: unknown) needs refreshing now.
fn is_due(expires_at: u64, now: u64, window_secs: u64) -> bool {
    expires_at <= now.saturating_add(window_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_within_the_window_or_when_unknown() {
        let day = 24 * 3600;
        assert!(is_due(1_000 + day, 1_000, 2 * day));
        assert!(is_due(0, 1_000, 2 * day));
        assert!(!is_due(1_000 + 3 * day, 1_000, 2 * day));
    }
}
