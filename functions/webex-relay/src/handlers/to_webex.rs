//! `to-webex`, Before Publish on `webex.*`: a reply flagged
//! `forwardToPlatform` (with `fromPlatform: "webex"`) is sent to the Webex
//! room as the publisher first; then it goes on, flag stripped, to
//! subscribers and history. A Webex failure aborts the publish.

use pigdin_sdk::prelude::*;

use crate::clock::Deadline;
use crate::settings::Settings;
use crate::shape::{self, Reply};
use crate::users;
use crate::webex::Session;

pub fn handle(req: PublishRequest) -> Result<BeforeResult> {
    let Some(reply) = Reply::from_message(&req.message)? else {
        return Ok(req.ok());
    };
    let publisher = req
        .publisher
        .as_deref()
        .ok_or("forwardToPlatform needs the publisher's uuid (the Webex user id)")?;
    if let Some((channel_user, _)) = shape::parse_room_channel(&req.channel)
        && channel_user != publisher
    {
        return Err(Error::new(format!(
            "only {channel_user} may forward replies from {}; the publisher is {publisher}",
            req.channel
        )));
    }
    let record = users::load(publisher)?.ok_or_else(|| {
        Error::new(format!(
            "{publisher} is not set up for Webex (run `pigdin create-user` first)"
        ))
    })?;
    let settings = Settings::load()?;
    let mut session = Session::new(&settings, Deadline::start(), record, true);
    session.post("/messages", &reply.webex_body())?;
    Ok(BeforeResult::Continue {
        message: shape::without_forward_flag(req.message),
        meta: req.meta,
    })
}
