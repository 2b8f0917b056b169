//! Building an On Request handler's answer (PubNub's `response`).

use serde::Serialize;

use crate::bindings::pigdin::functions::types as wit;
use crate::headers::has_header;

/// A response being built: set the status and headers, then finish with
/// [`send`](Self::send) or [`json`](Self::json).
///
/// ```ignore
/// res.status(201).header("location", "/items/7").json(&json!({"id": 7}))
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "finish the response with `send` or `json`"]
pub struct Response {
    status: Option<u16>,
    headers: Vec<(String, String)>,
}

impl Response {
    /// An empty builder; handlers are given one, so this is rarely needed.
    pub fn new() -> Self {
        Self::default()
    }

    /// The status code; 200 when never set.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds a header (several with one name are all sent).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Finishes with `body`. Without a content-type header, UTF-8 text is sent
    /// as `text/plain; charset=utf-8` and anything else as
    /// `application/octet-stream`.
    pub fn send(self, body: impl Into<Vec<u8>>) -> HttpResponse {
        let body = body.into();
        let content_type = if std::str::from_utf8(&body).is_ok() {
            "text/plain; charset=utf-8"
        } else {
            "application/octet-stream"
        };
        self.finish(content_type, body)
    }

    /// Finishes with `value` as JSON and `content-type: application/json`
    /// (unless set). A value that cannot be serialized becomes a 500.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> HttpResponse {
        match serde_json::to_vec(value) {
            Ok(body) => self.finish("application/json", body),
            Err(e) => {
                HttpResponse::error(500, format!("cannot serialize the response as JSON: {e}"))
            }
        }
    }

    fn finish(mut self, default_content_type: &str, body: Vec<u8>) -> HttpResponse {
        if !has_header(&self.headers, "content-type") {
            self.headers
                .push(("content-type".to_owned(), default_content_type.to_owned()));
        }
        HttpResponse {
            status: self.status.unwrap_or(200),
            headers: self.headers,
            body,
        }
    }
}

/// A finished response, as the host receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A plain-text error response.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Response::new().status(status).send(message.into())
    }

    pub(crate) fn into_wit(self) -> wit::HttpResponse {
        wit::HttpResponse {
            status: self.status,
            headers: self.headers,
            body: self.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
        crate::headers::find_header(&response.headers, name)
    }

    #[test]
    fn send_defaults_to_200_and_a_text_content_type() {
        let text = Response::new().send("hi");
        assert_eq!(text.status, 200);
        assert_eq!(
            header(&text, "content-type"),
            Some("text/plain; charset=utf-8")
        );
        let binary = Response::new().send(vec![0xff, 0xfe]);
        assert_eq!(
            header(&binary, "content-type"),
            Some("application/octet-stream")
        );
    }

    #[test]
    fn an_explicit_content_type_is_kept_whatever_its_case() {
        let res = Response::new()
            .status(202)
            .header("Content-Type", "application/problem+json")
            .json(&serde_json::json!({ "a": 1 }));
        assert_eq!(res.status, 202);
        assert_eq!(
            res.headers,
            vec![("Content-Type".into(), "application/problem+json".into())]
        );
        assert_eq!(res.body, br#"{"a":1}"#);
    }

    #[test]
    fn unserializable_json_becomes_a_500() {
        let map: std::collections::HashMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert_eq!(Response::new().json(&map).status, 500);
    }
}
