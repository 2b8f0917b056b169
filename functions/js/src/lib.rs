//! PubNub Functions in JavaScript: QuickJS-ng (through rquickjs) compiled to
//! one WebAssembly component that implements the `pigdin:functions` world.
//!
//! The host passes each instance the module's files ([`bundle`]); the engine
//! ([`engine`]) evaluates the JS layer (`prelude.js`: `require`, the modules,
//! the request and response objects) and then each file as an ES module whose
//! default export is a handler. Host imports reach JS through [`natives`].
//! An instance keeps its engine between calls, so module-level state lives as
//! long as the warm instance does (as on hosted PubNub).

mod bundle;
mod engine;
mod events;
mod natives;
mod token;

use pigdin_sdk::bindings::pigdin::functions::types::{
    FunctionInfo, HttpRequest, HttpResponse, PublishOk, PublishRequest,
};
use pigdin_sdk::bindings::{Guest, export};

struct JsModule;

impl Guest for JsModule {
    /// Parses every file: a syntax error fails the deploy with file, line and column.
    fn describe() -> Vec<FunctionInfo> {
        match engine::with(|engine| engine.check().map(|()| engine.describe())) {
            Ok(functions) => functions,
            // `describe` has no error channel: the trap's message is the host's report.
            Err(message) => panic!("{message}"),
        }
    }

    fn before_publish(function: String, request: PublishRequest) -> Result<PublishOk, String> {
        events::before_publish(&function, request)
    }

    fn after_publish(function: String, request: PublishRequest) -> Result<(), String> {
        events::after_publish(&function, request)
    }

    fn on_request(function: String, request: HttpRequest) -> HttpResponse {
        events::on_request(&function, request)
    }

    fn on_interval(function: String) -> Result<(), String> {
        events::on_interval(&function)
    }
}

export!(JsModule with_types_in pigdin_sdk::bindings);
