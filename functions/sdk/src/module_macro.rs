//! `module!`: registers a crate's handlers and exports them as the component.

/// Registers the module's handlers, each by the name `module.toml` uses and
/// the kind of event it handles. Call it once, at the root of the crate.
///
/// ```ignore
/// pigdin_sdk::module! {
///     before_publish "filter" => filter,
///     after_publish "audit" => audit,
///     on_request "counter" => counter,
///     on_interval "tick" => tick,
/// }
/// ```
///
/// Kinds and handler signatures (`Result` is `pigdin_sdk::Result`, but any
/// `Result<_, E: Display>` works):
///
/// | kind | handler |
/// |------|---------|
/// | `before_publish`, `before_signal` | `fn(PublishRequest) -> BeforeResult` or `-> Result<BeforeResult>` |
/// | `after_publish`, `after_signal`, `after_presence` | `fn(PublishRequest) -> Result<()>` or `-> ()` |
/// | `on_request` | `fn(Request, Response) -> HttpResponse` or `-> Result<HttpResponse>` |
/// | `on_interval` | `fn() -> Result<()>` or `-> ()` |
///
/// Names must be unique within the module (checked at compile time).
#[macro_export]
macro_rules! module {
    ($($kind:ident $name:literal => $handler:path),+ $(,)?) => {
        /// The component: implements the exports by dispatching on function name.
        #[doc(hidden)]
        struct __PigdinModule;

        #[doc(hidden)]
        const __PIGDIN_HANDLERS: &[$crate::__private::Handler] = &[
            $($crate::__pigdin_handler!($kind $name => $handler)),+
        ];

        const _: () = $crate::__private::check(__PIGDIN_HANDLERS);

        impl $crate::bindings::Guest for __PigdinModule {
            fn describe() -> ::std::vec::Vec<$crate::bindings::FunctionInfo> {
                $crate::__private::describe(__PIGDIN_HANDLERS)
            }

            fn before_publish(
                function: ::std::string::String,
                request: $crate::bindings::PublishRequest,
            ) -> ::core::result::Result<$crate::bindings::PublishOk, ::std::string::String> {
                $crate::__private::before_publish(__PIGDIN_HANDLERS, &function, request)
            }

            fn after_publish(
                function: ::std::string::String,
                request: $crate::bindings::PublishRequest,
            ) -> ::core::result::Result<(), ::std::string::String> {
                $crate::__private::after_publish(__PIGDIN_HANDLERS, &function, request)
            }

            fn on_request(
                function: ::std::string::String,
                request: $crate::bindings::HttpRequest,
            ) -> $crate::bindings::HttpResponse {
                $crate::__private::on_request(__PIGDIN_HANDLERS, &function, request)
            }

            fn on_interval(
                function: ::std::string::String,
            ) -> ::core::result::Result<(), ::std::string::String> {
                $crate::__private::on_interval(__PIGDIN_HANDLERS, &function)
            }
        }

        $crate::bindings::export!(__PigdinModule with_types_in $crate::bindings);
    };
}

/// One `module!` entry as a [`Handler`](crate::__private::Handler): picks the
/// table variant by kind and adapts the handler's return type.
#[doc(hidden)]
#[macro_export]
macro_rules! __pigdin_handler {
    (before_publish $name:literal => $handler:path) => {
        $crate::__pigdin_handler!(@before BeforePublish $name => $handler)
    };
    (before_signal $name:literal => $handler:path) => {
        $crate::__pigdin_handler!(@before BeforeSignal $name => $handler)
    };
    (after_publish $name:literal => $handler:path) => {
        $crate::__pigdin_handler!(@after AfterPublish $name => $handler)
    };
    (after_signal $name:literal => $handler:path) => {
        $crate::__pigdin_handler!(@after AfterSignal $name => $handler)
    };
    (after_presence $name:literal => $handler:path) => {
        $crate::__pigdin_handler!(@after AfterPresence $name => $handler)
    };
    (on_request $name:literal => $handler:path) => {
        $crate::__private::Handler::Request {
            name: $name,
            run: |request, response| {
                $crate::IntoHttpResponse::into_http_response($handler(request, response))
            },
        }
    };
    (on_interval $name:literal => $handler:path) => {
        $crate::__private::Handler::Interval {
            name: $name,
            run: || $crate::IntoHandlerResult::into_handler_result($handler()),
        }
    };
    (@before $kind:ident $name:literal => $handler:path) => {
        $crate::__private::Handler::Before {
            name: $name,
            kind: $crate::__private::EventKind::$kind,
            run: |request| $crate::IntoBeforeResult::into_before_result($handler(request)),
        }
    };
    (@after $kind:ident $name:literal => $handler:path) => {
        $crate::__private::Handler::After {
            name: $name,
            kind: $crate::__private::EventKind::$kind,
            run: |request| $crate::IntoHandlerResult::into_handler_result($handler(request)),
        }
    };
    ($kind:ident $name:literal => $handler:path) => {
        ::core::compile_error!(::core::concat!(
            "unknown handler kind `",
            ::core::stringify!($kind),
            "`: use before_publish, before_signal, after_publish, after_signal, ",
            "after_presence, on_request or on_interval"
        ))
    };
}
