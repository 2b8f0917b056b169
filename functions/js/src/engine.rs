//! One QuickJS runtime per instance: the JS layer (evaluated before the host's
//! snapshot, see `wizer-initialize`), then the module's bundle and its files
//! as ES modules, loaded on first use. Every call drains the job queue (and the
//! timers) before it returns, so work a handler started without awaiting it
//! still finishes inside the execution.

use std::cell::{OnceCell, RefCell};
use std::time::Duration;

use rquickjs::{Context, Ctx, Exception, Function, Module, Object, Promise, Runtime, Value};

use pigdin_sdk::bindings::pigdin::functions::types::{EventKind, FunctionInfo};

use crate::bundle::Bundle;
use crate::natives;

/// The JavaScript side: modules, request/response objects, `require`.
const PRELUDE: &str = include_str!("prelude.js");

pub struct Engine {
    // Field order matters: the context must be dropped before its runtime.
    context: Context,
    _runtime: Runtime,
    /// Read on first use, never before the snapshot: it is the module's, not the engine's.
    bundle: OnceCell<Result<Bundle, String>>,
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
        context.with(|ctx| {
            natives::install(&ctx).map_err(|e| caught(&ctx, e, "natives"))?;
            ctx.eval::<(), _>(PRELUDE)
                .map_err(|e| caught(&ctx, e, "prelude.js"))
        })?;
        Ok(Self {
            context,
            _runtime: runtime,
            bundle: OnceCell::new(),
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
        let pigdin = pigdin(ctx).map_err(|e| caught(ctx, e, file))?;
        let loaded: Function = pigdin.get("loaded").map_err(|e| caught(ctx, e, file))?;
        if loaded
            .call::<_, bool>((file,))
            .map_err(|e| caught(ctx, e, file))?
        {
            return Ok(());
        }
        let source = self.bundle()?.source(file)?;
        let declared =
            Module::declare(ctx.clone(), file, source).map_err(|e| caught(ctx, e, file))?;
        let (module, done) = declared.eval().map_err(|e| caught(ctx, e, file))?;
        drain(ctx).map_err(|e| caught(ctx, e, file))?;
        match done.result::<Value>() {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(caught(ctx, e, file)),
            None => return Err(format!("{file}: its top-level code never finished")),
        }
        let handler: Value = module.get("default").map_err(|e| caught(ctx, e, file))?;
        let register: Function = pigdin.get("register").map_err(|e| caught(ctx, e, file))?;
        register
            .call::<_, ()>((file, handler))
            .map_err(|e| caught(ctx, e, file))
    }

    /// Runs `file`'s handler for one event of `kind` (before | after |
    /// request | interval) and returns the outcome JSON the JS layer made.
    pub fn invoke(&self, file: &str, kind: &str, input: String) -> Result<String, String> {
        self.context.with(|ctx| {
            self.load(&ctx, file)?;
            let run = || -> rquickjs::Result<Promise> {
                let invoke: Function = pigdin(&ctx)?.get("invoke")?;
                invoke.call((file, kind, input))
            };
            let promise = run().map_err(|e| caught(&ctx, e, file))?;
            drain(&ctx).map_err(|e| caught(&ctx, e, file))?;
            match promise.result::<String>() {
                Some(Ok(outcome)) => Ok(outcome),
                Some(Err(e)) => Err(caught(&ctx, e, file)),
                None => Err(
                    "the handler's promise never settled: nothing was left to resolve it (return request.ok(), or await what it waits for)"
                        .into(),
                ),
            }
        })
    }
}

fn pigdin<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    ctx.globals().get("__pigdin")
}

/// Runs every pending job, then every timer in due order (sleeping until
/// each is due), until nothing is left.
fn drain(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let pigdin = pigdin(ctx)?;
    let next_timer: Function = pigdin.get("nextTimer")?;
    let run_timer: Function = pigdin.get("runTimer")?;
    loop {
        while ctx.execute_pending_job() {}
        let Some(due_ms) = next_timer.call::<_, Option<f64>>(())? else {
            return Ok(());
        };
        let wait = due_ms - natives::now_ms();
        if wait > 0.0 {
            std::thread::sleep(Duration::from_secs_f64(wait / 1000.0));
        }
        run_timer.call::<_, ()>(())?;
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
