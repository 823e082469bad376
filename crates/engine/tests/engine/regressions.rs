//! Regression tests, each named after what broke (found by a first-use review).

use actionspec_engine::{Client, Config, Connector, ErrorKind, Mode};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;

const NOTES: &str = r#"
spec_version: 1
key: notes
name: Notes
version: 1.0.0
servers: { prod: { url: "https://api.example.com/v1" } }
default_server: prod
actions:
  create_note:
    name: Create Note
    description: Create a note.
    method: POST
    path: /notes
    inputs:
      title: { type: string, in: body }
      text: { type: string, in: body, sensitive: true }
      count: { type: integer, in: query }
    body: { title: "{{ input.title }}", content: "note: {{ input.text }}", raw: "{{ input.text }}" }
    examples:
      - input: { title: Hi, text: hello }
"#;

/// A sensitive input moved by a body template was shown in dry-run output.
#[test]
fn sensitive_values_are_hidden_wherever_a_template_puts_them() {
    let c = Connector::from_yaml("notes.yaml", NOTES).unwrap();
    let a = c.action("create_note").unwrap();
    let shown = c
        .plan(
            a,
            &json!({"title": "Hi", "text": "canary-text-42"}),
            &Config::default(),
            Mode::DryRun,
        )
        .unwrap()
        .shown();
    let text = serde_json::to_string(&shown).unwrap();
    assert!(!text.contains("canary-text-42"), "{text}");
    assert_eq!(
        shown.body,
        Some(json!({"title": "Hi", "content": "note: [redacted]", "raw": "[redacted]"}))
    );
}

/// `3.0` was sent as `limit=3.0`, and integers beyond 2^53 were sent rounded.
#[test]
fn integers_written_as_floats_are_sent_as_integers() {
    let c = Connector::from_yaml("notes.yaml", NOTES).unwrap();
    let a = c.action("create_note").unwrap();
    let r = c
        .plan(a, &json!({"count": 3.0}), &Config::default(), Mode::DryRun)
        .unwrap();
    assert_eq!(r.full_url(), "https://api.example.com/v1/notes?count=3");
    let err = c
        .plan(
            a,
            &json!({"count": 1.0e30}),
            &Config::default(),
            Mode::DryRun,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
    assert!(
        err.violations[0]
            .message
            .contains("too large to send exactly"),
        "{err}"
    );
}

/// A base URL with a fragment sent `DELETE /api`; one with a query sent `/api?x=1/systemusers/…`.
#[test]
fn base_urls_with_a_query_fragment_or_password_are_refused() {
    let c = common::jumpcloud();
    let a = c.action("delete_system_user").unwrap();
    for url in [
        "http://127.0.0.1:9/api#frag",
        "http://127.0.0.1:9/api?x=1",
        "http://u:pw@127.0.0.1:9/api",
    ] {
        let config = Config {
            base_url: Some(url.into()),
            ..Config::default()
        };
        let err = c
            .plan(a, &json!({"id": "abc"}), &config, Mode::DryRun)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Usage, "{url}");
        assert!(
            !err.message.contains("pw@"),
            "no password echoed: {}",
            err.message
        );
    }
}

/// A header value with a line break passed the dry run and failed the real run.
#[test]
fn header_values_with_line_breaks_fail_the_dry_run_too() {
    let c = common::jumpcloud();
    let a = c.action("create_user_group").unwrap();
    let mut config = Config::default();
    config
        .credentials
        .insert("org_id", SecretString::from("a\r\nInjected: 1"), false);
    let err = c
        .plan(a, &json!({"name": "g"}), &config, Mode::DryRun)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
}

/// A template that only fails when rendered (an unknown filter) passed `validate`.
#[test]
fn templates_that_fail_to_render_are_load_errors() {
    let broken = NOTES.replace(
        "\"{{ input.text }}\" }",
        "\"{{ input.text | nosuchfilter }}\" }",
    );
    let err = Connector::from_yaml("notes.yaml", &broken).unwrap_err();
    let rendered = err.render();
    assert!(
        rendered.contains("example 1 of action `create_note` cannot be planned"),
        "{rendered}"
    );
    assert!(rendered.contains("notes.yaml:"), "located: {rendered}");
}

/// An `expires_in` of u64::MAX (or 1e30) panicked with "overflow when adding duration".
#[tokio::test]
async fn huge_token_lifetimes_do_not_panic() {
    for expires_in in [json!(u64::MAX), json!(1e30), json!("18446744073709551615")] {
        let server = token_and_organizations(expires_in.clone()).await;
        let c = common::jumpcloud();
        let config = common::oauth_config(&server.uri(), "/token", "id", "secret");
        let outcome = c
            .run(
                &Client::new().unwrap(),
                c.action("list_organizations").unwrap(),
                &json!({}),
                &config,
            )
            .await;
        assert_eq!(outcome.unwrap().status, 200, "expires_in {expires_in}");
    }
}

/// A token cached with the right secret made a later run with a wrong secret look valid.
#[tokio::test]
async fn a_cached_token_is_not_reused_for_another_secret() {
    let server = token_and_organizations(json!(3600)).await;
    let dir = std::env::temp_dir().join(format!(
        "actionspec-regression-cache-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let c = common::jumpcloud();
    for secret in ["first-secret", "second-secret"] {
        let config = common::oauth_config(&server.uri(), "/token", "id", secret);
        let client = Client::new().unwrap().with_token_cache(dir.clone());
        c.run(
            &client,
            c.action("list_organizations").unwrap(),
            &json!({}),
            &config,
        )
        .await
        .unwrap();
    }
    let token_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/token")
        .count();
    assert_eq!(token_requests, 2, "each secret proves itself");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server with a token endpoint at `/token` (giving `expires_in`) and an empty
/// `/api/organizations` list.
async fn token_and_organizations(expires_in: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "t", "expires_in": expires_in})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/organizations"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"totalCount": 0, "results": []})),
        )
        .mount(&server)
        .await;
    server
}

/// A page size of 0 lists nothing: an input error before any request, even where the API's
/// document sets no minimum (Okta's `limit`).
#[test]
fn a_page_size_of_zero_is_an_input_error() {
    let (file, text) = crate::common::connector_files()
        .into_iter()
        .find(|(f, _)| f.ends_with("okta.yaml"))
        .unwrap();
    let c = actionspec_engine::Connector::from_yaml(&file, &text).unwrap();
    let e = c
        .plan(
            c.action("list_users").unwrap(),
            &serde_json::json!({"limit": 0}),
            &actionspec_engine::Config::default(),
            actionspec_engine::Mode::DryRun,
        )
        .unwrap_err();
    assert_eq!(e.kind, actionspec_engine::ErrorKind::Input);
    assert_eq!(e.violations[0].pointer, "/limit");
}
