//! Admin API used by the `pigdin` commands: deploy, list, undeploy, logs,
//! run, vault, the push outbox, a module's KV (admin_kv.rs). Loopback clients only, unless an admin key is configured, in
//! which case every call must carry it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine as _;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::refusal::Refusal;
use crate::Runtime;
use crate::functions::{DeployError, ModuleCode};

const SERVICE: &str = "Admin";
/// The header carrying the admin key.
pub const ADMIN_KEY_HEADER: &str = "x-pigdin-admin-key";

pub fn routes(runtime: Arc<Runtime>) -> Router<Arc<Runtime>> {
    Router::new()
        .route("/modules", get(list_modules))
        .route("/modules/{name}", put(deploy).delete(undeploy))
        .route("/modules/{name}/logs", get(logs))
        .route("/modules/{name}/functions/{function}/run", post(run))
        .route("/modules/{name}/vault/{secret}", put(set_secret))
        .route(
            "/push/outbox",
            get(super::push_outbox::list).delete(super::push_outbox::clear),
        )
        .merge(super::admin_kv::routes())
        .layer(middleware::from_fn_with_state(runtime, authorize))
}

async fn authorize(
    State(runtime): State<Arc<Runtime>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Result<Response, Refusal> {
    let allowed = match &runtime.config.admin_key {
        Some(key) => request
            .headers()
            .get(ADMIN_KEY_HEADER)
            .is_some_and(|given| given.as_bytes() == key.as_bytes()),
        None => peer.ip().is_loopback(),
    };
    if !allowed {
        return Err(Refusal::json(
            StatusCode::FORBIDDEN,
            SERVICE,
            match runtime.config.admin_key {
                Some(_) => format!("admin calls need the admin key in the {ADMIN_KEY_HEADER} header (PIGDIN_ADMIN_KEY)"),
                None => "admin calls are accepted from loopback only; configure an admin key (--admin-key) to allow remote admin".into(),
            },
        ));
    }
    Ok(next.run(request).await)
}

async fn list_modules(State(runtime): State<Arc<Runtime>>) -> impl IntoResponse {
    Json(json!({ "modules": runtime.functions.modules() }))
}

/// A module to deploy: its manifest and either a component or JavaScript files.
#[derive(Deserialize)]
struct DeployBody {
    manifest: String,
    /// The component, base64-encoded.
    #[serde(default)]
    component: Option<String>,
    /// JavaScript files by name (relative to the module directory).
    #[serde(default)]
    sources: Option<crate::functions::javascript::Sources>,
}

async fn deploy(
    State(runtime): State<Arc<Runtime>>,
    Path(name): Path<String>,
    body: Result<Json<DeployBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Refusal> {
    let Json(body) =
        body.map_err(|e| Refusal::json_bad_request(SERVICE, format!("deploy body: {e}")))?;
    let wasm = match &body.component {
        Some(component) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(component.as_bytes())
                .map_err(|e| {
                    Refusal::json_bad_request(SERVICE, format!("component is not base64: {e}"))
                })?,
        ),
        None => None,
    };
    let code = match (&wasm, &body.sources) {
        (Some(wasm), None) => ModuleCode::Component(wasm),
        (None, Some(sources)) => ModuleCode::JavaScript(sources),
        _ => {
            return Err(Refusal::json_bad_request(
                SERVICE,
                "a deploy carries either `component` (base64) or `sources` (JavaScript files), not both and not neither",
            ));
        }
    };
    let declared = crate::functions::Manifest::parse(&body.manifest)
        .map_err(|e| Refusal::json_bad_request(SERVICE, e.to_string()))?
        .name;
    if declared != name {
        return Err(Refusal::json_bad_request(
            SERVICE,
            format!("module.toml names the module {declared:?} but it was deployed as {name:?}"),
        ));
    }
    match runtime
        .functions
        .deploy_code(&runtime, &body.manifest, code, false)
        .await
    {
        Ok(summary) => Ok(Json(json!({ "module": summary })).into_response()),
        Err(e @ (DeployError::Rejected(_) | DeployError::Manifest(_))) => Err(Refusal::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            SERVICE,
            e.to_string(),
        )),
        Err(e @ DeployError::Internal(_)) => Err(Refusal::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVICE,
            e.to_string(),
        )),
    }
}

async fn undeploy(
    State(runtime): State<Arc<Runtime>>,
    Path(name): Path<String>,
) -> Result<Response, Refusal> {
    match runtime.functions.undeploy(&name).await {
        Ok(true) => Ok(Json(json!({ "undeployed": name })).into_response()),
        Ok(false) => Err(not_deployed(&name)),
        Err(e) => Err(Refusal::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVICE,
            format!("{e:#}"),
        )),
    }
}

fn not_deployed(name: &str) -> Refusal {
    Refusal::json_not_found(
        SERVICE,
        format!("no module named {name:?} is deployed; see `pigdin functions`"),
    )
}

#[derive(Deserialize)]
struct LogsQuery {
    #[serde(default)]
    follow: bool,
}

/// Newline-delimited JSON log entries; with `follow`, the stream stays open.
async fn logs(
    State(runtime): State<Arc<Runtime>>,
    Path(name): Path<String>,
    Query(query): Query<LogsQuery>,
) -> Result<Response, Refusal> {
    if runtime.functions.module(&name).is_none() && runtime.functions.logs.recent(&name).is_empty()
    {
        return Err(not_deployed(&name));
    }
    // Subscribe before reading the ring so no line falls between the two.
    let live = runtime.functions.logs.follow();
    let recent = runtime.functions.logs.recent(&name);
    let line = |entry: &crate::functions::logs::LogEntry| {
        let mut text = serde_json::to_string(entry).unwrap_or_default();
        text.push('\n');
        Ok::<_, std::convert::Infallible>(text)
    };
    let backlog = futures::stream::iter(recent.iter().map(line).collect::<Vec<_>>());
    if !query.follow {
        return Ok(Response::builder()
            .header("content-type", "application/x-ndjson")
            .body(Body::from_stream(backlog))
            .expect("valid response"));
    }
    let module = name.clone();
    let following = futures::stream::unfold(live, move |mut live| {
        let module = module.clone();
        async move {
            loop {
                match live.recv().await {
                    Ok(entry) if entry.module == module => return Some((entry, live)),
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
    .map(move |entry| line(&entry));
    Ok(Response::builder()
        .header("content-type", "application/x-ndjson")
        .body(Body::from_stream(backlog.chain(following)))
        .expect("valid response"))
}

async fn run(
    State(runtime): State<Arc<Runtime>>,
    Path((name, function)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let handler = runtime.functions.handler(&name, &function).ok_or_else(|| {
        Refusal::json_not_found(
            SERVICE,
            format!("module {name:?} has no function {function:?}; see `pigdin functions`"),
        )
    })?;
    if handler.spec().event != crate::functions::EventKind::OnInterval {
        return Err(Refusal::json_bad_request(
            SERVICE,
            format!(
                "{name}/{function} is a {} function; only on-interval functions can be run by hand",
                handler.spec().event
            ),
        ));
    }
    match runtime.functions.run_interval(&runtime, &handler).await {
        Ok(()) => {
            Ok(Json(json!({ "ran": format!("{name}/{function}"), "ok": true })).into_response())
        }
        Err(cause) => Err(Refusal::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVICE,
            format!("{name}/{function} failed: {cause}"),
        )),
    }
}

async fn set_secret(
    State(runtime): State<Arc<Runtime>>,
    Path((module, secret)): Path<(String, String)>,
    body: String,
) -> Result<Response, Refusal> {
    crate::functions::manifest::validate_module_name(&module)
        .map_err(|e| Refusal::json_bad_request(SERVICE, e.to_string()))?;
    if secret.is_empty() || secret.len() > 256 {
        return Err(Refusal::json_bad_request(
            SERVICE,
            "a secret name has 1 to 256 characters",
        ));
    }
    runtime
        .store
        .vault
        .set(&module, &secret, &body)
        .await
        .map_err(|e| Refusal::json(StatusCode::INTERNAL_SERVER_ERROR, SERVICE, format!("{e:#}")))?;
    // The value is never echoed or logged.
    tracing::info!(module = %module, secret = %secret, "vault secret set");
    Ok(Json(json!({ "module": module, "secret": secret, "stored": true })).into_response())
}
