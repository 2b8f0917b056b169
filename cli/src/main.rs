//! `pigdin`: run the runtime, and manage what runs on it.

mod client;
mod commands;
mod module_build;

use clap::{Parser, Subcommand};

pub mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

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
    /// Build a module directory and deploy it into the running server.
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
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PIGDIN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Deploy(args) => commands::deploy::run(args).await,
        Command::Undeploy(args) => commands::undeploy::run(args).await,
        Command::Functions(args) => commands::functions::run(args).await,
        Command::Logs(args) => commands::logs::run(args).await,
        Command::Run(args) => commands::run::run(args).await,
        Command::Vault(args) => commands::vault::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
