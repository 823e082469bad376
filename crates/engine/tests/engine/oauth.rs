//! OAuth 2.0 client credentials against a local token endpoint and a local API that accepts only
//! the bearer tokens the endpoint issued.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actionspec_engine::SecretSlot;
use actionspec_engine::spec::ClientAuth;
use actionspec_engine::{Client, Config, Connector, ErrorKind};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common;

const CLIENT_ID: &str = "client-1";
const PRIMARY: &str = "secret-primary";
const SECONDARY: &str = "secret-secondary";
/// base64("client-1:secret-primary") and base64("client-1:secret-secondary").
const BASIC_PRIMARY: &str = "Basic Y2xpZW50LTE6c2VjcmV0LXByaW1hcnk=";
const BASIC_SECONDARY: &str = "Basic Y2xpZW50LTE6c2VjcmV0LXNlY29uZGFyeQ==";

/// The token endpoint: issues `token-1`, `token-2`, … to accepted secrets.
struct TokenEndpoint {
    accepted: Vec<&'static str>,
    expires_in: Value,
    delay: Duration,
    issued: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Respond for TokenEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        self.bodies.lock().unwrap().push(body.clone());
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let secret = match auth {
            BASIC_PRIMARY => Some(PRIMARY),
            BASIC_SECONDARY => Some(SECONDARY),
            _ if body.contains(&format!("client_secret={PRIMARY}")) => Some(PRIMARY),
            _ if body.contains(&format!("client_secret={SECONDARY}")) => Some(SECONDARY),
            _ => None,
        };
        if !secret.is_some_and(|s| self.accepted.contains(&s)) {
            return ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client", "error_description": "client authentication failed"}));
        }
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let mut token = json!({"access_token": format!("token-{n}"), "token_type": "bearer"});
        if !self.expires_in.is_null() {
            token["expires_in"] = self.expires_in.clone();
        }
        ResponseTemplate::new(200)
            .set_body_json(token)
            .set_delay(self.delay)
    }
}

/// The API: 200 with a v1 list page for tokens in `valid`, 401 otherwise.
struct Api {
    valid: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Respond for Api {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        self.seen.lock().unwrap().push(auth.clone());
        let token = auth.strip_prefix("Bearer ").unwrap_or("");
        if !self.valid.lock().unwrap().iter().any(|t| t == token) {
            return ResponseTemplate::new(401).set_body_json(
                json!({"code": 401, "message": "Unauthorized", "status": "Unauthorized"}),
            );
        }
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let (limit, skip, total) = (q("limit").unwrap_or(10), q("skip").unwrap_or(0), 250);
        let results: Vec<Value> = (skip..total.min(skip + limit))
            .map(|i| json!({"_id": format!("{i:024x}")}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"totalCount": total, "results": results}))
    }
}

struct Setup {
    connector: Connector,
    config: Config,
    issued: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
    valid: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<Vec<String>>>,
    _server: MockServer,
}

async fn setup(
    accepted: Vec<&'static str>,
    expires_in: Value,
    delay: Duration,
    valid: &[&str],
) -> Setup {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(TokenEndpoint {
            accepted,
            expires_in,
            delay,
            issued: issued.clone(),
            bodies: bodies.clone(),
        })
        .mount(&server)
        .await;
    let valid = Arc::new(Mutex::new(
        valid.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    ));
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/api/systemusers"))
        .respond_with(Api {
            valid: valid.clone(),
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let config = common::oauth_config(&server.uri(), "/oauth2/token", CLIENT_ID, PRIMARY);
    Setup {
        connector: common::jumpcloud(),
        config,
        issued,
        bodies,
        valid,
        seen,
        _server: server,
    }
}

fn list(s: &Setup) -> &actionspec_engine::Action {
    s.connector.action("list_system_users").unwrap()
}

#[tokio::test]
async fn client_secret_basic_token_is_sent_as_bearer_and_reused() {
    for expires_in in [json!(3600), json!("3600"), Value::Null] {
        let s = setup(
            vec![PRIMARY],
            expires_in.clone(),
            Duration::ZERO,
            &["token-1"],
        )
        .await;
        let client = Client::new().unwrap();
        for _ in 0..3 {
            let outcome = s
                .connector
                .run(&client, list(&s), &json!({"limit": 1}), &s.config)
                .await
                .unwrap();
            assert_eq!(outcome.status, 200);
            let used = outcome.auth.unwrap();
            assert_eq!(
                (used.method.as_str(), used.secret),
                (
                    "oauth2",
                    Some(("client_secret".to_owned(), SecretSlot::Primary))
                )
            );
        }
        assert_eq!(
            s.issued.load(Ordering::SeqCst),
            1,
            "expires_in {expires_in}: one token for three calls"
        );
        assert_eq!(
            s.bodies.lock().unwrap()[0],
            "grant_type=client_credentials&scope=api",
            "form body, secret not in it"
        );
        assert!(s.seen.lock().unwrap().iter().all(|a| a == "Bearer token-1"));
    }
}

#[tokio::test]
async fn client_secret_post_puts_the_credentials_in_the_form() {
    let mut s = setup(vec![PRIMARY], json!(3600), Duration::ZERO, &["token-1"]).await;
    s.connector.spec.auth.get_mut("oauth2").unwrap().client_auth = Some(ClientAuth::Body);
    let client = Client::new().unwrap();
    s.connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap();
    assert_eq!(
        s.bodies.lock().unwrap()[0],
        format!(
            "grant_type=client_credentials&scope=api&client_id={CLIENT_ID}&client_secret={PRIMARY}"
        )
    );
}

#[tokio::test]
async fn a_token_is_refreshed_ahead_of_expiry() {
    // expires_in 1 s: refreshed after half its lifetime.
    let s = setup(
        vec![PRIMARY],
        json!(1),
        Duration::ZERO,
        &["token-1", "token-2"],
    )
    .await;
    let client = Client::new().unwrap();
    s.connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    s.connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap();
    assert_eq!(s.issued.load(Ordering::SeqCst), 2);
    assert_eq!(
        *s.seen.lock().unwrap(),
        vec!["Bearer token-1", "Bearer token-2"]
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    // token-1 is revoked server-side; token-2 works.
    let s = setup(vec![PRIMARY], json!(3600), Duration::ZERO, &["token-2"]).await;
    let client = Client::new().unwrap();
    let outcome = s
        .connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap();
    assert_eq!(outcome.status, 200);
    assert_eq!(
        *s.seen.lock().unwrap(),
        vec!["Bearer token-1", "Bearer token-2"]
    );
    assert_eq!(s.issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_401_that_persists_is_an_auth_error_not_a_loop() {
    let s = setup(vec![PRIMARY], json!(3600), Duration::ZERO, &[]).await;
    let client = Client::new().unwrap();
    let err = s
        .connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.exit_code(), 5);
    assert_eq!(s.seen.lock().unwrap().len(), 2, "one retry, never a loop");
    assert!(
        err.hint.as_deref().unwrap_or("").contains("role"),
        "the connector's unauthorized_hint: {:?}",
        err.hint
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_make_one_token_request() {
    let s = Arc::new(
        setup(
            vec![PRIMARY],
            json!(3600),
            Duration::from_millis(200),
            &["token-1"],
        )
        .await,
    );
    let client = Client::new().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (s, client) = (s.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            s.connector
                .run(&client, list(&s), &json!({}), &s.config)
                .await
                .map(|o| o.status)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    assert_eq!(s.issued.load(Ordering::SeqCst), 1, "single flight");
}

#[tokio::test]
async fn a_token_revoked_mid_pagination_is_refreshed_and_the_same_page_retried() {
    let s = setup(vec![PRIMARY], json!(3600), Duration::ZERO, &["token-1"]).await;
    let client = Client::new().unwrap();
    let mut ids = Vec::new();
    let mut pages = 0;
    let valid = s.valid.clone();
    // One page at a time, so that which token each request carried is deterministic.
    let mut config = s.config.clone();
    config.options.concurrency = Some(1);
    s.connector
        .run_all(&client, list(&s), &json!({}), &config, |page| {
            pages += 1;
            if pages == 1 {
                // The token dies between pages 1 and 2.
                *valid.lock().unwrap() = vec!["token-2".to_owned()];
            }
            ids.extend(
                page.records
                    .iter()
                    .map(|r| r.value()["_id"].as_str().unwrap().to_owned()),
            );
            Ok(())
        })
        .await
        .unwrap();
    let expected: Vec<String> = (0..250).map(|i| format!("{i:024x}")).collect();
    assert_eq!(ids, expected, "every record once");
    assert_eq!(
        *s.seen.lock().unwrap(),
        vec![
            "Bearer token-1",
            "Bearer token-1",
            "Bearer token-2",
            "Bearer token-2"
        ]
    );
}

#[tokio::test]
async fn a_revoked_primary_secret_falls_back_to_the_secondary() {
    let mut s = setup(vec![SECONDARY], json!(3600), Duration::ZERO, &["token-1"]).await;
    s.config.credentials.insert(
        "client_secret_secondary",
        SecretString::from(SECONDARY),
        true,
    );
    let client = Client::new().unwrap();
    let outcome = s
        .connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap();
    assert_eq!(
        outcome.auth.unwrap().secret,
        Some(("client_secret_secondary".to_owned(), SecretSlot::Secondary))
    );
}

#[tokio::test]
async fn both_secrets_revoked_is_one_clear_auth_error() {
    let mut s = setup(vec![], json!(3600), Duration::ZERO, &["token-1"]).await;
    s.config.credentials.insert(
        "client_secret_secondary",
        SecretString::from(SECONDARY),
        true,
    );
    let client = Client::new().unwrap();
    let err = s
        .connector
        .run(&client, list(&s), &json!({}), &s.config)
        .await
        .unwrap_err();
    assert_eq!((err.kind, err.exit_code()), (ErrorKind::Auth, 5));
    assert!(
        err.message
            .contains("rejected both client secrets (client_secret: HTTP 401 invalid_client"),
        "{}",
        err.message
    );
    let text = format!("{err}");
    for secret in [PRIMARY, SECONDARY] {
        assert!(!text.contains(secret), "secret in error: {text}");
    }
    assert!(
        s.seen.lock().unwrap().is_empty(),
        "no API request without a token"
    );
}

#[tokio::test]
async fn tokens_are_cached_on_disk_without_the_secret() {
    let s = setup(vec![PRIMARY], json!(3600), Duration::ZERO, &["token-1"]).await;
    let dir = std::env::temp_dir().join(format!("actionspec-token-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for _ in 0..2 {
        // A new client each time: as consecutive CLI runs.
        let client = Client::new().unwrap().with_token_cache(dir.clone());
        s.connector
            .run(&client, list(&s), &json!({}), &s.config)
            .await
            .unwrap();
    }
    assert_eq!(
        s.issued.load(Ordering::SeqCst),
        1,
        "the second process reused the cached token"
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains("token-1") && !text.contains(PRIMARY),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_server_picks_the_token_host_too() {
    let c = common::jumpcloud();
    let mut config = Config {
        server: Some("eu".into()),
        auth: Some("oauth2".into()),
        ..Config::default()
    };
    config
        .credentials
        .insert("client_id", SecretString::from(CLIENT_ID), false);
    config
        .credentials
        .insert("client_secret", SecretString::from(PRIMARY), true);
    let request = c
        .plan(
            c.action("list_systems").unwrap(),
            &json!({}),
            &config,
            actionspec_engine::Mode::Execute,
        )
        .unwrap();
    assert!(
        request
            .url
            .starts_with("https://console.eu.jumpcloud.com/api/")
    );
    let token = request.auth.unwrap().token.unwrap();
    assert_eq!(
        token.token_url,
        "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token"
    );
    config.server = Some("in".into());
    let err = c
        .plan(
            c.action("list_systems").unwrap(),
            &json!({}),
            &config,
            actionspec_engine::Mode::Execute,
        )
        .unwrap_err();
    assert!(
        err.message.contains("server `in` has no token endpoint"),
        "{}",
        err.message
    );
}
