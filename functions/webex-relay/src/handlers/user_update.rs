//! `user-update`, Before Publish-or-Fire on `webex-user-update`: sets up,
//! extends and deletes relay users, by `meta.task`. Fired by `pigdin
//! create-user` / `delete-user`; any failure aborts with the reason.

use pigdin_sdk::prelude::*;

use crate::clock::{self, Deadline};
use crate::settings::Settings;
use crate::shape;
use crate::signature;
use crate::users::{self, UserRecord};
use crate::webex::{Session, WebexError, segment};

pub fn handle(req: PublishRequest) -> Result<BeforeResult> {
    let task = req
        .meta
        .as_ref()
        .and_then(|meta| meta["task"].as_str())
        .ok_or("no meta.task: fire on webex-user-update with meta {\"task\": \"newUserSetup\" | \"addNewSender\" | \"deleteUser\"}")?;
    let run = match task {
        "newUserSetup" => new_user_setup,
        "addNewSender" => add_new_sender,
        "deleteUser" => delete_user,
        other => {
            return Err(Error::new(format!(
                "unknown meta.task {other:?}: use newUserSetup, addNewSender or deleteUser"
            )));
        }
    };
    // With Access Manager on, a user's token is authorized for their own uuid
    // only, so this stops one user from acting for another.
    let about = required(&req.message, "userId", task)?;
    if req.publisher.as_deref() != Some(about) {
        return Err(Error::new(format!(
            "{task} for {about} must be published as {about} (uuid), not as {}",
            req.publisher.as_deref().unwrap_or("nobody")
        )));
    }
    let message = run(&Settings::load()?, Deadline::start(), &req.message)?;
    // The tokens stop here: only the outcome goes on.
    Ok(BeforeResult::Continue {
        message,
        meta: req.meta,
    })
}

/// `{userId, access_token, refresh_token, expires_in?, refresh_token_expires_in?}`:
/// checks the token is `userId`'s, (re)creates the webhook, stores the tokens
/// and sets the UUID metadata.
fn new_user_setup(settings: &Settings, deadline: Deadline, message: &Value) -> Result<Value> {
    let task = "newUserSetup";
    let user_id = required(message, "userId", task)?;
    let now = clock::now_secs();
    let expires_at = |field: &str| message[field].as_u64().map_or(0, |secs| now + secs);
    let record = UserRecord {
        user_id: user_id.to_owned(),
        access_token: required(message, "access_token", task)?.to_owned(),
        refresh_token: required(message, "refresh_token", task)?.to_owned(),
        // Unknown expiry (0) makes the next token-refresh run refresh it.
        expires_at: expires_at("expires_in"),
        refresh_expires_at: expires_at("refresh_token_expires_in"),
        webhook_id: None,
        webhook_secret: None,
    };
    let previous = users::load_for_replacement(user_id)?;
    let mut session = Session::new(settings, deadline, record, false);
    let me = session.get("/people/me")?;
    if me["id"] != user_id {
        return Err(Error::new(format!(
            "the access token belongs to {} ({}), not to userId {user_id}",
            me["displayName"].as_str().unwrap_or("someone else"),
            me["id"].as_str().unwrap_or("unknown id"),
        )));
    }
    let target = settings.webhook_target(user_id);
    remove_old_webhooks(&mut session, &target, previous.as_ref())?;
    let secret = signature::new_secret()?;
    let webhook = session.post(
        "/webhooks",
        &json!({
            "name": "Pigdin relay",
            "targetUrl": target,
            "resource": "messages",
            "event": "created",
            "secret": secret,
        }),
    )?;
    let webhook_id = webhook["id"]
        .as_str()
        .ok_or("Webex POST /webhooks answered without an id")?
        .to_owned();
    let mut record = session.into_record();
    record.webhook_id = Some(webhook_id.clone());
    record.webhook_secret = Some(secret);
    users::save(&record)?;
    let mut metadata = shape::person_metadata(&me);
    metadata["custom"]["webhookId"] = json!(webhook_id);
    metadata["custom"]["webhookTarget"] = json!(target);
    pubnub::set_uuid_metadata(user_id, &metadata)?;
    log::info(format!(
        "set up Webex user {user_id} with webhook {webhook_id}"
    ));
    Ok(json!({ "userId": user_id, "task": task, "webhookId": webhook_id }))
}

/// Deletes the user's earlier relay webhooks: the one on record, and any
/// other aimed at the same target (left over from lost data).
fn remove_old_webhooks(
    session: &mut Session,
    target: &str,
    previous: Option<&UserRecord>,
) -> Result<()> {
    let listed = session.get("/webhooks?max=100")?;
    let recorded = previous.and_then(|p| p.webhook_id.as_deref());
    let old = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|hook| {
            hook["targetUrl"] == target || (recorded.is_some() && hook["id"].as_str() == recorded)
        });
    for id in old.filter_map(|hook| hook["id"].as_str()) {
        delete_webhook(session, id)?;
    }
    Ok(())
}

/// Deletes a webhook; one already gone is fine.
fn delete_webhook(session: &mut Session, id: &str) -> Result<(), WebexError> {
    match session.delete(&format!("/webhooks/{}", segment(id))) {
        Err(error) if error.status == Some(404) => Ok(()),
        other => other,
    }
}

/// `{userId, senderId}`: looks the sender up with the user's token and stores
/// it as UUID metadata (what the webhook does itself on a miss).
fn add_new_sender(settings: &Settings, deadline: Deadline, message: &Value) -> Result<Value> {
    let task = "addNewSender";
    let user_id = required(message, "userId", task)?;
    let sender_id = required(message, "senderId", task)?;
    let record = users::load(user_id)?.ok_or_else(|| unknown_user(user_id))?;
    let mut session = Session::new(settings, deadline, record, true);
    let person = session.get(&format!("/people/{}", segment(sender_id)))?;
    pubnub::set_uuid_metadata(sender_id, &shape::person_metadata(&person))?;
    Ok(json!({ "userId": user_id, "task": task, "senderId": sender_id }))
}

/// `{userId}`: removes the user's webhook, tokens, UUID metadata and room
/// channel memberships. The data goes even when Webex cannot be reached; the
/// abort then says which webhook is left.
fn delete_user(settings: &Settings, deadline: Deadline, message: &Value) -> Result<Value> {
    let task = "deleteUser";
    let user_id = required(message, "userId", task)?;
    let record = users::load_for_replacement(user_id)?;
    let had_metadata = pubnub::remove_uuid_metadata(user_id)?;
    if record.is_none() && !had_metadata {
        return Err(unknown_user(user_id));
    }
    let webhook_left = record.and_then(|record| {
        let webhook_id = record.webhook_id.clone()?;
        let mut session = Session::new(settings, deadline, record, false);
        delete_webhook(&mut session, &webhook_id)
            .err()
            .map(|error| format!("Webex webhook {webhook_id} could not be deleted ({error})"))
    });
    users::remove(user_id)?;
    remove_room_memberships(user_id)?;
    log::info(format!("deleted Webex user {user_id}"));
    match webhook_left {
        Some(problem) => Err(Error::new(format!(
            "deleted {user_id}'s tokens and metadata, but {problem}; delete it in Webex"
        ))),
        None => Ok(json!({ "userId": user_id, "task": task })),
    }
}

/// Drops the user's memberships of their `webex.{userId}.*` room channels.
fn remove_room_memberships(user_id: &str) -> Result<()> {
    let prefix = shape::room_channel(user_id, "");
    let channels: Vec<String> = pubnub::get_memberships(user_id)?
        .iter()
        .filter_map(|m| m["channel"]["id"].as_str())
        .filter(|id| id.starts_with(&prefix))
        .map(str::to_owned)
        .collect();
    if !channels.is_empty() {
        let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
        pubnub::remove_memberships(user_id, &channels)?;
    }
    Ok(())
}

fn required<'a>(message: &'a Value, field: &str, task: &str) -> Result<&'a str> {
    message[field]
        .as_str()
        .filter(|value| !value.is_empty())
        .ok_or_else(|| Error::new(format!("{task} needs a non-empty `{field}` in the message")))
}

fn unknown_user(user_id: &str) -> Error {
    Error::new(format!(
        "no Webex user {user_id} is set up in the relay (run `pigdin create-user` first)"
    ))
}
