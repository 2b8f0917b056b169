//! Raw bindings generated from the WIT contract (`runtime/wit/pigdin.wit`).
//!
//! Module authors use the wrappers in the rest of this crate; these are public
//! only because the `module!` macro expands in the author's crate and must
//! reach the generated export glue.

// Generated code: its shape follows the WIT (e.g. a 12-word export ABI), not our lints.
#![allow(clippy::all)]

wit_bindgen::generate!({
    path: "../../runtime/wit",
    world: "pigdin:functions/module",
    // The export macro is used from module crates, not from this one.
    pub_export_macro: true,
    default_bindings_module: "pigdin_sdk::bindings",
});
