//! The values one event carries across the Rust ↔ JS line, as JS values
//! rather than JSON text: the event's input is built as a JS object here, and
//! the outcome the JS layer resolves is read back field by field. (Per
//! request, JSON both ways was a sixth of the engine's time.)

use rquickjs::convert::Coerced;
use rquickjs::{Ctx, Object, Value};

use pigdin_sdk::bindings::pigdin::functions::types::{HttpRequest, PublishRequest, PublishVerb};

use crate::bundle::Bundle;

/// What set a function off, as the host handed it over.
pub enum Input<'a> {
    Publish(&'a PublishRequest),
    Request(&'a HttpRequest),
    Interval,
}

/// What `__pigdin.invoke` resolves: exactly one of these keys is set.
pub enum Outcome {
    Ok(Option<Verdict>),
    Abort(String),
    Response(Reply),
    Failed(Failure),
}

/// A Before handler's message and meta, as JSON text.
pub struct Verdict {
    pub message: String,
    pub meta: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub struct Failure {
    pub message: String,
    pub stack: String,
}

/// The input object `__pigdin.invoke` takes for `input`.
pub fn input<'js>(
    ctx: &Ctx<'js>,
    bundle: &Bundle,
    input: &Input<'_>,
) -> rquickjs::Result<Object<'js>> {
    let object = Object::new(ctx.clone())?;
    match input {
        Input::Publish(request) => {
            object.set("channel", request.channel.as_str())?;
            object.set("message", json_or_null(ctx, &request.message)?)?;
            let meta = match &request.meta {
                Some(meta) => json_or_null(ctx, meta)?,
                None => Value::new_null(ctx.clone()),
            };
            object.set("meta", meta)?;
            object.set("publisher", request.publisher.as_deref())?;
            object.set(
                "verb",
                match request.verb {
                    PublishVerb::Publish => "publish",
                    PublishVerb::Fire => "fire",
                    PublishVerb::Signal => "signal",
                },
            )?;
            object.set("params", pairs(ctx, &request.params)?)?;
            object.set("timetoken", request.timetoken.as_deref())?;
            object.set("publishKey", bundle.publish_key.as_str())?;
            object.set("subscribeKey", bundle.subscribe_key.as_str())?;
            object.set("origin", bundle.origin.as_str())?;
        }
        Input::Request(request) => {
            object.set("method", request.method.as_str())?;
            object.set("path", request.path.as_str())?;
            object.set("headers", pairs(ctx, &request.headers)?)?;
            object.set("params", pairs(ctx, &request.query)?)?;
            object.set("hasQuery", !request.query.is_empty())?;
            object.set("body", String::from_utf8_lossy(&request.body).as_ref())?;
            object.set("subscribeKey", bundle.subscribe_key.as_str())?;
        }
        Input::Interval => {}
    }
    Ok(object)
}

/// The host hands over valid JSON; anything else arrives as `null`.
fn json_or_null<'js>(ctx: &Ctx<'js>, text: &str) -> rquickjs::Result<Value<'js>> {
    match ctx.json_parse(text) {
        Ok(value) => Ok(value),
        Err(rquickjs::Error::Exception) => {
            ctx.catch();
            Ok(Value::new_null(ctx.clone()))
        }
        Err(other) => Err(other),
    }
}

/// Name/value pairs as an object; a repeated name keeps its last value.
fn pairs<'js>(ctx: &Ctx<'js>, pairs: &[(String, String)]) -> rquickjs::Result<Object<'js>> {
    let object = Object::new(ctx.clone())?;
    for (name, value) in pairs {
        object.set(name.as_str(), value.as_str())?;
    }
    Ok(object)
}

/// Reads the object `__pigdin.invoke` resolved.
pub fn outcome(object: &Object<'_>) -> rquickjs::Result<Outcome> {
    if let Some(reply) = object.get::<_, Option<Object>>("response")? {
        let headers: Object = reply.get("headers")?;
        let headers = headers
            .props::<String, Coerced<String>>()
            .map(|prop| prop.map(|(name, value)| (name, value.0)))
            .collect::<rquickjs::Result<_>>()?;
        let status: f64 = reply.get("status")?;
        return Ok(Outcome::Response(Reply {
            status: if (100.0..=999.0).contains(&status) {
                status as u16
            } else {
                500
            },
            headers,
            body: reply.get("body")?,
        }));
    }
    if let Some(failure) = object.get::<_, Option<Object>>("failed")? {
        return Ok(Outcome::Failed(Failure {
            message: failure.get("message")?,
            stack: failure.get("stack")?,
        }));
    }
    if let Some(reason) = object.get::<_, Option<String>>("abort")? {
        return Ok(Outcome::Abort(reason));
    }
    let verdict = object.get::<_, Option<Object>>("ok")?;
    Ok(Outcome::Ok(match verdict {
        Some(verdict) => Some(Verdict {
            message: verdict.get("message")?,
            meta: verdict.get("meta")?,
        }),
        None => None,
    }))
}
