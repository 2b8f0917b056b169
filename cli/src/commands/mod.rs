//! One file per `pigdin` command.

pub mod chat;
pub mod create_user;
pub mod delete_user;
pub mod deploy;
pub mod functions;
pub mod kv;
pub mod login;
pub mod logs;
pub mod new;
pub mod push;
pub mod run;
pub mod serve;
pub mod undeploy;
pub mod vault;
pub mod webex_sim;
