//! Errors as data: a 2xx body that says the call failed is an error of the kind the connector
//! maps its code to, and the API's message is found where the connector says (or one level
//! down in `error`/`errors`); a JSON error body is never reported as "not JSON".

use actionspec_engine::{Client, Config, Connector, Error, ErrorKind, Outcome, SpecError};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn connector(errors: &str) -> Connector {
    load(errors).unwrap_or_else(|e| panic!("{e}"))
}

/// A connector with an RPC-style read, a list, and `errors:` as given (YAML).
fn load(errors: &str) -> Result<Connector, SpecError> {
    let yaml = format!(
        r#"spec_version: 1
key: chat
name: Chat
version: 1.0.0
servers:
  prod: {{ url: "https://chat.example.com/api" }}
default_server: prod
{errors}
pagination:
  channels:
    type: offset
    limit_input: limit
    offset_input: skip
    max_page_size: 100
    records: /channels
actions:
  channel_info:
    name: Channel Info
    description: Read one channel.
    method: GET
    path: /conversations.info
    inputs:
      channel: {{ type: string, in: query, required: true }}
    examples:
      - input: {{ channel: C1 }}
  list_channels:
    name: List Channels
    description: List channels.
    method: GET
    path: /conversations.list
    pagination: channels
    inputs:
      limit: {{ type: integer, in: query }}
      skip: {{ type: integer, in: query }}
    examples:
      - input: {{}}
"#
    );
    Connector::from_yaml("chat.yaml", &yaml)
}

const SLACK_LIKE: &str = r#"errors:
  ok: /ok
  code: /error
  message: /detail
  codes:
    invalid_auth: auth
    not_authed: auth
    missing_scope: permission
    ratelimited: rate_limited
    channel_not_found: not_found"#;

async fn answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn run(
    c: &Connector,
    action: &str,
    input: Value,
    server: &MockServer,
) -> Result<Outcome, Error> {
    let config = Config {
        base_url: Some(format!("{}/api", server.uri())),
        ..Config::default()
    };
    let client = Client::new().unwrap();
    c.run(&client, c.action(action).unwrap(), &input, &config)
        .await
}

#[tokio::test]
async fn a_failed_verdict_in_a_200_is_an_error_of_the_mapped_kind() {
    let c = connector(SLACK_LIKE);
    let cases = [
        ("channel_not_found", ErrorKind::NotFound),
        ("invalid_auth", ErrorKind::Auth),
        ("not_authed", ErrorKind::Auth),
        ("missing_scope", ErrorKind::Permission),
        ("ratelimited", ErrorKind::RateLimited),
        ("something_new", ErrorKind::Validation),
    ];
    for (code, kind) in cases {
        let server = answering(200, json!({"ok": false, "error": code})).await;
        let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
            .await
            .unwrap_err();
        assert_eq!(e.kind, kind, "{code}: {e}");
        assert_eq!(e.api_message.as_deref(), Some(code));
        assert_eq!(e.status, Some(200));
        assert!(
            e.message.ends_with(&format!(
                "answered 200 but the API reports a failure: {code}"
            )),
            "{e}"
        );
        assert_eq!(e.retryable, kind == ErrorKind::RateLimited, "{code}");
    }
}

#[tokio::test]
async fn the_message_pointer_is_shown_with_the_code() {
    let c = connector(SLACK_LIKE);
    let body = json!({"ok": false, "error": "invalid_arguments", "detail": "channel must be set"});
    let server = answering(200, body).await;
    let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!(e.api_message.as_deref(), Some("channel must be set"));
    assert!(
        e.message
            .ends_with("reports a failure: invalid_arguments: channel must be set"),
        "{e}"
    );
}

#[tokio::test]
async fn a_good_verdict_or_none_is_success() {
    let c = connector(SLACK_LIKE);
    for body in [
        json!({"ok": true, "channel": {"id": "C9"}}),
        json!({"channel": {"id": "C9"}}),
        json!({"ok": "false"}),
    ] {
        let server = answering(200, body.clone()).await;
        let out = run(&c, "channel_info", json!({"channel": "C9"}), &server)
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(out.body, Some(body));
    }
}

#[tokio::test]
async fn a_list_page_with_a_failed_verdict_is_an_error_not_an_empty_page() {
    let c = connector(SLACK_LIKE);
    let server = answering(200, json!({"ok": false, "error": "missing_scope"})).await;
    let e = run(&c, "list_channels", json!({}), &server)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permission, "{e}");
    let ok = answering(200, json!({"ok": true, "channels": [{"id": "C1"}]})).await;
    let page = run(&c, "list_channels", json!({}), &ok)
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(page.records.len(), 1);
}

#[tokio::test]
async fn an_error_status_reads_the_message_where_the_connector_says() {
    let c = connector("errors:\n  message: /error/message\n  code: /error/code");
    let body = json!({"error": {"code": "resource_missing", "message": "No such customer: 'cus_1'", "type": "invalid_request_error"}});
    let server = answering(404, body).await;
    let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.api_message.as_deref(), Some("No such customer: 'cus_1'"));
}

#[tokio::test]
async fn without_a_declared_shape_nested_messages_are_found_and_json_is_never_not_json() {
    let c = connector("");
    let nested = json!({"error": {"message": "No such customer", "type": "invalid_request_error"}});
    let server = answering(400, nested).await;
    let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
        .await
        .unwrap_err();
    assert_eq!(e.api_message.as_deref(), Some("No such customer"), "{e}");
    let listed = json!({"errors": [{"detail": "limit is too large"}]});
    let server = answering(422, listed).await;
    let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
        .await
        .unwrap_err();
    assert_eq!(e.api_message.as_deref(), Some("limit is too large"), "{e}");
    let unknown = json!({"fault": {"code": 17}});
    let server = answering(500, unknown).await;
    let e = run(&c, "channel_info", json!({"channel": "C9"}), &server)
        .await
        .unwrap_err();
    assert!(!e.message.contains("not JSON"), "{e}");
    assert!(e.message.ends_with(r#": {"fault":{"code":17}}"#), "{e}");
}

#[test]
fn an_error_kind_the_api_cannot_cause_is_a_load_error() {
    let Err(e) = load("errors:\n  codes:\n    oops: usage") else {
        panic!("`usage` is not a kind an API error code can be");
    };
    let shown = e.to_string();
    assert!(
        shown.contains("chat.yaml:10:11") && shown.contains("`rate_limited`"),
        "{shown}"
    );
}
