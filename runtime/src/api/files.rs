//! File Sharing (ops/files.rs has the flow), under `/v1/files`:
//!
//! - `POST /{sub}/channels/{channel}/generate-upload-url` with `{"name"}` →
//!   `{"status":200,"data":{id,name},"file_upload_request":{url,method,expiration_date,form_fields:[{key,value}]}}`
//! - `POST /{sub}/uploads/{id}`: the upload, a multipart form whose fields
//!   are `form_fields` and whose last part is `file` → 204, as S3 answers.
//! - `GET /publish-file/{pub}/{sub}/0/{channel}/0/{message}` → `[1,"Sent","<tt>"]`
//! - `GET /{sub}/channels/{channel}/files` (`limit` ≤ 100, `next`) →
//!   `{"status":200,"data":[{name,id,size,created}],"next"?,"count"}`
//! - `GET /{sub}/channels/{channel}/files/{id}/{name}` → 307 to the file's
//!   bytes at `/{sub}/contents/{id}/{name}`, as PubNub redirects to its bucket
//!   (Python reads the `Location`; JS follows it). Like a presigned bucket
//!   URL, the contents URL needs no grant: the file id is the secret.
//! - `DELETE` the same → `{"status":200}`
//!
//! Errors are `{"status","error":{"message","source":"files"}}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::params::{Params, percent_encode};
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::{keys, publish, reply};
use crate::Runtime;
use crate::ops::files::{FileError, MAX_FILE_BYTES, MAX_FILES_PAGE, Upload, iso8601};

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(
            "/v1/files/{sub}/channels/{channel}/generate-upload-url",
            post(generate_upload_url),
        )
        .route(
            "/v1/files/{sub}/uploads/{id}",
            // Room for the form's other fields beside a file at the limit.
            post(upload).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024)),
        )
        .route(
            "/v1/files/publish-file/{pub_key}/{sub_key}/{signature}/{channel}/{callback}/{*message}",
            get(publish_file),
        )
        .route("/v1/files/{sub}/channels/{channel}/files", get(list))
        .route(
            "/v1/files/{sub}/channels/{channel}/files/{id}/{name}",
            get(locate).delete(delete),
        )
        .route("/v1/files/{sub}/contents/{id}/{name}", get(contents))
}

/// The File Sharing API.
struct FilesApi;

impl Family for FilesApi {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        Refusal::files(
            StatusCode::BAD_REQUEST,
            format!("invalid path: {rejection}"),
        )
    }
}

fn refusal(error: FileError) -> Refusal {
    let status = match &error {
        FileError::Invalid(_) => StatusCode::BAD_REQUEST,
        FileError::NotFound(_) => StatusCode::NOT_FOUND,
        FileError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        FileError::Storage(e) => {
            tracing::error!(error = %e, "file request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    Refusal::files(status, error.to_string())
}

async fn generate_upload_url(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel), _): Path<(String, String), FilesApi>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let bad = |message: String| Refusal::files(StatusCode::BAD_REQUEST, message);
    let request: Value = serde_json::from_slice(&body).map_err(|e| {
        bad(format!(
            "the body must be {{\"name\": \"<file name>\"}}: {e}"
        ))
    })?;
    let Some(name) = request.get("name").and_then(Value::as_str) else {
        return Err(bad(
            "the body must be {\"name\": \"<file name>\"}; `name` is missing".into(),
        ));
    };
    let ticket = runtime
        .ticket_file_upload(&channel, name)
        .map_err(refusal)?;
    let content_type = mime_guess::from_path(&ticket.name).first_or_octet_stream();
    Ok(reply::ok(&json!({
        "status": 200,
        "data": { "id": ticket.id, "name": ticket.name },
        "file_upload_request": {
            "url": format!("{}/v1/files/{sub}/uploads/{}", origin(&runtime, &headers), ticket.id),
            "method": "POST",
            "expiration_date": iso8601(ticket.expires_at),
            "form_fields": [
                { "key": "key", "value": format!("{sub}/{}/{}/{}", ticket.channel, ticket.id, ticket.name) },
                { "key": "Content-Type", "value": content_type.essence_str() },
            ],
        },
    })))
}

async fn upload(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, id), _): Path<(String, String), FilesApi>,
    mut form: Multipart,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
        Refusal::files(
            e.status(),
            if too_large {
                FileError::TooLarge(MAX_FILE_BYTES + 1).to_string()
            } else {
                format!(
                    "the upload is not a readable multipart form: {}",
                    e.body_text()
                )
            },
        )
    };
    let mut content_type = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                let part_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(unreadable)?;
                let content_type = content_type.or(part_type);
                runtime
                    .upload_file(Upload {
                        ticket_id: &id,
                        content_type: content_type.as_deref(),
                        bytes: &bytes,
                    })
                    .await
                    .map_err(refusal)?;
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            Some("Content-Type") => content_type = Some(field.text().await.map_err(unreadable)?),
            _ => {}
        }
    }
    Err(Refusal::files(
        StatusCode::BAD_REQUEST,
        "the upload form has no `file` part: send the form fields, then the file as `file`",
    ))
}

async fn publish_file(
    State(runtime): State<Arc<Runtime>>,
    Path((pub_key, sub_key, _, channel, _, message), _): Path<
        (String, String, String, String, String, String),
        publish::PublishApi,
    >,
    params: Params,
) -> Result<Response, Refusal> {
    let text = message.strip_prefix('/').unwrap_or(&message).to_owned();
    publish::handle(
        &runtime,
        publish::Kind::File,
        &pub_key,
        &sub_key,
        channel,
        text,
        params,
    )
    .await
}

async fn list(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel), _): Path<(String, String), FilesApi>,
    params: Params,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let bad = |message: String| Refusal::files(StatusCode::BAD_REQUEST, message);
    let limit = params
        .number::<usize>("limit")
        .map_err(bad)?
        .unwrap_or(MAX_FILES_PAGE)
        .clamp(1, MAX_FILES_PAGE);
    let page = runtime
        .store
        .files
        .list(&channel, limit, params.get("next"))
        .map_err(|e| refusal(FileError::Storage(e)))?;
    let data: Vec<Value> = page
        .files
        .iter()
        .map(|f| json!({ "name": f.name, "id": f.id, "size": f.size, "created": f.created }))
        .collect();
    let mut body = json!({ "status": 200, "count": data.len(), "data": data });
    if let Some(next) = page.next {
        body["next"] = json!(next);
    }
    Ok(reply::ok(&body))
}

/// Where the file's bytes are: the answer the SDKs expect from PubNub.
async fn locate(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel, id, name), _): Path<(String, String, String, String), FilesApi>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let file = runtime.find_file(&channel, &id, &name).map_err(refusal)?;
    let location = format!(
        "{}/v1/files/{sub}/contents/{}/{}",
        origin(&runtime, &headers),
        file.id,
        percent_encode(&file.name)
    );
    Ok((
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, location)],
    )
        .into_response())
}

async fn contents(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, id, name), _): Path<(String, String, String), FilesApi>,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    let (file, bytes) = runtime.file_contents(&id, &name).map_err(refusal)?;
    let disposition = format!("inline; filename*=UTF-8''{}", percent_encode(&file.name));
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Bytes::from(bytes.to_vec()),
    )
        .into_response())
}

/// `http://host:port` as the client reached us (uploads and downloads go back there).
fn origin(runtime: &Runtime, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| runtime.config.listen.to_string());
    format!("http://{host}")
}

async fn delete(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel, id, name), _): Path<(String, String, String, String), FilesApi>,
) -> Result<Response, Refusal> {
    keys::check_subscribe_key(&runtime, &sub)?;
    runtime
        .delete_file(&channel, &id, &name)
        .await
        .map_err(refusal)?;
    Ok(reply::ok(&json!({ "status": 200 })))
}
