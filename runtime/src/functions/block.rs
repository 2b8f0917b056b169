//! A PubNub BLOCKS project as people keep it in git — `block.json` with its
//! `event_handlers` (as the PubNub CLI writes it), each naming its `file` —
//! read as a module manifest, so `pigdin deploy DIR` takes it unedited.

use serde::Deserialize;

use super::limits::LimitOverrides;
use super::manifest::{EventKind, FunctionManifest, Manifest};

#[derive(Deserialize)]
struct Block {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    event_handlers: Vec<EventHandler>,
}

#[derive(Deserialize)]
struct EventHandler {
    #[serde(default)]
    name: Option<String>,
    event: String,
    /// One channel, or several separated by commas (the CLI writes a string).
    #[serde(default)]
    channels: Option<Channels>,
    #[serde(default)]
    path: Option<String>,
    /// Seconds between On Interval runs.
    #[serde(default, alias = "interval_secs")]
    interval: Option<u64>,
    #[serde(default)]
    file: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Channels {
    One(String),
    Many(Vec<String>),
}

/// What an On Interval handler without an `interval` runs at.
const DEFAULT_INTERVAL_SECS: u64 = 60;

/// Reads `block.json`; `name` overrides the module name made from the block's.
pub fn manifest_from_block(text: &str, name: Option<&str>) -> Result<Manifest, String> {
    let block: Block =
        serde_json::from_str(text).map_err(|e| format!("invalid block.json: {e}"))?;
    let module = match name {
        Some(name) => name.to_owned(),
        None => slug(block.name.as_deref().unwrap_or_default()),
    };
    if block.event_handlers.is_empty() {
        return Err("block.json has no event_handlers".into());
    }
    let mut functions: Vec<FunctionManifest> = Vec::new();
    for (i, handler) in block.event_handlers.into_iter().enumerate() {
        let label = handler
            .name
            .clone()
            .unwrap_or_else(|| format!("#{}", i + 1));
        let event = event_kind(&handler.event)
            .ok_or_else(|| format!("event handler {label:?}: unknown event {:?} (known: js-before-publish, js-after-publish, js-before-signal, js-after-signal, js-after-presence, js-on-rest, js-on-interval)", handler.event))?;
        let file = handler.file.as_deref().map(|f| f.trim_start_matches('/').to_owned()).ok_or_else(|| {
            format!("event handler {label:?} names no `file` with its code; add \"file\": \"path/to/handler.js\"")
        })?;
        let mut base = slug(handler.name.as_deref().unwrap_or(&handler.event));
        if base.is_empty() {
            base = event.name().to_owned();
        }
        let mut name = base.clone();
        let mut n = 2;
        while functions.iter().any(|f| f.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let channels = match handler.channels {
            Some(Channels::One(list)) => list
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(Channels::Many(list)) => list,
            None => Vec::new(),
        };
        let (channels, path, interval_secs) = match event {
            EventKind::OnRequest => (
                Vec::new(),
                Some(handler.path.unwrap_or_else(|| name.clone())),
                None,
            ),
            EventKind::OnInterval => (
                Vec::new(),
                None,
                Some(handler.interval.unwrap_or(DEFAULT_INTERVAL_SECS)),
            ),
            _ => (channels, None, None),
        };
        functions.push(FunctionManifest {
            name,
            event,
            channels,
            path,
            interval_secs,
            source: Some(file),
            limits: LimitOverrides::default(),
        });
    }
    Ok(Manifest {
        name: module,
        allowed_hosts: None,
        component: None,
        limits: LimitOverrides::default(),
        functions,
    })
}

fn event_kind(event: &str) -> Option<EventKind> {
    Some(match event {
        "js-before-publish" | "js-before-fire" => EventKind::BeforePublish,
        "js-after-publish" | "js-after-fire" => EventKind::AfterPublish,
        "js-before-signal" => EventKind::BeforeSignal,
        "js-after-signal" => EventKind::AfterSignal,
        "js-after-presence" | "js-on-presence" => EventKind::AfterPresence,
        "js-on-rest" | "js-on-request" => EventKind::OnRequest,
        "js-on-interval" => EventKind::OnInterval,
        _ => return None,
    })
}

/// Lower-case letters, digits and single dashes: a module or function name.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLI_BLOCK: &str = r#"{
        "_key_id": 145183, "_id": 40,
        "name": "Email Sendgrid Block", "description": "describe this block",
        "event_handlers": [
            {"_id": 69, "name": "a handler", "event": "js-before-publish", "channels": "input", "file": "/before-publish/sample_handler.js"},
            {"_id": 107, "name": "a handler", "event": "js-after-publish", "channels": "input, audit", "file": "/after-publish/sample_handler.js"},
            {"name": "api", "event": "js-on-rest", "path": "orders/*", "file": "rest.js"},
            {"name": "tick", "event": "js-on-interval", "interval": 30, "file": "tick.js"}
        ]
    }"#;

    #[test]
    fn the_pubnub_cli_block_json_becomes_a_valid_manifest() {
        let manifest = manifest_from_block(CLI_BLOCK, None).unwrap();
        assert_eq!(manifest.name, "email-sendgrid-block");
        let names: Vec<&str> = manifest.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a-handler", "a-handler-2", "api", "tick"]);
        assert_eq!(
            manifest.functions[0].source.as_deref(),
            Some("before-publish/sample_handler.js")
        );
        assert_eq!(manifest.functions[1].channels, ["input", "audit"]);
        assert_eq!(manifest.functions[2].path.as_deref(), Some("orders/*"));
        assert_eq!(manifest.functions[3].interval_secs, Some(30));
        let specs = manifest.resolve().unwrap();
        assert_eq!(specs[1].event, EventKind::AfterPublish);
        assert!(manifest.is_javascript());
    }

    #[test]
    fn unknown_events_and_missing_files_are_named() {
        let err = manifest_from_block(
            r#"{"name":"b","event_handlers":[{"name":"x","event":"js-on-moon","file":"x.js"}]}"#,
            None,
        )
        .unwrap_err();
        assert!(err.contains("unknown event \"js-on-moon\""), "{err}");
        let err = manifest_from_block(r#"{"name":"b","event_handlers":[{"name":"x","event":"js-after-publish","channels":"c"}]}"#, None).unwrap_err();
        assert!(err.contains("names no `file`"), "{err}");
    }

    #[test]
    fn a_name_given_on_the_command_line_wins() {
        let manifest = manifest_from_block(CLI_BLOCK, Some("mail")).unwrap();
        assert_eq!(manifest.name, "mail");
    }
}
