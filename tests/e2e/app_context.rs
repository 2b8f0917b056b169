//! App Context through the real server: setting a membership (or a member)
//! again changes only the fields the request sends, as PubNub does.

use serde_json::{Value, json};

use crate::support::{SUB_KEY, Server};

async fn patch(server: &Server, path: &str, body: Value) -> Value {
    let url = server.url(&format!("/v2/objects/{SUB_KEY}{path}"));
    let reply = server.request(server.http.patch(url).json(&body)).await;
    assert_eq!(reply.status, 200, "PATCH {path} {body}: {reply:?}");
    reply.json()
}

/// The entry for `id` at the other end in a membership/member list.
fn entry<'a>(list: &'a Value, other: &str, id: &str) -> &'a Value {
    list["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .find(|e| e[other]["id"] == id)
        .unwrap_or_else(|| panic!("no {other} {id} in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn setting_a_membership_again_keeps_what_the_request_leaves_out() {
    let server = Server::start().await;
    let memberships = "/uuids/ann/channels?include=custom,status,type";
    patch(
        &server,
        memberships,
        json!({"set": [{"channel": {"id": "room"}, "custom": {"role": "admin", "muted": false},
                        "status": "active", "type": "owner"}]}),
    )
    .await;

    // Only custom: status and type stay, custom is replaced whole.
    let after = patch(
        &server,
        memberships,
        json!({"set": [{"channel": {"id": "room"}, "custom": {"role": "guest"}}]}),
    )
    .await;
    let room = entry(&after, "channel", "room");
    assert_eq!(room["custom"], json!({"role": "guest"}));
    assert_eq!(room["status"], "active");
    assert_eq!(room["type"], "owner");

    // Only status: custom and type stay; null clears a field.
    let after = patch(
        &server,
        memberships,
        json!({"set": [{"channel": {"id": "room"}, "status": "away", "type": null}]}),
    )
    .await;
    let room = entry(&after, "channel", "room");
    assert_eq!(room["custom"], json!({"role": "guest"}));
    assert_eq!(room["status"], "away");
    assert_eq!(room["type"], Value::Null);

    // The other direction sees the same link.
    let members = server
        .request(server.http.get(server.url(&format!(
            "/v2/objects/{SUB_KEY}/channels/room/uuids?include=custom,status,type"
        ))))
        .await
        .json();
    let ann = entry(&members, "uuid", "ann");
    assert_eq!(ann["custom"], json!({"role": "guest"}));
    assert_eq!(ann["status"], "away");
}

#[tokio::test(flavor = "multi_thread")]
async fn setting_a_member_again_keeps_what_the_request_leaves_out() {
    let server = Server::start().await;
    let members = "/channels/room/uuids?include=custom,status,type";
    patch(
        &server,
        members,
        json!({"set": [{"uuid": {"id": "bob"}, "custom": {"seat": 4}, "status": "invited", "type": "guest"}]}),
    )
    .await;
    let after = patch(
        &server,
        members,
        json!({"set": [{"uuid": {"id": "bob"}, "status": "joined"}]}),
    )
    .await;
    let bob = entry(&after, "uuid", "bob");
    assert_eq!(bob["status"], "joined");
    assert_eq!(bob["type"], "guest");
    assert_eq!(bob["custom"], json!({"seat": 4}));

    let after = patch(
        &server,
        members,
        json!({"set": [{"uuid": {"id": "bob"}, "custom": {}}]}),
    )
    .await;
    let bob = entry(&after, "uuid", "bob");
    assert_eq!(bob["custom"], json!({}), "custom is replaced whole");
    assert_eq!(bob["status"], "joined");
}
