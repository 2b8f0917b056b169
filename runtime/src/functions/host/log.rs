//! `log`: handler logs go to tracing and to the module's log book.
use super::HostState;
use super::pigdin::functions::log::{Host, Level};

impl Host for HostState {
    async fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        self.runtime
            .functions
            .logs
            .record(&self.module, &self.function, level.into(), message);
        Ok(())
    }
}
