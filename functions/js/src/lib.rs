//! PubNub Functions in JavaScript: QuickJS-ng (through rquickjs) compiled to
//! one WebAssembly component that implements the `pigdin:functions` world.
//!
//! The host passes each instance the module's files ([`bundle`]); the engine
//! ([`engine`]) evaluates the JS layer (`prelude.js`: `require`, the modules,
//! the request and response objects) and then each file as an ES module whose
//! default export is a handler. Host imports reach JS through [`natives`].
//! An instance keeps its engine between calls, so module-level state lives as
//! long as the warm instance does (as on hosted PubNub).
//!
//! Starting QuickJS and evaluating the JS layer is most of a fresh start, and
//! the same for every module: the host runs [`wizer-initialize`] once and
//! snapshots the result (Wizer), so an instance starts with both done and
//! only reads its bundle and loads its files.

mod bindings;
mod bundle;
mod engine;
mod event_values;
mod events;
mod natives;
mod token;

use bindings::{Guest, export};
use pigdin_sdk::bindings::pigdin::functions::types::{
    FunctionInfo, HttpRequest, HttpResponse, PublishOk, PublishRequest,
};

struct JsModule;

impl Guest for JsModule {
    /// Run once by the host before it snapshots the engine: nothing here may
    /// depend on the module (the bundle is read on first use, after the snapshot).
    fn wizer_initialize() {
        if let Err(message) = engine::with(|_| Ok(())) {
            panic!("{message}");
        }
    }

    /// Parses every file: a syntax error fails the deploy with file, line and column.
    fn describe() -> Vec<FunctionInfo> {
        match engine::with(|engine| engine.check().and_then(|()| engine.describe())) {
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

export!(JsModule with_types_in bindings);
