//! Presence: here now (single channel, several, channel groups, global),
//! where now, state get/set, heartbeat and leave, under
//! `/v2/presence/sub-key/{sub}/...`. Channel lists in paths are
//! comma-joined, `,` for none; `-pnpres` names (Python sends them on leave)
//! are ignored, and so are wildcard patterns on heartbeat and leave (the JS
//! SDK sends them; a pattern makes no one present, as on subscribe).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::params::{Params, split_names};
use super::path::{Family, Path};
use super::refusal::Refusal;
use super::subscribe::{group_channels, states_by_channel};
use super::{keys, reply};
use crate::Runtime;
use crate::broker::names;
use crate::broker::presence::DEFAULT_PRESENCE_TIMEOUT;
use crate::broker::wildcard::{self, PRESENCE_SUFFIX};

const SERVICE: &str = "Presence";
/// The 3.x SDKs spell the key segment `sub_key` for here now, where now and
/// leave (and `sub-key` for state and heartbeat); PubNub answers both.
const BASES: [&str; 2] = [
    "/v2/presence/sub-key/{sub_key}",
    "/v2/presence/sub_key/{sub_key}",
];

pub fn routes() -> Router<Arc<Runtime>> {
    BASES.iter().fold(Router::new(), |router, base| {
        router
            .route(base, get(here_now_global))
            .route(&format!("{base}/channel/{{channels}}"), get(here_now))
            .route(
                &format!("{base}/channel/{{channels}}/heartbeat"),
                get(heartbeat),
            )
            .route(&format!("{base}/channel/{{channels}}/leave"), get(leave))
            .route(
                &format!("{base}/channel/{{channels}}/uuid/{{uuid}}"),
                get(get_state),
            )
            .route(
                &format!("{base}/channel/{{channels}}/uuid/{{uuid}}/data"),
                get(set_state),
            )
            .route(&format!("{base}/uuid/{{uuid}}"), get(where_now))
    })
}

type Outcome = Result<Response, Refusal>;

fn bad(message: impl std::fmt::Display) -> Refusal {
    Refusal::bad_request(SERVICE, message.to_string())
}

/// The presence API.
struct PresenceApi;

impl Family for PresenceApi {
    fn bad_path(_: &Runtime, rejection: PathRejection) -> Refusal {
        bad(rejection.to_string())
    }
}

/// A request's key, params and the channels it names, with groups resolved.
struct Target {
    params: Params,
    /// Channels named in the path (without `-pnpres` ones).
    channels: Vec<String>,
    /// Groups named in `channel-group` (without `-pnpres` ones).
    groups: Vec<String>,
}

impl Target {
    fn new(
        runtime: &Runtime,
        sub_key: &str,
        channels: &str,
        params: Params,
    ) -> Result<Self, Refusal> {
        keys::check_subscribe_key(runtime, sub_key)?;
        let not_presence = |name: &String| !name.ends_with(PRESENCE_SUFFIX);
        let channels: Vec<String> = split_names(channels)
            .into_iter()
            .filter(not_presence)
            .collect();
        let groups: Vec<String> = params
            .list("channel-group")
            .into_iter()
            .filter(not_presence)
            .collect();
        for channel in &channels {
            names::validate_channel(channel).map_err(bad)?;
        }
        for group in &groups {
            names::validate_group(group).map_err(bad)?;
        }
        Ok(Self {
            params,
            channels,
            groups,
        })
    }

    /// The named channels plus the channels of the named groups.
    fn all_channels(&self, runtime: &Runtime) -> Vec<String> {
        let mut all = self.channels.clone();
        for group in &self.groups {
            all.extend(group_channels(runtime, group));
        }
        all.sort();
        all.dedup();
        all
    }

    fn uuid(&self) -> Result<&str, Refusal> {
        let uuid = self
            .params
            .get("uuid")
            .ok_or_else(|| bad("the `uuid` parameter is required"))?;
        names::validate_uuid(uuid).map_err(bad)?;
        Ok(uuid)
    }
}

/// Heartbeat and leave list every channel the client subscribes to, wildcard
/// patterns (`a.*`) included. Patterns are checked, then set aside: presence
/// is kept on concrete channels only, as on subscribe.
fn without_patterns(channels: &str) -> Result<String, Refusal> {
    let mut concrete = Vec::new();
    for name in split_names(channels) {
        let base = name.strip_suffix(PRESENCE_SUFFIX).unwrap_or(&name);
        if wildcard::is_pattern(base) {
            wildcard::validate_pattern(base).map_err(bad)?;
        } else {
            concrete.push(name);
        }
    }
    Ok(concrete.join(","))
}

fn ok_message() -> Value {
    json!({"status": 200, "message": "OK", "service": SERVICE})
}

async fn heartbeat(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels), _): Path<(String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    let channels = without_patterns(&channels)?;
    let target = Target::new(&runtime, &sub_key, &channels, params)?;
    let uuid = target.uuid()?;
    let timeout = match target.params.number::<u64>("heartbeat").map_err(bad)? {
        None | Some(0) => DEFAULT_PRESENCE_TIMEOUT,
        Some(secs) if secs <= super::subscribe::MAX_PRESENCE_TIMEOUT_SECS => {
            std::time::Duration::from_secs(secs)
        }
        Some(secs) => return Err(bad(format!("`heartbeat` of {secs} s is too long"))),
    };
    let states = states_by_channel(&target.params).map_err(bad)?;
    for (channel, state) in &states {
        runtime.presence_set_state(uuid, std::slice::from_ref(channel), state);
    }
    runtime.presence_heartbeat(uuid, &target.all_channels(&runtime), timeout);
    Ok(reply::ok(&ok_message()))
}

async fn leave(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels), _): Path<(String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    let channels = without_patterns(&channels)?;
    let target = Target::new(&runtime, &sub_key, &channels, params)?;
    let uuid = target.uuid()?;
    runtime.presence_leave(uuid, &target.all_channels(&runtime));
    let mut body = ok_message();
    body["action"] = json!("leave");
    Ok(reply::ok(&body))
}

/// How here-now lists occupants: `disable_uuids=1`, `state=1`, `limit`, `offset`.
struct Listing {
    uuids: bool,
    state: bool,
    limit: usize,
    offset: usize,
}

impl Listing {
    fn from(params: &Params) -> Result<Self, Refusal> {
        Ok(Self {
            uuids: !params.flag("disable_uuids").map_err(bad)?.unwrap_or(false),
            state: params.flag("state").map_err(bad)?.unwrap_or(false),
            limit: params.number("limit").map_err(bad)?.unwrap_or(1000),
            offset: params.number("offset").map_err(bad)?.unwrap_or(0),
        })
    }

    /// `{"uuids": [...], "occupancy": n}` for one channel.
    fn channel(&self, runtime: &Runtime, channel: &str) -> Map<String, Value> {
        let present = runtime.broker.presence.here_now(channel);
        let mut entry = Map::new();
        if self.uuids {
            let uuids: Vec<Value> = present
                .iter()
                .skip(self.offset)
                .take(self.limit)
                .map(|(uuid, state)| match (self.state, state) {
                    (false, _) => json!(uuid),
                    (true, Some(state)) => json!({"uuid": uuid, "state": state}),
                    (true, None) => json!({"uuid": uuid}),
                })
                .collect();
            entry.insert("uuids".into(), Value::Array(uuids));
        }
        entry.insert("occupancy".into(), json!(present.len()));
        entry
    }

    /// The several-channel shape, listing the occupied ones.
    fn channels(&self, runtime: &Runtime, channels: &[String]) -> Value {
        let mut listed = Map::new();
        let mut total_occupancy = 0;
        for channel in channels {
            let entry = self.channel(runtime, channel);
            let occupancy = entry["occupancy"].as_u64().unwrap_or(0);
            if occupancy > 0 {
                total_occupancy += occupancy;
                listed.insert(channel.clone(), Value::Object(entry));
            }
        }
        json!({
            "status": 200,
            "message": "OK",
            "payload": {
                "total_channels": listed.len(),
                "total_occupancy": total_occupancy,
                "channels": listed,
            },
            "service": SERVICE,
        })
    }
}

async fn here_now(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels), _): Path<(String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    let target = Target::new(&runtime, &sub_key, &channels, params)?;
    let listing = Listing::from(&target.params)?;
    if target.channels.len() == 1 && target.groups.is_empty() {
        let mut body = listing.channel(&runtime, &target.channels[0]);
        body.insert("status".into(), json!(200));
        body.insert("message".into(), json!("OK"));
        body.insert("service".into(), json!(SERVICE));
        return Ok(reply::ok(&Value::Object(body)));
    }
    Ok(reply::ok(
        &listing.channels(&runtime, &target.all_channels(&runtime)),
    ))
}

async fn here_now_global(
    State(runtime): State<Arc<Runtime>>,
    Path(sub_key, _): Path<String, PresenceApi>,
    params: Params,
) -> Outcome {
    let target = Target::new(&runtime, &sub_key, ",", params)?;
    let listing = Listing::from(&target.params)?;
    let channels = runtime.broker.presence.occupied_channels();
    Ok(reply::ok(&listing.channels(&runtime, &channels)))
}

async fn where_now(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, uuid), _): Path<(String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    Target::new(&runtime, &sub_key, ",", params)?;
    names::validate_uuid(&uuid).map_err(bad)?;
    let channels = runtime.broker.presence.where_now(&uuid);
    Ok(reply::ok(&json!({
        "status": 200,
        "message": "OK",
        "payload": {"channels": channels},
        "service": SERVICE,
    })))
}

async fn get_state(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels, uuid), _): Path<(String, String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    let target = Target::new(&runtime, &sub_key, &channels, params)?;
    names::validate_uuid(&uuid).map_err(bad)?;
    let presence = &runtime.broker.presence;
    if target.channels.len() == 1 && target.groups.is_empty() {
        let channel = &target.channels[0];
        let state = presence.state(&uuid, channel).unwrap_or_else(|| json!({}));
        return Ok(reply::ok(&json!({
            "status": 200,
            "message": "OK",
            "payload": state,
            "uuid": uuid,
            "channel": channel,
            "service": SERVICE,
        })));
    }
    let states: BTreeMap<String, Value> = target
        .all_channels(&runtime)
        .into_iter()
        .filter_map(|channel| presence.state(&uuid, &channel).map(|s| (channel, s)))
        .collect();
    Ok(reply::ok(&json!({
        "status": 200,
        "message": "OK",
        "payload": {"channels": states},
        "uuid": uuid,
        "service": SERVICE,
    })))
}

async fn set_state(
    State(runtime): State<Arc<Runtime>>,
    Path((sub_key, channels, uuid), _): Path<(String, String, String), PresenceApi>,
    params: Params,
) -> Outcome {
    let target = Target::new(&runtime, &sub_key, &channels, params)?;
    names::validate_uuid(&uuid).map_err(bad)?;
    let state = match target.params.json("state").map_err(bad)? {
        Some(state @ Value::Object(_)) => state,
        Some(other) => return Err(bad(format!("`state` must be a JSON object, not {other}"))),
        None => return Err(bad("the `state` parameter (a JSON object) is required")),
    };
    let size = state.to_string().len();
    if size > crate::ops::MAX_MESSAGE_BYTES {
        return Err(bad(format!(
            "state is {size} bytes; the limit is {}",
            crate::ops::MAX_MESSAGE_BYTES
        )));
    }
    let channels = target.all_channels(&runtime);
    if channels.is_empty() {
        return Err(bad("name at least one channel or channel group"));
    }
    runtime.presence_set_state(&uuid, &channels, &state);
    Ok(reply::ok(&json!({
        "status": 200,
        "message": "OK",
        "payload": state,
        "service": SERVICE,
    })))
}
