//! Per-execution limits, defaulting to the hosted PubNub Functions service's,
//! and the budget counters that enforce them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Limits of one execution. Every field can be overridden per module and per function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub wall_time_ms: u64,
    pub memory_mib: u32,
    pub xhr_calls: u32,
    pub kv_calls: u32,
    pub publishes: u32,
    pub max_key_len: u32,
    pub max_value_len: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            wall_time_ms: 10_000,
            memory_mib: 128,
            xhr_calls: 5,
            kv_calls: 10,
            publishes: 10,
            max_key_len: 1_000,
            max_value_len: 32_000,
        }
    }
}

/// Limits as written in a manifest: any subset of the fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    pub wall_time_ms: Option<u64>,
    pub memory_mib: Option<u32>,
    pub xhr_calls: Option<u32>,
    pub kv_calls: Option<u32>,
    pub publishes: Option<u32>,
    pub max_key_len: Option<u32>,
    pub max_value_len: Option<u32>,
}

impl LimitOverrides {
    /// Nothing overridden (so a generated manifest leaves the table out).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The largest memory cap a manifest may ask for; the instance pool reserves this much per slot.
pub const MAX_MEMORY_MIB: u32 = 1024;

impl Limits {
    pub fn with(self, o: &LimitOverrides) -> Self {
        Self {
            wall_time_ms: o.wall_time_ms.unwrap_or(self.wall_time_ms),
            memory_mib: o.memory_mib.unwrap_or(self.memory_mib),
            xhr_calls: o.xhr_calls.unwrap_or(self.xhr_calls),
            kv_calls: o.kv_calls.unwrap_or(self.kv_calls),
            publishes: o.publishes.unwrap_or(self.publishes),
            max_key_len: o.max_key_len.unwrap_or(self.max_key_len),
            max_value_len: o.max_value_len.unwrap_or(self.max_value_len),
        }
    }

    pub fn wall_time(&self) -> Duration {
        Duration::from_millis(self.wall_time_ms)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=300_000).contains(&self.wall_time_ms) {
            return Err(format!(
                "wall_time_ms must be between 1 and 300000, got {}",
                self.wall_time_ms
            ));
        }
        if !(1..=MAX_MEMORY_MIB).contains(&self.memory_mib) {
            return Err(format!(
                "memory_mib must be between 1 and {MAX_MEMORY_MIB}, got {}",
                self.memory_mib
            ));
        }
        if self.max_key_len == 0 || self.max_value_len == 0 {
            return Err("max_key_len and max_value_len must be positive".into());
        }
        Ok(())
    }
}

/// A budgeted kind of host call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budgeted {
    Xhr,
    Kv,
    Publish,
}

/// A limit an execution can go over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    WallTime,
    Memory,
    Calls(Budgeted),
}

impl Limit {
    /// The `[limits]` key in module.toml that raises it.
    pub fn key(self) -> &'static str {
        match self {
            Self::WallTime => "wall_time_ms",
            Self::Memory => "memory_mib",
            Self::Calls(Budgeted::Xhr) => "xhr_calls",
            Self::Calls(Budgeted::Kv) => "kv_calls",
            Self::Calls(Budgeted::Publish) => "publishes",
        }
    }

    /// Its value in `limits`.
    pub fn configured(self, limits: &Limits) -> u64 {
        match self {
            Self::WallTime => limits.wall_time_ms,
            Self::Memory => limits.memory_mib.into(),
            Self::Calls(Budgeted::Xhr) => limits.xhr_calls.into(),
            Self::Calls(Budgeted::Kv) => limits.kv_calls.into(),
            Self::Calls(Budgeted::Publish) => limits.publishes.into(),
        }
    }
}

/// An execution went over one of its limits; it traps with this error, and
/// the executor recognises it by type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct LimitExceeded {
    pub limit: Limit,
    /// The limit's value for this function.
    pub configured: u64,
    /// The host call that was waiting when the wall time ran out, if any.
    pub during: Option<&'static str>,
}

impl LimitExceeded {
    pub fn new(limit: Limit, limits: &Limits) -> Self {
        Self {
            limit,
            configured: limit.configured(limits),
            during: None,
        }
    }

    pub fn during(self, call: &'static str) -> Self {
        Self {
            during: Some(call),
            ..self
        }
    }

    fn describe(&self) -> String {
        let n = self.configured;
        let what = match self.limit {
            Limit::WallTime => format!("exceeded its wall time of {n} ms"),
            Limit::Memory => format!("exceeded its memory limit of {n} MiB"),
            Limit::Calls(kind) => {
                let calls = match kind {
                    Budgeted::Xhr => "xhr calls",
                    Budgeted::Kv => "KV calls",
                    Budgeted::Publish => "publishes",
                };
                format!("budget exceeded: more than {n} {calls} in one execution")
            }
        };
        let during = self
            .during
            .map(|call| format!(" during {call}"))
            .unwrap_or_default();
        format!(
            "{what}{during} (raise `{}` under [limits] in module.toml)",
            self.limit.key()
        )
    }
}

/// What one execution has used so far.
#[derive(Debug, Default)]
pub struct Budget {
    xhr: u32,
    kv: u32,
    publishes: u32,
}

impl Budget {
    /// Counts one call; an error (which traps the execution) once over the limit.
    pub fn spend(&mut self, kind: Budgeted, limits: &Limits) -> Result<(), LimitExceeded> {
        let used = match kind {
            Budgeted::Xhr => &mut self.xhr,
            Budgeted::Kv => &mut self.kv,
            Budgeted::Publish => &mut self.publishes,
        };
        let limit = LimitExceeded::new(Limit::Calls(kind), limits);
        if u64::from(*used) >= limit.configured {
            return Err(limit);
        }
        *used += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_allows_exactly_the_limit() {
        let limits = Limits::default();
        let mut budget = Budget::default();
        for _ in 0..5 {
            budget.spend(Budgeted::Xhr, &limits).unwrap();
        }
        let err = budget
            .spend(Budgeted::Xhr, &limits)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 5 xhr calls"), "{err}");
        budget.spend(Budgeted::Kv, &limits).unwrap();
    }

    #[test]
    fn overrides_apply_field_by_field() {
        let limits = Limits::default().with(&LimitOverrides {
            xhr_calls: Some(1),
            ..Default::default()
        });
        assert_eq!(limits.xhr_calls, 1);
        assert_eq!(limits.kv_calls, 10);
    }
}
