//! The `types` interface has no functions; it only shares records.
impl super::pigdin::functions::types::Host for super::HostState {}
