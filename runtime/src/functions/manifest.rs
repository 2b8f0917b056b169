//! `module.toml`: a module's name, its functions and their bindings, limits
//! and allowed outbound hosts. Parsed strictly so a typo is an error, not a
//! silently ignored setting.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::limits::{LimitOverrides, Limits};
use super::patterns::{ChannelPattern, PathPattern};

/// The event a function is bound to (the WIT `event-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    BeforePublish,
    AfterPublish,
    BeforeSignal,
    AfterSignal,
    AfterPresence,
    OnRequest,
    OnInterval,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::BeforePublish => "before-publish",
            Self::AfterPublish => "after-publish",
            Self::BeforeSignal => "before-signal",
            Self::AfterSignal => "after-signal",
            Self::AfterPresence => "after-presence",
            Self::OnRequest => "on-request",
            Self::OnInterval => "on-interval",
        }
    }

    fn binds_channels(self) -> bool {
        !matches!(self, Self::OnRequest | Self::OnInterval)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The manifest as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    /// Hosts `xhr` may reach; absent means any.
    #[serde(default)]
    pub allowed_hosts: Option<Vec<String>>,
    /// A prebuilt component, relative to the module directory, instead of building the crate.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default, skip_serializing_if = "LimitOverrides::is_empty")]
    pub limits: LimitOverrides,
    #[serde(rename = "function", default)]
    pub functions: Vec<FunctionManifest>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionManifest {
    pub name: String,
    pub event: EventKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_secs: Option<u64>,
    /// The JavaScript file (relative to the module directory) whose default
    /// export handles this function; absent for functions in the component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "LimitOverrides::is_empty")]
    pub limits: LimitOverrides,
}

/// A function ready to bind: patterns parsed, limits resolved.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub event: EventKind,
    pub binding: Binding,
    pub limits: Limits,
    /// The JavaScript file that handles it (JavaScript modules only).
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Binding {
    Channels(Vec<ChannelPattern>),
    Path(PathPattern),
    Interval(std::time::Duration),
}

impl std::fmt::Display for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Binding::Channels(patterns) => {
                let names: Vec<String> = patterns.iter().map(ToString::to_string).collect();
                write!(f, "channels {}", names.join(", "))
            }
            Binding::Path(path) => write!(f, "path /{}", path.as_str()),
            Binding::Interval(every) => write!(f, "every {}s", every.as_secs()),
        }
    }
}

/// What is wrong with a module's manifest: the problem and its fix, in words
/// a deploy refusal shows as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(String);

/// The longest On Interval period, as on the hosted service.
const MAX_INTERVAL_SECS: u64 = 3600;

impl Manifest {
    /// Parses `module.toml` text; errors name the problem and the fix.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        toml::from_str(text).map_err(|e| ManifestError(format!("invalid module.toml: {e}")))
    }

    /// Checks everything that can be checked without the component, and
    /// resolves each function's bindings and limits.
    pub fn resolve(&self) -> Result<Vec<FunctionSpec>, ManifestError> {
        self.resolve_functions().map_err(ManifestError)
    }

    fn resolve_functions(&self) -> Result<Vec<FunctionSpec>, String> {
        validate_module_name(&self.name).map_err(|e| e.0)?;
        if self.functions.is_empty() {
            return Err(format!(
                "module {:?} declares no functions; add a [[function]] table",
                self.name
            ));
        }
        if let Some(hosts) = &self.allowed_hosts
            && let Some(bad) = hosts.iter().find(|h| h.is_empty() || h.contains('/'))
        {
            return Err(format!(
                "allowed_hosts entry {bad:?} is not a host name (write e.g. \"webexapis.com\" or \"127.0.0.1:9000\")"
            ));
        }
        let javascript = self.functions.iter().filter(|f| f.source.is_some()).count();
        if javascript != 0 && javascript != self.functions.len() {
            return Err(format!(
                "module {:?} mixes JavaScript functions (with `source = \"file.js\"`) and component functions; a module is one or the other",
                self.name
            ));
        }
        if javascript != 0 && self.component.is_some() {
            return Err(format!(
                "module {:?} names both a `component` and JavaScript `source` files; drop one",
                self.name
            ));
        }
        let module_limits = Limits::default().with(&self.limits);
        let mut seen = HashSet::new();
        self.functions
            .iter()
            .map(|f| {
                if !seen.insert(f.name.as_str()) {
                    return Err(format!("function {:?} is declared twice", f.name));
                }
                f.resolve(module_limits)
                    .map_err(|e| format!("function {:?}: {e}", f.name))
            })
            .collect()
    }
}

impl FunctionManifest {
    fn resolve(&self, module_limits: Limits) -> Result<FunctionSpec, String> {
        if self.name.is_empty() || self.name.len() > 64 {
            return Err("a function name must have 1 to 64 characters".into());
        }
        let event = self.event;
        let (has_channels, has_path, has_interval) = (
            !self.channels.is_empty(),
            self.path.is_some(),
            self.interval_secs.is_some(),
        );
        let binding = match event {
            EventKind::OnRequest => {
                if has_channels || has_interval {
                    return Err("an on-request function takes `path` only".into());
                }
                let path = self
                    .path
                    .as_deref()
                    .ok_or("an on-request function needs `path = \"...\"`")?;
                Binding::Path(PathPattern::parse(path)?)
            }
            EventKind::OnInterval => {
                if has_channels || has_path {
                    return Err("an on-interval function takes `interval_secs` only".into());
                }
                let secs = self
                    .interval_secs
                    .ok_or("an on-interval function needs `interval_secs = N`")?;
                if !(1..=MAX_INTERVAL_SECS).contains(&secs) {
                    return Err(format!(
                        "interval_secs must be between 1 and {MAX_INTERVAL_SECS}, got {secs}"
                    ));
                }
                Binding::Interval(std::time::Duration::from_secs(secs))
            }
            _ => {
                debug_assert!(event.binds_channels());
                if has_path || has_interval {
                    return Err(format!("a {event} function takes `channels` only"));
                }
                if !has_channels {
                    return Err(format!(
                        "a {event} function needs `channels = [\"...\"]` (a channel, or `prefix.*`)"
                    ));
                }
                Binding::Channels(
                    self.channels
                        .iter()
                        .map(|c| ChannelPattern::parse(c))
                        .collect::<Result<_, _>>()?,
                )
            }
        };
        let limits = module_limits.with(&self.limits);
        limits.validate()?;
        if let Some(source) = &self.source {
            validate_source_name(source)?;
        }
        Ok(FunctionSpec {
            name: self.name.clone(),
            event,
            binding,
            limits,
            source: self.source.clone(),
        })
    }
}

impl Manifest {
    /// Whether the module's functions are JavaScript (`source = "file.js"`).
    pub fn is_javascript(&self) -> bool {
        self.functions.iter().any(|f| f.source.is_some())
    }
}

/// A JavaScript file name: relative, inside the module directory, `.js` or `.mjs`.
pub fn validate_source_name(source: &str) -> Result<(), String> {
    let path = std::path::Path::new(source);
    let inside = !source.is_empty()
        && path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    let javascript = path.extension().is_some_and(|e| e == "js" || e == "mjs");
    if inside && javascript {
        Ok(())
    } else {
        Err(format!(
            "source {source:?} must be a .js file inside the module directory (e.g. \"filter.js\" or \"handlers/filter.js\")"
        ))
    }
}

pub fn validate_module_name(name: &str) -> Result<(), ManifestError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(ManifestError(format!(
            "module name {name:?} is invalid: use 1 to 64 lower-case letters, digits and `-`"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "counter"
[limits]
xhr_calls = 2

[[function]]
name = "counter"
event = "on-request"
path = "counter"

[[function]]
name = "filter"
event = "before-publish"
channels = ["chat.*"]
[function.limits]
wall_time_ms = 500

[[function]]
name = "tick"
event = "on-interval"
interval_secs = 5
"#;

    #[test]
    fn a_good_manifest_resolves() {
        let specs = Manifest::parse(GOOD).unwrap().resolve().unwrap();
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[0].limits.xhr_calls, 2);
        assert_eq!(specs[1].limits.wall_time_ms, 500);
        assert_eq!(specs[1].limits.xhr_calls, 2);
        assert!(matches!(specs[2].binding, Binding::Interval(d) if d.as_secs() == 5));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| {
            Manifest::parse(text)
                .and_then(|m| m.resolve().map(|_| ()))
                .unwrap_err()
                .to_string()
        };
        assert!(err("name = \"x\"\nbogus = 1").contains("unknown field `bogus`"));
        assert!(
            err("name = \"Bad Name\"\n[[function]]\nname=\"f\"\nevent=\"on-request\"\npath=\"p\"")
                .contains("module name")
        );
        assert!(
            err("name = \"x\"\n[[function]]\nname=\"f\"\nevent=\"on-request\"")
                .contains("needs `path")
        );
        assert!(
            err("name = \"x\"\n[[function]]\nname=\"f\"\nevent=\"on-publish\"\npath=\"p\"")
                .contains("unknown variant")
        );
        assert!(err("name = \"x\"\n[[function]]\nname=\"f\"\nevent=\"before-publish\"\nchannels=[\"a*\"]").contains("`*`"));
        assert!(err("name = \"x\"").contains("declares no functions"));
        assert!(
            err("name = \"x\"\n[[function]]\nname=\"f\"\nevent=\"on-interval\"\ninterval_secs=0")
                .contains("interval_secs")
        );
    }
}
