//! One QuickJS runtime per instance: the JS layer (evaluated before the host's
//! snapshot, see `wizer-initialize`), then the module's bundle and its files
//! as ES modules, loaded on first use. Every call drains the job queue (and the
//! timers) before it returns, so work a handler started without awaiting it
//! still finishes inside the execution.

use std::cell::{OnceCell, RefCell};
use std::collections::HashSet;
use std::time::Duration;

use rquickjs::{Context, Ctx, Exception, Function, Module, Object, Persistent, Runtime, Value};

use pigdin_sdk::bindings::pigdin::functions::types::{EventKind, FunctionInfo};

use crate::bundle::Bundle;
use crate::event_values::{self, Input, Outcome};
use crate::natives;

/// The JavaScript side: modules, request/response objects, `require`.
const PRELUDE: &str = include_str!("prelude.js");

pub struct Engine {
    // Field order matters: handles go before the context, the context before its runtime.
    layer: Layer,
    context: Context,
    _runtime: Runtime,
    /// Read on first use, never before the snapshot: it is the module's, not the engine's.
    bundle: OnceCell<Result<Bundle, String>>,
    /// The files whose top-level code has run and whose handler is registered.
    loaded: RefCell<HashSet<String>>,
}

/// The JS layer's entry points (`__pigdin.*`), held as handles: every event
/// calls them, and a handle saves looking each up by name.
struct Layer {
    register: Persistent<Function<'static>>,
    invoke: Persistent<Function<'static>>,
    next_timer: Persistent<Function<'static>>,
    run_timer: Persistent<Function<'static>>,
}

impl Layer {
    fn new(ctx: &Ctx<'_>) -> rquickjs::Result<Self> {
        let pigdin: Object = ctx.globals().get("__pigdin")?;
        let handle = |name: &str| -> rquickjs::Result<_> {
            Ok(Persistent::save(ctx, pigdin.get::<_, Function>(name)?))
        };
        Ok(Self {
            register: handle("register")?,
            invoke: handle("invoke")?,
            next_timer: handle("nextTimer")?,
            run_timer: handle("runTimer")?,
        })
    }
}

/// A handle's function in this context.
fn restore<'js>(
    handle: &Persistent<Function<'static>>,
    ctx: &Ctx<'js>,
) -> rquickjs::Result<Function<'js>> {
    handle.clone().restore(ctx)
}

thread_local! {
    static ENGINE: RefCell<Option<Result<Engine, String>>> = const { RefCell::new(None) };
}

/// Runs `f` with this instance's engine, creating it on first use.
pub fn with<T>(f: impl FnOnce(&Engine) -> Result<T, String>) -> Result<T, String> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let engine = slot.get_or_insert_with(Engine::new);
        match engine {
            Ok(engine) => f(engine),
            Err(message) => Err(message.clone()),
        }
    })
}

impl Engine {
    fn new() -> Result<Self, String> {
        let runtime = Runtime::new().map_err(|e| format!("cannot start QuickJS: {e}"))?;
        // QuickJS checks no stack depth on WASI: runaway recursion overflows
        // the component's 1 MiB shadow stack (about 5,000 nested JS calls) and
        // traps, which fails the execution like any other trap.
        let context = Context::full(&runtime).map_err(|e| format!("cannot start QuickJS: {e}"))?;
        let layer = context.with(|ctx| {
            natives::install(&ctx).map_err(|e| caught(&ctx, e, "natives"))?;
            ctx.eval::<(), _>(PRELUDE)
                .map_err(|e| caught(&ctx, e, "prelude.js"))?;
            Layer::new(&ctx).map_err(|e| caught(&ctx, e, "prelude.js"))
        })?;
        Ok(Self {
            layer,
            context,
            _runtime: runtime,
            bundle: OnceCell::new(),
            loaded: RefCell::default(),
        })
    }

    /// This instance's module: its functions, files and keys.
    pub fn bundle(&self) -> Result<&Bundle, String> {
        self.bundle
            .get_or_init(Bundle::from_env)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The functions the bundle names, as `describe` reports them.
    pub fn describe(&self) -> Result<Vec<FunctionInfo>, String> {
        Ok(self
            .bundle()?
            .functions
            .iter()
            .filter_map(|f| {
                let kind = match f.event.as_str() {
                    "before-publish" => EventKind::BeforePublish,
                    "after-publish" => EventKind::AfterPublish,
                    "before-signal" => EventKind::BeforeSignal,
                    "after-signal" => EventKind::AfterSignal,
                    "after-presence" => EventKind::AfterPresence,
                    "on-request" => EventKind::OnRequest,
                    "on-interval" => EventKind::OnInterval,
                    _ => return None,
                };
                Some(FunctionInfo {
                    name: f.name.clone(),
                    kind,
                })
            })
            .collect())
    }

    /// Compiles every file without running it.
    pub fn check(&self) -> Result<(), String> {
        self.context.with(|ctx| {
            for (file, source) in &self.bundle()?.files {
                Module::declare(ctx.clone(), file.as_str(), source.as_str())
                    .map_err(|e| caught(&ctx, e, file))?;
            }
            Ok(())
        })
    }

    /// Evaluates `file` (its top-level code runs once per instance) and
    /// registers its default export as the file's handler.
    fn load(&self, ctx: &Ctx<'_>, file: &str) -> Result<(), String> {
        if self.loaded.borrow().contains(file) {
            return Ok(());
        }
        let source = self.bundle()?.source(file)?;
        let declared =
            Module::declare(ctx.clone(), file, source).map_err(|e| caught(ctx, e, file))?;
        let (module, done) = declared.eval().map_err(|e| caught(ctx, e, file))?;
        self.drain(ctx).map_err(|e| caught(ctx, e, file))?;
        match done.result::<Value>() {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(caught(ctx, e, file)),
            None => return Err(format!("{file}: its top-level code never finished")),
        }
        let handler: Value = module.get("default").map_err(|e| caught(ctx, e, file))?;
        restore(&self.layer.register, ctx)
            .and_then(|register| register.call::<_, ()>((file, handler)))
            .map_err(|e| caught(ctx, e, file))?;
        self.loaded.borrow_mut().insert(file.to_owned());
        Ok(())
    }

    /// Runs `file`'s handler for one event of `kind` (before | after |
    /// request | interval) and reads back the outcome the JS layer made.
    pub fn invoke(&self, file: &str, kind: &str, input: Input<'_>) -> Result<Outcome, String> {
        self.context.with(|ctx| {
            self.load(&ctx, file)?;
            let bundle = self.bundle()?;
            let run = || -> rquickjs::Result<Value> {
                let input = event_values::input(&ctx, bundle, &input)?;
                restore(&self.layer.invoke, &ctx)?.call((file, kind, input))
            };
            let answer = run().map_err(|e| caught(&ctx, e, file))?;
            self.drain(&ctx).map_err(|e| caught(&ctx, e, file))?;
            // The outcome itself, or (for a handler still pending when it
            // returned) a promise of it.
            let outcome = match answer.as_promise() {
                Some(promise) => match promise.result::<Object>() {
                    Some(Ok(outcome)) => outcome,
                    Some(Err(e)) => return Err(caught(&ctx, e, file)),
                    None => return Err(
                        "the handler's promise never settled: nothing was left to resolve it (return request.ok(), or await what it waits for)"
                            .into(),
                    ),
                },
                None => answer
                    .into_object()
                    .ok_or_else(|| "the JS layer answered no outcome object".to_owned())?,
            };
            event_values::outcome(&outcome).map_err(|e| caught(&ctx, e, file))
        })
    }

    /// Runs every pending job, then every timer in due order (sleeping until
    /// each is due), until nothing is left.
    fn drain(&self, ctx: &Ctx<'_>) -> rquickjs::Result<()> {
        let next_timer = restore(&self.layer.next_timer, ctx)?;
        loop {
            while ctx.execute_pending_job() {}
            let Some(due_ms) = next_timer.call::<_, Option<f64>>(())? else {
                return Ok(());
            };
            let wait = due_ms - natives::now_ms();
            if wait > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(wait / 1000.0));
            }
            restore(&self.layer.run_timer, ctx)?.call::<_, ()>(())?;
        }
    }
}

/// The pending exception as one line: `file:line:col: Name: message`, then its stack.
pub fn caught(ctx: &Ctx<'_>, error: rquickjs::Error, file: &str) -> String {
    if !error.is_exception() {
        return format!("{file}: {error}");
    }
    let value = ctx.catch();
    let Some(exception) = value
        .as_object()
        .and_then(|o| Exception::from_object(o.clone()))
    else {
        let text = ctx
            .json_stringify(value)
            .ok()
            .flatten()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| "a value".into());
        return format!("{file}: uncaught {text}");
    };
    let name: String = exception
        .get::<_, Option<String>>("name")
        .ok()
        .flatten()
        .unwrap_or_else(|| "Error".into());
    let message = exception.message().unwrap_or_default();
    let stack = exception.stack().unwrap_or_default();
    // QuickJS reports a syntax error's position as the first stack frame.
    let place = stack
        .lines()
        .next()
        .map(|l| l.trim().trim_start_matches("at ").trim())
        .map(|l| {
            l.rsplit_once('(')
                .map(|(_, inner)| inner.trim_end_matches(')'))
                .unwrap_or(l)
        })
        .filter(|l| !l.is_empty())
        .unwrap_or(file);
    if name == "SyntaxError" {
        format!("{place}: {name}: {message}")
    } else if stack.trim().is_empty() {
        format!("{file}: {name}: {message}")
    } else {
        format!("{name}: {message}\n{}", stack.trim_end())
    }
}
