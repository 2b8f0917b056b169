//! On Request functions: any method on `/v1/blocks/sub-key/{sub}/{path}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::any;

use super::params::Params;
use super::refusal::Refusal;
use crate::Runtime;
use crate::functions::host::HttpRequest;

const SERVICE: &str = "Functions";

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new().route("/v1/blocks/sub-key/{sub_key}/{*path}", any(on_request))
}

async fn on_request(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, path)): Path<(String, String)>,
    query: Params,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    if sub_key != runtime.config.subscribe_key {
        return Err(Refusal::json(
            StatusCode::FORBIDDEN,
            SERVICE,
            "Invalid Subscribe Key",
        ));
    }
    let Some(handler) = runtime.functions.request_handler(&path) else {
        return Err(Refusal::json_not_found(
            SERVICE,
            format!("no On Request function is bound to path /{path}; see `pigdin functions`"),
        ));
    };
    let request = HttpRequest {
        method: method.as_str().to_owned(),
        path,
        query: query.into_pairs(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    match runtime
        .functions
        .run_request(&runtime, &handler, request)
        .await
    {
        Ok(reply) => Ok(reply_response(reply)),
        Err(cause) => Err(Refusal::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVICE,
            format!(
                "function {}/{} failed: {cause}",
                handler.module.name,
                handler.spec().name
            ),
        )),
    }
}

fn reply_response(reply: crate::functions::HttpReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(axum::body::Body::from(reply.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.append(name, value);
        }
    }
    response
}
