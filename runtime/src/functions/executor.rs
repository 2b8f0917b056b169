//! Running one event: a fresh instance from the module's `InstancePre`,
//! bounded by the function's limits. Whatever goes wrong fails this
//! execution alone and is logged with module, function and cause.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use wasmtime::{Store, UpdateDeadline};

use super::FunctionHost;
use super::host::{HostState, HttpRequest, Module, PublishRequest, PublishVerb};
use super::logs::LogLevel;
use super::manifest::FunctionSpec;
use super::registry::{Handler, LoadedModule};
use super::warm::Live;
use crate::Runtime;
use crate::broker::{PublishInput, Verb};

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

impl FunctionHost {
    async fn instantiate(
        &self,
        runtime: &Arc<Runtime>,
        module: &LoadedModule,
        spec: &FunctionSpec,
        hops: u8,
    ) -> Result<Live, String> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let state = HostState::new(
            runtime.clone(),
            module.name.as_str().into(),
            spec.name.as_str().into(),
            spec.limits,
            module.allowed_hosts.clone(),
            hops,
            module.javascript.as_deref(),
        );
        let wall_ms = spec.limits.wall_time_ms;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| state);
        // Every epoch tick, a running guest yields to the executor (so a busy
        // loop cannot starve other requests) or traps once past its deadline.
        store.set_epoch_deadline(1);
        // The deadline is read from the state: a warm instance gets a new one per execution.
        store.epoch_deadline_callback(move |store| {
            if Instant::now() >= store.data().deadline {
                Err(wasmtime::Error::msg(format!(
                    "exceeded its wall time of {wall_ms} ms (raise `wall_time_ms` under [limits] in module.toml)"
                )))
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let instance = module
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(|e| format!("could not be instantiated: {e:#}"))?;
        Ok(Live {
            store,
            instance,
            _slot: slot,
        })
    }

    /// Runs `call` on a warm instance of the function (JavaScript modules) or
    /// a fresh one; an `Err` is the logged failure cause. Only an instance
    /// whose call ended without a trap goes back to the warm pool.
    async fn execute<T>(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
        hops: u8,
        call: impl AsyncFnOnce(&Module, &mut Store<HostState>) -> wasmtime::Result<T>,
    ) -> Result<T, String> {
        let spec = handler.spec();
        let module = &handler.module;
        let outcome = async {
            let mut live = match module.warm.take(handler.index) {
                Some(mut live) => {
                    live.store.data_mut().begin(hops);
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
                Ok(Err(error)) => Err(describe_failure(
                    &error,
                    &live.store,
                    module.is_javascript(),
                )),
                Err(_) => Err(format!(
                    "exceeded its wall time of {} ms",
                    spec.limits.wall_time_ms
                )),
            }
        }
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
            .execute(runtime, handler, input.hops, async |instance, store| {
                instance.call_before_publish(store, &name, &request).await
            })
            .await;
        let failed = |cause: String| {
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
                        return failed(format!("it returned a message that is not JSON: {e}"));
                    }
                };
                let meta = match verdict
                    .meta
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                {
                    Ok(m) => m,
                    Err(e) => return failed(format!("it returned meta that is not JSON: {e}")),
                };
                BeforeOutcome::Pass { message, meta }
            }
            Ok(Err(reason)) => BeforeOutcome::Abort(reason),
            Err(cause) => failed(cause),
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
            .execute(runtime, handler, input.hops, async |instance, store| {
                instance.call_after_publish(store, &name, &request).await
            })
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
    ) -> Result<HttpReply, String> {
        let name = handler.spec().name.clone();
        self.execute(runtime, handler, 0, async |instance, store| {
            instance.call_on_request(store, &name, &request).await
        })
        .await
        .map(|r| HttpReply {
            status: r.status,
            headers: r.headers,
            body: r.body,
        })
    }

    pub async fn run_interval(
        &self,
        runtime: &Arc<Runtime>,
        handler: &Handler,
    ) -> Result<(), String> {
        let name = handler.spec().name.clone();
        match self
            .execute(runtime, handler, 0, async |instance, store| {
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
                Err(reason)
            }
            Err(cause) => Err(cause),
        }
    }

    /// The functions a component says it implements (`describe` export).
    pub(super) async fn describe_component(
        &self,
        runtime: &Arc<Runtime>,
        module: &LoadedModule,
    ) -> Result<Vec<super::host::FunctionInfo>, String> {
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
            .map_err(|e| match guest_panic(&live.store) {
                // The JavaScript engine reports a file that does not load as its panic.
                Some(message) if module.javascript.is_some() => message,
                _ => describe_failure(&e, &live.store, module.is_javascript()),
            })
    }
}

fn publish_request(input: &PublishInput, timetoken: Option<u64>) -> PublishRequest {
    PublishRequest {
        channel: input.channel.clone(),
        message: input.message.to_string(),
        meta: input.meta.as_ref().map(Value::to_string),
        publisher: input.publisher.clone(),
        verb: match input.verb {
            Verb::Publish => PublishVerb::Publish,
            Verb::Fire => PublishVerb::Fire,
            Verb::Signal => PublishVerb::Signal,
        },
        params: input.params.clone(),
        timetoken: timetoken.map(|t| t.to_string()),
    }
}

/// A one-line cause: our own limit messages as they are, traps with what the
/// guest printed (a Rust panic message) when it printed anything.
fn describe_failure(error: &wasmtime::Error, store: &Store<HostState>, javascript: bool) -> String {
    let ours = error
        .chain()
        .map(ToString::to_string)
        .find(|m| m.starts_with("exceeded its") || m.starts_with("budget exceeded"));
    if let Some(message) = ours {
        return message;
    }
    match (error.downcast_ref::<wasmtime::Trap>(), guest_panic(store)) {
        // The JS engine's stack lives at the bottom of its linear memory, so
        // this trap in a JavaScript module is its stack overflowing.
        (Some(wasmtime::Trap::MemoryOutOfBounds), None) if javascript => {
            "ran out of stack: JavaScript recursion deeper than about 5,000 calls".into()
        }
        (Some(trap), Some(panic)) => {
            format!("trapped ({trap}): panicked: {}", panic.replace('\n', " "))
        }
        (Some(trap), None) => format!("trapped: {trap}"),
        (None, _) => format!("{error:#}"),
    }
}

/// The message of a Rust panic the guest printed to stderr, if it printed one.
fn guest_panic(store: &Store<HostState>) -> Option<String> {
    let printed = String::from_utf8_lossy(&store.data().stderr.contents()).into_owned();
    let panic = printed
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .skip(1)
        .take_while(|l| !l.starts_with("note:"))
        .collect::<Vec<_>>()
        .join("\n");
    (!panic.is_empty()).then_some(panic)
}
