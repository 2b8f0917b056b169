//! Sealing at rest: XChaCha20-Poly1305 under the relay's 32-byte key
//! (`TOKEN_KEY`), with a random 24-byte nonce per seal. The sealed text is
//! base64 (standard, padded) of `nonce || ciphertext+tag`. A context (the KV
//! key) is bound as associated data, so a sealed value moved to another key
//! does not open either.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Bytes in a key.
pub const KEY_LEN: usize = 32;
/// Bytes in an XChaCha20 nonce.
const NONCE_LEN: usize = 24;
/// Bytes in the Poly1305 tag.
const TAG_LEN: usize = 16;

/// A sealing key. Its bytes are never shown (`Debug` hides them).
#[derive(Clone)]
pub struct Key([u8; KEY_LEN]);

impl Key {
    /// A key from its base64 text (surrounding whitespace ignored). The error
    /// says what is wrong without repeating the text.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "it is not base64".to_owned())?;
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| format!("it holds {} bytes, not {KEY_LEN}", bytes.len()))?;
        Ok(Self(bytes))
    }

    #[cfg(test)]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

/// Why a sealed text did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Not base64, or too short to hold a nonce and a tag.
    Malformed,
    /// The tag does not verify: another key sealed it, or it was altered
    /// (the two cannot be told apart).
    NotAuthentic,
}

/// `plaintext` sealed under `key`, bound to `context`.
pub fn seal(key: &Key, plaintext: &[u8], context: &[u8]) -> Result<String, String> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|e| format!("no randomness for a nonce: {e}"))?;
    let ciphertext = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: context,
            },
        )
        .map_err(|_| "encryption failed".to_owned())?;
    Ok(STANDARD.encode([&nonce[..], &ciphertext].concat()))
}

/// The plaintext of `sealed`, if `key` sealed it for `context` and nothing changed.
pub fn open(key: &Key, sealed: &str, context: &[u8]) -> Result<Vec<u8>, OpenError> {
    let bytes = STANDARD.decode(sealed).map_err(|_| OpenError::Malformed)?;
    if bytes.len() < NONCE_LEN + TAG_LEN {
        return Err(OpenError::Malformed);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    key.cipher()
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .map_err(|_| OpenError::NotAuthentic)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = br#"{"accessToken":"at-123","refreshToken":"rt-456"}"#;

    fn key(byte: u8) -> Key {
        Key::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn round_trip() {
        let sealed = seal(&key(7), PLAIN, b"user:a").unwrap();
        assert_eq!(open(&key(7), &sealed, b"user:a").unwrap(), PLAIN);
    }

    #[test]
    fn the_sealed_text_hides_the_plaintext_and_differs_each_time() {
        let first = seal(&key(7), PLAIN, b"user:a").unwrap();
        let second = seal(&key(7), PLAIN, b"user:a").unwrap();
        assert_ne!(first, second, "a fresh nonce each time");
        let bytes = STANDARD.decode(&first).unwrap();
        assert_eq!(bytes.len(), NONCE_LEN + PLAIN.len() + TAG_LEN);
        assert!(!bytes.windows(6).any(|w| w == b"at-123"));
    }

    #[test]
    fn a_wrong_key_fails() {
        let sealed = seal(&key(7), PLAIN, b"user:a").unwrap();
        assert_eq!(
            open(&key(8), &sealed, b"user:a"),
            Err(OpenError::NotAuthentic)
        );
    }

    #[test]
    fn tampered_text_fails() {
        let sealed = seal(&key(7), PLAIN, b"user:a").unwrap();
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        for at in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[at] ^= 1;
            let tampered = STANDARD.encode(&bytes);
            assert_eq!(
                open(&key(7), &tampered, b"user:a"),
                Err(OpenError::NotAuthentic),
                "byte {at} flipped"
            );
            bytes[at] ^= 1;
        }
        let truncated = STANDARD.encode(&bytes[..bytes.len() - 1]);
        assert_eq!(
            open(&key(7), &truncated, b"user:a"),
            Err(OpenError::NotAuthentic)
        );
    }

    #[test]
    fn another_context_fails() {
        let sealed = seal(&key(7), PLAIN, b"user:a").unwrap();
        assert_eq!(
            open(&key(7), &sealed, b"user:b"),
            Err(OpenError::NotAuthentic)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(open(&key(7), "not base64!", b""), Err(OpenError::Malformed));
        assert_eq!(
            open(&key(7), &STANDARD.encode([0u8; 30]), b""),
            Err(OpenError::Malformed)
        );
    }

    #[test]
    fn keys_parse_from_base64_of_32_bytes_only() {
        let text = STANDARD.encode([9u8; KEY_LEN]);
        let parsed = Key::from_base64(&format!("{text}\n")).unwrap();
        let sealed = seal(&parsed, PLAIN, b"").unwrap();
        assert_eq!(open(&key(9), &sealed, b"").unwrap(), PLAIN);
        assert_eq!(
            Key::from_base64(&STANDARD.encode([9u8; 16])).unwrap_err(),
            "it holds 16 bytes, not 32"
        );
        assert_eq!(Key::from_base64("%%%").unwrap_err(), "it is not base64");
        assert_eq!(format!("{parsed:?}"), "Key(..)");
    }
}
