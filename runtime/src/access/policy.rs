//! Which permission each endpoint needs: one table from (method, path) to
//! requirements, so handlers stay unaware of Access Manager.
//!
//! | endpoint                                   | needs                              |
//! |--------------------------------------------|------------------------------------|
//! | publish, fire, signal                      | write on the channel               |
//! | subscribe (v2 and the legacy v1)           | read on each channel and group     |
//! | presence on channels (here now, heartbeat, leave, state) | read on each channel (and `channel-group`s) |
//! | set state for a uuid other than the request's `uuid` | also update on that uuid |
//! | where now                                  | get on the uuid                    |
//! | global here now                            | read on the keyset                 |
//! | history (v1, v2), fetch, message counts    | read on each channel               |
//! | delete history                             | delete on the channel              |
//! | message actions: get / add / remove        | read / write / delete on the channel |
//! | files: send (upload URL, publish file) / list, download / delete | write / read / delete on the channel |
//! | a file upload (`/v1/files/{sub}/uploads/{id}`) | nothing: its ticket id is the grant, as a presigned S3 form |
//! | channel group add/remove/list/delete       | manage on the group                |
//! | list every channel group                   | manage on the keyset               |
//! | App Context uuid / channel metadata        | get / update / delete on it        |
//! | memberships of a uuid                      | get / update on the uuid           |
//! | members of a channel                       | get / manage on the channel        |
//! | list every uuid / channel                  | get on the keyset                  |
//! | Mobile Push: add / remove a device's channels | read on each channel added or removed |
//! | Mobile Push: list a device's channels, remove a device | nothing named (a token, if sent, must be valid) |
//! | `/v2/auth/*`, `/v3/pam/*`, anything else   | the secret key (server role)       |
//! | `/time`, `/health`, `/admin` (own key), On Request `/v1/blocks` | nothing |
//!
//! Presence channels (`x-pnpres`) count as their channel `x`.

use percent_encoding::percent_decode_str;

use super::permission::{Permission, Requirement, ResourceKind};

const PRESENCE_SUFFIX: &str = "-pnpres";

/// More path segments than any rule below spells out (set state has 9); a
/// longer path keeps its first ones, which only the rules ending in `..` can
/// match, as they would the whole path.
const MAX_SEGMENTS: usize = 9;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// No Access Manager check at all.
    Open,
    /// Every requirement must hold (a signed request satisfies all).
    Check(Vec<Requirement>),
}

/// The requirements of a request. `param` looks up a decoded query parameter.
pub fn requirements<'a>(
    method: &str,
    raw_path: &str,
    param: impl Fn(&str) -> Option<&'a str>,
) -> Policy {
    use Permission::*;
    use ResourceKind::*;

    // Matched still encoded (literal segments need no decoding); only the
    // names taken out are decoded, so a publish's message is never touched.
    // Split into an array, not a Vec: this runs on every request.
    let mut segments = [""; MAX_SEGMENTS];
    let mut count = 0;
    for segment in raw_path
        .trim_start_matches('/')
        .split('/')
        .take(MAX_SEGMENTS)
    {
        segments[count] = segment;
        count += 1;
    }
    let s = &segments[..count];
    let on = |kind, name: &str, permission| Requirement::on(kind, decode(name), permission);
    let channels = |joined: &str, permission| -> Vec<Requirement> {
        let joined = decode(joined);
        names(&joined)
            .map(|name| Requirement::on(Channel, base_name(name), permission))
            .collect()
    };
    let groups_param = |permission| -> Vec<Requirement> {
        names(param("channel-group").unwrap_or_default())
            .map(|name| Requirement::on(Group, base_name(name), permission))
            .collect()
    };
    let channels_param = |name: &str, permission| -> Vec<Requirement> {
        names(param(name).unwrap_or_default())
            .map(|channel| Requirement::on(Channel, channel, permission))
            .collect()
    };
    let check = |mut list: Vec<Requirement>| {
        list.dedup();
        Policy::Check(list)
    };
    let by_method = |get: Permission, patch: Permission, delete: Permission| match method {
        "GET" => Some(get),
        "PATCH" | "POST" | "PUT" => Some(patch),
        "DELETE" => Some(delete),
        _ => None,
    };

    match s {
        ["time", ..] | ["health"] | ["admin", ..] | ["v1", "blocks", ..] => Policy::Open,
        ["publish", _, _, _, channel, ..] | ["signal", _, _, _, channel, ..] => {
            check(vec![on(Channel, channel, Write)])
        }
        ["v2", "subscribe", _, joined, ..] | ["subscribe", _, joined, _, _] => {
            let mut list = channels(joined, Read);
            list.extend(groups_param(Read));
            check(list)
        }
        ["v2", "presence", "sub-key" | "sub_key", _] => check(vec![Requirement::Keyset(Read)]),
        // Set state acts on the uuid in the path: for the sender's own uuid
        // read on the channels is enough (PubNub's table); for anyone
        // else's it also needs update on that uuid, or a token for `alice`
        // could rewrite `bob`'s state.
        [
            "v2",
            "presence",
            "sub-key" | "sub_key",
            _,
            "channel",
            joined,
            "uuid",
            uuid,
            "data",
        ] => {
            let mut list = channels(joined, Read);
            list.extend(groups_param(Read));
            if param("uuid") != Some(decode(uuid).as_str()) {
                list.push(on(Uuid, uuid, Update));
            }
            check(list)
        }
        [
            "v2",
            "presence",
            "sub-key" | "sub_key",
            _,
            "channel",
            joined,
            ..,
        ] => {
            let mut list = channels(joined, Read);
            list.extend(groups_param(Read));
            check(list)
        }
        ["v2", "presence", "sub-key" | "sub_key", _, "uuid", uuid] => {
            check(vec![on(Uuid, uuid, Get)])
        }
        ["v2", "history", "sub-key", _, "channel", joined] | ["history", _, joined, _, _] => {
            check(channels(joined, Read))
        }
        ["v3", "history", "sub-key", _, "channel", joined] if method == "DELETE" => {
            check(channels(joined, Delete))
        }
        [
            "v3",
            "history" | "history-with-actions",
            "sub-key",
            _,
            "channel",
            joined,
        ]
        | ["v3", "history", "sub-key", _, "message-counts", joined] => {
            check(channels(joined, Read))
        }
        // PubNub's operations-to-permissions table: add needs write, remove
        // delete, listing read.
        ["v1", "message-actions", _, "channel", channel, ..] => {
            match by_method(Read, Write, Delete) {
                Some(permission) => check(vec![on(Channel, channel, permission)]),
                None => check(vec![Requirement::ServerOnly]),
            }
        }
        ["v1", "files", "publish-file", _, _, _, channel, ..]
        | ["v1", "files", _, "channels", channel, "generate-upload-url"] => {
            check(vec![on(Channel, channel, Write)])
        }
        ["v1", "files", _, "uploads", _] => Policy::Open,
        ["v1", "files", _, "channels", channel, "files"] => check(vec![on(Channel, channel, Read)]),
        ["v1", "files", _, "channels", channel, "files", _, _] => match method {
            "GET" | "HEAD" => check(vec![on(Channel, channel, Read)]),
            "DELETE" => check(vec![on(Channel, channel, Delete)]),
            _ => check(vec![Requirement::ServerOnly]),
        },
        ["v1", "channel-registration", "sub-key", _, "channel-group"] => {
            check(vec![Requirement::Keyset(Manage)])
        }
        [
            "v1",
            "channel-registration",
            "sub-key",
            _,
            "channel-group",
            group,
        ]
        | [
            "v1",
            "channel-registration",
            "sub-key",
            _,
            "channel-group",
            group,
            "remove",
        ] => check(vec![on(Group, group, Manage)]),
        ["v2", "objects", _, "uuids" | "channels"] => check(vec![Requirement::Keyset(Get)]),
        ["v2", "objects", _, "uuids", uuid] => match by_method(Get, Update, Delete) {
            Some(permission) => check(vec![on(Uuid, uuid, permission)]),
            None => check(vec![Requirement::ServerOnly]),
        },
        ["v2", "objects", _, "channels", channel] => match by_method(Get, Update, Delete) {
            Some(permission) => check(vec![on(Channel, channel, permission)]),
            None => check(vec![Requirement::ServerOnly]),
        },
        ["v2", "objects", _, "uuids", uuid, "channels"] => match by_method(Get, Update, Update) {
            Some(permission) => check(vec![on(Uuid, uuid, permission)]),
            None => check(vec![Requirement::ServerOnly]),
        },
        ["v2", "objects", _, "channels", channel, "uuids"] => {
            match by_method(Get, Manage, Manage) {
                Some(permission) => check(vec![on(Channel, channel, permission)]),
                None => check(vec![Requirement::ServerOnly]),
            }
        }
        // Mobile Push: read on each channel added or removed; listing a
        // device's channels or removing the device names no resource.
        ["v1", "push", "sub-key", _, "devices", _]
        | ["v2", "push", "sub-key", _, "devices-apns2", _] => {
            let mut list = channels_param("add", Read);
            list.extend(channels_param("remove", Read));
            check(list)
        }
        ["v1", "push", "sub-key", _, "devices", _, "remove"]
        | ["v2", "push", "sub-key", _, "devices-apns2", _, "remove"]
        | ["v1", "push", "sub-key", _, "devices"]
        | ["v2", "push", "sub-key", _, "devices-apns2"] => check(vec![]),
        // Grants, tokens and any endpoint without a rule: the server only.
        _ => check(vec![Requirement::ServerOnly]),
    }
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn names(joined: &str) -> impl Iterator<Item = &str> {
    joined.split(',').filter(|name| !name.is_empty())
}

/// `x-pnpres` is covered by permissions on `x`.
fn base_name(name: &str) -> &str {
    name.strip_suffix(PRESENCE_SUFFIX).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(method: &str, path: &str, query: &[(&str, &str)]) -> Policy {
        let query = query.to_vec();
        requirements(method, path, move |name| {
            query.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        })
    }

    fn needs(list: &[(ResourceKind, &str, Permission)]) -> Policy {
        Policy::Check(
            list.iter()
                .map(|(kind, name, permission)| Requirement::on(*kind, *name, *permission))
                .collect(),
        )
    }

    #[test]
    fn every_endpoint_class_maps_to_its_permission() {
        use Permission::*;
        use ResourceKind::*;
        assert_eq!(policy("GET", "/time/0", &[]), Policy::Open);
        assert_eq!(
            policy("GET", "/publish/p/s/0/a%20b/0/1", &[]),
            needs(&[(Channel, "a b", Write)])
        );
        assert_eq!(
            policy("POST", "/publish/p/s/0/c/0", &[]),
            needs(&[(Channel, "c", Write)])
        );
        assert_eq!(
            policy("GET", "/signal/p/s/0/c/0/1", &[]),
            needs(&[(Channel, "c", Write)])
        );
        assert_eq!(
            policy(
                "GET",
                "/v2/subscribe/s/a,a-pnpres/0",
                &[("channel-group", "g,g-pnpres")]
            ),
            needs(&[(Channel, "a", Read), (Group, "g", Read)])
        );
        // The 3.x SDKs' `sub_key` spelling of presence paths.
        assert_eq!(
            policy("GET", "/v2/presence/sub_key/s/channel/a/leave", &[]),
            needs(&[(Channel, "a", Read)])
        );
        // The legacy v1 subscribe and history, with their callback segment.
        assert_eq!(
            policy(
                "GET",
                "/subscribe/s/a,b-pnpres/0/0",
                &[("channel-group", "g")]
            ),
            needs(&[
                (Channel, "a", Read),
                (Channel, "b", Read),
                (Group, "g", Read)
            ])
        );
        assert_eq!(
            policy("GET", "/history/s/a/cb/10", &[]),
            needs(&[(Channel, "a", Read)])
        );
        assert_eq!(
            policy("GET", "/v2/presence/sub-key/s/channel/a/heartbeat", &[]),
            needs(&[(Channel, "a", Read)])
        );
        // Set state: read on the channel for one's own uuid, and update on
        // the uuid for another's.
        assert_eq!(
            policy(
                "GET",
                "/v2/presence/sub-key/s/channel/a/uuid/al%20ice/data",
                &[("uuid", "al ice"), ("state", "{}")]
            ),
            needs(&[(Channel, "a", Read)])
        );
        assert_eq!(
            policy(
                "GET",
                "/v2/presence/sub-key/s/channel/a/uuid/bob/data",
                &[("uuid", "alice"), ("channel-group", "g")]
            ),
            needs(&[
                (Channel, "a", Read),
                (Group, "g", Read),
                (Uuid, "bob", Update)
            ])
        );
        assert_eq!(
            policy("GET", "/v2/presence/sub-key/s/channel/a/uuid/bob/data", &[]),
            needs(&[(Channel, "a", Read), (Uuid, "bob", Update)])
        );
        // Getting another's state stays read on the channel.
        assert_eq!(
            policy(
                "GET",
                "/v2/presence/sub-key/s/channel/a/uuid/bob",
                &[("uuid", "alice")]
            ),
            needs(&[(Channel, "a", Read)])
        );
        assert_eq!(
            policy("GET", "/v3/history/sub-key/s/channel/a,b", &[]),
            needs(&[(Channel, "a", Read), (Channel, "b", Read)])
        );
        assert_eq!(
            policy("DELETE", "/v3/history/sub-key/s/channel/a", &[]),
            needs(&[(Channel, "a", Delete)])
        );
        assert_eq!(
            policy(
                "GET",
                "/v1/channel-registration/sub-key/s/channel-group/g",
                &[("add", "a")]
            ),
            needs(&[(Group, "g", Manage)])
        );
        assert_eq!(
            policy("PATCH", "/v2/objects/s/uuids/u", &[]),
            needs(&[(Uuid, "u", Update)])
        );
        assert_eq!(
            policy("DELETE", "/v2/objects/s/channels/c", &[]),
            needs(&[(Channel, "c", Delete)])
        );
        assert_eq!(
            policy("PATCH", "/v2/objects/s/channels/c/uuids", &[]),
            needs(&[(Channel, "c", Manage)])
        );
        assert_eq!(
            policy(
                "GET",
                "/v1/push/sub-key/s/devices/t",
                &[("add", "a,b"), ("type", "fcm")]
            ),
            needs(&[(Channel, "a", Read), (Channel, "b", Read)])
        );
        assert_eq!(
            policy(
                "GET",
                "/v2/push/sub-key/s/devices-apns2/t",
                &[("remove", "c")]
            ),
            needs(&[(Channel, "c", Read)])
        );
        assert_eq!(
            policy("GET", "/v1/push/sub-key/s/devices/t", &[]),
            needs(&[])
        );
        assert_eq!(
            policy("GET", "/v2/push/sub-key/s/devices-apns2/t/remove", &[]),
            needs(&[])
        );
        assert_eq!(
            policy("POST", "/v1/message-actions/s/channel/c%231/message/1", &[]),
            needs(&[(Channel, "c#1", Write)])
        );
        assert_eq!(
            policy(
                "DELETE",
                "/v1/message-actions/s/channel/c/message/1/action/2",
                &[]
            ),
            needs(&[(Channel, "c", Delete)])
        );
        assert_eq!(
            policy("GET", "/v1/message-actions/s/channel/c", &[]),
            needs(&[(Channel, "c", Read)])
        );
        assert_eq!(
            policy(
                "POST",
                "/v1/files/s/channels/c%231/generate-upload-url",
                &[]
            ),
            needs(&[(Channel, "c#1", Write)])
        );
        assert_eq!(
            policy("GET", "/v1/files/publish-file/p/s/0/c/0/%7B%7D", &[]),
            needs(&[(Channel, "c", Write)])
        );
        assert_eq!(
            policy("GET", "/v1/files/s/channels/c/files", &[]),
            needs(&[(Channel, "c", Read)])
        );
        assert_eq!(
            policy("GET", "/v1/files/s/channels/c/files/id/a.txt", &[]),
            needs(&[(Channel, "c", Read)])
        );
        assert_eq!(
            policy("DELETE", "/v1/files/s/channels/c/files/id/a.txt", &[]),
            needs(&[(Channel, "c", Delete)])
        );
        assert_eq!(policy("POST", "/v1/files/s/uploads/id", &[]), Policy::Open);
        assert_eq!(
            policy("GET", "/v2/auth/grant/sub-key/s", &[]),
            Policy::Check(vec![Requirement::ServerOnly])
        );
        assert_eq!(
            policy("GET", "/v9/unknown", &[]),
            Policy::Check(vec![Requirement::ServerOnly])
        );
    }

    #[test]
    fn paths_longer_than_any_rule_are_judged_whole() {
        use Permission::*;
        use ResourceKind::*;
        // A message may hold `/`s: still a publish to `c`.
        assert_eq!(
            policy("GET", "/publish/p/s/0/c/0/%22a/b/c/d/e/f%22", &[]),
            needs(&[(Channel, "c", Write)])
        );
        // A known endpoint with segments appended is no endpoint: server only.
        assert_eq!(
            policy("GET", "/v2/objects/s/uuids/u/channels/x/y/z", &[]),
            Policy::Check(vec![Requirement::ServerOnly])
        );
        assert_eq!(
            policy(
                "GET",
                "/v1/channel-registration/sub-key/s/channel-group/g/remove/x",
                &[]
            ),
            Policy::Check(vec![Requirement::ServerOnly])
        );
    }
}
