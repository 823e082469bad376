//! Auth kinds, server URL variables, form bodies, declared headers, kept response headers and
//! the rate-limit reset header: each as shown by a dry run and as sent on the wire, against a
//! local server. Secrets are canaries: none may appear in a shown request, an outcome or an
//! error, as they are or encoded.

use actionspec_engine::{Client, Config, Connector, Error, ErrorKind, Mode};
use base64::Engine as _;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "canary-KEY-3f9a";
const TOKEN: &str = "canary-TOKEN-77c1";
const USER: &str = "canary-USER-0b2e";
const PASSWORD: &str = "canary-PASSWORD-51d4";

const YAML: &str = r#"spec_version: 1
key: wired
name: Wired
version: 1.0.0
servers:
  prod:
    url: "https://{domain}/api"
    variables:
      domain: { credential: domain, description: The tenant's host. }
default_server: prod
credentials:
  domain: { env: WIRED_DOMAIN }
  key: { env: WIRED_KEY, secret: true }
  token: { env: WIRED_TOKEN, secret: true }
  user: { env: WIRED_USER, secret: true }
  password: { env: WIRED_PASSWORD, secret: true }
auth:
  prefixed: { type: api_key, in: header, name: Authorization, prefix: "SSWS ", credential: key }
  query_key: { type: api_key, in: query, name: api_key, credential: key }
  bearer: { type: bearer, credential: token }
  basic: { type: basic, username: user, password: password }
  user_only: { type: basic, username: user }
keep_headers: [X-Rate-Limit-Remaining, ETag]
defaults:
  retries:
    attempts: 2
    max_wait: 5
    reset_header: { name: X-Rate-Limit-Reset, unit: epoch_seconds }
actions:
  get_thing:
    name: Get Thing
    description: Read one thing.
    method: GET
    path: /things/{id}
    inputs:
      id: { type: string, in: path, required: true }
      tags: { type: array, in: query, items: { type: string }, style: comma }
    examples:
      - input: { id: t1 }
  post_form:
    name: Post Form
    description: Send every kind of form field.
    method: POST
    path: /forms
    body_format: form
    headers:
      Accept: application/vnd.wired+json
    inputs:
      text: { type: string, in: body }
      count: { type: integer, in: body }
      ratio: { type: number, in: body }
      flag: { type: boolean, in: body }
      many: { type: array, in: body, items: { type: string } }
      joined: { type: array, in: body, items: { type: string }, style: comma }
      listed: { type: array, in: body, items: { type: string }, style: bracket }
      nested: { type: object, in: body, style: bracket }
      blob: { type: object, in: body }
      pin: { type: string, in: body, sensitive: true }
    examples:
      - input: { text: "héllo wörld & more", count: 3 }
  post_json:
    name: Post JSON
    description: Send a JSON body with a declared content type.
    method: POST
    path: /json
    headers:
      Content-Type: application/merge-patch+json
    inputs:
      name: { type: string, in: body }
    examples:
      - input: { name: x }
"#;

fn connector() -> Connector {
    Connector::from_yaml("wired.yaml", YAML).unwrap_or_else(|e| panic!("{e}"))
}

/// Every credential set, `auth` chosen, the base URL pointing at `server` when given.
fn config(auth: &str, server: Option<&MockServer>) -> Config {
    let mut config = Config {
        auth: Some(auth.into()),
        base_url: server.map(|s| format!("{}/api", s.uri())),
        ..Config::default()
    };
    let c = &mut config.credentials;
    c.insert("domain", SecretString::from("tenant-7.example.com"), false);
    c.insert("key", SecretString::from(KEY), true);
    c.insert("token", SecretString::from(TOKEN), true);
    c.insert("user", SecretString::from(USER), true);
    c.insert("password", SecretString::from(PASSWORD), true);
    config
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Fails when any secret, as it is or encoded, is in `text`.
fn assert_no_secret(what: &str, text: &str) {
    let pair = format!("{USER}:{PASSWORD}");
    for s in [KEY, TOKEN, USER, PASSWORD] {
        assert!(!text.contains(s), "{what}: {s} leaked: {text}");
    }
    for encoded in [b64(&pair), b64(&format!("{USER}:")), b64(KEY)] {
        assert!(!text.contains(&encoded), "{what}: {encoded} leaked: {text}");
    }
}

/// Runs `get_thing` for `t1` with the auth method `auth` against `server`.
async fn get_t1(
    c: &Connector,
    client: &Client,
    auth: &str,
    server: &MockServer,
) -> actionspec_engine::Result<actionspec_engine::Outcome> {
    let action = c.action("get_thing").unwrap();
    c.run(
        client,
        action,
        &json!({"id": "t1"}),
        &config(auth, Some(server)),
    )
    .await
}

#[test]
fn every_auth_kind_is_redacted_in_a_dry_run() {
    let c = connector();
    let action = c.action("get_thing").unwrap();
    let mut shown = serde_json::Map::new();
    for auth in ["prefixed", "query_key", "bearer", "basic", "user_only"] {
        let request = c
            .plan(
                action,
                &json!({"id": "t1"}),
                &config(auth, None),
                Mode::DryRun,
            )
            .unwrap();
        let text = serde_json::to_string(&request.shown()).unwrap();
        assert_no_secret(auth, &text);
        shown.insert(auth.into(), serde_json::to_value(request.shown()).unwrap());
    }
    insta::assert_json_snapshot!("auth_kinds_dry_run", shown);
}

/// What the server received: the `authorization` header and the query string.
fn seen(request: &Request) -> (Option<String>, Option<String>) {
    (
        request
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        request.url.query().map(str::to_owned),
    )
}

#[tokio::test]
async fn every_auth_kind_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/things/t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "t1"})))
        .mount(&server)
        .await;
    let c = connector();
    let client = Client::new().unwrap();
    let expected = [
        ("prefixed", Some(format!("SSWS {KEY}")), None),
        ("query_key", None, Some(format!("api_key={KEY}"))),
        ("bearer", Some(format!("Bearer {TOKEN}")), None),
        (
            "basic",
            Some(format!("Basic {}", b64(&format!("{USER}:{PASSWORD}")))),
            None,
        ),
        (
            "user_only",
            Some(format!("Basic {}", b64(&format!("{USER}:")))),
            None,
        ),
    ];
    for (auth, header, query) in expected {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "t1"})))
            .mount(&server)
            .await;
        let outcome = get_t1(&c, &client, auth, &server).await.unwrap();
        assert_eq!(outcome.body, Some(json!({"id": "t1"})), "{auth}");
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{auth}");
        assert_eq!(seen(&requests[0]), (header, query), "{auth}");
    }
}

#[tokio::test]
async fn an_api_echoing_a_secret_in_its_error_never_shows_it() {
    let server = MockServer::start().await;
    let pair = format!("{USER}:{PASSWORD}");
    let echo = format!("bad credentials {KEY} {TOKEN} {} {PASSWORD}", b64(&pair));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": echo})))
        .mount(&server)
        .await;
    let c = connector();
    let client = Client::new().unwrap();
    for auth in ["prefixed", "query_key", "bearer", "basic"] {
        let e: Error = get_t1(&c, &client, auth, &server).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth, "{auth}");
        assert!(e.to_string().contains("bad credentials"), "{auth}: {e}");
        assert_no_secret(auth, &e.to_string());
        assert_no_secret(auth, &e.to_json().to_string());
    }
}

#[test]
fn server_variables_come_from_credentials_and_must_be_host_names() {
    let c = connector();
    let action = c.action("get_thing").unwrap();
    let input = json!({"id": "t1", "tags": ["a", "b"]});
    let url = |config: &Config, mode| c.plan(action, &input, config, mode).map(|r| r.full_url());
    let mut none = config("prefixed", None);
    none.credentials = actionspec_engine::Credentials::default();
    assert_eq!(
        url(&none, Mode::DryRun).unwrap(),
        "https://{domain}/api/things/t1?tags=a%2Cb"
    );
    let e = url(&none, Mode::Execute).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.to_string().contains("WIRED_DOMAIN"), "{e}");
    assert_eq!(
        url(&config("prefixed", None), Mode::Execute).unwrap(),
        "https://tenant-7.example.com/api/things/t1?tags=a%2Cb"
    );
    for bad in [
        "evil.example/x?",
        "https://a.example",
        "a b.example",
        "-a.example",
        "a.example:0",
    ] {
        let mut config = config("prefixed", None);
        config
            .credentials
            .insert("domain", SecretString::from(bad), false);
        let e = url(&config, Mode::Execute).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Usage, "{bad}");
        assert!(e.to_string().contains("is not a host name"), "{bad}: {e}");
    }
    let mut ported = config("prefixed", None);
    ported
        .credentials
        .insert("domain", SecretString::from("127.0.0.1:8443"), false);
    assert_eq!(
        url(&ported, Mode::Execute).unwrap(),
        "https://127.0.0.1:8443/api/things/t1?tags=a%2Cb"
    );
}

#[test]
fn a_comma_joined_item_holding_a_comma_is_an_input_error() {
    let c = connector();
    let action = c.action("get_thing").unwrap();
    let e = c
        .plan(
            action,
            &json!({"id": "t1", "tags": ["a,b", "z"]}),
            &config("bearer", None),
            Mode::DryRun,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Input);
    let json = e.to_json().to_string();
    assert!(json.contains("/tags"), "{json}");
    assert!(json.contains("holds a ','"), "{json}");
}

#[tokio::test]
async fn form_bodies_are_exact_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/forms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let c = connector();
    let action = c.action("post_form").unwrap();
    let input = json!({
        "text": "héllo wörld & more", "count": 3, "ratio": 0.25, "flag": false,
        "many": ["a", "b c"], "joined": ["x", "y"], "listed": ["p", "q"],
        "nested": {"k": "v", "deep": {"n": 1}}, "blob": {"j": [1, 2]}, "pin": "canary-PIN-9911"
    });
    let shown = c
        .plan(action, &input, &config("bearer", None), Mode::DryRun)
        .unwrap()
        .shown();
    insta::assert_json_snapshot!("form_body_dry_run", shown);
    let client = Client::new().unwrap();
    c.run(&client, action, &input, &config("bearer", Some(&server)))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let r = &requests[0];
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        r.headers.get("accept").unwrap(),
        "application/vnd.wired+json"
    );
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        "text=h%C3%A9llo+w%C3%B6rld+%26+more&count=3&ratio=0.25&flag=false&many=a&many=b+c\
         &joined=x%2Cy&listed%5B%5D=p&listed%5B%5D=q&nested%5Bk%5D=v&nested%5Bdeep%5D%5Bn%5D=1\
         &blob=%7B%22j%22%3A%5B1%2C2%5D%7D&pin=canary-PIN-9911"
    );
}

#[tokio::test]
async fn a_declared_content_type_is_sent_as_declared() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let c = connector();
    let client = Client::new().unwrap();
    c.run(
        &client,
        c.action("post_json").unwrap(),
        &json!({"name": "x"}),
        &config("bearer", Some(&server)),
    )
    .await
    .unwrap();
    let requests = server.received_requests().await.unwrap();
    let r = &requests[0];
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "application/merge-patch+json"
    );
    assert_eq!(r.headers.get("accept").unwrap(), "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap(),
        json!({"name": "x"})
    );
}

#[tokio::test]
async fn kept_headers_reach_the_outcome_and_the_reset_header_paces_retries() {
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // First a 429 whose reset is a moment away (no Retry-After), then a success.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-Rate-Limit-Reset", now.to_string().as_str()),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Rate-Limit-Remaining", "41")
                .insert_header("ETag", "W/\"abc\"")
                .insert_header("X-Other", "dropped")
                .set_body_json(json!({"id": "t1"})),
        )
        .mount(&server)
        .await;
    let c = connector();
    let client = Client::new().unwrap();
    let outcome = get_t1(&c, &client, "bearer", &server).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let shown = serde_json::to_value(&outcome).unwrap();
    assert_eq!(
        shown["headers"],
        json!({"x-rate-limit-remaining": "41", "etag": "W/\"abc\""})
    );

    // A reset further away than `max_wait` is not waited for: the error says when.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-Rate-Limit-Reset", (now + 3600).to_string().as_str()),
        )
        .mount(&server)
        .await;
    let e = get_t1(&c, &client, "bearer", &server).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(
        e.retry_after.is_some_and(|s| (3500..=3600).contains(&s)),
        "{e:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
