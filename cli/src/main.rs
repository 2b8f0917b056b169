//! `pigdin`: run the runtime, and manage what runs on it.

mod admin_client;
mod bundled;
mod chat;
mod commands;
mod module_build;
mod network;
mod oauth;
mod user_info;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "pigdin",
    version,
    about = "A local PubNub-compatible runtime with WebAssembly functions, and a Webex relay"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the runtime (network, function host, bundled modules).
    Serve(commands::serve::Args),
    /// Start a module: write NAME/ from a template (JavaScript or Rust), ready to deploy.
    New(commands::new::Args),
    /// Deploy a module directory, a PubNub block.json project or one JavaScript file.
    Deploy(commands::deploy::Args),
    /// Remove a deployed module.
    Undeploy(commands::undeploy::Args),
    /// List deployed modules, their functions, bindings and versions.
    Functions(commands::functions::Args),
    /// Show a module's logs.
    Logs(commands::logs::Args),
    /// Run an On Interval function once, now.
    Run(commands::run::Args),
    /// Manage module secrets.
    Vault(commands::vault::Args),
    /// Inspect and edit a module's KV store: list, get, set, delete.
    Kv(commands::kv::Args),
    /// Mobile Push: what publishes would have pushed to registered devices.
    Push(commands::push::Args),
    /// Log in to Webex (OAuth with PKCE) and write user-info.json.
    Login(commands::login::Args),
    /// Set a Webex user up in the relay from a user-info.json file.
    CreateUser(commands::create_user::Args),
    /// Remove a user from the relay: webhook, tokens, App Context data.
    DeleteUser(commands::delete_user::Args),
    /// Receive a user's Webex messages and reply to them, interactively.
    Chat(commands::chat::Args),
    /// The Webex simulator: bare, start one; with a subcommand, act on a running one.
    WebexSim(commands::webex_sim::Args),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PIGDIN_LOG")
                // The PubNub SDK logs every request (tokens included) at info.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,pubnub=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => commands::serve::run(args).await,
        Command::New(args) => commands::new::run(args).await,
        Command::Deploy(args) => commands::deploy::run(args).await,
        Command::Undeploy(args) => commands::undeploy::run(args).await,
        Command::Functions(args) => commands::functions::run(args).await,
        Command::Logs(args) => commands::logs::run(args).await,
        Command::Run(args) => commands::run::run(args).await,
        Command::Vault(args) => commands::vault::run(args).await,
        Command::Kv(args) => commands::kv::run(args).await,
        Command::Push(args) => commands::push::run(args).await,
        Command::Login(args) => commands::login::run(args).await,
        Command::CreateUser(args) => commands::create_user::run(args).await,
        Command::DeleteUser(args) => commands::delete_user::run(args).await,
        Command::Chat(args) => commands::chat::run(args).await,
        Command::WebexSim(args) => commands::webex_sim::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
