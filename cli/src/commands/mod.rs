//! One file per `pigdin` command.

pub mod deploy;
pub mod functions;
pub mod logs;
pub mod run;
pub mod serve;
pub mod undeploy;
pub mod vault;
