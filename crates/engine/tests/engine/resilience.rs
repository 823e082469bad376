//! Trustworthy execution against local servers: redirects never carry credentials to another
//! origin or over plain HTTP, retries only where repeating is safe, and responses decoded
//! exactly or refused with a clear error.

use std::time::{Duration, SystemTime};

use actionspec_engine::{Client, Config, Connector, Error, ErrorKind, Outcome, RunOptions};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::raw_server::{self, Reply};

const USER_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e1f";
const KEY: &str = "k-9f8e7d6c5b4a";

fn user_path() -> String {
    format!("/api/systemusers/{USER_ID}")
}

fn key_config(base: &str, options: RunOptions) -> Config {
    let mut config = common::api_key_config(base);
    config
        .credentials
        .insert("api_key", SecretString::from(KEY), true);
    config.options = options;
    config
}

fn follow() -> RunOptions {
    RunOptions {
        follow_redirects: Some(true),
        ..RunOptions::default()
    }
}

async fn run(c: &Connector, action: &str, input: Value, config: &Config) -> Result<Outcome, Error> {
    let client = Client::new().unwrap();
    c.run(&client, c.action(action).unwrap(), &input, config)
        .await
}

async fn get_user(config: &Config) -> Result<Outcome, Error> {
    run(
        &common::jumpcloud(),
        "get_system_user",
        json!({ "id": USER_ID }),
        config,
    )
    .await
}

fn redirect_to(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", location)
}

fn user_json() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "_id": USER_ID, "username": "jdoe" }))
}

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn received_header(server: &MockServer, name: &str) -> Vec<Option<String>> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()))
        .collect()
}

// ---------------------------------------------------------------- redirects

#[tokio::test]
async fn a_redirect_is_not_followed_unless_asked() {
    let other = answering(user_json()).await;
    let first = answering(redirect_to(302, &format!("{}{}", other.uri(), user_path()))).await;
    let e = get_user(&key_config(&first.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Upstream, Some(302)));
    assert!(
        e.message.contains("which was not followed"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("follow_redirects"));
    assert!(other.received_requests().await.unwrap().is_empty());
}

/// Broke: a 301/302/307/308 to another port handed `x-api-key` to that server, exit 0.
#[tokio::test]
async fn a_redirect_to_another_port_never_carries_the_api_key() {
    for status in [301, 302, 307, 308] {
        let other = answering(user_json()).await;
        let first = answering(redirect_to(
            status,
            &format!("{}{}", other.uri(), user_path()),
        ))
        .await;
        let outcome = get_user(&key_config(&first.uri(), follow())).await.unwrap();
        assert_eq!(outcome.status, 200, "{status}");
        assert_eq!(
            received_header(&first, "x-api-key").await,
            [Some(KEY.to_owned())]
        );
        assert_eq!(
            received_header(&other, "x-api-key").await,
            [None],
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_never_carries_a_bearer_token() {
    let other = answering(user_json()).await;
    let first = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": "tok-5a4b3c2d1e", "token_type": "bearer", "expires_in": 3600 }),
        ))
        .mount(&first)
        .await;
    Mock::given(method("GET"))
        .and(path(user_path()))
        .respond_with(redirect_to(307, &format!("{}{}", other.uri(), user_path())))
        .mount(&first)
        .await;
    let mut config =
        common::oauth_config(&first.uri(), "/oauth2/token", "client-1", "secret-1a2b3c");
    config.options = follow();
    get_user(&config).await.unwrap();
    let sent = received_header(&first, "authorization").await;
    assert!(
        sent.contains(&Some("Bearer tok-5a4b3c2d1e".to_owned())),
        "{sent:?}"
    );
    assert_eq!(received_header(&other, "authorization").await, [None]);
}

/// A one-action connector (`get_item`), with `extra` top-level keys.
fn item_connector(key: &str, extra: &str) -> Connector {
    let yaml = format!(
        r#"
spec_version: 1
key: {key}
name: Items
version: 1.0.0
servers: {{ local: {{ url: "http://127.0.0.1:9/api" }} }}
default_server: local
{extra}
actions:
  get_item:
    name: Get Item
    description: Fetch one item.
    method: GET
    path: /items/{{id}}
    inputs:
      id: {{ type: string, in: path, required: true }}
    examples:
      - input: {{ id: a1 }}
"#
    );
    Connector::from_yaml(&format!("{key}.yaml"), &yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// A connector whose API key goes in the query, as some APIs want it.
fn query_key_connector() -> Connector {
    item_connector(
        "query_key",
        "credentials:\n  token: { env: QUERY_KEY_TOKEN, secret: true }\nauth:\n  token: { type: api_key, in: query, name: api_key, credential: token }",
    )
}

#[tokio::test]
async fn a_redirect_never_carries_a_query_key_even_when_the_location_repeats_it() {
    let other = answering(ResponseTemplate::new(200).set_body_json(json!({ "id": "a1" }))).await;
    // The API copies the query string into the Location, as many do.
    let location = format!("{}/api/items/a1?api_key={KEY}&view=full", other.uri());
    let first = answering(redirect_to(302, &location)).await;
    let mut config = Config {
        base_url: Some(format!("{}/api", first.uri())),
        options: follow(),
        ..Config::default()
    };
    config
        .credentials
        .insert("token", SecretString::from(KEY), true);
    run(
        &query_key_connector(),
        "get_item",
        json!({ "id": "a1" }),
        &config,
    )
    .await
    .unwrap();
    let asked = first.received_requests().await.unwrap();
    assert_eq!(
        asked[0].url.query(),
        Some(format!("api_key={KEY}").as_str())
    );
    let followed = other.received_requests().await.unwrap();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].url.query(), Some("view=full"));
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_its_credentials_when_asked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(user_path()))
        .respond_with(redirect_to(301, "/api/v2/systemusers/moved"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/systemusers/moved"))
        .and(header("x-api-key", KEY))
        .respond_with(user_json())
        .expect(1)
        .mount(&server)
        .await;
    let outcome = get_user(&key_config(&server.uri(), follow()))
        .await
        .unwrap();
    assert_eq!(outcome.body.unwrap()["username"], "jdoe");
}

/// Broke: a 307 re-sent a password-bearing POST body.
#[tokio::test]
async fn a_post_body_is_not_re_sent_by_a_redirect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(redirect_to(307, "/api/systemusers/again"))
        .expect(1)
        .mount(&server)
        .await;
    let input =
        json!({ "username": "jroe", "email": "jroe@example.com", "password": "Pw-7c6b5a49" });
    let e = run(
        &common::jumpcloud(),
        "create_system_user",
        input,
        &key_config(&server.uri(), follow()),
    )
    .await
    .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Upstream, Some(307)));
    assert!(e.message.contains("not idempotent"), "{}", e.message);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_303_after_a_post_fetches_the_result_with_get_and_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(redirect_to(303, &user_path()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(user_path()))
        .respond_with(user_json())
        .mount(&server)
        .await;
    let input = json!({ "username": "jroe", "email": "jroe@example.com" });
    let outcome = run(
        &common::jumpcloud(),
        "create_system_user",
        input,
        &key_config(&server.uri(), follow()),
    )
    .await
    .unwrap();
    assert_eq!(outcome.body.unwrap()["_id"], USER_ID);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[1].method.as_str(), "GET");
    assert!(requests[1].body.is_empty());
}

fn trusting(cert: reqwest::Certificate) -> Client {
    Client::with_builder(move || reqwest::Client::builder().add_root_certificate(cert.clone()))
        .unwrap()
}

/// Broke: an https → http redirect sent the API key in clear text.
#[tokio::test]
async fn an_https_to_http_redirect_is_refused() {
    let plain = answering(user_json()).await;
    let location = format!("{}{}", plain.uri(), user_path());
    let reply = raw_server::response("302 Found", &[("location", &location)], b"");
    let (tls, cert) = raw_server::https(Reply::Bytes(reply)).await;
    let c = common::jumpcloud();
    let config = key_config(&tls.url, follow());
    let action = c.action("get_system_user").unwrap();
    let e = c
        .run(&trusting(cert), action, &json!({ "id": USER_ID }), &config)
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Upstream, Some(302)));
    assert!(e.message.contains("clear text"), "{}", e.message);
    assert_eq!(tls.hits(), 1, "the https server was asked");
    assert!(tls.heads()[0].contains(KEY), "over TLS the key is sent");
    assert!(plain.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_local_tls_server_is_trusted_so_the_refusal_above_is_meaningful() {
    let body = br#"{"_id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#;
    let reply = raw_server::response("200 OK", &[("content-type", "application/json")], body);
    let (tls, cert) = raw_server::https(Reply::Bytes(reply)).await;
    let c = common::jumpcloud();
    let action = c.action("get_system_user").unwrap();
    let config = key_config(&tls.url, RunOptions::default());
    let outcome = c
        .run(&trusting(cert), action, &json!({ "id": USER_ID }), &config)
        .await
        .unwrap();
    assert_eq!(outcome.body.unwrap()["_id"], USER_ID);
}

// ---------------------------------------------------------------- retries

/// A server that answers `first` `times` times, then `then`.
async fn flaky(first: ResponseTemplate, times: u64, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_429_with_retry_after_seconds_is_retried_after_the_wait() {
    let server = flaky(
        ResponseTemplate::new(429).insert_header("retry-after", "2"),
        1,
        user_json(),
    )
    .await;
    let started = std::time::Instant::now();
    let outcome = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap();
    assert_eq!(outcome.status, 200);
    assert_eq!(requests(&server).await, 2);
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "waited as asked"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_as_an_http_date_is_retried() {
    let at = httpdate_in(Duration::from_secs(2));
    let server = flaky(
        ResponseTemplate::new(429).insert_header("retry-after", at.as_str()),
        1,
        user_json(),
    )
    .await;
    get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap();
    assert_eq!(requests(&server).await, 2);
}

fn httpdate_in(d: Duration) -> String {
    httpdate::fmt_http_date(SystemTime::now() + d)
}

#[tokio::test]
async fn a_retry_after_past_the_longest_wait_stops_and_says_when_to_retry() {
    let server = flaky(
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
        9,
        user_json(),
    )
    .await;
    let e = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!((e.retry_after, e.retryable), (Some(120), true));
    assert!(
        e.hint.as_deref().unwrap().contains("wait 120 s"),
        "{:?}",
        e.hint
    );
    assert_eq!(requests(&server).await, 1, "no retry past the longest wait");
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_with_backoff() {
    let server = flaky(ResponseTemplate::new(429), 2, user_json()).await;
    get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap();
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn a_503_then_200_succeeds() {
    let server = flaky(ResponseTemplate::new(503), 1, user_json()).await;
    let outcome = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap();
    assert_eq!(outcome.body.unwrap()["username"], "jdoe");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_502_with_an_html_body_is_retried_then_reported() {
    let html = ResponseTemplate::new(502)
        .set_body_raw("<html><body>Bad Gateway</body></html>", "text/html");
    let server = flaky(html, 99, user_json()).await;
    let e = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.status, e.retryable),
        (ErrorKind::Upstream, Some(502), true)
    );
    assert!(e.message.contains("Bad Gateway</body>"), "{}", e.message);
    assert!(
        e.message.contains("gave up after 3 attempts"),
        "{}",
        e.message
    );
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn an_attempt_limit_of_one_never_retries() {
    let server = flaky(ResponseTemplate::new(503), 9, user_json()).await;
    let options = RunOptions {
        attempts: Some(1),
        ..RunOptions::default()
    };
    get_user(&key_config(&server.uri(), options))
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_reset_connection_is_retried_then_reported() {
    let reset = raw_server::http(Reply::Reset).await;
    let e = get_user(&key_config(&reset.url, RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.retryable, e.may_be_applied),
        (ErrorKind::Transport, true, false)
    );
    assert_eq!(reset.hits(), 3, "{}", e.message);
}

fn short_attempts(attempts: u32) -> RunOptions {
    RunOptions {
        attempt_timeout: Some(Duration::from_secs(1)),
        attempts: Some(attempts),
        ..RunOptions::default()
    }
}

#[tokio::test]
async fn a_response_slower_than_the_attempt_timeout_is_retried_then_reported() {
    let slow = user_json().set_delay(Duration::from_secs(3));
    let server = answering(slow).await;
    let e = get_user(&key_config(&server.uri(), short_attempts(2)))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport);
    assert!(e.message.contains("timed out"), "{}", e.message);
    assert_eq!(requests(&server).await, 2);
}

async fn run_command(server: &MockServer, options: RunOptions) -> Error {
    let input = json!({ "command_id": "65f1a2b3c4d5e6f708192a3b", "systemIds": ["61c4d2e8f0a3b5c7d9e1f203"] });
    run(
        &common::jumpcloud(),
        "run_command",
        input,
        &key_config(&server.uri(), options),
    )
    .await
    .unwrap_err()
}

/// A POST that runs scripts on devices: a 503 is never answered by sending it again.
#[tokio::test]
async fn a_post_answered_503_is_sent_once_and_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let e = run_command(&server, RunOptions::default()).await;
    assert_eq!((e.kind, e.may_be_applied), (ErrorKind::Upstream, true));
    assert!(
        e.hint.as_deref().unwrap().contains("list_command_results"),
        "{:?}",
        e.hint
    );
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_post_that_times_out_is_sent_once_and_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let e = run_command(&server, short_attempts(3)).await;
    assert_eq!((e.kind, e.may_be_applied), (ErrorKind::Transport, true));
    assert!(
        e.message.contains("may have carried it out"),
        "{}",
        e.message
    );
    assert!(
        e.hint.as_deref().unwrap().contains("list_command_results"),
        "{:?}",
        e.hint
    );
    assert_eq!(e.action.as_deref(), Some("run_command"));
    assert_eq!(requests(&server).await, 1);
}

// ---------------------------------------------------------------- response bodies

fn json_bytes(bytes: &[u8], content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(bytes.to_vec(), content_type)
}

/// Broke: a `charset=iso-8859-1` body turned `café` into `caf\u{FFFD}`, exit 0.
#[tokio::test]
async fn a_latin1_body_is_decoded_by_its_declared_charset() {
    let body = b"{\"_id\": \"5f1b2c3d4e5f6a7b8c9d0e1f\", \"firstname\": \"caf\xe9\"}";
    let server = answering(json_bytes(body, "application/json; charset=iso-8859-1")).await;
    let outcome = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap();
    assert_eq!(outcome.body.unwrap()["firstname"], "café");
}

#[tokio::test]
async fn invalid_utf8_is_an_upstream_error_naming_the_byte() {
    let body = b"{\"firstname\": \"caf\xe9\"}";
    let server = answering(json_bytes(body, "application/json")).await;
    let e = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(
        e.message.contains("not valid UTF-8 (at byte 18)"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn json_nested_past_the_parser_limit_is_reported_as_such() {
    let body = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let server = answering(json_bytes(body.as_bytes(), "application/json")).await;
    let e = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("nested deeper than 128 levels"),
        "{}",
        e.message
    );
}

/// A 300 MB body, declared up front: refused before reading it.
#[tokio::test]
async fn a_body_declared_past_the_limit_is_refused() {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 300000000\r\n\r\n";
    let big = raw_server::http(Reply::Endless(head.to_owned())).await;
    let e = get_user(&key_config(&big.url, RunOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(
        e.message.contains("larger than the limit of 64 MiB"),
        "{}",
        e.message
    );
}

/// A body of unknown length: read up to the limit, never further (memory stays bounded).
#[tokio::test]
async fn a_body_without_a_length_is_cut_at_the_limit() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
    let big = raw_server::http(Reply::Endless(head.to_owned())).await;
    let options = RunOptions {
        max_response_bytes: Some(1024 * 1024),
        ..RunOptions::default()
    };
    let e = get_user(&key_config(&big.url, options)).await.unwrap_err();
    assert!(
        e.message.contains("larger than the limit of 1 MiB"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("max_response_bytes"));
}

// ---------------------------------------------------------------- client-side rate limit

/// Ten requests a second, one at a time: concurrent calls (and their retries) share the limit.
#[tokio::test]
async fn the_declared_rate_limit_spaces_requests_across_concurrent_calls() {
    let c = item_connector(
        "paced",
        "defaults:\n  rate_limit: { requests_per_second: 10, burst: 1 }",
    );
    // The first answer is a 503, so one retry goes through the limiter too.
    let server = flaky(
        ResponseTemplate::new(503),
        1,
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    let config = Config {
        base_url: Some(format!("{}/api", server.uri())),
        ..Config::default()
    };
    let client = Client::new().unwrap();
    let action = c.action("get_item").unwrap();
    let started = std::time::Instant::now();
    let calls = (0..5).map(|i| {
        let input = json!({ "id": format!("a{i}") });
        let (c, client, config) = (&c, &client, &config);
        async move { c.run(client, action, &input, config).await }
    });
    for outcome in futures_util::future::join_all(calls).await {
        outcome.unwrap();
    }
    assert_eq!(requests(&server).await, 6);
    // Six requests at ten a second, the first at once: at least 0.5 s.
    assert!(
        started.elapsed() >= Duration::from_millis(480),
        "{:?}",
        started.elapsed()
    );
}

/// Broke: the body excerpt was cut before secrets were removed, so a key straddling the cut
/// showed its first characters.
#[tokio::test]
async fn a_secret_straddling_the_excerpt_cut_leaves_no_prefix() {
    let body = format!("{}{KEY} trailing", "x".repeat(195));
    let server = answering(ResponseTemplate::new(500).set_body_raw(body, "text/plain")).await;
    let e = get_user(&key_config(&server.uri(), RunOptions::default()))
        .await
        .unwrap_err();
    assert!(!e.message.contains(&KEY[..4]), "{}", e.message);
}
