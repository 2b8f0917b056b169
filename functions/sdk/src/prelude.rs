//! `use pigdin_sdk::prelude::*;` brings in what most modules need.

pub use crate::pubnub::PublishOptions;
pub use crate::xhr::{FetchOptions, FetchResponse};
pub use crate::{
    BeforeResult, Error, HttpResponse, PublishRequest, Request, Response, Result, Verb, kvstore,
    log, pubnub, vault, xhr,
};
pub use serde_json::{Value, json};
