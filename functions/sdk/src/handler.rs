//! What handlers may return. Besides the plain types, each kind of handler may
//! return a `Result` so that `?` works inside it; the error then becomes the
//! abort reason, the logged failure or a 500 response.

use std::fmt::Display;

use crate::{BeforeResult, HttpResponse};

/// What a Before Publish/Signal handler returns: a [`BeforeResult`], or
/// `Result<BeforeResult, E>` where an error aborts the message with its text.
pub trait IntoBeforeResult {
    fn into_before_result(self) -> BeforeResult;
}

impl IntoBeforeResult for BeforeResult {
    fn into_before_result(self) -> BeforeResult {
        self
    }
}

impl<E: Display> IntoBeforeResult for Result<BeforeResult, E> {
    fn into_before_result(self) -> BeforeResult {
        self.unwrap_or_else(|error| BeforeResult::abort(error.to_string()))
    }
}

/// What an After or On Interval handler returns: `()` or `Result<(), E>`;
/// an error is logged by the host as the execution's failure.
pub trait IntoHandlerResult {
    fn into_handler_result(self) -> Result<(), String>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Display> IntoHandlerResult for Result<(), E> {
    fn into_handler_result(self) -> Result<(), String> {
        self.map_err(|error| error.to_string())
    }
}

/// What an On Request handler returns: an [`HttpResponse`], or
/// `Result<HttpResponse, E>` where an error answers 500 with its text.
pub trait IntoHttpResponse {
    fn into_http_response(self) -> HttpResponse;
}

impl IntoHttpResponse for HttpResponse {
    fn into_http_response(self) -> HttpResponse {
        self
    }
}

impl<E: Display> IntoHttpResponse for Result<HttpResponse, E> {
    fn into_http_response(self) -> HttpResponse {
        self.unwrap_or_else(|error| HttpResponse::error(500, error.to_string()))
    }
}
