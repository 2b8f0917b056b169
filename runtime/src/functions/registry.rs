//! The table of deployed modules. The set of modules is an immutable map
//! behind a lock that is only held to swap it: a deploy builds the new module
//! completely, then replaces the map, so executions in flight finish on the
//! code they started with. Deploying itself is `deploy.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::manifest::{Binding, EventKind, FunctionSpec};
use super::module::{Handler, LoadedModule, ModuleSummary};

#[derive(Default)]
pub(super) struct Registry {
    modules: RwLock<Arc<BTreeMap<String, Arc<LoadedModule>>>>,
}

impl Registry {
    fn snapshot(&self) -> Arc<BTreeMap<String, Arc<LoadedModule>>> {
        self.modules.read().clone()
    }

    pub(super) fn get(&self, name: &str) -> Option<Arc<LoadedModule>> {
        self.snapshot().get(name).cloned()
    }

    /// Handlers in module-name order, then manifest order.
    pub(super) fn channel_handlers(&self, event: EventKind, channel: &str) -> Vec<Handler> {
        let mut found = Vec::new();
        for module in self.snapshot().values() {
            for (index, spec) in module.functions.iter().enumerate() {
                if spec.event == event
                    && let Binding::Channels(patterns) = &spec.binding
                    && patterns.iter().any(|p| p.matches(channel))
                {
                    found.push(Handler {
                        module: module.clone(),
                        index,
                    });
                }
            }
        }
        found
    }

    pub(super) fn request_handler(&self, path: &str) -> Option<Handler> {
        self.find(|spec| matches!(&spec.binding, Binding::Path(p) if p.matches(path)))
    }

    pub(super) fn handler(&self, module: &str, function: &str) -> Option<Handler> {
        let module = self.get(module)?;
        let index = module.functions.iter().position(|f| f.name == function)?;
        Some(Handler { module, index })
    }

    fn find(&self, wanted: impl Fn(&FunctionSpec) -> bool) -> Option<Handler> {
        self.snapshot().values().find_map(|module| {
            let index = module.functions.iter().position(&wanted)?;
            Some(Handler {
                module: module.clone(),
                index,
            })
        })
    }

    pub(super) fn summaries(&self) -> Vec<ModuleSummary> {
        self.snapshot().values().map(|m| m.summary()).collect()
    }

    /// Checks that no other module's On Request path overlaps this one's.
    pub(super) fn check_paths(
        &self,
        candidate: &str,
        functions: &[FunctionSpec],
    ) -> Result<(), String> {
        for other in self.snapshot().values().filter(|m| m.name != candidate) {
            for mine in functions {
                let Binding::Path(path) = &mine.binding else {
                    continue;
                };
                for theirs in &other.functions {
                    if let Binding::Path(their_path) = &theirs.binding
                        && path.overlaps(their_path)
                    {
                        return Err(format!(
                            "on-request path /{} of function {:?} overlaps /{} of {}/{}; choose a distinct path",
                            path.as_str(),
                            mine.name,
                            their_path.as_str(),
                            other.name,
                            theirs.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Puts `module` in, in place of any module of its name.
    pub(super) fn insert(&self, module: Arc<LoadedModule>) {
        let mut modules = self.modules.write();
        let mut next = (**modules).clone();
        next.insert(module.name.clone(), module);
        *modules = Arc::new(next);
    }

    /// Takes the module out; false when there was none.
    pub(super) fn remove(&self, name: &str) -> bool {
        let mut modules = self.modules.write();
        let mut next = (**modules).clone();
        let existed = next.remove(name).is_some();
        *modules = Arc::new(next);
        existed
    }
}
