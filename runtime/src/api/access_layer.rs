//! The one axum layer that applies Access Manager to every request, before
//! routing, so no handler needs to know about it:
//!
//! 1. Access Manager off, a preflight, or an open endpoint: pass.
//! 2. A `signature` parameter: it must verify (the server role may do
//!    anything); a wrong one is refused even where nothing was needed.
//! 3. Otherwise the endpoint's requirements ([`crate::access::policy`]) are checked
//!    against the `auth` parameter: a v3 token, or a v2 auth key.
//!
//! Refusals are logged with the method, the path and the reason, never the
//! token, the auth key or the signature.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::params::Params;
use crate::Runtime;
use crate::access::policy::{self, Policy};
use crate::access::signature::SignedRequest;
use crate::access::{AccessError, AccessManager};

/// The most body a signed POST/PATCH may carry (it is read whole to check
/// the signature). App Context and grant bodies are far smaller.
const MAX_SIGNED_BODY: usize = 2 * 1024 * 1024;

pub async fn enforce(
    State(runtime): State<Arc<Runtime>>,
    mut request: Request,
    next: Next,
) -> Response {
    let access = &runtime.access;
    if !access.enabled() || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let params = Params::parse(request.uri().query());
    let policy = policy::requirements(request.method().as_str(), request.uri().path(), |name| {
        params.get(name)
    });
    let Policy::Check(requirements) = policy else {
        return next.run(request).await;
    };

    let verdict = if params.get("signature").is_some() {
        let (checked, verdict) = verify_signed(access, request, &params).await;
        request = checked;
        verdict
    } else {
        access.authorize(&requirements, params.get("auth"), params.get("uuid"))
    };
    match verdict {
        Ok(()) => {
            // The handler's `Params` extractor takes them from here.
            request.extensions_mut().insert(params);
            next.run(request).await
        }
        Err(error) => refuse(request.method(), request.uri().path(), error),
    }
}

/// Checks a signed request's signature; hands the request back (with its
/// body buffered when the signature covers it).
async fn verify_signed(
    access: &AccessManager,
    request: Request,
    params: &Params,
) -> (Request, Result<(), AccessError>) {
    let method = request.method().clone();
    // A POST/PATCH signature covers the body (a POST publish's may, see
    // `signature`), so it is read whole first.
    let signs_body = method == Method::POST || method == Method::PATCH;
    let (request, body) = if signs_body {
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, MAX_SIGNED_BODY).await {
            Ok(bytes) => (Request::from_parts(parts, Body::from(bytes.clone())), bytes),
            Err(e) => {
                let error = AccessError::BadRequest(format!(
                    "cannot read the signed body (at most {MAX_SIGNED_BODY} bytes): {e}"
                ));
                return (Request::from_parts(parts, Body::empty()), Err(error));
            }
        }
    } else {
        (request, Bytes::new())
    };
    let verdict = access.verify_signature(&SignedRequest {
        method: method.as_str(),
        path: request.uri().path(),
        params: params.pairs(),
        body: &body,
    });
    (request, verdict)
}

fn refuse(method: &Method, path: &str, error: AccessError) -> Response {
    let path = loggable_path(path);
    tracing::warn!(%method, path, reason = %error, "Access Manager refused a request");
    error.into_response()
}

/// A path fit for a log line: a revoke's path holds a token, so only the
/// endpoint is kept of it, never the credential.
pub(super) fn loggable_path(path: &str) -> &str {
    match path.find("/grant/") {
        Some(at) if path.starts_with("/v3/pam/") => &path[..at + "/grant/".len()],
        _ => path,
    }
}
