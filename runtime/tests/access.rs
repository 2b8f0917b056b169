//! Access Manager over real HTTP: the server runs in-process on
//! 127.0.0.1:0 with a secret key; requests are signed here the way the JS
//! and Python SDKs sign them (written out independently of the server's
//! code), and checked against the SDKs' own recorded test vectors.

mod support {
    pub mod guests;
    pub mod served;
}

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pigdin_runtime::access::signature::{SignedRequest, sign_v1, sign_v2};
use pigdin_runtime::access::token::{Rules, Token};
use serde_json::{Value, json};
use sha2::Sha256;

const SUB: &str = "demo";
const PUB: &str = "demo";
const SECRET: &str = "sec-test-secret";

type Pigdin = support::served::Served;

#[derive(Debug)]
struct Reply {
    status: u16,
    body: Value,
}

impl Pigdin {
    async fn start(secret_key: Option<&str>) -> Self {
        support::served::serve(|config| config.secret_key = secret_key.map(str::to_owned)).await
    }

    async fn send(&self, method: &str, path: &str, query: &[(&str, &str)], body: &str) -> Reply {
        let query = query_string(query);
        let url = format!("{}{path}?{query}", self.base);
        let mut request = self
            .http
            .request(method.parse().unwrap(), url)
            .header("content-type", "application/json");
        if !body.is_empty() {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Reply { status, body }
    }

    /// Sends a request signed as the JS SDK signs it (v2; `/publish` as a bodiless GET).
    async fn js_signed(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &str,
        timestamp: u64,
    ) -> Reply {
        let timestamp = timestamp.to_string();
        let mut params: Vec<(&str, &str)> = query.to_vec();
        params.push(("timestamp", &timestamp));
        let signature = js_signature(SECRET, PUB, method, path, &params, body);
        params.push(("signature", &signature));
        self.send(method, path, &params, body).await
    }

    async fn server(&self, method: &str, path: &str, query: &[(&str, &str)], body: &str) -> Reply {
        self.js_signed(method, path, query, body, now()).await
    }

    async fn grant_token(&self, body: Value) -> String {
        let reply = self
            .server(
                "POST",
                &format!("/v3/pam/{SUB}/grant"),
                &[],
                &body.to_string(),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["data"]["message"], "Success");
        reply.body["data"]["token"].as_str().unwrap().to_owned()
    }

    async fn publish(&self, channel: &str, query: &[(&str, &str)]) -> Reply {
        self.send(
            "GET",
            &format!("/publish/{PUB}/{SUB}/0/{}/0/%22hi%22", encode(channel)),
            query,
            "",
        )
        .await
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What JS `encodeString` leaves alone: `A-Za-z0-9-_.`.
const JS_ENCODED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// JS `encodeString`: encodeURIComponent, then `!~*'()` encoded too.
fn encode(text: &str) -> String {
    utf8_percent_encode(text, JS_ENCODED).to_string()
}

fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn hmac_sha256(secret: &str, input: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The JS SDK's `RequestSignature.signature`.
fn js_signature(
    secret: &str,
    publish_key: &str,
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    body: &str,
) -> String {
    let method = if path.starts_with("/publish") {
        "GET"
    } else {
        method
    };
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut input = format!(
        "{method}\n{publish_key}\n{path}\n{}\n",
        query_string(&sorted)
    );
    if method == "POST" || method == "PATCH" {
        input.push_str(body);
    }
    format!("v2.{}", URL_SAFE_NO_PAD.encode(hmac_sha256(secret, &input)))
}

/// The Python SDK's signature of a POST publish (the old v1 form).
fn python_v1_signature(path: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let input = format!("{SUB}\n{PUB}\n{path}\n{}", query_string(&sorted));
    URL_SAFE.encode(hmac_sha256(SECRET, &input))
}

fn owned(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_forbidden(reply: &Reply, what: &str, names: &[&str]) {
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.body["message"], "Forbidden", "{}", reply.body);
    assert_eq!(reply.body["service"], "Access Manager");
    assert_eq!(reply.body["error"], true);
    assert_eq!(reply.body["status"], 403);
    assert_eq!(reply.body["payload"][what], json!(names), "{}", reply.body);
}

fn assert_refused(reply: &Reply, status: u16, words: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.body["service"], "Access Manager");
    let message = reply.body["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} lacks {words:?}");
}

#[test]
fn signatures_match_the_sdks_own_test_vectors() {
    // pubnub/javascript test/integration/endpoints/access.test.ts, "#audit ... for channels".
    let js_params = [
        ("timestamp", "1317427200"),
        ("channel", "ch1"),
        ("uuid", "myUUID"),
        ("pnsdk", "PubNub-JS-Nodejs/suchJavascript"),
    ];
    let expected = "v2.I7AFqanrAAtwVfvLHyKECTWw7UcZmwbRnwENpXdGB9E";
    let path = "/v2/auth/audit/sub-key/mySubscribeKey";
    assert_eq!(
        js_signature("mySecretKey", "myPublishKey", "GET", path, &js_params, ""),
        expected
    );
    let params = owned(&js_params);
    let request = SignedRequest {
        method: "GET",
        path,
        params: &params,
        body: b"",
    };
    assert_eq!(sign_v2("mySecretKey", "myPublishKey", &request), expected);

    // The same file, "#grant ... for channels".
    let params = owned(&[
        ("timestamp", "1317427200"),
        ("channel", "ch1,ch2"),
        ("auth", "key1,key2"),
        ("uuid", "myUUID"),
        ("pnsdk", "PubNub-JS-Nodejs/suchJavascript"),
        ("r", "0"),
        ("w", "0"),
        ("m", "0"),
        ("d", "0"),
        ("g", "0"),
        ("j", "0"),
        ("u", "0"),
    ]);
    let request = SignedRequest {
        method: "GET",
        path: "/v2/auth/grant/sub-key/mySubscribeKey",
        params: &params,
        body: b"",
    };
    assert_eq!(
        sign_v2("mySecretKey", "myPublishKey", &request),
        "v2.LEJCwKOBTApWy5jcdXPmtN1_N2aaJx0ZN3krPY6oLu8"
    );

    // pubnub/python tests/unit/test_utils.py `test_sign_sha_256`: the v1 form.
    let params = owned(&[
        ("channel", "asyncio-pam-FI2FCS0A"),
        ("pnsdk", "PubNub-Python-Asyncio%2F4.0.4"),
        ("r", "1"),
        ("timestamp", "1468409553"),
        ("uuid", "a4dbf92e-e5cb-428f-b6e6-35cce03500a2"),
        ("w", "1"),
    ]);
    let request = SignedRequest {
        method: "POST",
        path: "grant",
        params: &params,
        body: b"",
    };
    assert_eq!(
        sign_v1(
            "my_key",
            "sub-c-7ba2ac4c-4836-11e6-85a4-0619f8945a4f",
            "pub-c-98863562-19a6-4760-bf0b-d537d1f5c582",
            &request
        ),
        "zXtkplNSczgpsfhaYajoEfQnIgRTUCgE9AE6Y0mS_J8="
    );
}

#[tokio::test]
async fn without_a_secret_key_everything_stays_open() {
    let pigdin = Pigdin::start(None).await;
    assert_eq!(pigdin.publish("a", &[("uuid", "u")]).await.status, 200);
    let reply = pigdin
        .send(
            "POST",
            &format!("/v3/pam/{SUB}/grant"),
            &[],
            r#"{"ttl":5,"permissions":{"resources":{"channels":{"a":1}}}}"#,
        )
        .await;
    assert_refused(&reply, 400, "--secret-key");
}

#[tokio::test]
async fn requests_signed_with_the_secret_key_may_do_everything() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let uuid = [("uuid", "server"), ("pnsdk", "PubNub-JS-Nodejs/12.0.0")];
    // JS publish over GET and over POST (signed as a bodiless GET).
    let path = format!("/publish/{PUB}/{SUB}/0/a%7Eb/0/%7B%22x%22%3A1%7D");
    let reply = pigdin.server("GET", &path, &uuid, "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let post_path = format!("/publish/{PUB}/{SUB}/0/a%7Eb/0");
    let reply = pigdin.server("POST", &post_path, &uuid, r#"{"x":2}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Python's POST publish: the v1 signature.
    let timestamp = now().to_string();
    let mut params = vec![("uuid", "py"), ("timestamp", timestamp.as_str())];
    let signature = python_v1_signature(&post_path, &params);
    params.push(("signature", &signature));
    let reply = pigdin.send("POST", &post_path, &params, r#"{"x":3}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // A signed PATCH covers its body; key-wide calls are allowed too.
    let reply = pigdin
        .server(
            "PATCH",
            &format!("/v2/objects/{SUB}/uuids/alice"),
            &uuid,
            r#"{"name":"Alice"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = pigdin
        .server("GET", &format!("/v2/presence/sub-key/{SUB}"), &uuid, "")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = pigdin
        .server(
            "GET",
            &format!("/v3/history/sub-key/{SUB}/channel/a%7Eb"),
            &uuid,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["channels"]["a~b"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn wrong_stale_missing_or_replayed_signatures_are_refused() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let path = format!("/v2/objects/{SUB}/uuids/alice");
    let body = r#"{"name":"Alice"}"#;
    // Signed for one body, sent with another: altered.
    let timestamp = now().to_string();
    let mut params = vec![("uuid", "server"), ("timestamp", timestamp.as_str())];
    let signature = js_signature(SECRET, PUB, "PATCH", &path, &params, body);
    params.push(("signature", &signature));
    let altered = pigdin
        .send("PATCH", &path, &params, r#"{"name":"Mallory"}"#)
        .await;
    assert_refused(&altered, 403, "Signature Does Not Match");
    // Signed for one uuid, sent with another.
    let mut changed = params.clone();
    changed[0].1 = "mallory";
    let reply = pigdin.send("PATCH", &path, &changed, body).await;
    assert_refused(&reply, 403, "Signature Does Not Match");
    // Signed with another secret key.
    let foreign = js_signature("not-the-secret", PUB, "PATCH", &path, &params[..2], body);
    let mut foreign_params = params[..2].to_vec();
    foreign_params.push(("signature", &foreign));
    let reply = pigdin.send("PATCH", &path, &foreign_params, body).await;
    assert_refused(&reply, 403, "Signature Does Not Match");
    // The genuine request passes.
    assert_eq!(pigdin.send("PATCH", &path, &params, body).await.status, 200);
    // Replayed later (a correct signature, an old timestamp): stale.
    let stale = pigdin
        .js_signed("PATCH", &path, &[("uuid", "server")], body, now() - 120)
        .await;
    assert_refused(&stale, 403, "stale");
    let future = pigdin
        .js_signed("PATCH", &path, &[("uuid", "server")], body, now() + 120)
        .await;
    assert_refused(&future, 403, "stale");
    // Replayed at once: a request with the JS SDK's unique `requestid` is
    // accepted once (without one, identical requests may both be genuine).
    let timestamp = now().to_string();
    let mut params = vec![
        ("uuid", "server"),
        ("requestid", "8d9a0c1e-0000-4000-8000-000000000001"),
        ("timestamp", timestamp.as_str()),
    ];
    let signature = js_signature(SECRET, PUB, "PATCH", &path, &params, body);
    params.push(("signature", &signature));
    assert_eq!(pigdin.send("PATCH", &path, &params, body).await.status, 200);
    let replayed = pigdin.send("PATCH", &path, &params, body).await;
    assert_refused(&replayed, 403, "Replayed");
    // A signature without a timestamp.
    let unstamped = [("uuid", "server")];
    let signature = js_signature(SECRET, PUB, "PATCH", &path, &unstamped, body);
    let reply = pigdin
        .send(
            "PATCH",
            &path,
            &[("uuid", "server"), ("signature", &signature)],
            body,
        )
        .await;
    assert_refused(&reply, 400, "timestamp");
    // A wrong signature is refused even on an endpoint a client could use.
    let reply = pigdin
        .publish(
            "a",
            &[("timestamp", &now().to_string()), ("signature", "v2.AAAA")],
        )
        .await;
    assert_refused(&reply, 403, "Signature Does Not Match");
}

#[tokio::test]
async fn every_endpoint_class_is_denied_without_permission() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let auth = [("uuid", "u"), ("auth", "nobody")];
    let cases: Vec<(&str, String, &str, Vec<&str>)> = vec![
        (
            "GET",
            format!("/publish/{PUB}/{SUB}/0/c/0/1"),
            "channels",
            vec!["c"],
        ),
        (
            "POST",
            format!("/publish/{PUB}/{SUB}/0/c/0"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/signal/{PUB}/{SUB}/0/c/0/1"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v2/subscribe/{SUB}/c,c-pnpres,d/0"),
            "channels",
            vec!["c", "d"],
        ),
        (
            "GET",
            format!("/v2/presence/sub-key/{SUB}/channel/c/heartbeat"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v2/presence/sub-key/{SUB}/channel/c"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v2/history/sub-key/{SUB}/channel/c"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v3/history/sub-key/{SUB}/channel/c"),
            "channels",
            vec!["c"],
        ),
        (
            "DELETE",
            format!("/v3/history/sub-key/{SUB}/channel/c"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v3/history/sub-key/{SUB}/message-counts/c"),
            "channels",
            vec!["c"],
        ),
        (
            "GET",
            format!("/v1/channel-registration/sub-key/{SUB}/channel-group/g"),
            "channel-groups",
            vec!["g"],
        ),
        (
            "GET",
            format!("/v2/objects/{SUB}/uuids/someone"),
            "uuids",
            vec!["someone"],
        ),
        (
            "PATCH",
            format!("/v2/objects/{SUB}/uuids/someone"),
            "uuids",
            vec!["someone"],
        ),
        (
            "DELETE",
            format!("/v2/objects/{SUB}/channels/c"),
            "channels",
            vec!["c"],
        ),
        (
            "PATCH",
            format!("/v2/objects/{SUB}/channels/c/uuids"),
            "channels",
            vec!["c"],
        ),
    ];
    for (method, path, what, names) in &cases {
        let body = if *method == "GET" || *method == "DELETE" {
            ""
        } else {
            "{}"
        };
        let reply = pigdin.send(method, path, &auth, body).await;
        assert_forbidden(&reply, what, names);
    }
    // Key-wide calls name the keyset; grants and tokens need the server role.
    let reply = pigdin
        .send("GET", &format!("/v2/presence/sub-key/{SUB}"), &auth, "")
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.body["payload"]["subscribe_key"], true);
    let reply = pigdin
        .send("GET", &format!("/v2/auth/grant/sub-key/{SUB}"), &auth, "")
        .await;
    assert_refused(&reply, 403, "secret key");
    let reply = pigdin
        .send("POST", &format!("/v3/pam/{SUB}/grant"), &auth, "{}")
        .await;
    assert_refused(&reply, 403, "secret key");
    // Open endpoints stay open.
    assert_eq!(pigdin.send("GET", "/time/0", &[], "").await.status, 200);
}

#[tokio::test]
async fn v2_grants_allow_and_deny_per_auth_key() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let server: &Pigdin = &pigdin;
    let grant = move |query: Vec<(&'static str, &'static str)>| {
        let pigdin = server;
        async move {
            let reply = pigdin
                .server("GET", &format!("/v2/auth/grant/sub-key/{SUB}"), &query, "")
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.body["message"], "Success");
            reply.body["payload"].clone()
        }
    };
    let payload = grant(vec![
        ("channel", "room"),
        ("auth", "k1"),
        ("r", "1"),
        ("ttl", "5"),
    ])
    .await;
    assert_eq!(payload["level"], "channel");
    assert_eq!(payload["subscribe_key"], SUB);
    assert_eq!(payload["ttl"], 5);
    assert_eq!(payload["channels"]["room"]["auths"]["k1"]["r"], 1);
    assert_eq!(payload["channels"]["room"]["auths"]["k1"]["w"], 0);

    let k1 = [("uuid", "u"), ("auth", "k1")];
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/subscribe/{SUB}/room,room-pnpres/0"),
            &k1,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_forbidden(&pigdin.publish("room", &k1).await, "channels", &["room"]);
    let other = [("uuid", "u"), ("auth", "k2")];
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/history/sub-key/{SUB}/channel/room"),
            &other,
            "",
        )
        .await;
    assert_forbidden(&reply, "channels", &["room"]);

    grant(vec![
        ("channel", "room"),
        ("auth", "k1"),
        ("r", "1"),
        ("w", "1"),
    ])
    .await;
    assert_eq!(pigdin.publish("room", &k1).await.status, 200);
    // Zero bits revoke.
    grant(vec![("channel", "room"), ("auth", "k1")]).await;
    assert_forbidden(&pigdin.publish("room", &k1).await, "channels", &["room"]);

    // Groups need manage; a wildcard channel grant covers its channels;
    // a grant without auth keys applies to everyone.
    grant(vec![("channel-group", "g"), ("auth", "admin"), ("m", "1")]).await;
    let reply = pigdin
        .send(
            "GET",
            &format!("/v1/channel-registration/sub-key/{SUB}/channel-group/g"),
            &[("uuid", "u"), ("auth", "admin"), ("add", "room")],
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    grant(vec![("channel", "news.*"), ("w", "1")]).await;
    assert_eq!(
        pigdin
            .publish("news.today", &[("uuid", "anyone")])
            .await
            .status,
        200
    );
    // A bad ttl is refused with its reason.
    let reply = pigdin
        .server(
            "GET",
            &format!("/v2/auth/grant/sub-key/{SUB}"),
            &[("channel", "x"), ("ttl", "-1")],
            "",
        )
        .await;
    assert_refused(&reply, 400, "ttl");
}

fn token_grant(ttl: u64) -> Value {
    json!({
        "ttl": ttl,
        "permissions": {
            "resources": {
                "channels": {"room": 3},
                "groups": {},
                "uuids": {"alice": 32 | 64}
            },
            "patterns": {"channels": {"webex\\.alice\\..*": 1}},
            "meta": {"purpose": "test"},
            "uuid": "alice"
        }
    })
}

#[tokio::test]
async fn tokens_are_parseable_and_enforce_resources_patterns_and_uuid() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let token = pigdin.grant_token(token_grant(15)).await;

    // What the SDKs' parseToken reads: padded url-safe base64 of a CBOR map.
    assert_eq!(token.len() % 4, 0);
    let bytes = URL_SAFE.decode(&token).unwrap();
    let parsed: ciborium::Value = ciborium::from_reader(bytes.as_slice()).unwrap();
    let field = |name: &str| {
        parsed
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(field("v"), ciborium::Value::from(2));
    assert_eq!(field("ttl"), ciborium::Value::from(15));
    assert_eq!(field("uuid"), ciborium::Value::Text("alice".into()));
    assert_eq!(field("sig").as_bytes().unwrap().len(), 32);
    let res = field("res");
    for key in ["chan", "grp", "uuid", "usr", "spc"] {
        assert!(
            res.as_map()
                .unwrap()
                .iter()
                .any(|(k, _)| k.as_text() == Some(key))
        );
    }
    field("pat");
    field("meta");

    let alice = [("uuid", "alice"), ("auth", token.as_str())];
    assert_eq!(pigdin.publish("room", &alice).await.status, 200);
    assert_forbidden(
        &pigdin.publish("elsewhere", &alice).await,
        "channels",
        &["elsewhere"],
    );
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/subscribe/{SUB}/room,webex.alice.r1/0"),
            &alice,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/subscribe/{SUB}/webex.bob.r1/0"),
            &alice,
            "",
        )
        .await;
    assert_forbidden(&reply, "channels", &["webex.bob.r1"]);
    // The pattern grants read only.
    assert_forbidden(
        &pigdin.publish("webex.alice.r1", &alice).await,
        "channels",
        &["webex.alice.r1"],
    );
    // App Context: get and update on alice, nothing on bob.
    let reply = pigdin
        .send(
            "PATCH",
            &format!("/v2/objects/{SUB}/uuids/alice"),
            &alice,
            r#"{"name":"Alice"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = pigdin
        .send("GET", &format!("/v2/objects/{SUB}/uuids/bob"), &alice, "")
        .await;
    assert_forbidden(&reply, "uuids", &["bob"]);
    let reply = pigdin
        .send(
            "DELETE",
            &format!("/v2/objects/{SUB}/uuids/alice"),
            &alice,
            "",
        )
        .await;
    assert_forbidden(&reply, "uuids", &["alice"]);
    // The authorized uuid: the token cannot act as someone else.
    let as_bob = [("uuid", "bob"), ("auth", token.as_str())];
    assert_refused(
        &pigdin.publish("room", &as_bob).await,
        403,
        "authorized for uuid",
    );
}

#[tokio::test]
async fn revoked_expired_forged_and_malformed_tokens_are_refused() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let token = pigdin.grant_token(token_grant(15)).await;
    let server: &Pigdin = &pigdin;
    let publish = move |token: String| async move {
        server
            .publish("room", &[("uuid", "alice"), ("auth", token.as_str())])
            .await
    };
    assert_eq!(publish(token.clone()).await.status, 200);

    // Revoke (server role only), then it is refused.
    let revoke_path = format!("/v3/pam/{SUB}/grant/{}", encode(&token));
    let reply = pigdin.send("DELETE", &revoke_path, &[], "").await;
    assert_refused(&reply, 403, "secret key");
    let reply = pigdin.server("DELETE", &revoke_path, &[], "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_refused(&publish(token).await, 403, "revoked");

    // Expired: issued 20 minutes ago for 15.
    let mut resources = Rules::default();
    resources.chan.insert("room".into(), 3);
    let expired = Token {
        timestamp: now() - 20 * 60,
        ttl_minutes: 15,
        resources,
        patterns: Rules::default(),
        meta: json!({}),
        authorized_uuid: None,
    };
    assert_refused(&publish(expired.encode(SECRET)).await, 403, "expired");

    // Forged: the right shape, signed with another key.
    let forged = Token {
        timestamp: now(),
        ..expired.clone()
    };
    assert_refused(
        &publish(forged.encode("guessed-secret")).await,
        403,
        "does not match",
    );
    // Altered: one byte of the body changed after signing.
    let genuine = forged.encode(SECRET);
    assert_eq!(publish(genuine.clone()).await.status, 200);
    let mut bytes = URL_SAFE.decode(&genuine).unwrap();
    let at = bytes.iter().position(|b| *b == b'r').unwrap(); // the "room" in res.chan
    bytes[at] = b'R';
    let altered = URL_SAFE.encode(&bytes);
    assert_refused(&publish(altered).await, 403, "does not match");
    // Malformed: a CBOR map that is cut short.
    let truncated = URL_SAFE.encode(&URL_SAFE.decode(&genuine).unwrap()[..60]);
    assert_refused(&publish(truncated).await, 400, "Invalid token");
    // Malformed: a genuine map with bytes after it (the signature covers
    // only the map, so they would ride along unchecked).
    let mut trailing = URL_SAFE.decode(&genuine).unwrap();
    trailing.extend_from_slice(b"junk");
    assert_refused(
        &publish(URL_SAFE.encode(&trailing)).await,
        400,
        "follow its CBOR map",
    );

    // Grant token input errors.
    let reply = pigdin
        .server(
            "POST",
            &format!("/v3/pam/{SUB}/grant"),
            &[],
            &token_grant(43_201).to_string(),
        )
        .await;
    assert_refused(&reply, 400, "43200");
    let reply = pigdin
        .server("POST", &format!("/v3/pam/{SUB}/grant"), &[], "{not json")
        .await;
    assert_refused(&reply, 400, "not valid JSON");
}

#[tokio::test]
async fn functions_issue_tokens_with_the_server_role() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let (manifest, wasm) = support::guests::module("fixtures/token-issuer", "token-issuer");
    pigdin
        .runtime
        .functions
        .deploy(&pigdin.runtime, &manifest, &wasm, false)
        .await
        .unwrap();
    let issue = |body: Value| {
        let pigdin = &pigdin;
        async move {
            let response = pigdin
                .http
                .post(format!("{}/v1/blocks/sub-key/{SUB}/issue", pigdin.base))
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, token) = issue(token_grant(5)).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(
        pigdin
            .publish("room", &[("uuid", "alice"), ("auth", token.as_str())])
            .await
            .status,
        200
    );
    let (status, reason) = issue(token_grant(0)).await;
    assert_eq!(status, 400);
    assert!(reason.contains("between 1 and 43200"), "{reason}");
}

#[tokio::test]
async fn a_pigdin_users_token_reaches_only_their_own_channels() {
    use pigdin_runtime::access::user_token::{USER_UPDATE_CHANNEL, pigdin_user_grant};
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let token = pigdin.grant_token(pigdin_user_grant("alice", 60)).await;
    let alice = [("uuid", "alice"), ("auth", token.as_str())];

    // Her own rooms: subscribe (wildcard and presence), publish, history.
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/subscribe/{SUB}/webex.alice.*,webex.alice.*-pnpres/0"),
            &alice,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(pigdin.publish("webex.alice.room", &alice).await.status, 200);
    let reply = pigdin
        .send(
            "GET",
            &format!("/v3/history/sub-key/{SUB}/channel/webex.alice.room"),
            &alice,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Her own metadata, and fires about herself.
    let reply = pigdin
        .send(
            "PATCH",
            &format!("/v2/objects/{SUB}/uuids/alice"),
            &alice,
            r#"{"name":"Alice"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let fire = [
        ("uuid", "alice"),
        ("auth", token.as_str()),
        ("store", "0"),
        ("norep", "true"),
    ];
    assert_eq!(pigdin.publish(USER_UPDATE_CHANNEL, &fire).await.status, 200);

    // Nothing of Bob's: his rooms, his metadata, his identity.
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/subscribe/{SUB}/webex.bob.*/0"),
            &alice,
            "",
        )
        .await;
    assert_forbidden(&reply, "channels", &["webex.bob.*"]);
    let reply = pigdin
        .send(
            "GET",
            &format!("/v3/history/sub-key/{SUB}/channel/webex.bob.room"),
            &alice,
            "",
        )
        .await;
    assert_forbidden(&reply, "channels", &["webex.bob.room"]);
    assert_forbidden(
        &pigdin.publish("webex.bob.room", &alice).await,
        "channels",
        &["webex.bob.room"],
    );
    // A name that merely starts like hers is not hers.
    assert_forbidden(
        &pigdin.publish("webex.alicexyz.room", &alice).await,
        "channels",
        &["webex.alicexyz.room"],
    );
    let reply = pigdin
        .send(
            "PATCH",
            &format!("/v2/objects/{SUB}/uuids/bob"),
            &alice,
            r#"{"name":"Mallory"}"#,
        )
        .await;
    assert_forbidden(&reply, "uuids", &["bob"]);
    let as_bob = [
        ("uuid", "bob"),
        ("auth", token.as_str()),
        ("store", "0"),
        ("norep", "true"),
    ];
    assert_refused(
        &pigdin.publish(USER_UPDATE_CHANNEL, &as_bob).await,
        403,
        "authorized for uuid",
    );
}

#[tokio::test]
async fn message_actions_need_write_to_add_read_to_list_and_delete_to_remove() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    // read+write on `room`; read+write+delete on `mod`.
    let token = pigdin
        .grant_token(json!({
            "ttl": 15,
            "permissions": {
                "resources": {"channels": {"room": 3, "mod": 11}, "groups": {}, "uuids": {}},
                "patterns": {},
                "meta": {},
                "uuid": "alice"
            }
        }))
        .await;
    let alice = [("uuid", "alice"), ("auth", token.as_str())];
    let action = r#"{"type":"reaction","value":"+1"}"#;
    let path =
        |channel: &str, rest: &str| format!("/v1/message-actions/{SUB}/channel/{channel}{rest}");

    let mut added = Vec::new();
    for channel in ["room", "mod"] {
        let reply = pigdin
            .send("POST", &path(channel, "/message/1"), &alice, action)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        added.push(
            reply.body["data"]["actionTimetoken"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let reply = pigdin.send("GET", &path(channel, ""), &alice, "").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let reply = pigdin
        .send("POST", &path("elsewhere", "/message/1"), &alice, action)
        .await;
    assert_forbidden(&reply, "channels", &["elsewhere"]);
    let reply = pigdin.send("GET", &path("elsewhere", ""), &alice, "").await;
    assert_forbidden(&reply, "channels", &["elsewhere"]);

    let remove = |channel: &str, tt: &str| path(channel, &format!("/message/1/action/{tt}"));
    let reply = pigdin
        .send("DELETE", &remove("room", &added[0]), &alice, "")
        .await;
    assert_forbidden(&reply, "channels", &["room"]);
    let reply = pigdin
        .send("DELETE", &remove("mod", &added[1]), &alice, "")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn setting_another_uuids_presence_state_needs_update_on_that_uuid() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    // Read on `room` for alice; update on carol, nothing on bob.
    let token = pigdin
        .grant_token(json!({
            "ttl": 15,
            "permissions": {
                "resources": {"channels": {"room": 1}, "groups": {}, "uuids": {"carol": 64}},
                "patterns": {},
                "meta": {},
                "uuid": "alice"
            }
        }))
        .await;
    let server: &Pigdin = &pigdin;
    let set_state = |uuid: &str| {
        let path = format!("/v2/presence/sub-key/{SUB}/channel/room/uuid/{uuid}/data");
        let token = token.clone();
        async move {
            let query = [
                ("uuid", "alice"),
                ("auth", token.as_str()),
                ("state", r#"{"mood":"set by alice"}"#),
            ];
            server.send("GET", &path, &query, "").await
        }
    };
    let reply = set_state("alice").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_forbidden(&set_state("bob").await, "uuids", &["bob"]);
    let reply = set_state("carol").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Bob's state was left alone; reading another's state needs only read.
    let reply = pigdin
        .send(
            "GET",
            &format!("/v2/presence/sub-key/{SUB}/channel/room/uuid/bob"),
            &[("uuid", "alice"), ("auth", token.as_str())],
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["payload"], json!({}));
}

#[tokio::test]
async fn a_signed_body_is_covered_byte_for_byte() {
    let pigdin = Pigdin::start(Some(SECRET)).await;
    let timestamp = now().to_string();
    // Signed in PubNub's documented form (POST, pub key, path, query, body),
    // which for a publish differs from the JS SDK's bodiless GET.
    let signed_post = |path: &str, body: &str| {
        let params = [("timestamp", timestamp.as_str()), ("uuid", "server")]; // sorted
        let input = format!("POST\n{PUB}\n{path}\n{}\n{body}", query_string(&params));
        let signature = format!("v2.{}", URL_SAFE_NO_PAD.encode(hmac_sha256(SECRET, &input)));
        vec![params[0], params[1], ("signature", signature.leak())]
    };
    // A POST publish signed so passes, and its signature carries no other body.
    let path = format!("/publish/{PUB}/{SUB}/0/room/0");
    let reply = pigdin
        .send("POST", &path, &signed_post(&path, r#""hi""#), r#""hi""#)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = pigdin
        .send("POST", &path, &signed_post(&path, r#""hi""#), r#""bye""#)
        .await;
    assert_refused(&reply, 403, "Signature Does Not Match");
    // Grant token, message actions: the same signature with another body is
    // refused, naming what the signature covers.
    let body = r#"{"ttl":15,"permissions":{"resources":{"channels":{"a":1}}}}"#;
    let altered = body.replace(":1}", ":3}");
    for path in [
        format!("/v3/pam/{SUB}/grant"),
        format!("/v1/message-actions/{SUB}/channel/room/message/1"),
    ] {
        let reply = pigdin
            .send("POST", &path, &signed_post(&path, body), &altered)
            .await;
        assert_refused(&reply, 403, "Signature Does Not Match");
        assert_refused(&reply, 403, "body");
    }
}
