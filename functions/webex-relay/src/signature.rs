//! `X-Spark-Signature`: hex HMAC-SHA1 of the raw webhook body, keyed by the
//! webhook's secret.

use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The signature Webex sends for `body` under `secret` (what the tests forge with).
#[cfg(test)]
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` (hex, any case) is `body`'s under `secret`; compared in
/// constant time so a forger learns nothing from timing.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else {
        return false;
    };
    let mut mac = HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// A fresh webhook secret: 32 random bytes, hex.
pub fn new_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a webhook secret: {e}"))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_hmac_sha1() {
        // RFC 2202 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn verifies_its_own_signature_in_any_case() {
        let signature = sign("s3cret", b"{\"id\":1}");
        assert!(verify("s3cret", b"{\"id\":1}", &signature));
        assert!(verify(
            "s3cret",
            b"{\"id\":1}",
            &signature.to_ascii_uppercase()
        ));
    }

    #[test]
    fn rejects_a_wrong_secret_body_or_garbage() {
        let signature = sign("s3cret", b"body");
        assert!(!verify("other", b"body", &signature));
        assert!(!verify("s3cret", b"body!", &signature));
        assert!(!verify("s3cret", b"body", "not hex"));
        assert!(!verify("s3cret", b"body", ""));
    }

    #[test]
    fn secrets_are_random_hex() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
