//! File Sharing through the real server, as an SDK drives it: an upload
//! ticket, the multipart upload, the file message (`e: 4` to subscribers,
//! `message_type` 4 in history), listing in pages, download, the limits, and
//! delete; files survive a restart.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::{SUB_KEY, Server, percent_encode};

const CHANNEL: &str = "files.room";

/// Asks for an upload ticket for `name`: the whole answer.
async fn upload_ticket(server: &Server, name: &str) -> Value {
    let url = server.url(&format!(
        "/v1/files/{SUB_KEY}/channels/{CHANNEL}/generate-upload-url?uuid=alice"
    ));
    let reply = server
        .request(server.http.post(url).json(&json!({ "name": name })))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()
}

/// Uploads `bytes` with the ticket's form fields, as the SDKs do; the status and body.
async fn upload(server: &Server, ticket: &Value, bytes: Vec<u8>) -> (u16, String) {
    let request = &ticket["file_upload_request"];
    let mut form = Form::new();
    for field in request["form_fields"].as_array().unwrap() {
        form = form.text(
            field["key"].as_str().unwrap().to_owned(),
            field["value"].as_str().unwrap().to_owned(),
        );
    }
    let name = ticket["data"]["name"].as_str().unwrap().to_owned();
    form = form.part("file", Part::bytes(bytes).file_name(name));
    let reply = server
        .request(
            server
                .http
                .post(request["url"].as_str().unwrap())
                .multipart(form),
        )
        .await;
    (reply.status, reply.body.clone())
}

/// `GET` a PubNub path: the whole answer.
async fn fetch(server: &Server, path_and_query: &str) -> crate::support::Reply {
    server
        .request(server.http.get(server.url(path_and_query)))
        .await
}

/// `GET` a PubNub path that must answer 200 with JSON.
async fn fetch_json(server: &Server, path_and_query: &str) -> Value {
    let reply = fetch(server, path_and_query).await;
    assert_eq!(reply.status, 200, "GET {path_and_query}: {reply:?}");
    reply.json()
}

fn file_path(id: &str, name: &str) -> String {
    format!(
        "/v1/files/{SUB_KEY}/channels/{CHANNEL}/files/{id}/{}",
        percent_encode(name)
    )
}

async fn publish_file(server: &Server, id: &str, name: &str) -> (u16, Value) {
    let message =
        json!({ "message": { "text": "the minutes" }, "file": { "id": id, "name": name } });
    let url = server.url(&format!(
        "/v1/files/publish-file/demo/{SUB_KEY}/0/{CHANNEL}/0/{}?uuid=alice",
        percent_encode(&message.to_string())
    ));
    let reply = server.request(server.http.get(url)).await;
    (reply.status, reply.json())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_is_uploaded_announced_listed_downloaded_kept_and_deleted() {
    let mut server = Server::start().await;
    let handshake = fetch_json(
        &server,
        &format!("/v2/subscribe/{SUB_KEY}/{CHANNEL}/0?uuid=bob&tt=0"),
    )
    .await;
    let cursor = handshake["t"]["t"].as_str().unwrap().to_owned();

    let ticket = upload_ticket(&server, "minutes 1.txt").await;
    let id = ticket["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(ticket["data"]["name"], "minutes 1.txt");
    let request = &ticket["file_upload_request"];
    assert_eq!(request["method"], "POST");
    assert!(request["expiration_date"].as_str().unwrap().ends_with('Z'));
    assert!(
        request["url"]
            .as_str()
            .unwrap()
            .starts_with(&server.url("/v1/files/")),
        "{request}"
    );

    // Publishing before the upload is refused with what to do.
    let (status, early) = publish_file(&server, &id, "minutes 1.txt").await;
    assert_eq!(status, 400, "{early}");
    assert!(
        early[1].as_str().unwrap().contains("upload it first"),
        "{early}"
    );

    let (status, body) = upload(&server, &ticket, b"hello, files".to_vec()).await;
    assert_eq!(status, 204, "{body}");
    // A ticket is spent by its upload.
    let (status, body) = upload(&server, &ticket, b"again".to_vec()).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("generate-upload-url"), "{body}");

    let (status, sent) = publish_file(&server, &id, "minutes 1.txt").await;
    assert_eq!(status, 200, "{sent}");
    let timetoken = sent[2].as_str().unwrap().to_owned();

    // The subscriber gets a file event.
    let next = fetch_json(
        &server,
        &format!("/v2/subscribe/{SUB_KEY}/{CHANNEL}/0?uuid=bob&tt={cursor}&tr=42"),
    )
    .await;
    let event = &next["m"][0];
    assert_eq!(event["e"], 4, "{next}");
    assert_eq!(event["i"], "alice");
    assert_eq!(event["p"]["t"], timetoken.as_str());
    assert_eq!(
        event["d"]["file"],
        json!({ "id": id, "name": "minutes 1.txt" })
    );
    assert_eq!(event["d"]["message"], json!({ "text": "the minutes" }));

    // History has it as a file message.
    let history = fetch_json(
        &server,
        &format!("/v3/history/sub-key/{SUB_KEY}/channel/{CHANNEL}?include_message_type=true"),
    )
    .await;
    let stored = &history["channels"][CHANNEL][0];
    assert_eq!(stored["message_type"], 4, "{history}");
    assert_eq!(stored["message"]["file"]["id"], id.as_str());

    // Downloaded as uploaded, typed by its name.
    let download = fetch(&server, &file_path(&id, "minutes 1.txt")).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, "hello, files");
    assert_eq!(download.content_type, "text/plain");
    let wrong_name = fetch(&server, &file_path(&id, "other.txt")).await;
    assert_eq!(wrong_name.status, 404);
    assert_eq!(wrong_name.json()["error"]["source"], "files");

    // Listed in pages, oldest first, across a restart.
    let second = upload_ticket(&server, "b.png").await;
    let (status, _) = upload(&server, &second, vec![0u8; 10]).await;
    assert_eq!(status, 204);
    server.restart().await;
    let list = |query: String| {
        let server = &server;
        async move {
            fetch_json(
                server,
                &format!("/v1/files/{SUB_KEY}/channels/{CHANNEL}/files{query}"),
            )
            .await
        }
    };
    let page = list("?limit=1".into()).await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["data"][0]["id"], id.as_str());
    assert_eq!(page["data"][0]["size"], 12);
    assert_eq!(page["data"][0]["name"], "minutes 1.txt");
    let next = page["next"].as_str().unwrap().to_owned();
    let rest = list(format!("?limit=1&next={next}")).await;
    assert_eq!(rest["data"][0]["name"], "b.png");
    assert!(rest.get("next").is_none(), "{rest}");

    // Deleted: gone from the list and from download; its message stays.
    let url = server.url(&file_path(&id, "minutes 1.txt"));
    let reply = server.request(server.http.delete(url)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        fetch(&server, &file_path(&id, "minutes 1.txt"))
            .await
            .status,
        404
    );
    assert_eq!(list(String::new()).await["count"], 1);
    let history = fetch_json(
        &server,
        &format!("/v3/history/sub-key/{SUB_KEY}/channel/{CHANNEL}"),
    )
    .await;
    assert_eq!(history["channels"][CHANNEL].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn files_over_five_mebibytes_and_bad_names_are_refused_with_the_limit() {
    let server = Server::start().await;
    let big = upload_ticket(&server, "big.bin").await;
    let (status, body) = upload(&server, &big, vec![7u8; 5 * 1024 * 1024 + 1]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("5242880 bytes"), "{body}");
    // At the limit it is taken.
    let (status, body) = upload(&server, &big, vec![7u8; 5 * 1024 * 1024]).await;
    assert_eq!(status, 204, "{body}");

    let url = server.url(&format!(
        "/v1/files/{SUB_KEY}/channels/{CHANNEL}/generate-upload-url"
    ));
    for (body, expected) in [
        (json!({ "name": "a/b.txt" }), "slash"),
        (json!({ "name": "" }), "1 to 255 bytes"),
        (json!({}), "`name` is missing"),
    ] {
        let reply = server.request(server.http.post(&url).json(&body)).await;
        assert_eq!(reply.status, 400, "{reply:?}");
        let body = reply.json();
        assert_eq!(body["error"]["source"], "files", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }
    let unknown = server.url(&format!("/v1/files/{SUB_KEY}/uploads/no-such-ticket"));
    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x"));
    let reply = server
        .request(server.http.post(unknown).multipart(form))
        .await;
    assert_eq!(reply.status, 404, "{reply:?}");
}
