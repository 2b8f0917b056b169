//! `module!` end to end, natively: the generated exports are called as the
//! host would call them. (Handlers here touch no host imports: those only
//! exist inside a component.)

use pigdin_sdk::bindings::Guest;
use pigdin_sdk::bindings::pigdin::functions::types::{
    EventKind, HttpRequest, PublishRequest as WitPublishRequest, PublishVerb,
};
use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    before_publish "shout" => shout,
    before_signal "deny" => deny,
    after_publish "fail" => fail,
    after_presence "presence" => presence,
    on_request "echo" => echo,
    on_request "broken" => broken,
    on_interval "tick" => tick,
}

fn shout(mut req: PublishRequest) -> BeforeResult {
    if let Some(text) = req.message.get("text").and_then(Value::as_str) {
        req.message["text"] = json!(text.to_uppercase());
    }
    req.meta = Some(json!({ "verb": format!("{:?}", req.verb), "p": req.param("p") }));
    req.ok()
}

fn deny(req: PublishRequest) -> Result<BeforeResult> {
    let reason = req.param("why").ok_or("no reason given")?;
    Ok(req.abort(format!("denied: {reason}")))
}

fn fail(_req: PublishRequest) -> Result<()> {
    Err(Error::new("after failed"))
}

fn presence(_req: PublishRequest) {}

fn echo(req: Request, res: Response) -> Result<HttpResponse> {
    let body: Value = req.json()?;
    Ok(res
        .status(201)
        .header("x-method", req.method.as_str())
        .json(&json!({ "path": req.path, "q": req.param("q"), "ua": req.header("User-Agent"), "body": body })))
}

fn broken(req: Request, _res: Response) -> Result<HttpResponse> {
    Err(format!("cannot handle {}", req.body_text()?).into())
}

fn tick() -> Result<()> {
    Ok(())
}

fn publish_request(message: &str, params: &[(&str, &str)]) -> WitPublishRequest {
    WitPublishRequest {
        channel: "chat.1".into(),
        message: message.into(),
        meta: None,
        publisher: Some("alice".into()),
        verb: PublishVerb::Fire,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        timetoken: None,
    }
}

fn http_request(body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "echo".into(),
        query: vec![("q".into(), "1".into())],
        headers: vec![("user-agent".into(), "test".into())],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn describe_reports_every_function_with_its_true_kind() {
    let described: Vec<(String, EventKind)> = __PigdinModule::describe()
        .into_iter()
        .map(|f| (f.name, f.kind))
        .collect();
    assert_eq!(
        described,
        vec![
            ("shout".to_owned(), EventKind::BeforePublish),
            ("deny".to_owned(), EventKind::BeforeSignal),
            ("fail".to_owned(), EventKind::AfterPublish),
            ("presence".to_owned(), EventKind::AfterPresence),
            ("echo".to_owned(), EventKind::OnRequest),
            ("broken".to_owned(), EventKind::OnRequest),
            ("tick".to_owned(), EventKind::OnInterval),
        ]
    );
}

#[test]
fn before_handlers_rewrite_or_abort() {
    let ok = __PigdinModule::before_publish(
        "shout".into(),
        publish_request(r#"{"text":"hi"}"#, &[("p", "x")]),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&ok.message).unwrap(),
        json!({ "text": "HI" })
    );
    assert_eq!(
        serde_json::from_str::<Value>(ok.meta.as_deref().unwrap()).unwrap(),
        json!({ "verb": "Fire", "p": "x" })
    );

    // Before Signal handlers come through the before-publish export too.
    let denied =
        __PigdinModule::before_publish("deny".into(), publish_request("1", &[("why", "spam")]));
    assert_eq!(denied.unwrap_err(), "denied: spam");
    let errored = __PigdinModule::before_publish("deny".into(), publish_request("1", &[]));
    assert_eq!(errored.unwrap_err(), "no reason given");
}

#[test]
fn after_handlers_report_errors() {
    assert_eq!(
        __PigdinModule::after_publish("fail".into(), publish_request("{}", &[])).unwrap_err(),
        "after failed"
    );
    assert_eq!(
        __PigdinModule::after_publish("presence".into(), publish_request("{}", &[])),
        Ok(())
    );
}

#[test]
fn request_handlers_build_responses_and_turn_errors_into_500() {
    let res = __PigdinModule::on_request("echo".into(), http_request(r#"{"a":1}"#));
    assert_eq!(res.status, 201);
    assert!(
        res.headers
            .contains(&("content-type".into(), "application/json".into()))
    );
    assert!(res.headers.contains(&("x-method".into(), "POST".into())));
    let body: Value = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(
        body,
        json!({ "path": "echo", "q": "1", "ua": "test", "body": { "a": 1 } })
    );

    let res = __PigdinModule::on_request("echo".into(), http_request("not json"));
    assert_eq!(res.status, 500);
    assert!(String::from_utf8(res.body).unwrap().starts_with("JSON: "));

    let res = __PigdinModule::on_request("broken".into(), http_request("this"));
    assert_eq!(
        (res.status, res.body),
        (500, b"cannot handle this".to_vec())
    );
}

#[test]
fn unknown_functions_are_named_with_the_kind_asked_for() {
    let res = __PigdinModule::on_request("shout".into(), http_request(""));
    assert_eq!(res.status, 500);
    assert_eq!(
        String::from_utf8(res.body).unwrap(),
        "no function shout of kind on-request in this module"
    );
    assert_eq!(
        __PigdinModule::on_interval("nope".into()).unwrap_err(),
        "no function nope of kind on-interval in this module"
    );
    assert_eq!(
        __PigdinModule::before_publish("echo".into(), publish_request("1", &[])).unwrap_err(),
        "no function echo of kind before-publish or before-signal in this module"
    );
    assert!(__PigdinModule::after_publish("shout".into(), publish_request("1", &[])).is_err());
    assert_eq!(__PigdinModule::on_interval("tick".into()), Ok(()));
}

#[test]
#[should_panic(expected = "two functions have the same name")]
fn duplicate_names_are_refused() {
    fn noop() {}
    let handlers = [
        pigdin_sdk::__pigdin_handler!(on_interval "same" => noop),
        pigdin_sdk::__pigdin_handler!(on_interval "same" => noop),
    ];
    pigdin_sdk::__private::check(&handlers);
}
