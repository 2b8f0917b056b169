//! `pigdin webex-sim`: the Webex simulator. Bare, it starts one; with a subcommand
//! it talks to a running one through its control API (`/_sim`).

mod client;
mod messages;
mod people;
mod rooms;
mod say;
mod server;

use clap::{Args as ClapArgs, Subcommand};

#[derive(ClapArgs)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<SimCommand>,
    #[command(flatten)]
    server: server::ServerArgs,
}

#[derive(Subcommand)]
enum SimCommand {
    /// Post a message as a simulated person (delivered to matching webhooks).
    Say(say::Args),
    /// List the simulated people.
    People(people::ListArgs),
    /// List the rooms and their members.
    Rooms(rooms::ListArgs),
    /// Show what a room received, oldest first.
    Messages(messages::Args),
    /// Add a person.
    AddPerson(people::AddArgs),
    /// Add a room.
    AddRoom(rooms::AddArgs),
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        None => server::run(args.server).await,
        Some(SimCommand::Say(a)) => say::run(a).await,
        Some(SimCommand::People(a)) => people::list(a).await,
        Some(SimCommand::Rooms(a)) => rooms::list(a).await,
        Some(SimCommand::Messages(a)) => messages::run(a).await,
        Some(SimCommand::AddPerson(a)) => people::add(a).await,
        Some(SimCommand::AddRoom(a)) => rooms::add(a).await,
    }
}
