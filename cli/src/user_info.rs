//! `user-info.json`: a Webex user's identity and OAuth tokens, as written by
//! `pigdin login` or by hand, and read by `create-user`, `delete-user` and `chat`.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// The only platform the relay speaks.
pub const PLATFORM: &str = "webex";
/// What a user-info file holds, for error messages.
const SHAPE: &str = r#"{"platform": "webex", "userId": "...", "access_token": "...", "refresh_token": "...", "expires_in": 1209600}"#;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub user_id: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token has left, when known.
    pub expires_in: Option<u64>,
    /// Seconds the refresh token has left, when known.
    pub refresh_token_expires_in: Option<u64>,
}

impl UserInfo {
    /// Reads and checks `path`; every problem names the file and what to fix.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the user-info file {shown} — check the path, or write one with `pigdin login`"
            )
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{shown} is not valid JSON: {e} (line {}, column {}) — fix the JSON there; the file should look like {SHAPE}",
                e.line(),
                e.column()
            )
        })?;
        Self::from_json(&value).with_context(|| format!("{shown} is not a usable user-info file"))
    }

    /// Checks the fields of a parsed user-info document.
    pub fn from_json(value: &Value) -> anyhow::Result<Self> {
        let Some(object) = value.as_object() else {
            bail!("it must be a JSON object like {SHAPE}");
        };
        let platform = text_field(object, "platform", "the messaging platform, \"webex\"")?;
        if platform != PLATFORM {
            bail!(
                "platform is {platform:?}, but Pigdin supports only \"webex\" — set \"platform\": \"webex\""
            );
        }
        Ok(Self {
            user_id: text_field(
                object,
                "userId",
                "the Webex person id (GET /people/me → id)",
            )?,
            access_token: text_field(object, "access_token", "the Webex OAuth access token")?,
            refresh_token: text_field(object, "refresh_token", "the Webex OAuth refresh token")?,
            expires_in: number_field(object, "expires_in")?,
            refresh_token_expires_in: number_field(object, "refresh_token_expires_in")?,
        })
    }

    /// The JSON written to disk.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "platform": PLATFORM,
            "userId": self.user_id,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
        });
        if let Some(seconds) = self.expires_in {
            value["expires_in"] = seconds.into();
        }
        if let Some(seconds) = self.refresh_token_expires_in {
            value["refresh_token_expires_in"] = seconds.into();
        }
        value
    }
}

fn text_field(object: &Map<String, Value>, name: &str, what: &str) -> anyhow::Result<String> {
    match object.get(name) {
        None | Some(Value::Null) => bail!("missing field \"{name}\" ({what}) — add it"),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => bail!("field \"{name}\" is empty — set it to {what}"),
        Some(other) => bail!("field \"{name}\" must be a string ({what}), not {other}"),
    }
}

fn number_field(object: &Map<String, Value>, name: &str) -> anyhow::Result<Option<u64>> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_u64() {
            Some(seconds) => Ok(Some(seconds)),
            None => bail!("field \"{name}\" must be a whole number of seconds, not {value}"),
        },
    }
}

/// A `USER` argument: a user-info file when such a file exists, else a user
/// id. Returns the user id, and the file when it was one.
pub fn user_from_arg(user: &str) -> anyhow::Result<(String, Option<&Path>)> {
    let path = Path::new(user);
    if path.is_file() {
        return Ok((UserInfo::read(path)?.user_id, Some(path)));
    }
    if user.ends_with(".json") {
        bail!("no file {user} — pass a user-info file that exists, or the Webex user id");
    }
    Ok((user.to_owned(), None))
}

/// Writes `text` to `path`, readable by the owner only (it holds tokens).
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // An existing file keeps its mode on open: tighten it.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Value {
        json!({"platform": "webex", "userId": "U", "access_token": "A", "refresh_token": "R"})
    }

    #[test]
    fn a_complete_document_is_read() {
        let mut value = complete();
        value["expires_in"] = 60.into();
        let info = UserInfo::from_json(&value).unwrap();
        assert_eq!(info.user_id, "U");
        assert_eq!(info.expires_in, Some(60));
        assert_eq!(info.to_json(), value);
    }

    #[test]
    fn each_problem_is_named() {
        let mut slack = complete();
        slack["platform"] = "slack".into();
        let error = UserInfo::from_json(&slack).unwrap_err().to_string();
        assert!(
            error.contains("\"slack\"") && error.contains("only \"webex\""),
            "{error}"
        );

        let mut missing = complete();
        missing.as_object_mut().unwrap().remove("refresh_token");
        let error = UserInfo::from_json(&missing).unwrap_err().to_string();
        assert!(error.contains("missing field \"refresh_token\""), "{error}");

        let mut typed = complete();
        typed["userId"] = 7.into();
        let error = UserInfo::from_json(&typed).unwrap_err().to_string();
        assert!(error.contains("\"userId\" must be a string"), "{error}");

        let error = UserInfo::from_json(&json!([1])).unwrap_err().to_string();
        assert!(error.contains("JSON object"), "{error}");
    }
}
