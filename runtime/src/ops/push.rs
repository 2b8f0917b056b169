//! Mobile Push on publish: Pigdin reaches no APNs, FCM or MPNS, so for each
//! device registered on a message's channel it records in the push outbox
//! what PubNub would have sent that device, and to whom.
//!
//! Which payload reaches which device, as PubNub's gateway picks it:
//!
//! - `apns` (legacy) devices: `pn_apns`;
//! - `apns2` devices: `pn_apns`, when one of its `pn_push` entries of
//!   `version: "v2"` names a target with the device's topic and environment
//!   (`development` when the target names none) and the device's token is not
//!   among that target's `excluded_devices`;
//! - `fcm` (and `gcm`) devices: `pn_fcm`, else the older `pn_gcm`, unless
//!   its `pn_exceptions` lists the device's token;
//! - `mpns` devices: `pn_mpns`.
//!
//! Only top-level keys of a JSON object count: an encrypted message (a
//! string) pushes nothing, as hosted.

use serde_json::Value;

use crate::Runtime;
use crate::store::{Device, OutboxEntry, PushService, StoredMessage};

/// The top-level keys that carry a push payload.
const PUSH_KEYS: [&str; 4] = ["pn_apns", "pn_fcm", "pn_gcm", "pn_mpns"];

impl Runtime {
    /// Records what `message` (published, with its timetoken) would have
    /// pushed. A message without a push payload costs one look at its keys;
    /// a storage failure is logged, never the publish's failure: the message
    /// was already delivered.
    pub(super) async fn record_pushes(&self, message: &StoredMessage) {
        let Some(object) = message.message.as_object() else {
            return;
        };
        if !PUSH_KEYS.iter().any(|key| object.contains_key(*key)) {
            return;
        }
        let result = async {
            let devices = self.store.push.devices_on(&message.channel)?;
            let entries = pushes_for(message, &devices);
            self.store.push_outbox.append(&entries).await?;
            anyhow::Ok(entries.len())
        }
        .await;
        match result {
            Ok(0) => {}
            Ok(count) => tracing::debug!(
                channel = %message.channel,
                count,
                "pushes recorded in the outbox (Pigdin sends none)"
            ),
            Err(e) => tracing::warn!(
                channel = %message.channel,
                error = %format!("{e:#}"),
                "could not record pushes in the outbox"
            ),
        }
    }
}

/// One outbox entry per device that `message` would reach.
pub fn pushes_for(message: &StoredMessage, devices: &[Device]) -> Vec<OutboxEntry> {
    devices
        .iter()
        .filter_map(|device| {
            let payload = payload_for(&message.message, device)?;
            Some(OutboxEntry {
                device: device.clone(),
                channel: message.channel.clone(),
                timetoken: message.timetoken.to_string(),
                publisher: message.publisher.clone(),
                payload: payload.clone(),
            })
        })
        .collect()
}

fn payload_for<'a>(message: &'a Value, device: &Device) -> Option<&'a Value> {
    match device.service {
        PushService::Apns => message.get("pn_apns"),
        PushService::Apns2 => message
            .get("pn_apns")
            .filter(|apns| targets_apns2_device(apns, device)),
        PushService::Fcm => message
            .get("pn_fcm")
            .or_else(|| message.get("pn_gcm"))
            .filter(|fcm| !lists_token(fcm.get("pn_exceptions"), &device.token)),
        PushService::Mpns => message.get("pn_mpns"),
    }
}

fn targets_apns2_device(apns: &Value, device: &Device) -> bool {
    let configs = apns.get("pn_push").and_then(Value::as_array);
    configs.into_iter().flatten().any(|config| {
        config.get("version").and_then(Value::as_str) == Some("v2")
            && config
                .get("targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|target| target_matches(target, device))
    })
}

fn target_matches(target: &Value, device: &Device) -> bool {
    let environment = target
        .get("environment")
        .and_then(Value::as_str)
        .unwrap_or("development");
    let excluded = lists_token(target.get("excluded_devices"), &device.token);
    target.get("topic").and_then(Value::as_str) == device.topic.as_deref()
        && Some(environment) == device.environment.as_deref()
        && !excluded
}

/// Whether `tokens` (a JSON array, when present) holds `token`.
fn lists_token(tokens: Option<&Value>, token: &str) -> bool {
    tokens
        .and_then(Value::as_array)
        .is_some_and(|tokens| tokens.iter().any(|t| t.as_str() == Some(token)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn device(service: PushService, token: &str, env_topic: Option<(&str, &str)>) -> Device {
        Device {
            service,
            token: token.into(),
            environment: env_topic.map(|(e, _)| e.into()),
            topic: env_topic.map(|(_, t)| t.into()),
        }
    }

    fn published(message: Value) -> StoredMessage {
        StoredMessage {
            channel: "ch".into(),
            timetoken: 17_000_000_000_000_000,
            message,
            meta: None,
            publisher: Some("alice".into()),
            message_type: 0,
            custom_message_type: None,
        }
    }

    fn reached(message: Value, devices: &[Device]) -> Vec<(String, Value)> {
        pushes_for(&published(message), devices)
            .into_iter()
            .map(|e| (e.device.token, e.payload))
            .collect()
    }

    #[test]
    fn each_service_gets_its_own_payload() {
        let devices = [
            device(PushService::Apns, "a", None),
            device(PushService::Fcm, "f", None),
            device(PushService::Mpns, "m", None),
        ];
        let message = json!({
            "text": "hi",
            "pn_apns": {"aps": {"alert": "hi"}},
            "pn_gcm": {"data": {"old": true}},
            "pn_fcm": {"notification": {"title": "hi"}},
        });
        assert_eq!(
            reached(message, &devices),
            [
                ("a".into(), json!({"aps": {"alert": "hi"}})),
                ("f".into(), json!({"notification": {"title": "hi"}})),
            ]
        );
        // FCM devices fall back on the older key.
        assert_eq!(
            reached(json!({"pn_gcm": {"data": 1}}), &devices),
            [("f".into(), json!({"data": 1}))]
        );
        // `pn_exceptions` leaves devices out.
        let fcm = device(PushService::Fcm, "f2", None);
        let both = [devices[1].clone(), fcm];
        assert_eq!(
            reached(json!({"pn_fcm": {"pn_exceptions": ["f"]}}), &both),
            [("f2".into(), json!({"pn_exceptions": ["f"]}))]
        );
        assert!(reached(json!({"text": "no push"}), &devices).is_empty());
        assert!(reached(json!("encrypted"), &devices).is_empty());
    }

    #[test]
    fn apns2_devices_need_a_matching_v2_target() {
        let dev = device(PushService::Apns2, "d", Some(("development", "com.app")));
        let prod = device(PushService::Apns2, "p", Some(("production", "com.app")));
        let other = device(PushService::Apns2, "o", Some(("development", "com.other")));
        let devices = [dev, prod, other];
        let with_targets = |targets: Value| {
            json!({"pn_apns": {"aps": {"alert": "x"}, "pn_push": [
                {"version": "v2", "targets": targets}
            ]}})
        };
        let tokens = |message| -> Vec<String> {
            reached(message, &devices)
                .into_iter()
                .map(|(t, _)| t)
                .collect()
        };
        assert!(tokens(json!({"pn_apns": {"aps": {"alert": "x"}}})).is_empty());
        // No environment named: development.
        assert_eq!(tokens(with_targets(json!([{"topic": "com.app"}]))), ["d"]);
        assert_eq!(
            tokens(with_targets(json!([
                {"topic": "com.app", "environment": "production"},
                {"topic": "com.other", "environment": "development"},
            ]))),
            ["p", "o"]
        );
        assert!(
            tokens(with_targets(json!([
                {"topic": "com.app", "excluded_devices": ["d"]}
            ])))
            .is_empty()
        );
        let v1 =
            json!({"pn_apns": {"pn_push": [{"version": "v1", "targets": [{"topic": "com.app"}]}]}});
        assert!(tokens(v1).is_empty());
    }

    #[test]
    fn an_entry_names_the_message() {
        let entries = pushes_for(
            &published(json!({"pn_fcm": {}})),
            &[device(PushService::Fcm, "f", None)],
        );
        assert_eq!(entries[0].channel, "ch");
        assert_eq!(entries[0].timetoken, "17000000000000000");
        assert_eq!(entries[0].publisher.as_deref(), Some("alice"));
    }
}
