//! The grant a Pigdin user's token carries: only their own channels
//! (`webex.{userId}.*`: read and write, and get and manage for the room's
//! App Context members that `chat` lists and records), their own App Context
//! uuid (get and update) and the `webex-user-update` channel (write, for fires
//! about themselves), authorized for their uuid so it cannot publish or fire
//! as anyone else. Which user a `webex-user-update` fire is *about* is in its
//! payload: the relay checks it names the publisher.

use serde_json::{Value, json};

use super::permission::Permission;

/// Where users fire `newUserSetup`, `addNewSender`, `deleteUser`.
pub const USER_UPDATE_CHANNEL: &str = "webex-user-update";

/// The body of a grant-token call for `user_id` (see the module docs).
pub fn pigdin_user_grant(user_id: &str, ttl_minutes: u64) -> Value {
    let own_rooms = Permission::Read.bit()
        | Permission::Write.bit()
        | Permission::Get.bit()
        | Permission::Manage.bit();
    let get_update = Permission::Get.bit() | Permission::Update.bit();
    // Whole-name regular expression: `webex.alice.` then anything.
    let own_channels = format!(r"webex\.{}\..*", regex::escape(user_id));
    json!({
        "ttl": ttl_minutes,
        "permissions": {
            "resources": {
                "channels": {USER_UPDATE_CHANNEL: Permission::Write.bit()},
                "uuids": {user_id: get_update},
            },
            "patterns": {"channels": {own_channels: own_rooms}},
            "meta": {"pigdin-user": user_id},
            "uuid": user_id,
        },
    })
}
