//! Data-driven tests over every example of every action in every connector file.
//!
//! - `examples_dry_run`: one snapshot per example of the planned request, secrets redacted.
//!   Adding an action with an example adds a snapshot, with no Rust change.
//! - `examples_on_the_wire`: every action runs once against a local wiremock server that answers
//!   with the example's documented response; one snapshot per action of exactly what went over
//!   HTTP (method, path, query, headers, body) and of the outcome.

use actionspec_engine::{Client, Config, Connector, Credentials, Mode};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;

const API_KEY: &str = "test-api-key-0000";
const ORG_ID: &str = "5a1b2c3d4e5f60718293a4b5";
const OKTA_TOKEN: &str = "test-okta-token-0000";
const OKTA_DOMAIN: &str = "dev-123456.okta.com";
const SLACK_TOKEN: &str = "xoxb-test-slack-token-0000";
/// Every secret the examples run with: none may appear in what is shown.
const SECRETS: [&str; 3] = [API_KEY, OKTA_TOKEN, SLACK_TOKEN];

fn snapshots(sub: &str) -> std::path::PathBuf {
    common::root().join("tests/snapshots").join(sub)
}

/// The credentials of every shipped connector (a connector reads only its own variables); any
/// other connector's are made up from their names (`test-<env>`).
fn credentials(c: &Connector) -> Credentials {
    Credentials::from_lookup(c, |var| match var {
        "JUMPCLOUD_API_KEY" => Some(API_KEY.to_owned()),
        "JUMPCLOUD_ORG_ID" => Some(ORG_ID.to_owned()),
        "OKTA_API_TOKEN" => Some(OKTA_TOKEN.to_owned()),
        "OKTA_DOMAIN" => Some(OKTA_DOMAIN.to_owned()),
        "SLACK_TOKEN" => Some(SLACK_TOKEN.to_owned()),
        other => Some(format!("test-{}", other.to_ascii_lowercase())),
    })
}

/// What the CLI loads at start-up without the full checks (from YAML, or from the JSON its
/// build script writes with the same reader) plans every example exactly as the fully checked
/// connector does, and rejects the same bad inputs.
#[test]
fn a_trusted_load_plans_every_example_as_the_full_load_does() {
    for (file, text) in common::connector_files() {
        let json = actionspec_engine::yaml::parse_untracked(&text)
            .map(|doc| doc.value.to_string())
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let from_json =
            Connector::from_trusted_json(&file, &json).unwrap_or_else(|e| panic!("{e}"));
        let from_yaml =
            Connector::from_trusted_yaml(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        for trusted in [from_yaml, from_json] {
            compare_trusted(&file, &text, &trusted);
        }
    }
}

/// A trusted action compiles when first planned: one that does not is a spec error then,
/// naming the file, the action and the problem, and pointing at `validate`.
#[test]
fn a_trusted_action_that_does_not_compile_fails_when_planned() {
    let yaml = r#"
spec_version: 1
key: demo
name: Demo
version: 1.0.0
servers: { prod: { url: "https://api.example.com/v1" } }
default_server: prod
actions:
  fine: { name: Fine, description: Fine., method: GET, path: /fine, examples: [{ input: {} }] }
  broken:
    name: Broken
    description: Broken.
    method: GET
    path: /broken
    query: { q: "{{ input.nosuchinput }}" }
    examples: [{ input: {} }]
"#;
    assert!(Connector::from_yaml("demo.yaml", yaml).is_err());
    let c = Connector::from_trusted_yaml("demo.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    let plan = |id: &str| c.plan(c.action(id)?, &json!({}), &Config::default(), Mode::DryRun);
    assert!(plan("fine").is_ok());
    let err = plan("broken").unwrap_err();
    assert_eq!(err.kind, actionspec_engine::ErrorKind::Spec);
    assert!(
        err.message
            .starts_with("demo.yaml: action `broken` does not compile: ")
            && err.message.contains("nosuchinput"),
        "{}",
        err.message
    );
    assert!(
        err.hint
            .as_deref()
            .is_some_and(|h| h.contains("check demo.yaml with the full load")),
        "{:?}",
        err.hint
    );
}

fn compare_trusted(file: &str, text: &str, trusted: &Connector) {
    {
        let full = Connector::from_yaml(file, text).unwrap_or_else(|e| panic!("{e}"));
        let config = Config {
            credentials: credentials(&full),
            ..Config::default()
        };
        assert_eq!(full.actions.len(), trusted.actions.len());
        for (id, action) in &full.actions {
            let other = trusted.action(id).unwrap();
            for example in &action.spec.examples {
                let input = Value::Object(example.input.clone());
                let a = full
                    .plan(action, &input, &config, Mode::DryRun)
                    .unwrap()
                    .shown();
                let b = trusted
                    .plan(other, &input, &config, Mode::DryRun)
                    .unwrap()
                    .shown();
                assert_eq!(
                    serde_json::to_value(a).unwrap(),
                    serde_json::to_value(b).unwrap(),
                    "{id}"
                );
            }
            let bad = serde_json::json!({ "no_such_input_anywhere": 1 });
            assert_eq!(action.check_input(&bad), other.check_input(&bad), "{id}");
        }
    }
}

#[test]
fn examples_dry_run() {
    let (mut count, mut declared) = (0, 0);
    for (file, text) in common::connector_files() {
        let c = Connector::from_yaml(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        declared += examples_of(&c);
        count += dry_run_examples(&c, true);
    }
    // Every example of every connector file, counted from the YAML.
    assert!(
        count > 0 && count == declared,
        "{count} of {declared} examples"
    );
}

/// The examples a connector declares.
fn examples_of(c: &Connector) -> usize {
    c.actions.values().map(|a| a.spec.examples.len()).sum()
}

/// Plans every example of `c` as a dry run (each a snapshot when `snapshot`); returns how many.
fn dry_run_examples(c: &Connector, snapshot: bool) -> usize {
    let config = Config {
        credentials: credentials(c),
        ..Config::default()
    };
    let mut count = 0;
    for action in c.actions.values() {
        for (n, example) in action.spec.examples.iter().enumerate() {
            let input = Value::Object(example.input.clone());
            let request = c
                .plan(action, &input, &config, Mode::DryRun)
                .unwrap_or_else(|e| panic!("{} {} example {n}: {e}", c.spec.key, action.id));
            let shown = serde_json::to_value(request.shown()).unwrap();
            // The keys are real here, so redaction is proven, not assumed.
            assert!(
                SECRETS.iter().all(|k| !shown.to_string().contains(k)),
                "{}: secret in dry-run output",
                action.id
            );
            if snapshot {
                insta::with_settings!({
                    snapshot_path => snapshots("examples"),
                    prepend_module_to_snapshot => false,
                    description => format!("{} {}: {}", c.spec.key, action.id, example.description.clone().unwrap_or_default()),
                    info => &input,
                }, {
                    insta::assert_json_snapshot!(format!("{}__{}__{n}", c.spec.key, action.id), shown);
                });
            }
            count += 1;
        }
    }
    count
}

/// What the wire test records of one received request.
fn received(req: &wiremock::Request) -> Value {
    let mut headers = serde_json::Map::new();
    for name in [
        "accept",
        "content-type",
        "user-agent",
        "x-api-key",
        "x-org-id",
        "x-query-dsl",
        "authorization",
        "if-match",
        "prefer",
    ] {
        if let Some(v) = req.headers.get(name) {
            let v = v.to_str().unwrap_or("<non-utf8>");
            let v = if name == "user-agent" {
                v.split('/').next().unwrap_or(v)
            } else {
                v
            };
            headers.insert(name.into(), json!(v));
        }
    }
    let form = req
        .headers
        .get("content-type")
        .is_some_and(|v| v == "application/x-www-form-urlencoded");
    // A form body as its exact text; a JSON body as JSON.
    let body: Option<Value> = if req.body.is_empty() {
        None
    } else if form {
        Some(json!(
            std::str::from_utf8(&req.body).expect("a form body is ASCII")
        ))
    } else {
        Some(serde_json::from_slice(&req.body).expect("request body is JSON"))
    };
    json!({
        "method": req.method.as_str(),
        "path": req.url.path(),
        "query": req.url.query(),
        "headers": headers,
        "body": body,
    })
}

/// The path part of a server URL (`https://console.jumpcloud.com/api` → `/api`, `https://{domain}`
/// → ``): the wire test serves it from the mock server, so action paths arrive as in production.
fn server_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("", |i| after_scheme[i..].trim_end_matches('/'))
}

/// The header that carries `c`'s credential, and its value in these tests: read from the first
/// auth method the connector declares, as the format documents each kind (OAuth 2.0 needs a
/// token endpoint, so connectors whose first method is OAuth are refused here).
fn auth_header(c: &Connector) -> (String, String) {
    use actionspec_engine::spec::{AuthType, KeyPlacement};
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;
    let creds = credentials(c);
    let value = |name: &Option<String>| {
        name.as_deref()
            .and_then(|n| creds.get(n))
            .map(|v| v.expose_secret().to_owned())
            .unwrap_or_default()
    };
    let (_, m) = c.spec.auth.first().expect("an auth method");
    match m.kind {
        AuthType::ApiKey if m.placement != Some(KeyPlacement::Query) => (
            m.name.clone().unwrap_or_default().to_ascii_lowercase(),
            format!(
                "{}{}",
                m.prefix.clone().unwrap_or_default(),
                value(&m.credential)
            ),
        ),
        AuthType::Bearer => (
            "authorization".into(),
            format!("Bearer {}", value(&m.credential)),
        ),
        AuthType::Basic => {
            let pair = format!("{}:{}", value(&m.username), value(&m.password));
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            ("authorization".into(), format!("Basic {encoded}"))
        }
        _ => panic!(
            "{}: its first auth method sends no static header",
            c.spec.key
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_on_the_wire() {
    let server = MockServer::start().await;
    let client = Client::new().unwrap();
    for (file, text) in common::connector_files() {
        let c = Connector::from_yaml(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        let ran = wire_examples(&c, &server, &client, true).await;
        assert_eq!(ran, c.actions.len(), "{}: every action ran", c.spec.key);
    }
}

/// Runs the first example of every action of `c` against `server`, answered with the example's
/// documented response, and checks what was sent (each a snapshot when `snapshot`); returns how
/// many ran.
async fn wire_examples(
    c: &Connector,
    server: &MockServer,
    client: &Client,
    snapshot: bool,
) -> usize {
    let key = c.spec.key.clone();
    let prefix = server_path(&c.spec.servers[&c.spec.default_server].url).to_owned();
    let (auth_name, auth_value) = auth_header(c);
    let mut ran = 0;
    for action in c.actions.values() {
        let id = format!("{key} {}", action.id);
        let example = &action.spec.examples[0];
        let response = example
            .response
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: example 0 has no response"));
        assert!(
            action.spec.success.contains(&response.status),
            "{id}: example status {} is not a declared success status",
            response.status
        );
        server.reset().await;
        let mut template = ResponseTemplate::new(response.status);
        for (k, v) in &response.headers {
            template = template.insert_header(k.as_str(), v.as_str());
        }
        if let Some(body) = &response.body {
            template = template.set_body_json(body);
        }
        Mock::given(any())
            .respond_with(template)
            .expect(1)
            .mount(server)
            .await;

        let config = Config {
            base_url: Some(format!("{}{prefix}", server.uri())),
            credentials: credentials(c),
            ..Config::default()
        };
        let input = Value::Object(example.input.clone());
        let outcome = c
            .run(client, action, &input, &config)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{id}: exactly one request");
        let sent = received(&requests[0]);

        // Independent of the snapshots: the facts every request must show.
        assert_eq!(sent["method"], action.spec.method.as_str(), "{id}");
        assert!(
            sent["path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{prefix}/")),
            "{id}"
        );
        assert_eq!(
            requests[0]
                .headers
                .get(auth_name.as_str())
                .map(|v| v.to_str().unwrap()),
            Some(auth_value.as_str()),
            "{id}"
        );
        assert_eq!(sent["headers"]["user-agent"], "actionspec", "{id}");
        if c.spec.headers.contains_key("x-org-id") {
            let omits_org = action.spec.omit_headers.iter().any(|h| h == "x-org-id");
            assert_eq!(
                sent["headers"].get("x-org-id").is_none(),
                omits_org,
                "{id}: x-org-id"
            );
        }
        assert_eq!(outcome.status, response.status, "{id}");
        match (&action.pagination, &outcome.page) {
            (Some(_), Some(page)) => {
                assert!(!page.records.is_empty(), "{id}: example list has records")
            }
            (None, None) => {
                assert_eq!(outcome.body, response.body, "{id}: body passed through")
            }
            _ => panic!("{id}: outcome shape does not match pagination"),
        }

        if snapshot {
            insta::with_settings!({ snapshot_path => snapshots("wire"), prepend_module_to_snapshot => false }, {
                insta::assert_json_snapshot!(format!("{key}__{}", action.id), json!({ "sent": sent, "outcome": outcome }));
            });
        }
        ran += 1;
    }
    ran
}

/// Hand-written expectations for a few actions, independent of any snapshot.
#[tokio::test]
async fn exact_requests_for_representative_actions() {
    let c = common::jumpcloud();
    let server = MockServer::start().await;
    let client = Client::new().unwrap();
    let mut config = Config {
        base_url: Some(format!("{}/api", server.uri())),
        ..Config::default()
    };
    config
        .credentials
        .insert("api_key", SecretString::from(API_KEY), true);
    let cases = [
        (
            "list_system_users",
            json!({"limit": 5, "skip": 0, "filter": "department:$eq:R&D", "sort": "-email"}),
            "GET",
            "/api/systemusers",
            Some("limit=5&skip=0&sort=-email&filter=department%3A%24eq%3AR%26D"),
            None,
        ),
        (
            "list_user_groups",
            json!({"limit": 2, "sort": ["name", "-type"], "filter": ["name:eq:A", "type:eq:user_group"]}),
            "GET",
            "/api/v2/usergroups",
            Some("filter=name%3Aeq%3AA&filter=type%3Aeq%3Auser_group&limit=2&sort=name%2C-type"),
            None,
        ),
        (
            "get_system_user",
            json!({"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}),
            "GET",
            "/api/systemusers/5f1b2c3d4e5f6a7b8c9d0e1f",
            None,
            None,
        ),
        (
            "manage_user_group_members",
            json!({"group_id": "g 1", "op": "add", "type": "user", "id": "u1"}),
            "POST",
            "/api/v2/usergroups/g%201/members",
            None,
            Some(json!({"op": "add", "type": "user", "id": "u1"})),
        ),
        (
            "update_ldap_server",
            json!({"id": "5f1b2c3d4e5f6a7b8c9d0e1f", "userLockoutAction": "disable"}),
            "PATCH",
            "/api/v2/ldapservers/5f1b2c3d4e5f6a7b8c9d0e1f",
            None,
            Some(json!({"userLockoutAction": "disable"})),
        ),
        (
            "trigger_command",
            json!({"triggername": "deploy", "payload": {"enabled": false, "count": 0}}),
            "POST",
            "/api/command/trigger/deploy",
            None,
            Some(json!({"enabled": false, "count": 0})),
        ),
    ];
    for (action, input, method, path, query, body) in cases {
        server.reset().await;
        let empty = if path.starts_with("/api/v2/") {
            json!([])
        } else {
            json!({"totalCount": 0, "results": []})
        };
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(empty))
            .mount(&server)
            .await;
        let a = c.action(action).unwrap();
        c.run(&client, a, &input, &config)
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        let reqs = server.received_requests().await.unwrap();
        let r = &reqs[0];
        assert_eq!(r.method.as_str(), method, "{action}");
        assert_eq!(r.url.path(), path, "{action}");
        assert_eq!(r.url.query(), query, "{action}");
        let sent_body: Option<Value> = if r.body.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&r.body).unwrap())
        };
        assert_eq!(sent_body, body, "{action}");
        assert_eq!(r.headers.get("x-api-key").unwrap(), API_KEY);
    }
}

/// Adding an action is YAML only: a copy of a shipped connector with one more action passes the
/// same dry-run and wire checks as the shipped files, each running one more example, with no
/// Rust change (the sandbox tests make the same proof for the sandbox).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_with_one_more_action_passes_the_same_checks() {
    let (file, text) = common::connector_files()
        .into_iter()
        .find(|(f, _)| f.ends_with("jumpcloud.yaml"))
        .unwrap();
    let original = Connector::from_yaml(&file, &text).unwrap();
    let one_more =
        std::fs::read_to_string(common::root().join("tests/fixtures/one_more_action.yaml"))
            .unwrap();
    let copy = Connector::from_yaml("copy.yaml", &format!("{text}{one_more}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(copy.actions.len(), original.actions.len() + 1);
    assert_eq!(examples_of(&copy), examples_of(&original) + 1);
    assert_eq!(
        dry_run_examples(&copy, false),
        dry_run_examples(&original, false) + 1
    );
    let server = MockServer::start().await;
    let client = Client::new().unwrap();
    let ran_original = wire_examples(&original, &server, &client, false).await;
    let ran_copy = wire_examples(&copy, &server, &client, false).await;
    assert_eq!(ran_copy, ran_original + 1);
}
