//! Running one event: a fresh instance from the module's `InstancePre` (or,
//! for JavaScript, a warm one), bounded by the function's limits. Whatever goes wrong fails this
//! execution alone and is logged with module, function and cause.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tracing::Instrument;
use wasmtime::{Store, UpdateDeadline};

use super::FunctionHost;
use super::host::types::publish_request;
use super::host::{HostState, HttpRequest, Module};
use super::limits::{Limit, LimitExceeded};
use super::logs::LogLevel;
use super::manifest::FunctionSpec;
use super::module::{Handler, LoadedModule};
use super::warm::Live;
use crate::Runtime;
use crate::message::PublishInput;

/// Extra time past the wall-time limit before the host gives up on a guest
/// that is stuck in a host call; epoch interruption normally fires first.
const GRACE: Duration = Duration::from_millis(250);

/// What a Before handler decided.
#[derive(Debug, Clone, PartialEq)]
pub enum BeforeOutcome {
    Pass { message: Value, meta: Option<Value> },
    Abort(String),
}

/// An On Request function's answer.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why one execution failed; its text is the cause that is logged and
/// shown to whoever waited for the execution.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// A trap, with what the guest printed of its panic.
    #[error("trapped ({trap}): panicked: {panic}")]
    Panicked { trap: wasmtime::Trap, panic: String },
    #[error("trapped: {0}")]
    Trapped(wasmtime::Trap),
    #[error("could not be instantiated: {0}")]
    Instantiate(String),
    /// The instance pool was closed (the host is shutting down).
    #[error("{0}")]
    Unavailable(#[from] tokio::sync::AcquireError),
    /// A JavaScript module's files do not load: the engine's report
    /// (`file.js:line:col: SyntaxError: ...`).
    #[error("{0}")]
    Script(String),
    /// The JavaScript engine's stack overflowed: it lives at the bottom of
    /// its linear memory, so that is the out-of-bounds access it traps with.
    #[error("ran out of stack: JavaScript recursion deeper than about 5,000 calls")]
    ScriptStackOverflow,
    /// Any other error a guest call ended with.
    #[error("{0}")]
    Other(String),
}

/// Numbers executions, so that log lines can say which one they belong to.
static EXECUTIONS: AtomicU64 = AtomicU64::new(1);

impl FunctionHost {
    async fn instantiate(
        &self,
        runtime: &Arc<Runtime>,
        module: &LoadedModule,
        spec: &FunctionSpec,
        hops: u8,
    ) -> Result<Live, ExecutionError> {
        let slot = self.slots.clone().acquire_owned().await?;
        let state = HostState::new(
            runtime.clone(),
            module.name.as_str().into(),
            spec.name.as_str().into(),
            spec.limits,
            module.allowed_hosts.clone(),
            hops,
            module.javascript.as_deref(),
        );
        let exceeded = LimitExceeded::new(Limit::WallTime, &spec.limits);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| state);
        // Every epoch tick, a running guest yields to the executor (so a busy
        // loop cannot starve other requests) or traps once past its deadline.
        store.set_epoch_deadline(1);
        // The deadline is read from the state: a warm instance gets a new one per execution.
        store.epoch_deadline_callback(move |store| {
            if Instant::now() >= store.data().deadline {
                Err(wasmtime::Error::new(exceeded.clone()))
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let instance = module
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(|e| ExecutionError::Instantiate(format!("{e:#}")))?;
        Ok(Live {
            store,
            instance,
            _slot: slot,
        })
    }

    /// Runs `call` on a warm instance of the function (JavaScript modules) or
    /// a fresh one, inside a span naming the execution; an `Err` is the
    /// logged failure cause. Only an instance whose call ended without a trap
    /// goes back to the warm pool. `trigger` is what set it off: a
    /// channel, a request path, an interval.
    async fn execute<T>(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
        hops: u8,
        trigger: &str,
        call: impl AsyncFnOnce(&Module, &mut Store<HostState>) -> wasmtime::Result<T>,
    ) -> Result<T, ExecutionError> {
        let spec = handler.spec();
        let module = &handler.module;
        let span = tracing::info_span!(
            "execution",
            id = EXECUTIONS.fetch_add(1, Ordering::Relaxed),
            module = %module.name,
            function = %spec.name,
            event = %spec.event,
            trigger,
        );
        let outcome = async {
            let mut live = match module.warm.take(handler.index) {
                Some(mut live) => {
                    live.store.data_mut().begin(hops);
                    // The deadline counts from the epoch it is set at: left as it
                    // was, a warm instance would yield at its first check, and
                    // while it waited other events would take (and make) more
                    // instances than the pool keeps.
                    live.store.set_epoch_deadline(1);
                    live
                }
                None => self.instantiate(runtime, module, spec, hops).await?,
            };
            let limit = spec.limits.wall_time() + GRACE;
            let result = tokio::time::timeout(limit, call(&live.instance, &mut live.store)).await;
            match result {
                Ok(Ok(value)) => {
                    module.warm.put(handler.index, live);
                    Ok(value)
                }
                Ok(Err(error)) => Err(classify(&error, &live.store, module.is_javascript())),
                Err(_) => Err(LimitExceeded::new(Limit::WallTime, &spec.limits).into()),
            }
        }
        .instrument(span)
        .await;
        if let Err(cause) = &outcome {
            self.logs.record(
                &module.name,
                &spec.name,
                LogLevel::Error,
                format!("{} failed: {cause}", spec.event),
            );
        }
        outcome
    }

    pub async fn run_before(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
        input: &PublishInput,
    ) -> BeforeOutcome {
        let request = publish_request(input, None);
        let name = handler.spec().name.clone();
        let result = self
            .execute(
                runtime,
                handler,
                input.hops,
                &input.channel,
                async |instance, store| instance.call_before_publish(store, &name, &request).await,
            )
            .await;
        let failed = |cause: &dyn std::fmt::Display| {
            BeforeOutcome::Abort(format!(
                "function {}/{} failed: {cause}",
                handler.module.name, name
            ))
        };
        match result {
            Ok(Ok(verdict)) => {
                let message = match serde_json::from_str(&verdict.message) {
                    Ok(m) => m,
                    Err(e) => {
                        return failed(&format!("it returned a message that is not JSON: {e}"));
                    }
                };
                let meta = match verdict
                    .meta
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                {
                    Ok(m) => m,
                    Err(e) => return failed(&format!("it returned meta that is not JSON: {e}")),
                };
                BeforeOutcome::Pass { message, meta }
            }
            Ok(Err(reason)) => BeforeOutcome::Abort(reason),
            Err(cause) => failed(&cause),
        }
    }

    /// Runs an After handler; failures are logged, nobody waits for them.
    pub async fn run_after(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
        input: &PublishInput,
        timetoken: u64,
    ) {
        let request = publish_request(input, Some(timetoken));
        let name = handler.spec().name.clone();
        let result = self
            .execute(
                runtime,
                handler,
                input.hops,
                &input.channel,
                async |instance, store| instance.call_after_publish(store, &name, &request).await,
            )
            .await;
        if let Ok(Err(reason)) = result {
            self.logs.record(
                &handler.module.name,
                &name,
                LogLevel::Warn,
                format!("{} returned an error: {reason}", handler.spec().event),
            );
        }
    }

    pub async fn run_request(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
        request: HttpRequest,
    ) -> Result<HttpReply, ExecutionError> {
        let name = handler.spec().name.clone();
        let path = request.path.clone();
        self.execute(runtime, handler, 0, &path, async |instance, store| {
            instance.call_on_request(store, &name, &request).await
        })
        .await
        .map(HttpReply::from)
    }

    pub async fn run_interval(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
    ) -> Result<(), IntervalError> {
        let name = handler.spec().name.clone();
        match self
            .execute(runtime, handler, 0, "interval", async |instance, store| {
                instance.call_on_interval(store, &name).await
            })
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => {
                self.logs.record(
                    &handler.module.name,
                    &name,
                    LogLevel::Warn,
                    format!("on-interval aborted: {reason}"),
                );
                Err(IntervalError::Aborted(reason))
            }
            Err(cause) => Err(IntervalError::Failed(cause)),
        }
    }

    /// The functions a component says it implements (`describe` export).
    pub(super) async fn describe_component(
        &self,
        runtime: &Arc<Runtime>,
        module: &LoadedModule,
    ) -> Result<Vec<super::host::FunctionInfo>, ExecutionError> {
        let spec = FunctionSpec {
            name: "describe".into(),
            event: super::EventKind::OnRequest,
            binding: super::manifest::Binding::Interval(Duration::ZERO),
            limits: Default::default(),
            source: None,
        };
        let mut live = self.instantiate(runtime, module, &spec, 0).await?;
        live.instance
            .call_describe(&mut live.store)
            .await
            .map_err(
                |e| match classify(&e, &live.store, module.is_javascript()) {
                    // The JavaScript engine reports a file that does not load as its panic.
                    ExecutionError::Panicked { panic, .. } if module.is_javascript() => {
                        ExecutionError::Script(panic)
                    }
                    other => other,
                },
            )
    }
}

/// How an On Interval run ended badly.
#[derive(Debug, thiserror::Error)]
pub enum IntervalError {
    /// The function returned an error.
    #[error("{0}")]
    Aborted(String),
    #[error(transparent)]
    Failed(#[from] ExecutionError),
}

/// What went wrong, by the error's type: our own limits as they are, traps
/// with what the guest printed (a Rust panic message) when it printed anything.
fn classify(error: &wasmtime::Error, store: &Store<HostState>, javascript: bool) -> ExecutionError {
    let limit = error.downcast_ref::<LimitExceeded>().or_else(|| {
        error
            .chain()
            .find_map(|e| e.downcast_ref::<LimitExceeded>())
    });
    if let Some(limit) = limit {
        return limit.clone().into();
    }
    let printed = String::from_utf8_lossy(&store.data().stderr.contents()).into_owned();
    let panic = printed
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .skip(1)
        .take_while(|l| !l.starts_with("note:"))
        .collect::<Vec<_>>()
        .join(" ");
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::MemoryOutOfBounds) if javascript && panic.is_empty() => {
            ExecutionError::ScriptStackOverflow
        }
        Some(&trap) if !panic.is_empty() => ExecutionError::Panicked { trap, panic },
        Some(&trap) => ExecutionError::Trapped(trap),
        None => ExecutionError::Other(format!("{error:#}")),
    }
}
