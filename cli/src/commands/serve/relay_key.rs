//! The relay's key file: 32 random bytes in base64, the key the relay seals
//! Webex tokens with in KV (its vault secret `TOKEN_KEY`). It lives outside
//! the data directory — by default in the user's configuration directory —
//! so a copy of the data directory holds only sealed tokens. Created on first
//! use (mode 0600); its contents are never printed or logged.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Bytes in a key.
const KEY_LEN: usize = 32;

/// `$XDG_CONFIG_HOME/pigdin/relay.key`, else `$HOME/.config/pigdin/relay.key`.
pub fn default_path() -> anyhow::Result<PathBuf> {
    default_path_from(|name| std::env::var_os(name))
}

fn default_path_from(var: impl Fn(&str) -> Option<OsString>) -> anyhow::Result<PathBuf> {
    let from_env = |name: &str| {
        var(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let config = from_env("XDG_CONFIG_HOME")
        .or_else(|| from_env("HOME").map(|home| home.join(".config")))
        .context(
            "neither XDG_CONFIG_HOME nor HOME is set to where the relay key file could go: \
             pass --relay-key-file PATH (or PIGDIN_RELAY_KEY_FILE), outside the data directory",
        )?;
    Ok(config.join("pigdin").join("relay.key"))
}

/// The key in `path` (base64, as the file holds it), made first when the
/// file does not exist.
pub fn load_or_create(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(error) => Err(error).with_context(|| {
            format!(
                "cannot read the relay key file {} (pass another with --relay-key-file)",
                path.display()
            )
        }),
    }
}

/// Checks the file's text is a key; never repeats the text.
fn parse(path: &Path, text: &str) -> anyhow::Result<String> {
    let text = text.trim();
    let length = STANDARD.decode(text).map(|bytes| bytes.len());
    if length != Ok(KEY_LEN) {
        bail!(
            "the relay key file {} does not hold a key ({KEY_LEN} bytes in base64, as pigdin writes it): \
             restore the file this server used, or move it away so a new key is made \
             (users set up under the old key then need `pigdin create-user` again)",
            path.display()
        );
    }
    warn_if_readable_by_others(path);
    Ok(text.to_owned())
}

fn create(path: &Path) -> anyhow::Result<String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .with_context(|| {
                format!(
                    "cannot create {} for the relay key file (pass another path with --relay-key-file)",
                    parent.display()
                )
            })?;
    }
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key)
        .map_err(|e| anyhow::anyhow!("no randomness for the relay key: {e}"))?;
    let text = STANDARD.encode(key);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        // Another server made it meanwhile: use that one.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return load_or_create(path);
        }
        Err(error) => {
            return Err(error).with_context(|| {
                format!(
                    "cannot create the relay key file {} (pass another path with --relay-key-file)",
                    path.display()
                )
            });
        }
    };
    file.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the relay key file {}", path.display()))?;
    tracing::info!(path = %path.display(), "made a new relay key file");
    Ok(text)
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the relay key file can be read by other users; `chmod 600` it"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_in_the_configuration_directory() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| OsString::from(value))
            }
        };
        let path = |vars| default_path_from(env(vars)).ok();
        assert_eq!(
            path(&[("XDG_CONFIG_HOME", "/x/config"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/x/config/pigdin/relay.key"))
        );
        assert_eq!(
            path(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.config/pigdin/relay.key"))
        );
        assert_eq!(
            path(&[("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.config/pigdin/relay.key"))
        );
        let error = default_path_from(env(&[])).unwrap_err().to_string();
        assert!(error.contains("--relay-key-file"), "{error}");
    }

    #[test]
    fn a_missing_file_is_made_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/relay.key");
        let made = load_or_create(&path).unwrap();
        assert_eq!(STANDARD.decode(&made).unwrap().len(), KEY_LEN);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create(&path).unwrap(), made);
        let other = load_or_create(&dir.path().join("other.key")).unwrap();
        assert_ne!(other, made, "each file gets its own random key");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.key");
        for text in ["not-a-key-at-all", &STANDARD.encode([1u8; 16])] {
            std::fs::write(&path, text).unwrap();
            let error = format!("{:#}", load_or_create(&path).unwrap_err());
            assert!(error.contains("does not hold a key"), "{error}");
            assert!(error.contains("move it away"), "{error}");
            assert!(!error.contains(text), "{error}");
        }
    }
}
