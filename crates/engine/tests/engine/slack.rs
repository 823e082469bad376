//! The Slack connector against a local server: the exact form bodies of writes (arrays
//! comma-joined, blocks as JSON text), reads as GET with a bearer header and never a query
//! token, and `{"ok": false}` answers with HTTP 200 as errors of the kind their code maps to.

use actionspec_engine::{Client, Config, Connector, ErrorKind};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common;

const TOKEN: &str = "xoxb-slack-test-0000-token";

fn slack() -> Connector {
    let text = std::fs::read_to_string(common::root().join("connectors/slack.yaml")).unwrap();
    Connector::from_yaml("connectors/slack.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
}

fn config(server: &MockServer) -> Config {
    let mut config = Config {
        base_url: Some(format!("{}/api", server.uri())),
        ..Config::default()
    };
    config
        .credentials
        .insert("token", SecretString::from(TOKEN), true);
    config
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// Runs `action` with `input` against a server answering `{"ok": true}` and returns the one
/// request it received.
async fn sent(action: &str, input: serde_json::Value) -> Request {
    let c = slack();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "channels": [], "members": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    c.run(
        &Client::new().unwrap(),
        c.action(action).unwrap(),
        &input,
        &config(&server),
    )
    .await
    .unwrap_or_else(|e| panic!("{action}: {e}"));
    let mut reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1, "{action}");
    reqs.remove(0)
}

fn assert_form_post(r: &Request, path: &str) {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), path);
    assert_eq!(r.url.query(), None, "a write sends nothing in the query");
    assert_eq!(
        header(r, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        header(r, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn chat_post_message_sends_a_form_with_blocks_as_json_text() {
    let r = sent(
        "post_message",
        json!({
            "channel": "C1H9RESGL",
            "text": "Deploy done: 100% & green",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Deploy* done"}}],
            "unfurl_links": false,
        }),
    )
    .await;
    assert_form_post(&r, "/api/chat.postMessage");
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        "channel=C1H9RESGL\
         &text=Deploy+done%3A+100%25+%26+green\
         &blocks=%5B%7B%22type%22%3A%22section%22%2C%22text%22%3A%7B%22type%22%3A%22mrkdwn%22%2C%22text%22%3A%22*Deploy*+done%22%7D%7D%5D\
         &unfurl_links=false"
    );
}

#[tokio::test]
async fn conversations_invite_sends_the_users_comma_joined() {
    let r = sent(
        "invite_to_conversation",
        json!({"channel": "C012AB3CD", "users": ["U023BECGF", "W012A3CDE", "U061F7AUR"]}),
    )
    .await;
    assert_form_post(&r, "/api/conversations.invite");
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        "channel=C012AB3CD&users=U023BECGF%2CW012A3CDE%2CU061F7AUR"
    );
}

/// An id holding the separator would split into two ids: refused before any request.
#[tokio::test]
async fn an_invited_user_id_with_a_comma_is_an_input_error() {
    let c = slack();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(0)
        .mount(&server)
        .await;
    let err = c
        .run(
            &Client::new().unwrap(),
            c.action("invite_to_conversation").unwrap(),
            &json!({"channel": "C012AB3CD", "users": ["U023BECGF,W012A3CDE"]}),
            &config(&server),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input, "{err}");
}

#[tokio::test]
async fn reads_are_gets_with_query_inputs_and_a_bearer_header() {
    let r = sent(
        "list_conversations",
        json!({"types": "public_channel,private_channel", "exclude_archived": true, "limit": 100}),
    )
    .await;
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.url.path(), "/api/conversations.list");
    assert_eq!(
        r.url.query(),
        Some("exclude_archived=true&types=public_channel%2Cprivate_channel&limit=100")
    );
    assert!(r.body.is_empty());
    assert_eq!(
        header(&r, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        !r.url.as_str().contains(TOKEN),
        "the token never goes in the query"
    );
}

/// Slack answers failures with HTTP 200: `ok: false` and the code in `error`.
#[tokio::test]
async fn ok_false_with_200_is_an_error_of_the_mapped_kind() {
    let c = slack();
    let server = MockServer::start().await;
    let client = Client::new().unwrap();
    let cases = [
        ("invalid_auth", ErrorKind::Auth),
        ("token_revoked", ErrorKind::Auth),
        ("missing_scope", ErrorKind::Permission),
        ("ratelimited", ErrorKind::RateLimited),
        ("channel_not_found", ErrorKind::NotFound),
        ("name_taken", ErrorKind::Conflict),
        ("invalid_cursor", ErrorKind::Validation),
    ];
    for (code, kind) in cases {
        server.reset().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": code})),
            )
            .mount(&server)
            .await;
        let err = c
            .run(
                &client,
                c.action("get_conversation").unwrap(),
                &json!({"channel": "C012AB3CD"}),
                &config(&server),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind, "{code}: {err}");
        assert_eq!(err.status, Some(200), "{code}");
        assert_eq!(err.api_message.as_deref(), Some(code), "{code}");
        assert!(!format!("{err}").contains(TOKEN));
    }
}
