//! PubNub's own documented examples, one handler per Functions module
//! (`tests/js/docs/`, each file naming the page it comes from), run unchanged
//! on the JS engine. Expected values are computed independently of Pigdin
//! (Python's hashlib/hmac/base64, the haversine formula by hand), or are the
//! ones the documentation prints.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{history, js_module, logs, publish};
use crate::support::{Options, Server, eventually, percent_encode};

/// A server with the `docs` module deployed.
async fn docs_server(options: Options) -> Server {
    let server = Server::start_with(options).await;
    let out = server.deploy(&js_module("docs")).await;
    assert!(out.contains("deployed docs version"), "{out}");
    server
}

/// The values a handler recorded with `console.log` (its `logged` array).
async fn logged(server: &Server, path_and_query: &str) -> Vec<Value> {
    let answer = server.get_json(path_and_query).await;
    answer["logged"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no `logged` in {answer}"))
}

/// One HTTP request a [`Capture`] received.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path: String,
    /// Names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP server standing in for the outside API an example calls:
/// it records every request and answers each with `reply` (JSON).
struct Capture {
    origin: String,
    seen: Arc<Mutex<Vec<Captured>>>,
}

impl Capture {
    async fn start(reply: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the capture server");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    sink.lock().unwrap().push(request);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { origin, seen }
    }

    fn requests(&self) -> Vec<Captured> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one HTTP/1.1 request (head, then a `Content-Length` body).
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Captured> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_owned(), start.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Captured {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// `"Publish Status: 1:Sent with TT <timetoken>"`: the timetoken.
fn publish_status_timetoken(line: &Value) -> String {
    let line = line
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {line}"));
    let timetoken = line
        .strip_prefix("Publish Status: 1:Sent with TT ")
        .unwrap_or_else(|| panic!("unexpected publish status line: {line}"));
    assert!(
        timetoken.len() == 17 && timetoken.chars().all(|c| c.is_ascii_digit()),
        "a 17-digit timetoken: {line}"
    );
    timetoken.to_owned()
}

fn timetoken_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kvstore_set_get_and_set_item_as_documented() {
    let server = docs_server(Options::default()).await;
    let answer = server.get_json("docs/kvstore").await;
    assert_eq!(
        answer,
        json!({"logged": [["value", {"value": true}]], "afterSetItem": "value"}),
        "get resolves what set stored; setItem then replaces it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn xhr_post_with_a_json_payload_as_documented() {
    let api = Capture::start(r#"{"origin":"capture","json":{"seen":true}}"#).await;
    let server = docs_server(
        Options::default()
            .arg("--xhr-route")
            .arg(format!("http://httpbin.org={}", api.origin)),
    )
    .await;
    let reply = publish(&server, "docs.xhr", &json!({"text": "hi"}), "").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let stored = history(&server, "docs.xhr")
        .await
        .pop()
        .expect("a stored message");
    assert_eq!(
        stored["message"], "Request succeeded",
        "event.ok('Request succeeded') after the call succeeded: {stored}"
    );

    let requests = api.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let call = &requests[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/post"),
        "{call:?}"
    );
    assert_eq!(
        call.header("content-type"),
        Some("application/json"),
        "{call:?}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&call.body).expect("a JSON body"),
        json!({"body": "Posting JSON!", "to": "Someone Special!"})
    );
    // The example logs the parsed response body.
    eventually("the example to log the response body", || async {
        let log = logs(&server, "docs").await;
        log.contains(r#"{"origin":"capture","json":{"seen":true}}"#)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pubnub_publish_and_fire_as_documented() {
    let server = docs_server(Options::default()).await;
    let body = r#"{"text":"hello universe"}"#;
    let reply = server
        .request(server.http.post(server.block_url("docs/pubnub")).body(body))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let logged = reply.json()["logged"].as_array().cloned().unwrap();
    assert_eq!(logged.len(), 2, "{logged:?}");
    let published = publish_status_timetoken(&logged[0]);
    let fired = publish_status_timetoken(&logged[1]);
    assert!(fired > published, "fire came after publish: {logged:?}");

    let stored = history(&server, "hello_universe").await;
    assert_eq!(
        stored.len(),
        1,
        "publish is stored, fire is not: {stored:?}"
    );
    assert_eq!(
        stored[0]["message"], body,
        "request.message of an On Request is its body"
    );
    assert_eq!(timetoken_text(&stored[0]["timetoken"]), published);
}

#[tokio::test(flavor = "multi_thread")]
async fn vault_secret_goes_out_in_an_xhr_header_as_documented() {
    let api = Capture::start(r#"{"args":{}}"#).await;
    let server = docs_server(
        Options::default()
            .env("PIGDIN_VAULT__DOCS__myApiKey", "docs-api-key-42")
            .arg("--xhr-route")
            .arg(format!("https://httpbin.org={}", api.origin)),
    )
    .await;
    assert_eq!(server.get_ok("docs/vault").await, "OK");
    let requests = api.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let call = &requests[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("GET", "/get"),
        "{call:?}"
    );
    assert_eq!(call.header("api_key"), Some("docs-api-key-42"), "{call:?}");

    // "Rejects if the secret is missing": the example's promise rejects, so the
    // request fails, and nothing goes out.
    let bare_api = Capture::start("{}").await;
    let bare = docs_server(
        Options::default()
            .arg("--xhr-route")
            .arg(format!("https://httpbin.org={}", bare_api.origin)),
    )
    .await;
    let reply = bare.get("docs/vault").await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert!(
        reply
            .error_message()
            .starts_with("function docs/vault failed:"),
        "{reply:?}"
    );
    assert!(bare_api.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn crypto_hashes_and_hmac_as_documented() {
    let server = docs_server(Options::default()).await;
    let logged = logged(&server, "docs/crypto").await;
    assert_eq!(logged.len(), 5, "{logged:?}");
    let algorithms = logged[0]
        .as_object()
        .expect("crypto.ALGORITHM is an object");
    for name in [
        "ED25519",
        "ECDSA_P256_SHA1",
        "ECDSA_P256_SHA256",
        "ECDSA_P256_SHA512",
        "HMAC_SHA1",
        "HMAC_SHA256",
        "HMAC_SHA512",
    ] {
        assert!(
            algorithms.contains_key(name),
            "crypto.ALGORITHM.{name}: {algorithms:?}"
        );
    }
    // python3: base64.b64encode(hmac.new(b'sharedSecretKey', b'secretPayload', hashlib.sha1).digest())
    // (no `+` or `/` in it, so the URL-safe form is the same).
    assert_eq!(logged[1], "AaHKCrLzoG2UGHCqYAASf71wLoo=");
    assert_eq!(
        logged[2],
        "secretPayload:sx4yvIv4TM+p33je5wnxV8qnzekQvvvHaPZzGukC2RI="
    );
    assert_eq!(logged[3], "secretPayload:lxKt5ORJB+K62tNQucOyIwgVDfA=");
    assert_eq!(
        logged[4],
        "secretPayload:E9+4tYwT1BB75vTUL3nvLRhWB2BJ6HRUm4NYqjJ1A4noGOwluCCqNuHAYHiu9eL8StfiBgLIN15qzr7fodBKlA=="
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn codec_base64_as_documented() {
    let server = docs_server(Options::default()).await;
    // The values the page's comments give: aGVsbG8=, hello (and `_`, see below).
    let logged = logged(&server, "docs/base64").await;
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert_eq!(logged[0], "aGVsbG8=", "btoa('hello')");
    assert_eq!(logged[1], "hello", "atob('aGVsbG8=')");
    // PubNub's pages comment this `_`, which no Base64 of "+" is; Pigdin follows
    // the implementation a PubNub engineer wrote for the runtime
    // (functions_sanbox_poc lib/codec/base64.js: URL-safe btoa), so "Kw==".
    assert_eq!(logged[2], "Kw==", "encodeString('+')");
}

#[tokio::test(flavor = "multi_thread")]
async fn codec_query_string_as_documented() {
    let server = docs_server(Options::default()).await;
    let logged = logged(&server, "docs/query_string").await;
    // The page's comment reads `{a: 5, b: 10, c: 15}`: parsed values are the
    // query's text, the missing `c` comes from the defaults as given.
    assert_eq!(logged[0], json!({"a": "5", "b": "10", "c": 15}));
    assert_eq!(logged[1], "a=5&b=10");
    assert_eq!(logged.len(), 2, "{logged:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn codec_auth_as_documented() {
    let server = docs_server(Options::default()).await;
    // python3: base64.b64encode(b'many:blocks') == b'bWFueTpibG9ja3M='; the page's
    // comment writes `Basic: …`, but the value is an Authorization header's.
    assert_eq!(
        logged(&server, "docs/auth").await,
        vec![json!("Basic bWFueTpibG9ja3M=")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uuid_v4_validate_and_version_as_documented() {
    let server = docs_server(Options::default()).await;
    let reply = publish(&server, "docs.uuid", &json!({"any": "message"}), "").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let message = history(&server, "docs.uuid")
        .await
        .pop()
        .expect("a stored message")["message"]
        .clone();
    assert_eq!(message["valid"], true, "{message}");
    assert_eq!(message["version"], 4, "{message}");
    let id = message["v4"].as_str().expect("a v4 string");
    let groups: Vec<&str> = id.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{id}"
    );
    assert!(
        id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
        "{id}"
    );
    assert!(groups[2].starts_with('4'), "version nibble: {id}");
    assert!(
        groups[3].starts_with(['8', '9', 'a', 'b', 'A', 'B']),
        "variant bits: {id}"
    );

    publish(&server, "docs.uuid", &json!({"any": "again"}), "").await;
    let again = history(&server, "docs.uuid").await.pop().unwrap()["message"]["v4"].clone();
    assert_ne!(again, id, "v4 is random");
}

/// HS256 over `{"alg":"HS256","typ":"JWT"}` and `payload` with the docs'
/// secret `your-256-bit-secret`, made with Python's hmac/hashlib/base64.
const JWT_VALID: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiIxMjM0NTYiLCJ1c2VybmFtZSI6ImpvaG5kb2UiLCJpYXQiOjE2MTYyMzkwMjIsImV4cCI6NDEwMjQ0NDgwMH0.ZlnzPpwunDjWfXqOO5g1CgloQYBPJ7Tv1fVeQG3OUAY";
/// The payload the docs print (`exp` 1616242622, long past), signed the same way.
const JWT_EXPIRED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiIxMjM0NTYiLCJ1c2VybmFtZSI6ImpvaG5kb2UiLCJpYXQiOjE2MTYyMzkwMjIsImV4cCI6MTYxNjI0MjYyMn0.rRC_4icWfeZWfsBtiv6x-rQBT1WSeCaHyp1I2m4Yxvo";

#[tokio::test(flavor = "multi_thread")]
async fn jwt_sign_decode_and_verify_as_documented() {
    let server = docs_server(Options::default()).await;
    let jwt = |token: &str| format!("docs/jwt?token={}", percent_encode(token));
    let payload =
        json!({"userId": "123456", "username": "johndoe", "iat": 1616239022, "exp": 4102444800u64});

    let answer = server.get_json(&jwt(JWT_VALID)).await;
    assert_eq!(
        answer["logged"],
        json!([
            ["Decoded Token:", {
                "header": {"alg": "HS256", "typ": "JWT"},
                "payload": payload,
                "signature": "ZlnzPpwunDjWfXqOO5g1CgloQYBPJ7Tv1fVeQG3OUAY"
            }],
            ["Token is valid:", payload]
        ])
    );

    // A token `sign` made verifies, and carries the documented claims.
    let signed = answer["signed"]
        .as_str()
        .expect("sign returns a string")
        .to_owned();
    assert_eq!(signed.split('.').count(), 3, "{signed}");
    let own = server.get_json(&jwt(&signed)).await;
    let logged = own["logged"].as_array().unwrap();
    assert_eq!(
        logged[0][1]["header"],
        json!({"alg": "HS256", "typ": "JWT"}),
        "{own}"
    );
    let claims = &logged[0][1]["payload"];
    assert_eq!(
        (&claims["userId"], &claims["username"]),
        (&json!("123456"), &json!("johndoe")),
        "{own}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let iat = claims["iat"].as_i64().expect("iat");
    assert!((iat - now).abs() <= 60, "iat is now: {claims}");
    assert_eq!(
        claims["exp"].as_i64(),
        Some(iat + 3600),
        "expiresIn '1h': {claims}"
    );
    assert_eq!(logged[1], json!(["Token is valid:", claims]), "{own}");

    // verify rejects a wrong signature and an expired token.
    let mut tampered = JWT_VALID.to_owned();
    tampered.replace_range(tampered.len() - 1.., "B");
    let answer = server.get_json(&jwt(&tampered)).await;
    assert_eq!(
        answer["logged"][1],
        json!(["Token verification failed:", "invalid signature"])
    );
    let answer = server.get_json(&jwt(JWT_EXPIRED)).await;
    assert_eq!(answer["logged"][0][1]["payload"]["exp"], 1616242622);
    assert_eq!(
        answer["logged"][1],
        json!(["Token verification failed:", "jwt expired"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn utils_random_int_and_is_numeric_as_documented() {
    let server = docs_server(Options::default()).await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let answer = server.get_json("docs/utils").await;
        assert_eq!(
            answer["logged"],
            json!([true, false]),
            "isNumeric(5), isNumeric('five')"
        );
        let n = answer["randomNumber"]
            .as_i64()
            .unwrap_or_else(|| panic!("an integer: {answer}"));
        assert!((5..15).contains(&n), "randomInt(5, 15) is in [5, 15): {n}");
        seen.insert(n);
    }
    assert!(seen.len() > 1, "randomInt is random: {seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn advanced_math_distance_and_deg2rad_as_documented() {
    let server = docs_server(Options::default()).await;
    let answer = server.get_json("docs/advanced_math").await;
    // Toronto to San Francisco: haversine with the Earth's mean radius 3959 miles
    // (python3, math.radians/sin/cos/atan2).
    let miles = answer["distanceInMiles"].as_f64().expect("a number");
    assert!((miles - 2262.3627259641785).abs() < 1e-6, "{answer}");
    let radians = answer["radians"].as_f64().expect("a number");
    assert!(
        (radians - std::f64::consts::FRAC_PI_6).abs() < 1e-12,
        "{answer}"
    );
}
