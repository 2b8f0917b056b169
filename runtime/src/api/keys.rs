//! Publish and subscribe key checks, answered in PubNub's recorded shapes:
//! an unknown subscribe key gets Access Manager's `Invalid Subscribe Key`
//! object; a known subscribe key with an unknown publish key gets the
//! publish family's `[0,"Invalid Key","<timetoken>"]`. Both are 400.

use axum::http::StatusCode;

use axum::response::Response;

use super::reply::{self, Rejection};
use crate::Runtime;

/// The error is the response to send as it is (history and objects map it
/// into their own error types, so it stays an unboxed `Response`).
#[allow(clippy::result_large_err)]
pub fn check_subscribe_key(runtime: &Runtime, subscribe_key: &str) -> Result<(), Response> {
    if subscribe_key == runtime.config.subscribe_key {
        Ok(())
    } else {
        Err(reply::service_error(
            StatusCode::BAD_REQUEST,
            "Access Manager",
            "Invalid Subscribe Key",
        ))
    }
}

pub fn check_publish_keys(
    runtime: &Runtime,
    publish_key: &str,
    subscribe_key: &str,
) -> Result<(), Rejection> {
    check_subscribe_key(runtime, subscribe_key).map_err(Box::new)?;
    if publish_key == runtime.config.publish_key {
        Ok(())
    } else {
        Err(Box::new(reply::publish_error(
            StatusCode::BAD_REQUEST,
            "Invalid Key",
            runtime.broker.now(),
        )))
    }
}

/// [`check_subscribe_key`] with the answer boxed, for `?` in this API's handlers.
pub fn subscribe_key(runtime: &Runtime, subscribe_key: &str) -> Result<(), Rejection> {
    check_subscribe_key(runtime, subscribe_key).map_err(Box::new)
}
