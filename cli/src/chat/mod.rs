//! `pigdin chat`'s session: the user's Webex rooms through the relay.
//! Incoming messages arrive on `webex.{userId}.*` (subscribed with presence)
//! and are numbered; commands reply, page history and look people up in
//! App Context. Replies go out through the official SDK's publish.

mod command;
mod inbox;
mod input;
mod render;

use std::sync::Arc;
use std::time::Duration;

use pubnub::PubNubClient;
use serde_json::json;
use tokio::sync::mpsc;

use crate::network::Network;
use crate::network::app_context::UuidMetadata;
use crate::network::subscribe::Event;
use command::Command;
use inbox::{Inbox, Received};
use input::{Input, Printer};

/// How many messages `p` shows.
const PREVIOUS: usize = 10;
/// How long to wait for the first subscribe before going on regardless.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

struct Session {
    network: Arc<Network>,
    client: PubNubClient,
    user: UuidMetadata,
    inbox: Inbox,
    print: Printer,
}

pub async fn run(network: Network, user: UuidMetadata) -> anyhow::Result<()> {
    let network = Arc::new(network);
    let client = network.sdk_client(&user.id)?;
    let (mut input, print) = Input::start()?;
    let session = Session {
        network: network.clone(),
        client,
        user,
        inbox: Inbox::default(),
        print,
    };
    let pattern = format!("webex.{}.*", session.user.id);
    let channels = vec![pattern.clone(), format!("{pattern}-pnpres")];
    let (connected_tx, connected) = tokio::sync::oneshot::channel();
    tokio::spawn(session.receive(network.subscribe(&session.user.id, &channels), connected_tx));
    if tokio::time::timeout(CONNECT_TIMEOUT, connected)
        .await
        .is_err()
    {
        (session.print)(format!("still connecting to {} …", network.origin));
    }
    (session.print)(format!(
        "listening for webex messages to {} on {pattern} (h for help, q to quit)",
        session.user.describe()
    ));
    while let Some(line) = input.line().await {
        match command::parse(&line) {
            Ok(Command::Quit) => break,
            Ok(command) => session.execute(command).await,
            Err(problem) => (session.print)(problem),
        }
    }
    network.leave(&session.user.id, &channels).await;
    Ok(())
}

impl Session {
    /// Numbers and shows incoming messages, others' presence and the
    /// connection's losses and recoveries.
    fn receive(
        &self,
        mut events: mpsc::UnboundedReceiver<Event>,
        connected: tokio::sync::oneshot::Sender<()>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let (network, inbox, print, user_id) = (
            self.network.clone(),
            self.inbox.clone(),
            self.print.clone(),
            self.user.id.clone(),
        );
        let mut connected = Some(connected);
        async move {
            let prefix = format!("webex.{user_id}.");
            while let Some(event) = events.recv().await {
                match event {
                    Event::Connected => {
                        if let Some(tx) = connected.take() {
                            let _ = tx.send(());
                        }
                    }
                    Event::ConnectionLost(problem) => {
                        print(format!("connection lost ({problem}); reconnecting…"))
                    }
                    Event::Reconnected => print("reconnected".to_owned()),
                    Event::Refused(reason) => print(format!(
                        "the runtime refused the subscription: {reason} — check --subscribe-key (and, with Access Manager, the user's token), then start chat again"
                    )),
                    Event::Message(message) => {
                        // The user's own replies come back too; they were
                        // confirmed when sent.
                        if message.publisher.as_deref() == Some(user_id.as_str()) {
                            continue;
                        }
                        let room_id = message
                            .channel
                            .strip_prefix(&prefix)
                            .unwrap_or(&message.channel);
                        let received = inbox.push(Received::from_relay(
                            &message.channel,
                            room_id,
                            message.publisher.clone(),
                            message.timetoken,
                            &message.payload,
                        ));
                        print(render::incoming(&received));
                        if let Some(sender) = received.sender_id.clone() {
                            remember_member(network.clone(), received.channel.clone(), sender);
                        }
                    }
                    Event::Presence {
                        channel,
                        action,
                        uuid,
                    } => {
                        if uuid != user_id {
                            print(format!("· {uuid} {action} {channel}"));
                        }
                    }
                }
            }
        }
    }

    async fn execute(&self, command: Command) {
        let outcome = match command {
            Command::Reply { to, text } => self.reply(to, text).await,
            Command::Previous(n) => self.previous(n).await,
            Command::Sender(n) => self.sender(n).await,
            Command::Members(n) => self.members(n).await,
            Command::Help => Ok(render::HELP.to_owned()),
            Command::Nothing => return,
            Command::Quit => unreachable!("handled by the loop"),
        };
        (self.print)(outcome.unwrap_or_else(|problem| problem));
    }

    fn message(&self, number: Option<usize>) -> Result<Received, String> {
        self.inbox.get(number)
    }

    async fn reply(&self, to: Option<usize>, text: String) -> Result<String, String> {
        let target = self.message(to)?;
        let reply = json!({
            "forwardToPlatform": true,
            "fromPlatform": "webex",
            "platformChannelId": target.room_id,
            "text": text,
        });
        self.network
            .publish(&self.client, &target.channel, reply)
            .await
            .map_err(|e| format!("not sent: {e:#}"))?;
        Ok(format!("sent to \"{}\"", target.room_name))
    }

    async fn previous(&self, number: Option<usize>) -> Result<String, String> {
        let target = self.message(number)?;
        // `p`: the room's latest messages (replies included); `p3`: those up
        // to and including message 3 (history's start is exclusive).
        let before = number.map(|_| target.timetoken + 1);
        let entries = self
            .network
            .history(&target.channel, before, PREVIOUS)
            .await
            .map_err(|e| format!("cannot read history: {e:#}"))?;
        let mut text = match number {
            Some(n) => format!(
                "previous messages in \"{}\" up to message {n}:",
                target.room_name
            ),
            None => format!("latest messages in \"{}\":", target.room_name),
        };
        if entries.is_empty() {
            text.push_str("\n  (none stored)");
        }
        for entry in &entries {
            text.push('\n');
            text.push_str(&render::stored(entry, &self.user.id));
        }
        Ok(text)
    }

    async fn sender(&self, number: Option<usize>) -> Result<String, String> {
        let target = self.message(number)?;
        let sender_id = target
            .sender_id
            .ok_or_else(|| format!("message {} carries no sender id", target.number))?;
        match self.network.uuid_metadata(&sender_id).await {
            Ok(Some(person)) => Ok(render::sender(target.number, &person)),
            Ok(None) => Err(format!(
                "message {} was sent by {} ({sender_id}); App Context has nothing more on them",
                target.number, target.sender_name
            )),
            // A user's token reads only their own App Context metadata:
            // then the message itself says who sent it.
            Err(e) if crate::admin_client::is_access_refusal(&e) => Ok(render::sender(
                target.number,
                &UuidMetadata {
                    id: sender_id,
                    name: Some(target.sender_name),
                    email: target.sender_email,
                    profile_url: None,
                    custom: serde_json::Value::Null,
                },
            )),
            Err(e) => Err(format!("cannot look the sender up: {e:#}")),
        }
    }

    async fn members(&self, number: Option<usize>) -> Result<String, String> {
        let target = self.message(number)?;
        let members = self
            .network
            .channel_members(&target.channel)
            .await
            .map_err(|e| format!("cannot list the members: {e:#}"))?;
        Ok(render::members(&target.room_name, &members))
    }
}

/// Records a sender as a member of the room channel in App Context, so `m`
/// lists the people seen in the room (the relay records only the user).
fn remember_member(network: Arc<Network>, channel: String, sender: String) {
    tokio::spawn(async move {
        if let Err(e) = network.add_channel_members(&channel, &[&sender]).await {
            tracing::debug!(error = %e, "could not record {sender} as a member of {channel}");
        }
    });
}
