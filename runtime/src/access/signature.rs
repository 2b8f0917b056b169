//! Request signatures, computed exactly as the official SDKs compute them.
//!
//! v2 (every request but a Python POST publish):
//! `METHOD\n{pub_key}\n{path as sent}\n{query}\n{body}` where `query` is every
//! parameter but `signature`, sorted by name, `k=pct(v)` joined by `&`, and the
//! body only for POST and PATCH, byte for byte. The value is
//! `"v2." + base64url(HMAC-SHA256)` without padding.
//!
//! A POST publish is the one place the body may go unsigned: JS signs every
//! `/publish` as a bodiless GET, even a POST, and hosted PubNub accepts it.
//! It is also accepted signed as documented (as a POST, body included), and
//! then its body is covered like any other.
//!
//! v1 (Python's POST publish): `{sub_key}\n{pub_key}\n{path}\n{query}`, with
//! no trailing newline and no body; base64url with padding, no prefix.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::AccessError;

/// How far a signed request's `timestamp` may be from the server's clock,
/// either way. PubNub documents no figure; a minute tolerates ordinary clock
/// drift while bounding how long a captured request can be replayed.
pub const CLOCK_SKEW_SECS: i64 = 60;

/// The SDKs leave only `A-Za-z0-9-_.` unencoded (`~` becomes `%7E`).
const PAM_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// What a signature covers, taken from the request as it arrived.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path still percent-encoded, as the client sent it.
    pub path: &'a str,
    /// Decoded query parameters, `signature` included (it is skipped).
    pub params: &'a [(String, String)],
    pub body: &'a [u8],
}

/// `k=pct(v)` pairs sorted by name (then value), without `signature`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> =
        params.iter().filter(|(k, _)| k != "signature").collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, PAM_ENCODE)))
        .collect::<Vec<_>>()
        .join("&")
}

fn hmac(secret: &str, input: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn is_publish(request: &SignedRequest<'_>) -> bool {
    request.path.starts_with("/publish/")
}

/// The v2 signature of a request, as both SDKs send it (a publish as JS
/// signs it: a bodiless GET).
pub fn sign_v2(secret: &str, publish_key: &str, request: &SignedRequest<'_>) -> String {
    let method = if is_publish(request) {
        "GET"
    } else {
        request.method
    };
    sign_v2_as(secret, publish_key, method, request)
}

/// The v2 signature of `request` as if sent with `method`. The body counts,
/// as raw bytes, for POST and PATCH (not decoded: two bodies that differ
/// only in invalid UTF-8 must not sign alike).
fn sign_v2_as(
    secret: &str,
    publish_key: &str,
    method: &str,
    request: &SignedRequest<'_>,
) -> String {
    let mut input = format!(
        "{method}\n{publish_key}\n{}\n{}\n",
        request.path,
        canonical_query(request.params)
    )
    .into_bytes();
    if method == "POST" || method == "PATCH" {
        input.extend_from_slice(request.body);
    }
    format!("v2.{}", URL_SAFE_NO_PAD.encode(hmac(secret, &input)))
}

/// The v1 signature Python sends on a POST publish (padded base64; the
/// Rust SDK sends the same without the padding, see [`verify`]).
pub fn sign_v1(
    secret: &str,
    subscribe_key: &str,
    publish_key: &str,
    request: &SignedRequest<'_>,
) -> String {
    let input = format!(
        "{subscribe_key}\n{publish_key}\n{}\n{}",
        request.path,
        canonical_query(request.params)
    );
    URL_SAFE.encode(hmac(secret, input.as_bytes()))
}

/// Checks `timestamp` and `signature`: Ok means the sender holds the secret key.
pub fn verify(
    secret: &str,
    subscribe_key: &str,
    publish_key: &str,
    request: &SignedRequest<'_>,
    now_secs: i64,
) -> Result<(), AccessError> {
    let param = |name: &str| {
        request
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let signature = param("signature").unwrap_or_default();
    let timestamp = param("timestamp").ok_or_else(|| {
        AccessError::BadRequest(
            "the request is signed but has no `timestamp` parameter (unix seconds, signed with the request)".into(),
        )
    })?;
    let timestamp: i64 = timestamp.parse().map_err(|_| {
        AccessError::BadRequest(format!(
            "`timestamp` must be unix seconds, not {timestamp:?}"
        ))
    })?;
    if (now_secs - timestamp).abs() > CLOCK_SKEW_SECS {
        return Err(AccessError::Denied(format!(
            "Signature timestamp is stale: {timestamp} is {}s from the server's clock ({now_secs}); allowed skew is {CLOCK_SKEW_SECS}s (check the client's clock)",
            now_secs - timestamp
        )));
    }
    let post_publish = request.method == "POST" && is_publish(request);
    let accepted: Vec<String> = if signature.starts_with("v2.") {
        let mut forms = vec![sign_v2(secret, publish_key, request)];
        if post_publish {
            // Signed as documented, the body included.
            forms.push(sign_v2_as(secret, publish_key, "POST", request));
        }
        forms
    } else if post_publish {
        vec![sign_v1(secret, subscribe_key, publish_key, request)]
    } else {
        return Err(AccessError::Denied(
            "Signature Does Not Match: only v2 signatures (`v2.` prefix) are accepted here".into(),
        ));
    };
    // v1 comes padded (Python) or unpadded (the Rust SDK): compare unpadded
    // (v2 has no padding either way).
    let signature = signature.trim_end_matches('=');
    let matches = |expected: &String| {
        bool::from(
            expected
                .trim_end_matches('=')
                .as_bytes()
                .ct_eq(signature.as_bytes()),
        )
    };
    if accepted.iter().any(matches) {
        return Ok(());
    }
    let covers = if request.method == "POST" || request.method == "PATCH" {
        "the method, path, sorted query and body"
    } else {
        "the method, path and sorted query"
    };
    Err(AccessError::Denied(format!(
        "Signature Does Not Match: the request was altered or signed with another secret key (the signature covers {covers})"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_is_sorted_and_pam_encoded() {
        let params = pairs(&[
            ("uuid", "a b~c"),
            ("signature", "x"),
            ("auth", "k*!'()"),
            ("include", "status,type"),
        ]);
        assert_eq!(
            canonical_query(&params),
            "auth=k%2A%21%27%28%29&include=status%2Ctype&uuid=a%20b%7Ec"
        );
    }

    #[test]
    fn v2_signs_method_key_path_query_and_body() {
        let params = pairs(&[("timestamp", "1700000000"), ("uuid", "u")]);
        let get = SignedRequest {
            method: "GET",
            path: "/v2/history/sub-key/s/channel/c",
            params: &params,
            body: b"",
        };
        let expected_input =
            "GET\npub\n/v2/history/sub-key/s/channel/c\ntimestamp=1700000000&uuid=u\n";
        assert_eq!(
            sign_v2("secret", "pub", &get),
            format!(
                "v2.{}",
                URL_SAFE_NO_PAD.encode(hmac("secret", expected_input.as_bytes()))
            )
        );
        let patch = SignedRequest {
            method: "PATCH",
            body: br#"{"name":"n"}"#,
            ..get
        };
        assert_ne!(
            sign_v2("secret", "pub", &patch),
            sign_v2("secret", "pub", &get)
        );
        // A POST publish is signed like a GET: the body does not count.
        let post_publish = SignedRequest {
            method: "POST",
            path: "/publish/p/s/0/c/0",
            params: &params,
            body: b"1",
        };
        let get_publish = SignedRequest {
            method: "GET",
            body: b"",
            ..post_publish
        };
        assert_eq!(
            sign_v2("secret", "pub", &post_publish),
            sign_v2("secret", "pub", &get_publish)
        );
    }

    #[test]
    fn the_body_is_signed_byte_for_byte() {
        let params = pairs(&[("timestamp", "1700000000")]);
        let with_body = |body: &'static [u8]| SignedRequest {
            method: "POST",
            path: "/v1/message-actions/s/channel/c/message/1",
            params: &params,
            body,
        };
        // Both decode lossily to the same U+FFFD; the bytes differ.
        assert_ne!(
            sign_v2("k", "p", &with_body(b"{\"v\":\"\xff\"}")),
            sign_v2("k", "p", &with_body(b"{\"v\":\"\xfe\"}"))
        );
        // A signed body sent with another is refused, and the refusal says
        // what the signature covers.
        let mut signed = params.clone();
        signed.push((
            "signature".into(),
            sign_v2("k", "p", &with_body(br#"{"v":"a"}"#)),
        ));
        let sent = |body: &'static [u8]| {
            verify(
                "k",
                "s",
                "p",
                &SignedRequest {
                    params: &signed,
                    ..with_body(body)
                },
                1_700_000_000,
            )
        };
        assert!(sent(br#"{"v":"a"}"#).is_ok());
        let Err(AccessError::Denied(message)) = sent(br#"{"v":"b"}"#) else {
            panic!("an altered body passed");
        };
        assert!(message.starts_with("Signature Does Not Match"), "{message}");
        assert!(message.contains("body"), "{message}");
    }

    #[test]
    fn a_post_publish_signed_as_documented_covers_its_body() {
        let mut params = pairs(&[("timestamp", "1700000000")]);
        let publish = |params: &[(String, String)], body: &'static [u8]| {
            verify(
                "k",
                "s",
                "p",
                &SignedRequest {
                    method: "POST",
                    path: "/publish/p/s/0/c/0",
                    params,
                    body,
                },
                1_700_000_000,
            )
        };
        let documented = sign_v2_as(
            "k",
            "p",
            "POST",
            &SignedRequest {
                method: "POST",
                path: "/publish/p/s/0/c/0",
                params: &params,
                body: b"\"a\"",
            },
        );
        params.push(("signature".into(), documented));
        assert!(publish(&params, b"\"a\"").is_ok());
        assert!(publish(&params, b"\"b\"").is_err());
    }

    #[test]
    fn verify_accepts_both_publish_variants_and_rejects_skew() {
        let now = 1_700_000_000;
        let mut params = pairs(&[("timestamp", "1700000000"), ("uuid", "u")]);
        let request = |params: &[(String, String)]| {
            let params = params.to_vec();
            move |f: &dyn Fn(&SignedRequest<'_>) -> String| {
                f(&SignedRequest {
                    method: "POST",
                    path: "/publish/p/s/0/c/0",
                    params: &params,
                    body: b"1",
                })
            }
        };
        let v1 = request(&params)(&|r| sign_v1("k", "s", "p", r));
        params.push(("signature".into(), v1));
        let check = |params: &[(String, String)], now| {
            verify(
                "k",
                "s",
                "p",
                &SignedRequest {
                    method: "POST",
                    path: "/publish/p/s/0/c/0",
                    params,
                    body: b"1",
                },
                now,
            )
        };
        assert!(check(&params, now).is_ok());
        assert!(check(&params, now + CLOCK_SKEW_SECS).is_ok());
        assert!(check(&params, now + CLOCK_SKEW_SECS + 1).is_err());
        params[1].1 = "someone-else".into();
        assert!(check(&params, now).is_err());
    }
}
