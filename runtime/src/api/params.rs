//! Query parameters as the SDKs send them (always URL-decoded: JS sends
//! `a%2Cb`, Python `a,b`), and the name lists in paths.
//!
//! A repeated name: [`Params::get`] (and everything built on it) takes the
//! last value, as a later value overrides an earlier one; [`Params::all`]
//! gives every value in order (App Context's repeated `sort` and `include`).
//!
//! A request's query is decoded once: Access Manager's layer, which needs
//! `auth`, `uuid` and `signature` before routing, leaves its [`Params`] in
//! the request's extensions, and the handler's `Params` extractor takes them
//! from there (or decodes the query itself when Access Manager is off).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// A request's query parameters, in order; the last of a repeated name wins.
/// The one query type of the HTTP API.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `a=1&b=x%20y`; never fails (bad escapes are kept as sent,
    /// invalid UTF-8 becomes U+FFFD, as with every form decoder).
    pub fn parse(raw: Option<&str>) -> Self {
        let raw = raw.unwrap_or_default().as_bytes();
        Self(form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// The last value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The last value of an optional typed parameter: an empty value, or
    /// `null`/`undefined` (what JavaScript SDKs put in a query for an unset
    /// option: PubNub's Chat SDK sends `ttl=null` on every message), counts
    /// as absent, as hosted PubNub takes it.
    fn given(&self, name: &str) -> Option<&str> {
        self.get(name)
            .filter(|v| !v.is_empty() && *v != "null" && *v != "undefined")
    }

    /// Every value of `name`, in the order sent.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Leniently on: `true` (any case: Python sends `True`) or `1`; anything
    /// else, or absent, is off. History and App Context read their
    /// `include_*`-style switches so.
    pub fn truthy(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// `1`/`true` or `0`/`false`; absent (or empty, `null`) is `None`.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, String> {
        match self.given(name) {
            None => Ok(None),
            Some(v) if v == "1" || v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v == "0" || v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(format!("`{name}` must be 1, 0, true or false, not {v:?}")),
        }
    }

    /// A comma-separated list; empty entries are dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name).map(split_names).unwrap_or_default()
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        self.given(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("`{name}` must be a non-negative integer, not {v:?}"))
            })
            .transpose()
    }

    /// A timetoken (up to 20 digits); absent is `None`.
    pub fn timetoken(&self, name: &str) -> Result<Option<u64>, String> {
        self.given(name)
            .map(|v| parse_timetoken(name, v))
            .transpose()
    }

    /// A JSON value; absent is `None`.
    pub fn json(&self, name: &str) -> Result<Option<Value>, String> {
        self.get(name)
            .map(|v| {
                serde_json::from_str(v).map_err(|e| format!("`{name}` is not valid JSON: {e}"))
            })
            .transpose()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(match parts.extensions.remove::<Params>() {
            Some(decoded) => decoded,
            None => Params::parse(parts.uri.query()),
        })
    }
}

/// RFC 3986's unreserved characters stay; everything else is escaped.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a path segment or query value the way the SDKs do: all
/// but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`).
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

pub fn parse_timetoken(name: &str, text: &str) -> Result<u64, String> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{name}` must be a timetoken (a 17-digit number), not {text:?}"
        ));
    }
    text.parse()
        .map_err(|_| format!("`{name}` is out of range: {text:?}"))
}

/// Names joined by commas in a path or parameter (`a,b`; `,` alone is none).
pub fn split_names(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_sdk_spellings() {
        let js = Params::parse(Some("include=status%2Ctype&uuid=a%20b"));
        let py = Params::parse(Some("include=status,type"));
        assert_eq!(js.list("include"), ["status", "type"]);
        assert_eq!(py.list("include"), ["status", "type"]);
        assert_eq!(js.get("uuid"), Some("a b"));
    }

    #[test]
    fn flags_numbers_and_timetokens() {
        let p = Params::parse(Some("store=0&norep=true&ttl=5&tt=17379929965457610&bad=x"));
        assert_eq!(p.flag("store").unwrap(), Some(false));
        assert_eq!(p.flag("norep").unwrap(), Some(true));
        assert_eq!(p.flag("missing").unwrap(), None);
        assert!(p.flag("bad").is_err());
        assert_eq!(p.number::<u32>("ttl").unwrap(), Some(5));
        assert!(p.number::<u32>("bad").is_err());
        assert_eq!(p.timetoken("tt").unwrap(), Some(17379929965457610));
        assert!(p.timetoken("bad").is_err());
        assert!(parse_timetoken("tt", "-1").is_err());
        assert!(parse_timetoken("tt", "123456789012345678901").is_err());
    }

    #[test]
    fn unset_options_as_sdks_send_them_count_as_absent() {
        // PubNub's Chat SDK publishes with `ttl=null`; others send empty values.
        let p = Params::parse(Some("ttl=null&store=&norep=undefined&start=null&count=0"));
        assert_eq!(p.number::<u32>("ttl").unwrap(), None);
        assert_eq!(p.flag("store").unwrap(), None);
        assert_eq!(p.flag("norep").unwrap(), None);
        assert_eq!(p.timetoken("start").unwrap(), None);
        assert_eq!(p.number::<u32>("count").unwrap(), Some(0));
        assert!(Params::parse(Some("ttl=nul")).number::<u32>("ttl").is_err());
    }

    #[test]
    fn comma_lists_drop_empty_names() {
        assert_eq!(split_names(","), Vec::<String>::new());
        assert_eq!(split_names("a,,b"), ["a", "b"]);
    }
}
