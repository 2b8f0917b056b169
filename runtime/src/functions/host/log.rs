//! `log`: handler logs go to tracing and to the module's log book.
use super::HostState;
use super::pigdin::functions::log::{Host, Level};
use crate::functions::logs::LogLevel;

impl Host for HostState {
    async fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            Level::Debug => LogLevel::Debug,
            Level::Info => LogLevel::Info,
            Level::Warn => LogLevel::Warn,
            Level::Error => LogLevel::Error,
        };
        self.runtime
            .functions
            .logs
            .record(&self.module, &self.function, level, message);
        Ok(())
    }
}
