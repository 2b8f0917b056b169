//! Publish and subscribe key checks, answered in PubNub's recorded shapes:
//! an unknown subscribe key gets Access Manager's `Invalid Subscribe Key`
//! object; a known subscribe key with an unknown publish key gets the
//! publish family's `[0,"Invalid Key","<timetoken>"]`. Both are 400.

use axum::http::StatusCode;

use super::refusal::Refusal;
use crate::Runtime;

pub fn check_subscribe_key(runtime: &Runtime, subscribe_key: &str) -> Result<(), Refusal> {
    if subscribe_key == runtime.config.subscribe_key {
        Ok(())
    } else {
        Err(Refusal::bad_request(
            "Access Manager",
            "Invalid Subscribe Key",
        ))
    }
}

pub fn check_publish_keys(
    runtime: &Runtime,
    publish_key: &str,
    subscribe_key: &str,
) -> Result<(), Refusal> {
    check_subscribe_key(runtime, subscribe_key)?;
    if publish_key == runtime.config.publish_key {
        Ok(())
    } else {
        Err(Refusal::publish(
            StatusCode::BAD_REQUEST,
            "Invalid Key",
            runtime.broker.now(),
        ))
    }
}
