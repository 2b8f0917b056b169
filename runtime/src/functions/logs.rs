//! Handler logs: every line goes to `tracing` and to its module's ring buffer,
//! which `pigdin logs MODULE [--follow]` reads.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Lines kept per module.
const RING_LINES: usize = 1000;
/// Longer lines are cut, and say so.
const MAX_LINE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogEntry {
    /// Unix milliseconds.
    pub time_ms: u64,
    pub module: String,
    pub function: String,
    pub level: LogLevel,
    pub message: String,
}

pub struct LogBook {
    rings: Mutex<HashMap<String, VecDeque<LogEntry>>>,
    live: broadcast::Sender<LogEntry>,
}

impl Default for LogBook {
    fn default() -> Self {
        Self {
            rings: Mutex::default(),
            live: broadcast::channel(1024).0,
        }
    }
}

impl LogBook {
    pub fn record(&self, module: &str, function: &str, level: LogLevel, mut message: String) {
        if message.len() > MAX_LINE_BYTES {
            let cut = (0..=MAX_LINE_BYTES)
                .rev()
                .find(|&i| message.is_char_boundary(i))
                .unwrap_or(0);
            let dropped = message.len() - cut;
            message.truncate(cut);
            message.push_str(&format!(" …[{dropped} more bytes cut]"));
        }
        match level {
            LogLevel::Debug => tracing::debug!(module, function, "{message}"),
            LogLevel::Info => tracing::info!(module, function, "{message}"),
            LogLevel::Warn => tracing::warn!(module, function, "{message}"),
            LogLevel::Error => tracing::error!(module, function, "{message}"),
        }
        let entry = LogEntry {
            time_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            module: module.to_owned(),
            function: function.to_owned(),
            level,
            message,
        };
        {
            let mut rings = self.rings.lock();
            let ring = rings.entry(module.to_owned()).or_default();
            if ring.len() == RING_LINES {
                ring.pop_front();
            }
            ring.push_back(entry.clone());
        }
        let _ = self.live.send(entry);
    }

    /// The module's buffered lines, oldest first.
    pub fn recent(&self, module: &str) -> Vec<LogEntry> {
        self.rings
            .lock()
            .get(module)
            .map(|ring| ring.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every line recorded from now on (filter by module yourself).
    pub fn follow(&self) -> broadcast::Receiver<LogEntry> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_latest_lines_and_marks_cuts() {
        let book = LogBook::default();
        for i in 0..RING_LINES + 5 {
            book.record("m", "f", LogLevel::Info, format!("line {i}"));
        }
        let lines = book.recent("m");
        assert_eq!(lines.len(), RING_LINES);
        assert_eq!(lines[0].message, "line 5");
        book.record("m", "f", LogLevel::Info, "x".repeat(MAX_LINE_BYTES + 10));
        let last = book.recent("m").pop().unwrap();
        assert!(
            last.message.ends_with("[10 more bytes cut]"),
            "{}",
            &last.message[4000..]
        );
        assert!(book.recent("other").is_empty());
    }
}
