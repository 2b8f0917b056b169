//! The four event exports: each builds the JSON input the JS layer expects,
//! runs the function's file, and turns the outcome back into WIT values. A
//! handler that throws or rejects fails its execution: the error and its JS
//! stack go to the module's log, and the event fails as a trap would.

use pigdin_sdk::bindings::pigdin::functions::log;
use pigdin_sdk::bindings::pigdin::functions::types::{
    HttpRequest, HttpResponse, PublishOk, PublishRequest, PublishVerb,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::bundle::{Bundle, FunctionEntry};
use crate::engine;

/// What `__pigdin.invoke` resolves, as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Ok(Option<Verdict>),
    Abort(String),
    Response(Reply),
    Failed(Failure),
}

#[derive(Deserialize)]
struct Verdict {
    message: String,
    meta: Option<String>,
}

#[derive(Deserialize)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Deserialize)]
struct Failure {
    message: String,
    stack: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublishInput<'a> {
    channel: &'a str,
    message: &'a RawValue,
    meta: Option<&'a RawValue>,
    publisher: Option<&'a str>,
    verb: &'static str,
    params: &'a [(String, String)],
    timetoken: Option<&'a str>,
    publish_key: &'a str,
    subscribe_key: &'a str,
    origin: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HttpInput<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a [(String, String)],
    headers: &'a [(String, String)],
    body: std::borrow::Cow<'a, str>,
    subscribe_key: &'a str,
}

/// Runs `function` for one event; `Err` is a cause to report as the
/// execution's failure (already logged where it came from the handler).
fn run(
    function: &str,
    kind: &str,
    input: impl FnOnce(&Bundle) -> String,
) -> Result<Outcome, String> {
    engine::with(|engine| {
        let bundle = engine.bundle()?;
        let entry: &FunctionEntry = bundle.function(function)?;
        let outcome = engine.invoke(&entry.source, kind, input(bundle));
        let outcome = outcome.and_then(|text| {
            serde_json::from_str::<Outcome>(&text)
                .map_err(|e| format!("the JS layer answered {text:?}: {e}"))
        });
        match outcome {
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

fn publish_input(bundle: &Bundle, request: &PublishRequest) -> String {
    // The host hands over valid JSON; anything else is sent as null.
    let null = RawValue::from_string("null".into()).expect("null is JSON");
    let message: Box<RawValue> =
        RawValue::from_string(request.message.clone()).unwrap_or_else(|_| null.clone());
    let meta: Option<Box<RawValue>> = request
        .meta
        .as_ref()
        .map(|m| RawValue::from_string(m.clone()).unwrap_or_else(|_| null.clone()));
    serde_json::to_string(&PublishInput {
        channel: &request.channel,
        message: &message,
        meta: meta.as_deref(),
        publisher: request.publisher.as_deref(),
        verb: match request.verb {
            PublishVerb::Publish => "publish",
            PublishVerb::Fire => "fire",
            PublishVerb::Signal => "signal",
        },
        params: &request.params,
        timetoken: request.timetoken.as_deref(),
        publish_key: &bundle.publish_key,
        subscribe_key: &bundle.subscribe_key,
        origin: &bundle.origin,
    })
    .expect("serializable")
}

pub fn before_publish(function: &str, request: PublishRequest) -> Result<PublishOk, String> {
    match run(function, "before", |e| publish_input(e, &request)) {
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
    match run(function, "after", |e| publish_input(e, &request)) {
        Ok(Outcome::Abort(reason)) => Err(reason),
        Ok(_) => Ok(()),
        Err(cause) => Err(cause),
    }
}

pub fn on_interval(function: &str) -> Result<(), String> {
    match run(function, "interval", |_| "{}".into()) {
        Ok(Outcome::Abort(reason)) => Err(reason),
        Ok(_) => Ok(()),
        Err(cause) => Err(cause),
    }
}

pub fn on_request(function: &str, request: HttpRequest) -> HttpResponse {
    let input = |bundle: &Bundle| {
        serde_json::to_string(&HttpInput {
            method: &request.method,
            path: &request.path,
            query: &request.query,
            headers: &request.headers,
            body: String::from_utf8_lossy(&request.body),
            subscribe_key: &bundle.subscribe_key,
        })
        .expect("serializable")
    };
    match run(function, "request", input) {
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
