//! The one axum layer that applies Access Manager to every request, before
//! routing, so no handler needs to know about it:
//!
//! 1. Access Manager off, a preflight, or an open endpoint: pass.
//! 2. A `signature` parameter: it must verify (the server role may do
//!    anything); a wrong one is refused even where nothing was needed.
//! 3. Otherwise the endpoint's requirements ([`super::policy`]) are checked
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

use super::AccessError;
use super::policy::{self, Policy};
use super::signature::SignedRequest;
use crate::Runtime;

/// The most body a signed POST/PATCH may carry (it is read whole to check
/// the signature). App Context and grant bodies are far smaller.
const MAX_SIGNED_BODY: usize = 2 * 1024 * 1024;

pub async fn enforce(
    State(runtime): State<Arc<Runtime>>,
    request: Request,
    next: Next,
) -> Response {
    let access = &runtime.access;
    if !access.enabled() || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let params: Vec<(String, String)> =
        match serde_urlencoded::from_str(request.uri().query().unwrap_or_default()) {
            Ok(params) => params,
            Err(e) => {
                return refuse(
                    &method,
                    &path,
                    AccessError::BadRequest(format!("malformed query string: {e}")),
                );
            }
        };
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let Policy::Check(requirements) = policy::requirements(&method, &path, param) else {
        return next.run(request).await;
    };

    if param("signature").is_some() {
        // Only v2 signatures of non-publish POST/PATCH cover the body.
        let signs_body = (method == "POST" || method == "PATCH") && !path.starts_with("/publish/");
        let (request, body) = if signs_body {
            let (parts, body) = request.into_parts();
            match axum::body::to_bytes(body, MAX_SIGNED_BODY).await {
                Ok(bytes) => (Request::from_parts(parts, Body::from(bytes.clone())), bytes),
                Err(e) => {
                    return refuse(
                        &method,
                        &path,
                        AccessError::BadRequest(format!(
                            "cannot read the signed body (at most {MAX_SIGNED_BODY} bytes): {e}"
                        )),
                    );
                }
            }
        } else {
            (request, Bytes::new())
        };
        let signed = SignedRequest {
            method: &method,
            path: &path,
            params: &params,
            body: &body,
        };
        return match access.verify_signature(&signed) {
            Ok(()) => next.run(request).await,
            Err(error) => refuse(&method, &path, error),
        };
    }

    match access.authorize(&requirements, param("auth"), param("uuid")) {
        Ok(()) => next.run(request).await,
        Err(error) => refuse(&method, &path, error),
    }
}

fn refuse(method: &str, path: &str, error: AccessError) -> Response {
    // A revoke's path holds a token: log the endpoint, not the credential.
    let logged_path = match path.find("/grant/") {
        Some(at) if path.starts_with("/v3/pam/") => &path[..at + "/grant/".len()],
        _ => path,
    };
    tracing::warn!(method, path = logged_path, reason = %error, "Access Manager refused a request");
    error.into_response()
}
