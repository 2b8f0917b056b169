//! The runtime half of `module!`: the handler table it builds, and the
//! component exports that look handlers up in it by name. Public only for the
//! macro's expansion; not part of the API.

use crate::bindings::pigdin::functions::types as wit;
use crate::{HttpResponse, PublishRequest, Request, Response};

pub use wit::EventKind;

/// One registered handler, already adapted to a uniform signature.
pub enum Handler {
    /// Before Publish and Before Signal: both arrive through the `before-publish` export.
    Before {
        name: &'static str,
        kind: EventKind,
        run: fn(PublishRequest) -> crate::BeforeResult,
    },
    /// After Publish, After Signal and After Presence: all through `after-publish`.
    After {
        name: &'static str,
        kind: EventKind,
        run: fn(PublishRequest) -> Result<(), String>,
    },
    Request {
        name: &'static str,
        run: fn(Request, Response) -> HttpResponse,
    },
    Interval {
        name: &'static str,
        run: fn() -> Result<(), String>,
    },
}

impl Handler {
    const fn name(&self) -> &'static str {
        match self {
            Self::Before { name, .. }
            | Self::After { name, .. }
            | Self::Request { name, .. }
            | Self::Interval { name, .. } => name,
        }
    }

    fn kind(&self) -> EventKind {
        match self {
            Self::Before { kind, .. } | Self::After { kind, .. } => *kind,
            Self::Request { .. } => EventKind::OnRequest,
            Self::Interval { .. } => EventKind::OnInterval,
        }
    }
}

/// Rejects, at compile time, tables the host would refuse at deploy.
pub const fn check(handlers: &[Handler]) {
    let mut i = 0;
    while i < handlers.len() {
        let name = handlers[i].name();
        if name.is_empty() || name.len() > 64 {
            panic!("pigdin_sdk::module!: a function name must have 1 to 64 characters");
        }
        let mut j = 0;
        while j < i {
            if same_str(name, handlers[j].name()) {
                panic!("pigdin_sdk::module!: two functions have the same name");
            }
            j += 1;
        }
        i += 1;
    }
}

/// `==` on `str` is not usable in `const fn`.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn not_found(function: &str, kind: &str) -> String {
    format!("no function {function} of kind {kind} in this module")
}

pub fn describe(handlers: &[Handler]) -> Vec<wit::FunctionInfo> {
    handlers
        .iter()
        .map(|handler| wit::FunctionInfo {
            name: handler.name().to_owned(),
            kind: handler.kind(),
        })
        .collect()
}

pub fn before_publish(
    handlers: &[Handler],
    function: &str,
    request: wit::PublishRequest,
) -> Result<wit::PublishOk, String> {
    let run = handlers
        .iter()
        .find_map(|handler| match handler {
            Handler::Before { name, run, .. } if *name == function => Some(*run),
            _ => None,
        })
        .ok_or_else(|| not_found(function, "before-publish or before-signal"))?;
    let request = PublishRequest::from_wit(request).map_err(|e| e.to_string())?;
    run(request).into_wit()
}

pub fn after_publish(
    handlers: &[Handler],
    function: &str,
    request: wit::PublishRequest,
) -> Result<(), String> {
    let run = handlers
        .iter()
        .find_map(|handler| match handler {
            Handler::After { name, run, .. } if *name == function => Some(*run),
            _ => None,
        })
        .ok_or_else(|| not_found(function, "after-publish, after-signal or after-presence"))?;
    let request = PublishRequest::from_wit(request).map_err(|e| e.to_string())?;
    run(request)
}

pub fn on_request(
    handlers: &[Handler],
    function: &str,
    request: wit::HttpRequest,
) -> wit::HttpResponse {
    let run = handlers.iter().find_map(|handler| match handler {
        Handler::Request { name, run } if *name == function => Some(*run),
        _ => None,
    });
    let response = match run {
        Some(run) => run(Request::from_wit(request), Response::new()),
        None => HttpResponse::error(500, not_found(function, "on-request")),
    };
    response.into_wit()
}

pub fn on_interval(handlers: &[Handler], function: &str) -> Result<(), String> {
    let run = handlers
        .iter()
        .find_map(|handler| match handler {
            Handler::Interval { name, run } if *name == function => Some(*run),
            _ => None,
        })
        .ok_or_else(|| not_found(function, "on-interval"))?;
    run()
}
