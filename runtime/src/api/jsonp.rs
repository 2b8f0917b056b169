//! JSONP, as browsers of the 3.x era loaded PubNub through script tags: a
//! request that names a callback gets its JSON answer (refusals included)
//! wrapped as `callback(…)`, typed as script. The callback is the path's
//! callback segment on the calls that have one (`/time/{cb}`,
//! `/publish|signal/{pub}/{sub}/{sig}/{ch}/{cb}/…`, v1
//! `/subscribe/{sub}/{chs}/{cb}/{tt}` and `/history/{sub}/{ch}/{cb}/{n}`), and
//! the `callback` query parameter on every other PubNub call. `0` or empty
//! means none. On Request functions and the admin API own their answers and
//! are never wrapped.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::refusal::Refusal;
use super::reply;

/// Most of an answer that is wrapped; far above any PubNub answer.
const MAX_WRAPPED_BYTES: usize = 64 * 1024 * 1024;

/// The middleware: passes requests without a callback through untouched.
pub async fn wrap(request: Request, next: Next) -> Response {
    let Some(callback) = callback_of(request.uri()) else {
        return next.run(request).await;
    };
    if let Err(refusal) = check_name(&callback) {
        return refusal.into_response();
    }
    let (mut parts, body) = next.run(request).await.into_parts();
    let json = match axum::body::to_bytes(body, MAX_WRAPPED_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return Refusal::service(parts.status, "JSONP", format!("answer unreadable: {e}"))
                .into_response();
        }
    };
    let mut script = Vec::with_capacity(callback.len() + json.len() + 2);
    script.extend_from_slice(callback.as_bytes());
    script.push(b'(');
    script.extend_from_slice(&json);
    script.push(b')');
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply::CONTENT_TYPE),
    );
    Response::from_parts(parts, Body::from(script))
}

/// The callback a request names, if any.
fn callback_of(uri: &Uri) -> Option<String> {
    let path = uri.path();
    // On Request and the admin API first: the hot paths pass at a glance.
    if path.starts_with("/v1/blocks/") || path.starts_with("/admin") {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let from_path = match segments.as_slice() {
        ["time", callback] => Some(*callback),
        ["publish" | "signal", _, _, _, _, callback, ..] => Some(*callback),
        ["subscribe" | "history", _, _, callback, _] => Some(*callback),
        _ => None,
    };
    let callback = match from_path {
        Some(segment) => segment.to_owned(),
        None => {
            let query = uri.query().filter(|q| q.contains("callback="))?;
            form_urlencoded::parse(query.as_bytes())
                .filter(|(key, _)| key == "callback")
                .last()?
                .1
                .into_owned()
        }
    };
    (!callback.is_empty() && callback != "0").then_some(callback)
}

/// A callback is written into script: only a plain (dotted) name may be.
fn check_name(callback: &str) -> Result<(), Refusal> {
    let plain = callback
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if plain && !callback.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        Ok(())
    } else {
        Err(Refusal::bad_request(
            "JSONP",
            format!(
                "JSONP callback {callback:?} is not a plain JavaScript name: use letters, \
                 digits, `_`, `$` and `.`, or `0` for a plain JSON answer"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(uri: &str) -> Option<String> {
        callback_of(&uri.parse().unwrap())
    }

    #[test]
    fn the_callback_comes_from_the_path_or_the_query() {
        assert_eq!(callback("/time/cb").as_deref(), Some("cb"));
        assert_eq!(callback("/time/0"), None);
        assert_eq!(
            callback("/publish/p/s/0/ch/PUBNUB_1/%22hi%22").as_deref(),
            Some("PUBNUB_1")
        );
        assert_eq!(callback("/subscribe/s/a,b/f/0").as_deref(), Some("f"));
        assert_eq!(callback("/history/s/a/0/10"), None);
        assert_eq!(
            callback("/v2/presence/sub-key/s/channel/a?uuid=u&callback=p.x").as_deref(),
            Some("p.x")
        );
        assert_eq!(callback("/v2/history/sub-key/s/channel/a?callback="), None);
        // Functions and the admin API answer for themselves.
        assert_eq!(callback("/v1/blocks/sub-key/s/x?callback=f"), None);
        assert_eq!(callback("/admin/modules?callback=f"), None);
    }

    #[test]
    fn only_plain_names_are_callbacks() {
        assert!(check_name("PUBNUB.callbacks.cb_12").is_ok());
        assert!(check_name("$jsonp_1").is_ok());
        for bad in ["alert(1)", "1abc", "a;b", "a b", ".a"] {
            let refusal = check_name(bad).unwrap_err();
            assert!(refusal.message().contains("JSONP callback"), "{bad}");
        }
    }
}
