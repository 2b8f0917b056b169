//! The Pigdin Webex relay: Webex messages reach subscribers of
//! `webex.{userId}.{roomId}`, and replies published there reach the Webex room.
//! See README.md for the flow, the configuration and what is stored.

mod clock;
mod handlers;
mod sealed;
mod settings;
mod shape;
mod signature;
mod users;
mod webex;

pigdin_sdk::module! {
    before_publish "user-update" => handlers::user_update::handle,
    on_request "webhook" => handlers::webhook::handle,
    after_publish "inbound" => handlers::inbound::handle,
    before_publish "to-webex" => handlers::to_webex::handle,
    on_interval "token-refresh" => handlers::token_refresh::handle,
}
