//! The four event exports: each hands the JS layer its input (event_values.rs),
//! runs the function's file, and turns the outcome back into WIT values. A
//! handler that throws or rejects fails its execution: the error and its JS
//! stack go to the module's log, and the event fails as a trap would.

use pigdin_sdk::bindings::pigdin::functions::log;
use pigdin_sdk::bindings::pigdin::functions::types::{
    HttpRequest, HttpResponse, PublishOk, PublishRequest,
};

use crate::bundle::FunctionEntry;
use crate::engine;
use crate::event_values::{Input, Outcome};

/// Runs `function` for one event; `Err` is a cause to report as the
/// execution's failure (already logged where it came from the handler).
fn run(function: &str, kind: &str, input: Input<'_>) -> Result<Outcome, String> {
    engine::with(|engine| {
        let entry: &FunctionEntry = engine.bundle()?.function(function)?;
        match engine.invoke(&entry.source, kind, input) {
            Ok(Outcome::Failed(failure)) => {
                log_failure(&entry.event, &failure.message, &failure.stack);
                Err(failure.message)
            }
            Ok(outcome) => Ok(outcome),
            Err(cause) => {
                log_failure(&entry.event, &cause, "");
                Err(cause)
            }
        }
    })
}

fn log_failure(event: &str, message: &str, stack: &str) {
    let stack = stack.trim_end();
    let line = if stack.is_empty() {
        format!("{event} failed: {message}")
    } else {
        format!("{event} failed: {message}\n{stack}")
    };
    log::write(log::Level::Error, &line);
}

fn module_failure(function: &str, cause: &str) -> String {
    let module = engine::with(|e| Ok(e.bundle()?.module.clone())).unwrap_or_default();
    format!("function {module}/{function} failed: {cause}")
}

pub fn before_publish(function: &str, request: PublishRequest) -> Result<PublishOk, String> {
    match run(function, "before", Input::Publish(&request)) {
        Ok(Outcome::Ok(Some(verdict))) => Ok(PublishOk {
            message: verdict.message,
            meta: verdict.meta,
        }),
        Ok(Outcome::Abort(reason)) => Err(reason),
        Ok(_) => Err(module_failure(function, "the JS layer gave no verdict")),
        Err(cause) => Err(module_failure(function, &cause)),
    }
}

pub fn after_publish(function: &str, request: PublishRequest) -> Result<(), String> {
    match run(function, "after", Input::Publish(&request)) {
        Ok(Outcome::Abort(reason)) => Err(reason),
        Ok(_) => Ok(()),
        Err(cause) => Err(cause),
    }
}

pub fn on_interval(function: &str) -> Result<(), String> {
    match run(function, "interval", Input::Interval) {
        Ok(Outcome::Abort(reason)) => Err(reason),
        Ok(_) => Ok(()),
        Err(cause) => Err(cause),
    }
}

pub fn on_request(function: &str, request: HttpRequest) -> HttpResponse {
    match run(function, "request", Input::Request(&request)) {
        Ok(Outcome::Response(reply)) => HttpResponse {
            status: reply.status,
            headers: reply.headers,
            body: reply.body.into_bytes(),
        },
        Ok(_) => server_error(&module_failure(function, "the JS layer gave no response")),
        Err(cause) => server_error(&module_failure(function, &cause)),
    }
}

/// PubNub's JSON error shape, as the host answers for a failed Rust function.
fn server_error(message: &str) -> HttpResponse {
    let body = serde_json::json!({
        "status": 500,
        "error": true,
        "message": message,
        "service": "Functions",
    });
    HttpResponse {
        status: 500,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}
