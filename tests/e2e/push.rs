//! Mobile Push: device registrations over PubNub's REST API (v1 and APNs2),
//! kept across restarts, refused with clear errors; and the push outbox,
//! which records what each publish would have pushed, through the admin
//! endpoint and `pigdin push outbox`.

use serde_json::{Value, json};

use crate::support::{Reply, SUB_KEY, Server, percent_encode};

fn v1(token: &str, query: &str) -> String {
    format!("/v1/push/sub-key/{SUB_KEY}/devices/{token}?{query}")
}

fn apns2(token: &str, query: &str) -> String {
    format!("/v2/push/sub-key/{SUB_KEY}/devices-apns2/{token}?{query}")
}

async fn call(server: &Server, path: &str) -> Reply {
    server.request(server.http.get(server.url(path))).await
}

/// A push call that must answer 200; its JSON.
async fn ok(server: &Server, path: &str) -> Value {
    let reply = call(server, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {reply:?}");
    assert!(
        reply.content_type.starts_with("text/javascript"),
        "{reply:?}"
    );
    reply.json()
}

/// A push call that must be refused with 400; its `error` text.
async fn refused(server: &Server, path: &str) -> String {
    let reply = call(server, path).await;
    assert_eq!(reply.status, 400, "GET {path}: {reply:?}");
    reply.json()["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no `error` in {reply:?}"))
        .to_owned()
}

async fn publish(server: &Server, channel: &str, message: &Value) -> String {
    let path = format!(
        "/publish/demo/{SUB_KEY}/0/{channel}/0/{}?uuid=publisher-1",
        percent_encode(&message.to_string())
    );
    let answer = ok(server, &path).await;
    assert_eq!(answer[0], 1, "{answer}");
    answer[2].as_str().unwrap().to_owned()
}

async fn outbox(server: &Server, query: &str) -> Vec<Value> {
    let reply = call(server, &format!("/admin/push/outbox?{query}")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()["entries"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_devices_add_list_remove_and_survive_a_restart() {
    let mut server = Server::start().await;
    let modified = json!([1, "Modified Channels"]);

    assert_eq!(ok(&server, &v1("tokA", "type=fcm&add=b,a")).await, modified);
    assert_eq!(ok(&server, &v1("tokA", "type=fcm&add=c")).await, modified);
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm")).await,
        json!(["a", "b", "c"])
    );
    // GCM is FCM's former name: the same registrations.
    assert_eq!(
        ok(&server, &v1("tokA", "type=gcm")).await,
        json!(["a", "b", "c"])
    );
    // Another service, or another token, is another device.
    assert_eq!(ok(&server, &v1("tokA", "type=apns")).await, json!([]));
    assert_eq!(ok(&server, &v1("tokB", "type=fcm")).await, json!([]));
    // Removals come before additions in one call.
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm&remove=a,c&add=c,d")).await,
        modified
    );
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm")).await,
        json!(["b", "c", "d"])
    );
    // Paged: `start` is the last channel of the page before.
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm&count=2")).await,
        json!(["b", "c"])
    );
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm&count=2&start=c")).await,
        json!(["d"])
    );
    ok(&server, &v1("tokM", "type=mpns&add=x")).await;

    server.restart().await;
    assert_eq!(
        ok(&server, &v1("tokA", "type=fcm")).await,
        json!(["b", "c", "d"])
    );
    assert_eq!(ok(&server, &v1("tokM", "type=mpns")).await, json!(["x"]));

    let removed = ok(
        &server,
        &format!("/v1/push/sub-key/{SUB_KEY}/devices/tokA/remove?type=fcm"),
    )
    .await;
    assert_eq!(removed, json!([1, "Removed Device"]));
    assert_eq!(ok(&server, &v1("tokA", "type=fcm")).await, json!([]));
    server.kill9_restart().await;
    assert_eq!(ok(&server, &v1("tokA", "type=fcm")).await, json!([]));
    assert_eq!(ok(&server, &v1("tokM", "type=mpns")).await, json!(["x"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn apns2_devices_are_kept_per_environment_and_topic() {
    let mut server = Server::start().await;
    let dev = "environment=development&topic=com.example.app";
    let prod = "environment=production&topic=com.example.app";

    let answer = ok(&server, &apns2("tok2", &format!("{dev}&add=a,b"))).await;
    assert_eq!(answer, json!([1, "Modified Channels"]));
    // The JS SDK sends `type=apns2` as well; no environment means development.
    ok(&server, &apns2("tok2", &format!("{prod}&type=apns2&add=p"))).await;
    assert_eq!(ok(&server, &apns2("tok2", dev)).await, json!(["a", "b"]));
    assert_eq!(
        ok(&server, &apns2("tok2", "topic=com.example.app")).await,
        json!(["a", "b"])
    );
    assert_eq!(ok(&server, &apns2("tok2", prod)).await, json!(["p"]));
    let other_topic = "environment=development&topic=com.example.other";
    assert_eq!(ok(&server, &apns2("tok2", other_topic)).await, json!([]));
    // A legacy APNs registration of the same token is another device.
    assert_eq!(ok(&server, &v1("tok2", "type=apns")).await, json!([]));

    ok(&server, &apns2("tok2", &format!("{dev}&remove=a"))).await;
    server.restart().await;
    assert_eq!(ok(&server, &apns2("tok2", dev)).await, json!(["b"]));
    assert_eq!(ok(&server, &apns2("tok2", prod)).await, json!(["p"]));

    let path = format!("/v2/push/sub-key/{SUB_KEY}/devices-apns2/tok2/remove?{dev}");
    assert_eq!(ok(&server, &path).await, json!([1, "Removed Device"]));
    assert_eq!(ok(&server, &apns2("tok2", dev)).await, json!([]));
    assert_eq!(ok(&server, &apns2("tok2", prod)).await, json!(["p"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_registrations_are_refused_saying_what_to_send() {
    let server = Server::start().await;

    let error = refused(&server, &v1("tok", "add=a")).await;
    assert!(
        error.starts_with("Invalid type argument") && error.contains("apns, fcm"),
        "{error}"
    );
    let error = refused(&server, &v1("tok", "type=carrier-pigeon&add=a")).await;
    assert!(error.contains("\"carrier-pigeon\""), "{error}");
    let error = refused(&server, &v1("tok", "type=apns2&add=a")).await;
    assert!(error.contains("devices-apns2"), "{error}");

    let error = refused(&server, &apns2("tok", "environment=development&add=a")).await;
    assert!(
        error.starts_with("Missing topic") && error.contains("bundle id"),
        "{error}"
    );
    let error = refused(&server, &apns2("tok", "environment=staging&topic=t&add=a")).await;
    assert!(error.contains("development or production"), "{error}");
    let error = refused(&server, &apns2("tok", "type=fcm&topic=t")).await;
    assert!(error.starts_with("Invalid type argument"), "{error}");

    for path in [
        format!("/v1/push/sub-key/{SUB_KEY}/devices/?type=fcm&add=a"),
        format!("/v1/push/sub-key/{SUB_KEY}/devices?type=fcm"),
        format!("/v2/push/sub-key/{SUB_KEY}/devices-apns2/?topic=t"),
    ] {
        let error = refused(&server, &path).await;
        assert!(error.starts_with("Invalid device token"), "{path}: {error}");
    }
    let error = refused(&server, &v1("a%20b", "type=fcm&add=a")).await;
    assert!(error.starts_with("Invalid device token"), "{error}");

    let error = refused(&server, &v1("tok", "type=fcm&add=a%20b")).await;
    assert!(
        error.starts_with("Invalid channel") && error.contains("\"a b\""),
        "{error}"
    );
    let error = refused(&server, &v1("tok", "type=fcm&add=ok,x*")).await;
    assert!(error.contains("\"x*\""), "{error}");
    let error = refused(&server, &v1("tok", "type=fcm&remove=")).await;
    assert!(error.contains("`remove` names no channels"), "{error}");

    // An unknown keyset is refused as on every other route.
    let reply = call(&server, "/v1/push/sub-key/nope/devices/tok?type=fcm").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["message"], "Invalid Subscribe Key");

    // Nothing refused was stored.
    assert_eq!(ok(&server, &v1("tok", "type=fcm")).await, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_records_what_each_publish_would_have_pushed() {
    let mut server = Server::start().await;
    ok(&server, &v1("fcm-1", "type=fcm&add=alerts,other")).await;
    ok(&server, &v1("gcm-1", "type=gcm&add=alerts")).await;
    ok(&server, &v1("apns-1", "type=apns&add=alerts")).await;
    let dev = "environment=development&topic=com.example.app";
    ok(&server, &apns2("apns2-dev", &format!("{dev}&add=alerts"))).await;
    let prod = "environment=production&topic=com.example.app";
    ok(&server, &apns2("apns2-prod", &format!("{prod}&add=alerts"))).await;

    // Nothing to push: no payload keys, or no devices on the channel.
    publish(&server, "alerts", &json!({"text": "plain"})).await;
    publish(&server, "quiet", &json!({"pn_fcm": {"data": {}}})).await;
    assert!(outbox(&server, "").await.is_empty());

    let apns = json!({
        "aps": {"alert": "hello"},
        "pn_push": [{"version": "v2", "targets": [
            {"environment": "production", "topic": "com.example.app"}
        ]}]
    });
    let fcm = json!({"notification": {"title": "hello"}});
    let timetoken = publish(
        &server,
        "alerts",
        &json!({"text": "hello", "pn_apns": apns, "pn_fcm": fcm}),
    )
    .await;

    // Answered after the publish: no waiting needed.
    let entries = outbox(&server, "channel=alerts").await;
    let mut seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["push_type"].as_str().unwrap().to_owned(),
                e["token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    // The development APNs2 device is not among the message's targets.
    assert_eq!(
        seen,
        [
            ("apns".into(), "apns-1".into()),
            ("apns2".into(), "apns2-prod".into()),
            ("fcm".into(), "fcm-1".into()),
            ("fcm".into(), "gcm-1".into()),
        ]
    );
    for entry in &entries {
        assert_eq!(entry["channel"], "alerts");
        assert_eq!(entry["timetoken"], timetoken.as_str());
        assert_eq!(entry["publisher"], "publisher-1");
        let expected = if entry["push_type"] == "fcm" {
            &fcm
        } else {
            &apns
        };
        assert_eq!(&entry["payload"], expected, "{entry}");
    }
    let prod_entry = entries.iter().find(|e| e["push_type"] == "apns2").unwrap();
    assert_eq!(prod_entry["environment"], "production");
    assert_eq!(prod_entry["topic"], "com.example.app");

    // The older pn_gcm key reaches FCM devices too; fires push nothing.
    publish(&server, "other", &json!({"pn_gcm": {"data": {"n": 1}}})).await;
    let fire = format!(
        "/publish/demo/{SUB_KEY}/0/other/0/{}?store=0&norep=true",
        percent_encode(&json!({"pn_gcm": {"data": {"n": 2}}}).to_string())
    );
    assert_eq!(ok(&server, &fire).await[0], 1);
    let other = outbox(&server, "channel=other").await;
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(other[0]["token"], "fcm-1");
    assert_eq!(other[0]["payload"], json!({"data": {"n": 1}}));

    // Newest first, bounded by `limit`.
    let newest = outbox(&server, "limit=1").await;
    assert_eq!(newest, other);
    assert_eq!(outbox(&server, "").await.len(), 5);
    let reply = call(&server, "/admin/push/outbox?limit=0").await;
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("`limit`"), "{reply:?}");

    // The outbox is durable.
    server.kill9_restart().await;
    assert_eq!(outbox(&server, "").await.len(), 5);

    // `pigdin push outbox`: a line per push, the raw JSON with --json.
    let out = server
        .pigdin(&["push", "outbox", "--channel", "other"])
        .await
        .ok();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("other fcm fcm-1") && out.contains(r#"{"data":{"n":1}}"#),
        "{out}"
    );
    let out = server.pigdin(&["push", "outbox"]).await.ok();
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(
        out.contains("apns2 apns2-prod production/com.example.app"),
        "{out}"
    );
    let out = server.pigdin(&["push", "outbox", "--json"]).await.ok();
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["entries"].as_array().unwrap().len(), 5);

    let out = server.pigdin(&["push", "outbox", "--clear"]).await.ok();
    assert!(out.contains("5 entries removed"), "{out}");
    let out = server.pigdin(&["push", "outbox"]).await.ok();
    assert!(out.contains("the push outbox is empty"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn under_access_manager_changing_channels_needs_read_on_them() {
    let server = Server::start_with(
        crate::support::Options::default()
            .arg("--secret-key")
            .arg("sec-e2e"),
    )
    .await;
    // No token: changing a device's channels names them, and is refused…
    let reply = call(&server, &v1("tok", "type=fcm&add=room,other")).await;
    assert_eq!(reply.status, 403, "{reply:?}");
    let body = reply.json();
    assert_eq!(body["service"], "Access Manager", "{body}");
    assert_eq!(
        body["payload"]["channels"],
        json!(["other", "room"]),
        "{body}"
    );
    let reply = call(&server, &apns2("tok", "topic=t&remove=room")).await;
    assert_eq!(reply.status, 403, "{reply:?}");
    // …while listing and removing the device name no channel.
    assert_eq!(ok(&server, &v1("tok", "type=fcm")).await, json!([]));
    let path = format!("/v1/push/sub-key/{SUB_KEY}/devices/tok/remove?type=fcm");
    assert_eq!(ok(&server, &path).await, json!([1, "Removed Device"]));
}
