//! The bundled Webex relay against the Webex simulator: Webex → subscriber,
//! reply → Webex room, signatures, token refresh, deletion and Webex faults.

mod at_rest;
mod world;

use std::time::Duration;

use pigdin_webex_sim::SimConfig;
use serde_json::{Value, json};

use world::World;

use crate::support::eventually;

/// The fields a relayed Webex message carries, exactly.
const INCOMING_FIELDS: [&str; 8] = [
    "channelName",
    "externalObj",
    "fromPlatform",
    "html",
    "isDirect",
    "senderEmail",
    "senderName",
    "text",
];

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn reply_message(room_id: &str, text: &str) -> Value {
    json!({
        "forwardToPlatform": true,
        "fromPlatform": "webex",
        "platformChannelId": room_id,
        "text": text,
    })
}

fn channel(user_id: &str, room_id: &str) -> String {
    format!("webex.{user_id}.{room_id}")
}

#[tokio::test]
async fn a_webex_message_reaches_the_subscriber_and_a_reply_reaches_the_room() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let alice = world.person("alice@example.com").await;
    let design = world.room("Design").await;
    world.create_user(&pat).await;

    // Set-up: UUID metadata as the CLI reads it back, and one active webhook.
    let metadata = world.uuid_metadata(&pat).await.expect("pat's metadata");
    assert_eq!(metadata["name"], "Pat Pigdin");
    assert_eq!(metadata["email"], "pat@example.com");
    assert_eq!(metadata["custom"]["platform"], "webex");
    let hooks = world.webhooks_of(&pat).await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(metadata["custom"]["webhookId"], hooks[0]["id"]);
    assert_eq!(metadata["custom"]["webhookTarget"], hooks[0]["targetUrl"]);
    assert_eq!(hooks[0]["status"], "active");

    // Webex → subscriber, published as the sender with exactly the specified fields.
    let room_channel = channel(&pat, &design);
    let mut subscriber = world.subscribe(&room_channel).await;
    let said = world.say(&design, "alice", "hello pat").await;
    let envelope = subscriber.next().await;
    assert_eq!(envelope["c"], room_channel.as_str());
    assert_eq!(envelope["i"], alice.as_str(), "published as the sender");
    let message = &envelope["d"];
    assert_eq!(keys(message), INCOMING_FIELDS, "{message}");
    assert_eq!(message["fromPlatform"], "webex");
    assert_eq!(message["senderName"], "Alice Andersen");
    assert_eq!(message["senderEmail"], "alice@example.com");
    assert_eq!(message["channelName"], "Design");
    assert_eq!(message["isDirect"], false);
    assert_eq!(message["text"], "hello pat");
    assert_eq!(
        message["html"],
        said.get("html").cloned().unwrap_or(Value::Null)
    );
    assert_eq!(message["externalObj"]["id"], said["id"]);
    assert_eq!(message["externalObj"]["roomId"], design.as_str());
    assert_eq!(message["externalObj"]["personId"], alice.as_str());

    // The relay cached the room and recorded pat's membership of its channel.
    assert_eq!(
        world.channel_metadata(&room_channel).await["name"],
        "Design"
    );
    assert!(world.memberships(&pat).await.contains(&room_channel));
    assert_eq!(
        world.uuid_metadata(&alice).await.expect("sender cached")["name"],
        "Alice Andersen"
    );

    // Reply → the Webex room as pat; subscribers get it without the flag.
    let reply = world
        .publish_as(&pat, &room_channel, &reply_message(&design, "hi alice"))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let received = world.room_messages(&design).await;
    let last = received.last().expect("the room got the reply");
    assert_eq!(last["text"], "hi alice");
    assert_eq!(last["personId"], pat.as_str());
    let echoed = subscriber.next().await;
    assert_eq!(
        echoed["d"],
        json!({"fromPlatform": "webex", "platformChannelId": design, "text": "hi alice"})
    );
    assert_eq!(echoed["i"], pat.as_str());

    // Pat's own message comes back from Webex by webhook (its second
    // delivery) but is not shown as new: the next message is bob's.
    eventually("the reply's webhook delivery", || async {
        let hooks = world.webhooks_of(&pat).await;
        (hooks[0]["deliveries"]["succeeded"] == 2).then_some(())
    })
    .await;
    world.say(&design, "bob", "after you").await;
    let next = subscriber.next().await;
    assert_eq!(next["d"]["senderName"], "Bob Brown", "{next}");
    assert_eq!(next["d"]["text"], "after you");
}

#[tokio::test]
async fn a_direct_message_is_marked_direct_and_named_after_the_other_person() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let direct = world.direct_room().await;
    world.create_user(&pat).await;
    let mut subscriber = world.subscribe(&channel(&pat, &direct)).await;
    world.say(&direct, "alice", "psst").await;
    let message = subscriber.next().await["d"].clone();
    assert_eq!(message["isDirect"], true, "{message}");
    assert_eq!(message["channelName"], "Alice Andersen", "{message}");
    assert_eq!(message["text"], "psst");
}

#[tokio::test]
async fn messages_without_the_flag_pass_untouched() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    let room_channel = channel(&pat, &design);
    let mut subscriber = world.subscribe(&room_channel).await;
    let plain = json!({"text": "just local", "forwardToPlatform": false});
    let reply = world.publish_as("someone", &room_channel, &plain).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(subscriber.next().await["d"], plain);
    assert!(world.room_messages(&design).await.is_empty());
}

#[tokio::test]
async fn bad_signatures_and_unknown_users_are_rejected_and_nothing_is_published() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    world.create_user(&pat).await;
    let mut subscriber = world.subscribe(&channel(&pat, &design)).await;
    let earlier = world.say(&design, "alice", "first").await;
    assert_eq!(subscriber.next().await["d"]["text"], "first");

    // A forged notification for a real message.
    let forged = json!({
        "resource": "messages", "event": "created",
        "data": {"id": earlier["id"], "roomId": design, "personId": earlier["personId"]},
    })
    .to_string();
    let bad = world
        .deliver(
            &pat,
            &forged,
            Some("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"),
        )
        .await;
    assert_eq!(bad.status, 401, "{bad:?}");
    assert!(
        bad.body.contains("X-Spark-Signature does not match"),
        "{bad:?}"
    );
    let unsigned = world.deliver(&pat, &forged, None).await;
    assert_eq!(unsigned.status, 401, "{unsigned:?}");
    let unknown = world.deliver("nobody", &forged, Some("00")).await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert!(unknown.body.contains("no Webex user nobody"), "{unknown:?}");

    // Firing straight at the internal channel does not get around the check.
    let sneaky = world
        .fire(
            "webex-inbound",
            &json!({"userId": pat, "body": forged, "signature": "00"}),
            &json!({}),
        )
        .await;
    assert_eq!(sneaky.status, 200, "{sneaky:?}");

    // Nothing came of those: the next message is the next real one.
    world.say(&design, "alice", "second").await;
    assert_eq!(subscriber.next().await["d"]["text"], "second");
}

#[tokio::test]
async fn setup_checks_the_token_and_the_task() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let alice = world.person("alice@example.com").await;
    let alice_tokens = world.mint_tokens(&alice).await;

    let wrong = world.setup_user(&pat, &alice_tokens).await;
    assert_eq!(wrong.status, 403, "{wrong:?}");
    assert!(
        wrong.body.contains("belongs to Alice Andersen"),
        "{wrong:?}"
    );
    assert!(world.uuid_metadata(&pat).await.is_none());

    let unknown = world
        .fire(
            "webex-user-update",
            &json!({"userId": pat}),
            &json!({"task": "dance"}),
        )
        .await;
    assert_eq!(unknown.status, 403);
    assert!(
        unknown.body.contains("unknown meta.task \\\"dance\\\""),
        "{unknown:?}"
    );

    let missing = world
        .fire(
            "webex-user-update",
            &json!({"userId": pat}),
            &json!({"task": "newUserSetup"}),
        )
        .await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("`access_token`"), "{missing:?}");

    // Setting up again replaces the webhook rather than adding one.
    world.create_user(&alice).await;
    world.create_user(&alice).await;
    assert_eq!(world.webhooks_of(&alice).await.len(), 1);

    // Nobody acts for another user: the fire must come from the user it is about.
    let impostor = world
        .fire_as(
            &pat,
            "webex-user-update",
            &json!({"userId": alice}),
            &json!({"task": "deleteUser"}),
        )
        .await;
    assert_eq!(impostor.status, 403, "{impostor:?}");
    assert!(
        impostor.body.contains("must be published as"),
        "{impostor:?}"
    );
    assert!(world.uuid_metadata(&alice).await.is_some());
    assert_eq!(world.webhooks_of(&alice).await.len(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_on_401() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    let tokens = world.create_user(&pat).await;
    let (status, body) = world
        .sim_post(
            "/_sim/tokens/expire",
            json!({"token": tokens["access_token"]}),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let reply = world
        .publish_as(
            &pat,
            &channel(&pat, &design),
            &reply_message(&design, "still here"),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        world.room_messages(&design).await.last().unwrap()["text"],
        "still here"
    );
}

#[tokio::test]
async fn the_interval_refreshes_tokens_that_expire_soon() {
    // Access tokens living one day: inside the relay's two-day window.
    let world = World::start_with(SimConfig {
        access_token_lifetime: Duration::from_secs(24 * 3600),
        ..SimConfig::default()
    })
    .await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    let tokens = world.create_user(&pat).await;

    world
        .server
        .pigdin(&["run", "webex-relay", "token-refresh"])
        .await
        .ok();
    // The relay must now hold new tokens: the old ones are no use any more.
    for token in [&tokens["access_token"], &tokens["refresh_token"]] {
        world
            .sim_post("/_sim/tokens/revoke", json!({ "token": token }))
            .await;
    }
    let reply = world
        .publish_as(
            &pat,
            &channel(&pat, &design),
            &reply_message(&design, "fresh"),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let logs = world.server.pigdin(&["logs", "webex-relay"]).await.ok();
    assert!(logs.contains("refreshed 1 user"), "{logs}");
}

#[tokio::test]
async fn deleting_a_user_removes_the_webhook_and_the_data() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    world.create_user(&pat).await;
    let mut subscriber = world.subscribe(&channel(&pat, &design)).await;
    world.say(&design, "alice", "hello").await;
    subscriber.next().await;
    assert!(!world.memberships(&pat).await.is_empty());

    let deleted = world
        .fire(
            "webex-user-update",
            &json!({"userId": pat}),
            &json!({"task": "deleteUser"}),
        )
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    assert!(world.webhooks_of(&pat).await.is_empty());
    assert!(world.uuid_metadata(&pat).await.is_none());
    assert!(world.memberships(&pat).await.is_empty());
    let reply = world
        .publish_as(
            &pat,
            &channel(&pat, &design),
            &reply_message(&design, "gone?"),
        )
        .await;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert!(reply.body.contains("not set up for Webex"), "{reply:?}");
    let again = world
        .fire(
            "webex-user-update",
            &json!({"userId": pat}),
            &json!({"task": "deleteUser"}),
        )
        .await;
    assert_eq!(again.status, 403, "{again:?}");
}

#[tokio::test]
async fn webex_500s_and_429s_are_survived() {
    let world = World::start().await;
    let pat = world.person("pat@example.com").await;
    let design = world.room("Design").await;
    world.create_user(&pat).await;
    let room_channel = channel(&pat, &design);
    let mut subscriber = world.subscribe(&room_channel).await;

    // Reply path: a 500 then a 429 on POST /messages, both retried.
    world
        .fault(json!({"status": 500, "count": 1, "path": "/v1/messages"}))
        .await;
    world
        .fault(json!({"status": 429, "count": 1, "retryAfter": 1, "path": "/v1/messages"}))
        .await;
    let reply = world
        .publish_as(&pat, &room_channel, &reply_message(&design, "through"))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        world.room_messages(&design).await.last().unwrap()["text"],
        "through"
    );
    subscriber.next().await;

    // Webhook path: fetching the message meets a 503 and a 429.
    world
        .fault(json!({"status": 503, "count": 1, "path": "/v1/messages"}))
        .await;
    world
        .fault(json!({"status": 429, "count": 1, "retryAfter": 1, "path": "/v1/messages"}))
        .await;
    world.say(&design, "alice", "despite it all").await;
    assert_eq!(subscriber.next().await["d"]["text"], "despite it all");

    // A Retry-After longer than the execution's budget fails clearly.
    world
        .fault(json!({"status": 429, "count": 1, "retryAfter": 60, "path": "/v1/messages"}))
        .await;
    let refused = world
        .publish_as(&pat, &room_channel, &reply_message(&design, "too soon"))
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(refused.body.contains("429"), "{refused:?}");
    assert!(refused.body.contains("try again later"), "{refused:?}");
}
