//! History and App Context over real HTTP: the server runs in-process on a
//! free port with a temporary data directory; messages enter history through
//! `Runtime::publish`, as a publish request would put them there.

use std::time::Duration;

use pigdin_runtime::Config;
use pigdin_runtime::api::params::percent_encode;
use pigdin_runtime::ops::{PublishInput, Verb};
use pigdin_runtime::store::StoredMessage;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod support {
    pub mod served;
}

const SUB: &str = "demo";

type Server = support::served::Served;

async fn server_with(config: impl FnOnce(&mut Config)) -> Server {
    support::served::serve(config).await
}

async fn server() -> Server {
    server_with(|_| {}).await
}

impl Server {
    /// Publishes and returns the timetoken.
    async fn publish(&self, channel: &str, message: Value, meta: Option<Value>) -> u64 {
        self.runtime
            .publish(PublishInput {
                channel: channel.into(),
                message,
                meta,
                publisher: Some("alice".into()),
                verb: Verb::Publish,
                store: true,
                ttl_hours: None,
                params: Vec::new(),
                custom_message_type: Some("chat".into()),
                hops: 0,
            })
            .await
            .unwrap()
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_with(method, path, body, None).await
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(etag) = if_match {
            request = request.header("If-Match", etag);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path}: body is not JSON ({e}): {text}"));
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }
}

fn messages(page: &Value) -> Vec<Value> {
    page[0].as_array().unwrap().clone()
}

#[tokio::test]
async fn history_v2_shapes_and_paging() {
    let s = server().await;
    let mut tts = Vec::new();
    for i in 0..5 {
        let meta = (i % 2 == 0).then(|| json!({"n": i}));
        tts.push(s.publish("h2", json!({"text": i}), meta).await);
    }
    let base = format!("/v2/history/sub-key/{SUB}/channel/h2");

    let plain = s.get(&format!("{base}?count=100")).await;
    assert_eq!(
        plain,
        json!([
            [{"text": 0}, {"text": 1}, {"text": 2}, {"text": 3}, {"text": 4}],
            tts[0],
            tts[4]
        ])
    );

    let with_token = s
        .get(&format!("{base}?include_token=true&include_meta=true"))
        .await;
    assert_eq!(
        with_token[0][0],
        json!({"message": {"text": 0}, "timetoken": tts[0], "meta": {"n": 0}})
    );
    assert_eq!(
        with_token[0][1],
        json!({"message": {"text": 1}, "timetoken": tts[1]})
    );
    let strings = s
        .get(&format!(
            "{base}?include_token=true&string_message_token=true"
        ))
        .await;
    assert_eq!(strings[0][4]["timetoken"], json!(tts[4].to_string()));
    assert_eq!(strings[2], json!(tts[4].to_string()));

    // Newest first by pages of two, paging back with `start`.
    let newest = s.get(&format!("{base}?count=2")).await;
    assert_eq!(messages(&newest), [json!({"text": 3}), json!({"text": 4})]);
    let older = s.get(&format!("{base}?count=2&start={}", newest[1])).await;
    assert_eq!(messages(&older), [json!({"text": 1}), json!({"text": 2})]);
    let oldest = s.get(&format!("{base}?count=2&reverse=true")).await;
    assert_eq!(messages(&oldest), [json!({"text": 0}), json!({"text": 1})]);
    // A slice: `end` inclusive, `start` exclusive.
    let slice = s
        .get(&format!("{base}?start={}&end={}", tts[3], tts[1]))
        .await;
    assert_eq!(messages(&slice), [json!({"text": 1}), json!({"text": 2})]);
    let empty = s
        .get(&format!("/v2/history/sub-key/{SUB}/channel/nothing"))
        .await;
    assert_eq!(empty, json!([[], 0, 0]));
}

#[tokio::test]
async fn history_v3_fetch_shapes_paging_and_several_channels() {
    let s = server().await;
    let mut tts = Vec::new();
    for i in 0..3 {
        tts.push(
            s.publish("v3a", json!(format!("a{i}")), Some(json!({"i": i})))
                .await,
        );
    }
    s.publish("v3b", json!("b0"), None).await;

    let full = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/channel/v3a?max=2&include_uuid=true&include_meta=true\
             &include_message_type=true&include_custom_message_type=true"
        ))
        .await;
    assert_eq!(full["status"], 200);
    assert_eq!(full["error"], false);
    assert_eq!(full["error_message"], "");
    assert_eq!(
        full["channels"]["v3a"],
        json!([
            {"message": "a1", "timetoken": tts[1].to_string(), "uuid": "alice",
             "meta": {"i": 1}, "message_type": null, "custom_message_type": "chat"},
            {"message": "a2", "timetoken": tts[2].to_string(), "uuid": "alice",
             "meta": {"i": 2}, "message_type": null, "custom_message_type": "chat"},
        ])
    );
    // Cut short: `more` says where the next page starts.
    assert_eq!(full["more"]["start"], json!(tts[1].to_string()));
    assert_eq!(full["more"]["max"], 2);
    let next_url = full["more"]["url"].as_str().unwrap().to_owned();
    let next = s.get(&next_url).await;
    assert_eq!(
        next["channels"]["v3a"],
        json!([{"message": "a0", "timetoken": tts[0].to_string()}])
    );
    assert!(next.get("more").is_none());

    let both = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/channel/v3a,v3b,v3empty"
        ))
        .await;
    assert_eq!(both["channels"]["v3a"].as_array().unwrap().len(), 3);
    assert_eq!(
        both["channels"]["v3b"],
        json!([{"message": "b0", "timetoken": both["channels"]["v3b"][0]["timetoken"]}])
    );
    assert_eq!(both["channels"]["v3empty"], json!([]));
    assert!(both.get("more").is_none());

    // `end` only: that message and newer.
    let since = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/channel/v3a?end={}",
            tts[1]
        ))
        .await;
    assert_eq!(since["channels"]["v3a"].as_array().unwrap().len(), 2);

    let with_actions = s
        .get(&format!(
            "/v3/history-with-actions/sub-key/{SUB}/channel/v3a?max=1"
        ))
        .await;
    assert_eq!(with_actions["channels"]["v3a"][0]["actions"], json!({}));
    assert_eq!(with_actions["channels"]["v3a"][0]["message"], "a2");
}

#[tokio::test]
async fn message_counts_by_one_or_per_channel_timetokens() {
    let s = server().await;
    let first = s.publish("mc1", json!(1), None).await;
    s.publish("mc1", json!(2), None).await;
    s.publish("mc2", json!(3), None).await;

    let all = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/message-counts/mc1,mc2?timetoken={first}"
        ))
        .await;
    assert_eq!(
        all,
        json!({"status": 200, "error": false, "error_message": "", "channels": {"mc1": 1, "mc2": 1}})
    );
    let per = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/message-counts/mc1,mc2?channelsTimetoken={}%2C{}",
            first - 1,
            u64::MAX - 1
        ))
        .await;
    assert_eq!(per["channels"], json!({"mc1": 2, "mc2": 0}));

    for query in ["", "?channelsTimetoken=1,2,3", "?timetoken=soon"] {
        let (status, body) = s
            .call(
                Method::GET,
                &format!("/v3/history/sub-key/{SUB}/message-counts/mc1,mc2{query}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"], true);
    }
}

#[tokio::test]
async fn delete_removes_a_range_or_one_message() {
    let s = server().await;
    let mut tts = Vec::new();
    for i in 0..4 {
        tts.push(s.publish("del", json!(i), None).await);
    }
    let path = format!("/v3/history/sub-key/{SUB}/channel/del");
    // PubNub's recipe for one message: start = tt - 1, end = tt.
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("{path}?start={}&end={}", tts[1] - 1, tts[1]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": 200, "error": false, "error_message": ""})
    );
    let left = s.get(&path).await;
    let left: Vec<&Value> = left["channels"]["del"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["message"])
        .collect();
    assert_eq!(left, [&json!(0), &json!(2), &json!(3)]);

    s.call(Method::DELETE, &path, None).await;
    assert_eq!(s.get(&path).await["channels"]["del"], json!([]));
}

#[tokio::test]
async fn history_refuses_bad_requests() {
    let s = server().await;
    let long = "c".repeat(2049);
    for (path, needle) in [
        (
            "/v2/history/sub-key/wrong/channel/a".to_owned(),
            "Invalid Subscribe Key",
        ),
        (
            format!("/v3/history/sub-key/{SUB}/channel/a?start=yesterday"),
            "start",
        ),
        (format!("/v2/history/sub-key/{SUB}/channel/a?end=-5"), "end"),
        (format!("/v2/history/sub-key/{SUB}/channel/{long}"), "limit"),
        (
            format!("/v3/history-with-actions/sub-key/{SUB}/channel/a,b"),
            "single channel",
        ),
    ] {
        let (status, body) = s.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.to_string().contains(needle), "{path}: {body}");
    }
}

#[tokio::test]
async fn retention_hides_messages_older_than_it() {
    let s = server_with(|c| c.history_retention = Some(Duration::from_secs(60))).await;
    let now = s.runtime.broker.now();
    let old = StoredMessage {
        channel: "kept".into(),
        timetoken: now - 120 * 10_000_000,
        message: json!("old"),
        meta: None,
        publisher: None,
        message_type: 0,
        custom_message_type: None,
    };
    s.runtime.store.history.append(&old).await.unwrap();
    s.publish("kept", json!("new"), None).await;
    let page = s
        .get(&format!("/v2/history/sub-key/{SUB}/channel/kept"))
        .await;
    assert_eq!(messages(&page), [json!("new")]);
    let counts = s
        .get(&format!(
            "/v3/history/sub-key/{SUB}/message-counts/kept?timetoken=0"
        ))
        .await;
    assert_eq!(counts["channels"]["kept"], 1);
}

#[tokio::test]
async fn uuid_metadata_crud_404_and_412() {
    let s = server().await;
    let path = format!("/v2/objects/{SUB}/uuids/u1?include=custom,status,type");
    let (status, set) = s
        .call(
            Method::PATCH,
            &path,
            Some(json!({"name": "Ann", "email": null, "custom": {"team": "red"}, "status": "online"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let data = &set["data"];
    assert_eq!(data["id"], "u1");
    assert_eq!(data["name"], "Ann");
    assert_eq!(data["externalId"], Value::Null);
    assert_eq!(data["profileUrl"], Value::Null);
    assert_eq!(data["type"], Value::Null);
    assert_eq!(data["status"], "online");
    assert_eq!(data["custom"], json!({"team": "red"}));
    assert!(data["updated"].as_str().unwrap().ends_with('Z'));
    let etag = data["eTag"].as_str().unwrap().to_owned();

    assert_eq!(s.get(&path).await, set);
    let bare = s.get(&format!("/v2/objects/{SUB}/uuids/u1")).await;
    assert!(
        bare["data"].get("custom").is_none(),
        "custom only when asked"
    );

    // If-Match: the current eTag passes, a stale one gets PubNub's 412.
    let (status, updated) = s
        .call_with(
            Method::PATCH,
            &path,
            Some(json!({"name": "Ann B"})),
            Some(&etag),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        updated["data"]["custom"],
        json!({"team": "red"}),
        "untouched fields stay"
    );
    let (status, stale) = s
        .call_with(
            Method::PATCH,
            &path,
            Some(json!({"name": "Ann C"})),
            Some(&etag),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        stale,
        json!({"status": 412, "error": {"message": "User to update has been modified after it was read.", "source": "objects"}})
    );
    assert_eq!(s.get(&path).await["data"]["name"], "Ann B");

    let (status, removed) = s.call(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(removed, json!({"status": 200, "data": null}));
    let (status, missing) = s.call(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing,
        json!({"status": 404, "error": {"message": "Requested object was not found.", "source": "objects"}})
    );

    // Rejected input stores nothing.
    for bad in [
        json!({"custom": {"deep": {"x": 1}}}),
        json!({"nickname": "x"}),
        json!([1]),
    ] {
        let (status, body) = s.call(Method::PATCH, &path, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["source"], "objects");
    }
    assert_eq!(
        s.call(Method::GET, &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = s
        .call(Method::GET, "/v2/objects/wrong-key/uuids/u1", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn channel_lists_page_sort_filter_and_count() {
    let s = server().await;
    for (id, name) in [
        ("c1", "Lobby"),
        ("c2", "lounge"),
        ("c3", "Kitchen"),
        ("c4", "Library"),
        ("c5", "Attic"),
    ] {
        let (status, body) = s
            .call(
                Method::PATCH,
                &format!("/v2/objects/{SUB}/channels/{id}"),
                Some(json!({"name": name, "description": format!("the {name}")})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = format!("/v2/objects/{SUB}/channels");

    let first = s.get(&format!("{list}?limit=2&count=true")).await;
    assert_eq!(ids(&first), ["c1", "c2"]);
    assert_eq!(first["totalCount"], 5);
    assert_eq!(first["data"][0]["description"], "the Lobby");
    assert!(first.get("prev").is_none());
    let second = s
        .get(&format!(
            "{list}?limit=2&start={}",
            first["next"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&second), ["c3", "c4"]);
    let back = s
        .get(&format!(
            "{list}?limit=2&end={}",
            second["prev"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&back), ["c1", "c2"]);
    assert!(second.get("totalCount").is_none(), "only with count=true");

    let sorted = s.get(&format!("{list}?sort=name:desc")).await;
    assert_eq!(ids(&sorted), ["c2", "c1", "c4", "c3", "c5"]);
    let like = s
        .get(&format!(
            "{list}?filter={}",
            percent_encode("name LIKE 'l*' && id != 'c4'")
        ))
        .await;
    assert_eq!(ids(&like), ["c1", "c2"]);
    let either = s
        .get(&format!(
            "{list}?filter={}&include=totalCount",
            percent_encode("id == 'c5' || name == \"Kitchen\"")
        ))
        .await;
    assert_eq!(ids(&either), ["c3", "c5"]);
    assert_eq!(either["totalCount"], 2);

    let (status, body) = s
        .call(
            Method::GET,
            &format!("{list}?filter={}", percent_encode("name LIKE")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("filter")
    );
    let (status, _) = s
        .call(Method::GET, &format!("{list}?limit=500"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn memberships_and_members_with_include_filter_and_sort() {
    let s = server().await;
    s.call(
        Method::PATCH,
        &format!("/v2/objects/{SUB}/channels/c1"),
        Some(json!({"name": "Zeta", "custom": {"topic": "z"}})),
    )
    .await;
    s.call(
        Method::PATCH,
        &format!("/v2/objects/{SUB}/uuids/u1"),
        Some(json!({"name": "Ann", "custom": {"a": 1}})),
    )
    .await;

    let memberships = format!(
        "/v2/objects/{SUB}/uuids/u1/channels?include=custom,status,channel,channel.custom&count=true"
    );
    let (status, set) = s
        .call(
            Method::PATCH,
            &memberships,
            Some(json!({"set": [
                {"channel": {"id": "c1"}, "custom": {"role": "admin"}, "status": "active"},
                {"channel": {"id": "c2"}}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["totalCount"], 2);
    let c1 = &set["data"][0];
    assert_eq!(c1["channel"]["id"], "c1");
    assert_eq!(c1["channel"]["name"], "Zeta");
    assert_eq!(c1["channel"]["custom"], json!({"topic": "z"}));
    assert_eq!(c1["custom"], json!({"role": "admin"}));
    assert_eq!(c1["status"], "active");
    assert!(c1["eTag"].is_string() && c1["updated"].is_string());
    assert_eq!(
        set["data"][1]["channel"],
        json!({"id": "c2"}),
        "no metadata: id only"
    );
    assert_eq!(set["data"][1]["custom"], Value::Null);

    let plain = s.get(&format!("/v2/objects/{SUB}/uuids/u1/channels")).await;
    assert_eq!(plain["data"][0]["channel"], json!({"id": "c1"}));
    assert!(plain["data"][0].get("custom").is_none());

    let members = s
        .get(&format!(
            "/v2/objects/{SUB}/channels/c1/uuids?include=uuid,uuid.custom,custom"
        ))
        .await;
    assert_eq!(members["data"][0]["uuid"]["id"], "u1");
    assert_eq!(members["data"][0]["uuid"]["name"], "Ann");
    assert_eq!(members["data"][0]["uuid"]["custom"], json!({"a": 1}));
    assert_eq!(members["data"][0]["custom"], json!({"role": "admin"}));

    let filtered = s
        .get(&format!(
            "/v2/objects/{SUB}/uuids/u1/channels?filter={}",
            percent_encode("channel.name LIKE 'zet*'")
        ))
        .await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    let sorted = s
        .get(&format!(
            "/v2/objects/{SUB}/uuids/u1/channels?sort=channel.id:desc"
        ))
        .await;
    assert_eq!(sorted["data"][0]["channel"]["id"], "c2");

    // Members PATCH from the channel's side, then delete from the uuid's.
    let (status, after) = s
        .call(
            Method::PATCH,
            &format!("/v2/objects/{SUB}/channels/c2/uuids"),
            Some(json!({"set": [{"uuid": {"id": "u2"}}], "delete": []})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let c2_members: Vec<&Value> = after["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["uuid"]["id"])
        .collect();
    assert_eq!(c2_members, [&json!("u1"), &json!("u2")]);
    let (_, after) = s
        .call(
            Method::PATCH,
            &format!("/v2/objects/{SUB}/uuids/u1/channels"),
            Some(json!({"delete": [{"channel": {"id": "c1"}}]})),
        )
        .await;
    assert_eq!(after["data"].as_array().unwrap().len(), 1);
    let c1_members = s.get(&format!("/v2/objects/{SUB}/channels/c1/uuids")).await;
    assert_eq!(c1_members["data"], json!([]));

    let (status, body) = s
        .call(
            Method::PATCH,
            &format!("/v2/objects/{SUB}/uuids/u1/channels"),
            Some(json!({"set": [{"nothing": true}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn changes_reach_subscribers_as_app_context_events() {
    let s = server().await;
    let mut events = s.runtime.broker.listen();
    let mut next_event = async || {
        tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("an event within 5 s")
            .unwrap()
    };

    s.call(
        Method::PATCH,
        &format!("/v2/objects/{SUB}/uuids/u9?uuid=admin"),
        Some(json!({"name": "Nine"})),
    )
    .await;
    let event = next_event().await;
    assert_eq!(event.channel, "u9");
    assert_eq!(event.message_type, 2);
    assert_eq!(event.publisher.as_deref(), Some("admin"));
    assert_eq!(event.message["source"], "objects");
    assert_eq!(event.message["version"], "2.0");
    assert_eq!(event.message["event"], "set");
    assert_eq!(event.message["type"], "uuid");
    assert_eq!(event.message["data"]["name"], "Nine");

    s.call(
        Method::PATCH,
        &format!("/v2/objects/{SUB}/channels/room/uuids"),
        Some(json!({"set": [{"uuid": {"id": "u9"}, "custom": {"r": 1}}]})),
    )
    .await;
    let (on_channel, on_uuid) = (next_event().await, next_event().await);
    assert_eq!(on_channel.channel, "room");
    assert_eq!(on_uuid.channel, "u9");
    assert_eq!(on_channel.message["type"], "membership");
    assert_eq!(on_channel.message["data"]["channel"], json!({"id": "room"}));
    assert_eq!(on_channel.message["data"]["uuid"], json!({"id": "u9"}));
    assert_eq!(on_channel.message["data"]["custom"], json!({"r": 1}));

    s.call(
        Method::DELETE,
        &format!("/v2/objects/{SUB}/channels/room"),
        None,
    )
    .await;
    s.call(
        Method::PATCH,
        &format!("/v2/objects/{SUB}/channels/room"),
        Some(json!({"name": "Room"})),
    )
    .await;
    let event = next_event().await;
    assert_eq!(
        (
            event.channel.as_str(),
            event.message["event"].as_str(),
            event.message["type"].as_str()
        ),
        ("room", Some("set"), Some("channel")),
        "removing what is not there announces nothing"
    );
    s.call(
        Method::DELETE,
        &format!("/v2/objects/{SUB}/channels/room"),
        None,
    )
    .await;
    let event = next_event().await;
    assert_eq!(event.message["event"], "delete");
    assert_eq!(event.message["data"], json!({"id": "room"}));
}

#[tokio::test]
async fn cors_preflight_and_allow_origin() {
    let s = server().await;
    let preflight = s
        .http
        .request(
            Method::OPTIONS,
            format!("{}/v2/objects/{SUB}/uuids/u1", s.base),
        )
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "content-type,if-match,content-encoding",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let header = |name: &str| {
        preflight
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .unwrap_or_default()
    };
    assert_eq!(header("access-control-allow-origin"), "*");
    assert!(header("access-control-allow-methods").contains("patch"));
    for requested in ["content-type", "if-match", "content-encoding"] {
        assert!(header("access-control-allow-headers").contains(requested));
    }

    let plain = s
        .http
        .get(format!("{}/v2/history/sub-key/{SUB}/channel/x", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()["access-control-allow-origin"], "*");
    let missing = s
        .http
        .get(format!("{}/v2/objects/{SUB}/uuids/nobody", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["access-control-allow-origin"],
        "*",
        "errors too"
    );
}
