//! Bindings for the `js-engine` world: the `module` world every Pigdin module
//! implements, plus `wizer-initialize`, the hook the host calls once to
//! snapshot a started engine. The imported interfaces are the SDK's, so the
//! SDK's wrappers call the same imports.

// Generated code: its shape follows the WIT, not our lints.
#![allow(clippy::all)]

wit_bindgen::generate!({
    path: "../../runtime/wit",
    world: "pigdin:functions/js-engine",
    with: {
        "pigdin:functions/types@0.1.0": pigdin_sdk::bindings::pigdin::functions::types,
        "pigdin:functions/kvstore@0.1.0": pigdin_sdk::bindings::pigdin::functions::kvstore,
        "pigdin:functions/xhr@0.1.0": pigdin_sdk::bindings::pigdin::functions::xhr,
        "pigdin:functions/vault@0.1.0": pigdin_sdk::bindings::pigdin::functions::vault,
        "pigdin:functions/log@0.1.0": pigdin_sdk::bindings::pigdin::functions::log,
        "pigdin:functions/pubnub@0.1.0": pigdin_sdk::bindings::pigdin::functions::pubnub,
    },
});
