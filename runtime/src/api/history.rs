//! History (PubNub's Message Persistence): v2 history, v3 fetch (also
//! `history-with-actions`), message counts and delete.
//!
//! Paging, as PubNub documents it: `start` is exclusive, `end` inclusive.
//! With both, messages are taken from `start` towards `end` (`start > end`,
//! the usual case, gives the newest ones before `start`). With one or none,
//! the newest of the range are taken, or the oldest with v2's `reverse=true`.
//! Pages are always listed oldest first. Delete uses the same bounds.
//!
//! Choices where the service is not documented: v3 lists every requested
//! channel (an empty array when it has nothing); `meta` is omitted for a
//! message published without one; `message_type` is null for an ordinary
//! message (as the JS SDK expects); `more` (`{url, start, max}`) is added for
//! a single channel whose page was cut short. `history-with-actions` (and
//! v3 fetch with `include_message_actions=true`, one channel) gives each
//! message its `actions`: `{type: {value: [{uuid, actionTimetoken}]}}`.

use std::ops::Bound;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use super::keys;
use super::params::{Params as Query, percent_encode};
use super::refusal::Refusal;
use crate::Runtime;
use crate::ops::message_actions::actions_by_type;
use crate::store::{Direction, MessageAction, StoredMessage};

const SERVICE: &str = "Storage";
/// v2 pages and single-channel v3 pages hold at most this many.
const MAX_SINGLE: usize = 100;
/// Several channels (or with actions): this many per channel.
const MAX_MULTI: usize = 25;
/// PubNub's limits on channels per request.
const MAX_FETCH_CHANNELS: usize = 500;
const MAX_COUNT_CHANNELS: usize = 100;
/// Message counts stop here, as PubNub's do.
const COUNT_CAP: usize = 10_000;
/// Longest channel name, in characters (PubNub's limit).
const MAX_CHANNEL_CHARS: usize = 2048;

pub fn routes() -> Router<Arc<Runtime>> {
    Router::new()
        .route(
            "/v2/history/sub-key/{sub}/channel/{channel}",
            get(history_v2),
        )
        .route(
            "/v3/history/sub-key/{sub}/channel/{channels}",
            get(fetch).delete(delete),
        )
        .route(
            "/v3/history-with-actions/sub-key/{sub}/channel/{channel}",
            get(fetch_with_actions),
        )
        .route(
            "/v3/history/sub-key/{sub}/message-counts/{channels}",
            get(message_counts),
        )
}

async fn history_v2(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel)): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    check_subscribe_key(&runtime, &sub)?;
    check_channel(&channel)?;
    let params = query;
    let count = page_size(&params, "count", MAX_SINGLE)?;
    let (lower, upper, direction) = slice(
        bound(&params, "start")?,
        bound(&params, "end")?,
        params.truthy("reverse"),
    );
    let page = runtime
        .store
        .history
        .page(&channel, lower, upper, direction, count)
        .map_err(internal)?;

    let include_token = params.truthy("include_token");
    let include_meta = params.truthy("include_meta");
    let string_tokens = params.truthy("string_message_token") || params.truthy("stringtoken");
    let token = |tt: u64| {
        if string_tokens {
            json!(tt.to_string())
        } else {
            json!(tt)
        }
    };
    let messages: Vec<Value> = page
        .messages
        .iter()
        .map(|m| {
            if !include_token && !include_meta {
                return m.message.clone();
            }
            let mut item = Map::new();
            item.insert("message".into(), m.message.clone());
            if include_token {
                item.insert("timetoken".into(), token(m.timetoken));
            }
            if let (true, Some(meta)) = (include_meta, &m.meta) {
                item.insert("meta".into(), meta.clone());
            }
            Value::Object(item)
        })
        .collect();
    // An empty page answers 0, 0: PubNub's "nothing more this way".
    let first = page.messages.first().map_or(0, |m| m.timetoken);
    let last = page.messages.last().map_or(0, |m| m.timetoken);
    Ok(Json(json!([messages, token(first), token(last)])))
}

async fn fetch(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channels)): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    let with_actions = query.truthy("include_message_actions");
    fetch_v3(&runtime, &sub, &channels, query, with_actions)
}

async fn fetch_with_actions(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel)): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    fetch_v3(&runtime, &sub, &channel, query, true)
}

fn fetch_v3(
    runtime: &Runtime,
    sub: &str,
    channels: &str,
    query: Query,
    with_actions: bool,
) -> Result<Json<Value>, Refusal> {
    check_subscribe_key(runtime, sub)?;
    let channels = channel_list(channels, MAX_FETCH_CHANNELS)?;
    if with_actions && channels.len() > 1 {
        return Err(Refusal::json_bad_request(
            SERVICE,
            "history with message actions takes a single channel",
        ));
    }
    let params = query;
    let limit = if channels.len() > 1 || with_actions {
        MAX_MULTI
    } else {
        MAX_SINGLE
    };
    let max = page_size(&params, "max", limit)?;
    let start = bound(&params, "start")?;
    let end = bound(&params, "end")?;
    let (lower, upper, direction) = slice(start, end, false);
    let shape = ItemShape {
        uuid: params.truthy("include_uuid"),
        meta: params.truthy("include_meta"),
        message_type: params.truthy("include_message_type"),
        custom_message_type: params.truthy("include_custom_message_type"),
    };

    let mut out = Map::new();
    let mut more = None;
    for channel in &channels {
        let page = runtime
            .store
            .history
            .page(channel, lower, upper, direction, max)
            .map_err(internal)?;
        if page.more && channels.len() == 1 {
            // Where the next page of this direction starts (exclusive).
            let next_start = match direction {
                Direction::NewestFirst => page.messages.first(),
                Direction::OldestFirst => page.messages.last(),
            }
            .map(|m| m.timetoken);
            more = next_start.map(|next| more_link(sub, channel, with_actions, next, end, max));
        }
        let items = page
            .messages
            .iter()
            .map(|m| {
                let actions = match with_actions {
                    true => Some(
                        runtime
                            .store
                            .message_actions
                            .for_message(channel, m.timetoken)
                            .map_err(internal)?,
                    ),
                    false => None,
                };
                Ok(shape.item(m, actions.as_deref()))
            })
            .collect::<Result<Vec<Value>, Refusal>>()?;
        out.insert(channel.clone(), Value::Array(items));
    }
    let mut body = json!({
        "status": 200,
        "error": false,
        "error_message": "",
        "channels": out,
    });
    if let Some(more) = more {
        body["more"] = more;
    }
    Ok(Json(body))
}

/// Which optional fields v3 items carry.
struct ItemShape {
    uuid: bool,
    meta: bool,
    message_type: bool,
    custom_message_type: bool,
}

impl ItemShape {
    /// One message; `actions` are its message actions when they were asked for.
    fn item(&self, m: &StoredMessage, actions: Option<&[MessageAction]>) -> Value {
        let mut item = Map::new();
        item.insert("message".into(), m.message.clone());
        item.insert("timetoken".into(), json!(m.timetoken.to_string()));
        if let (true, Some(uuid)) = (self.uuid, &m.publisher) {
            item.insert("uuid".into(), json!(uuid));
        }
        if let (true, Some(meta)) = (self.meta, &m.meta) {
            item.insert("meta".into(), meta.clone());
        }
        if self.message_type {
            // The service sends null for an ordinary message; JS maps it to -1.
            let kind = match m.message_type {
                0 => Value::Null,
                other => json!(other),
            };
            item.insert("message_type".into(), kind);
        }
        if let (true, Some(custom)) = (self.custom_message_type, &m.custom_message_type) {
            item.insert("custom_message_type".into(), json!(custom));
        }
        if let Some(actions) = actions {
            item.insert("actions".into(), actions_by_type(actions));
        }
        Value::Object(item)
    }
}

fn more_link(
    sub: &str,
    channel: &str,
    with_actions: bool,
    start: u64,
    end: Option<u64>,
    max: usize,
) -> Value {
    let mut query = vec![("max", max.to_string()), ("start", start.to_string())];
    if let Some(end) = end {
        query.push(("end", end.to_string()));
    }
    let endpoint = if with_actions {
        "history-with-actions"
    } else {
        "history"
    };
    let url = format!(
        "/v3/{endpoint}/sub-key/{}/channel/{}?{}",
        percent_encode(sub),
        percent_encode(channel),
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    json!({ "url": url, "start": start.to_string(), "max": max })
}

async fn message_counts(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channels)): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    check_subscribe_key(&runtime, &sub)?;
    let channels = channel_list(&channels, MAX_COUNT_CHANNELS)?;
    let params = query;
    let timetokens = count_timetokens(&params, channels.len())?;
    let mut counts = Map::new();
    for (channel, after) in channels.iter().zip(timetokens) {
        let count = runtime
            .store
            .history
            .count_after(channel, after, COUNT_CAP)
            .map_err(internal)?;
        counts.insert(channel.clone(), json!(count));
    }
    Ok(Json(json!({
        "status": 200,
        "error": false,
        "error_message": "",
        "channels": counts,
    })))
}

/// The timetoken each channel is counted after: `timetoken` for all, or
/// `channelsTimetoken` (one for all, or one per channel, in order).
fn count_timetokens(params: &Query, channels: usize) -> Result<Vec<u64>, Refusal> {
    let single = params.get("timetoken").filter(|t| !t.is_empty());
    let per_channel = params.get("channelsTimetoken").filter(|t| !t.is_empty());
    match (single, per_channel) {
        (Some(_), Some(_)) => Err(Refusal::json_bad_request(
            SERVICE,
            "pass either timetoken or channelsTimetoken, not both",
        )),
        (Some(tt), None) => Ok(vec![parse_timetoken("timetoken", tt)?; channels]),
        (None, Some(list)) => {
            let list = list
                .split(',')
                .map(|tt| parse_timetoken("channelsTimetoken", tt.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            match list.len() {
                1 => Ok(vec![list[0]; channels]),
                n if n == channels => Ok(list),
                n => Err(Refusal::json_bad_request(
                    SERVICE,
                    format!(
                        "channelsTimetoken has {n} timetokens for {} channels; give one, or one per channel",
                        channels
                    ),
                )),
            }
        }
        (None, None) => Err(Refusal::json_bad_request(
            SERVICE,
            "message counts need timetoken or channelsTimetoken",
        )),
    }
}

async fn delete(
    State(runtime): State<Arc<Runtime>>,
    Path((sub, channel)): Path<(String, String)>,
    query: Query,
) -> Result<Json<Value>, Refusal> {
    check_subscribe_key(&runtime, &sub)?;
    check_channel(&channel)?;
    let params = query;
    let (lower, upper, _) = slice(bound(&params, "start")?, bound(&params, "end")?, false);
    let deleted = runtime
        .store
        .history
        .delete_range(&channel, lower, upper)
        .await
        .map_err(internal)?;
    tracing::debug!(channel, deleted, "deleted history");
    Ok(Json(json!({
        "status": 200,
        "error": false,
        "error_message": "",
    })))
}

/// The timetoken range and direction a request's `start`/`end`/`reverse` name.
fn slice(
    start: Option<u64>,
    end: Option<u64>,
    reverse: bool,
) -> (Bound<u64>, Bound<u64>, Direction) {
    let direction = if reverse {
        Direction::OldestFirst
    } else {
        Direction::NewestFirst
    };
    match (start, end) {
        // From `start` back to `end`: the newest messages before `start`.
        (Some(start), Some(end)) if start >= end => (
            Bound::Included(end),
            Bound::Excluded(start),
            Direction::NewestFirst,
        ),
        // From `start` forward to `end`: the oldest messages after `start`.
        (Some(start), Some(end)) => (
            Bound::Excluded(start),
            Bound::Included(end),
            Direction::OldestFirst,
        ),
        (Some(start), None) => (Bound::Unbounded, Bound::Excluded(start), direction),
        (None, Some(end)) => (Bound::Included(end), Bound::Unbounded, direction),
        (None, None) => (Bound::Unbounded, Bound::Unbounded, direction),
    }
}

fn check_subscribe_key(runtime: &Runtime, sub: &str) -> Result<(), Refusal> {
    keys::check_subscribe_key(runtime, sub)
}

/// History reads any name the service would store; only what cannot be a
/// key (empty, control characters) or is too long is refused.
fn check_channel(channel: &str) -> Result<(), Refusal> {
    let chars = channel.chars().count();
    if channel.is_empty() {
        Err(Refusal::json_bad_request(SERVICE, "channel name is empty"))
    } else if chars > MAX_CHANNEL_CHARS {
        Err(Refusal::json_bad_request(
            SERVICE,
            format!("channel name is {chars} characters long; the limit is {MAX_CHANNEL_CHARS}"),
        ))
    } else if channel.chars().any(char::is_control) {
        Err(Refusal::json_bad_request(
            SERVICE,
            format!("channel name {channel:?} contains control characters"),
        ))
    } else {
        Ok(())
    }
}

/// A comma-joined channel list, each checked, duplicates dropped.
fn channel_list(joined: &str, max: usize) -> Result<Vec<String>, Refusal> {
    let mut channels: Vec<String> = Vec::new();
    for channel in joined.split(',') {
        check_channel(channel)?;
        if !channels.iter().any(|c| c == channel) {
            channels.push(channel.to_owned());
        }
    }
    if channels.len() > max {
        return Err(Refusal::json_bad_request(
            SERVICE,
            format!(
                "{} channels in one request; the limit is {max}",
                channels.len()
            ),
        ));
    }
    Ok(channels)
}

fn parse_timetoken(name: &str, text: &str) -> Result<u64, Refusal> {
    let digits = !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit());
    if let (true, Ok(tt)) = (digits, text.parse()) {
        return Ok(tt);
    }
    Err(Refusal::json_bad_request(
        SERVICE,
        format!("{name} {text:?} is not a timetoken (a number such as 17379929965457610)"),
    ))
}

fn internal(error: anyhow::Error) -> Refusal {
    tracing::error!(error = %error, "history request failed");
    Refusal::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVICE,
        format!("history storage failed: {error}"),
    )
}

/// A `start`/`end` bound; absent or empty is none.
fn bound(params: &Query, name: &str) -> Result<Option<u64>, Refusal> {
    match params.get(name) {
        None | Some("") => Ok(None),
        Some(text) => parse_timetoken(name, text).map(Some),
    }
}

/// A page size: absent, 0 or over `limit` means `limit`, as the service
/// clamps; anything but a number is refused.
fn page_size(params: &Query, name: &str, limit: usize) -> Result<usize, Refusal> {
    match params.get(name) {
        None | Some("") => Ok(limit),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(limit)),
            Ok(_) => Ok(limit),
            Err(_) => Err(Refusal::json_bad_request(
                SERVICE,
                format!("{name} {text:?} is not a number"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_pubnub_paging_rules() {
        use Bound::*;
        assert_eq!(
            slice(Some(10), Some(5), false),
            (Included(5), Excluded(10), Direction::NewestFirst)
        );
        assert_eq!(
            slice(Some(5), Some(10), false),
            (Excluded(5), Included(10), Direction::OldestFirst)
        );
        assert_eq!(
            slice(Some(10), Some(5), true).2,
            Direction::NewestFirst,
            "reverse is ignored when both bounds are given"
        );
        assert_eq!(
            slice(Some(10), None, true),
            (Unbounded, Excluded(10), Direction::OldestFirst)
        );
        assert_eq!(
            slice(None, Some(5), false),
            (Included(5), Unbounded, Direction::NewestFirst)
        );
    }

    #[test]
    fn timetokens_and_counts_are_checked() {
        assert_eq!(
            parse_timetoken("start", "17379929965457610").unwrap(),
            17379929965457610
        );
        for bad in ["", "-1", "abc", "1e5", "123456789012345678901"] {
            let error = parse_timetoken("start", bad).unwrap_err();
            assert!(error.message().contains("not a timetoken"), "{bad}");
        }
        let params = Query::parse(Some("count=500&max=0&bad=x"));
        assert_eq!(page_size(&params, "count", 100).unwrap(), 100);
        assert_eq!(page_size(&params, "max", 25).unwrap(), 25);
        assert_eq!(page_size(&params, "missing", 25).unwrap(), 25);
        assert!(page_size(&params, "bad", 25).is_err());
    }

    #[test]
    fn channel_lists_are_split_checked_and_deduplicated() {
        assert_eq!(channel_list("a,b,a", 10).unwrap(), ["a", "b"]);
        assert!(channel_list("a,,b", 10).is_err());
        assert!(channel_list("a,b,c", 2).is_err());
        assert!(
            channel_list("with space.*", 2).is_ok(),
            "the service accepts these"
        );
        assert!(check_channel(&"c".repeat(MAX_CHANNEL_CHARS + 1)).is_err());
        assert!(check_channel("nul\0").is_err());
    }

    #[test]
    fn more_links_continue_where_the_page_stopped() {
        let more = more_link("demo", "a b", false, 42, Some(7), 100);
        assert_eq!(
            more,
            json!({"url": "/v3/history/sub-key/demo/channel/a%20b?max=100&start=42&end=7",
                   "start": "42", "max": 100})
        );
    }
}
