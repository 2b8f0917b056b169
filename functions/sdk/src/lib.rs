//! Write [PubNub Functions]-style handlers in Rust and run them on Pigdin.
//!
//! A module crate registers its handlers once with [`module!`], and reaches
//! the host through modules named like PubNub's: [`kvstore`], [`xhr`],
//! [`vault`], [`pubnub`] and [`log`]. It builds into a WebAssembly component
//! (`wasm32-wasip2`) that Pigdin loads; see the README for a full example.
//!
//! ```ignore
//! use pigdin_sdk::prelude::*;
//!
//! pigdin_sdk::module! {
//!     on_request "counter" => counter,
//! }
//!
//! fn counter(_req: Request, res: Response) -> Result<HttpResponse> {
//!     let count = kvstore::incr_counter("count", 1)?;
//!     Ok(res.json(&json!({ "count": count })))
//! }
//! ```
//!
//! [PubNub Functions]: https://www.pubnub.com/docs/serverless/functions/overview

pub mod bindings;
mod dispatch;
mod error;
mod handler;
mod headers;
pub mod kvstore;
pub mod log;
mod module_macro;
pub mod prelude;
mod publish_request;
pub mod pubnub;
mod request;
mod response;
pub mod vault;
pub mod xhr;

pub use error::{Error, Result};
pub use handler::{IntoBeforeResult, IntoHandlerResult, IntoHttpResponse};
pub use publish_request::{BeforeResult, PublishRequest, Verb};
pub use request::Request;
pub use response::{HttpResponse, Response};
// Re-exported so module crates need no JSON dependencies of their own.
pub use serde;
pub use serde_json;
pub use serde_json::{Value, json};

/// What `module!` expands to uses; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::dispatch::*;
}
