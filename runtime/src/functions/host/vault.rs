//! `vault`: read-only access to the module's own secrets.
use super::HostState;
use super::pigdin::functions::vault::Host;

impl Host for HostState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, String>> {
        Ok(match self.runtime.store.vault.get(&self.module, &name) {
            Ok(Some(secret)) => Ok(secret),
            Ok(None) => Err(format!(
                "no secret {name:?} in the vault of module {:?} (set it with `pigdin vault set {} {name}`)",
                self.module, self.module
            )),
            Err(e) => Err(format!("vault read failed: {e}")),
        })
    }
}
