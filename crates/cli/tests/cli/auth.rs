//! OAuth 2.0 from the command line: `--auth oauth2`, `auth check`, credentials files, rotation
//! notes, and that no client secret or token reaches any output.

use std::path::PathBuf;

use serde_json::json;
use wiremock::matchers::{header as has_header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const CLIENT_ID: &str = "cli-client";
const PRIMARY: &str = "canary-PRIMARY-5e6f";
const SECONDARY: &str = "canary-SECONDARY-7a8b";
const TOKEN: &str = "canary-TOKEN-1c2d";

/// base64("cli-client:canary-PRIMARY-5e6f") and base64("cli-client:canary-SECONDARY-7a8b").
const BASIC_PRIMARY: &str = "Basic Y2xpLWNsaWVudDpjYW5hcnktUFJJTUFSWS01ZTZm";
const BASIC_SECONDARY: &str = "Basic Y2xpLWNsaWVudDpjYW5hcnktU0VDT05EQVJZLTdhOGI=";

/// A token endpoint accepting `accepted` (Basic headers) and an API accepting its token.
async fn oauth_server(accepted: &[&str]) -> MockServer {
    let server = server().await;
    for basic in accepted {
        Mock::given(method("POST"))
            .and(path("/oauth2/token"))
            .and(has_header("authorization", *basic))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": TOKEN, "token_type": "bearer", "expires_in": "3600"}),
            ))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "error_description": "client authentication failed"}),
        ))
        .mount(&server)
        .await;
    Mock::given(has_header(
        "authorization",
        format!("Bearer {TOKEN}").as_str(),
    ))
    .respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"totalCount": 1, "results": [{"_id": "5f1b2c3d4e5f6a7b8c9d0e1f", "name": "Acme"}]}),
    ))
    .mount(&server)
    .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})))
        .mount(&server)
        .await;
    server
}

fn oauth_run(server: &MockServer, args: &[&str]) -> Cli {
    let mut cli = actionspec(args.iter().copied())
        .arg("--base-url")
        .arg(&base_url(server))
        .arg("--token-url")
        .arg(&format!("{}/oauth2/token", server.uri()))
        .arg("--no-token-cache")
        .env("JUMPCLOUD_CLIENT_ID", CLIENT_ID)
        .env("JUMPCLOUD_CLIENT_SECRET", PRIMARY);
    if !args.contains(&"--auth") {
        cli = cli.arg("--auth").arg("oauth2");
    }
    cli
}

fn assert_no_secret(out: &Output) {
    for s in [PRIMARY, SECONDARY, TOKEN] {
        assert!(
            !out.stdout.contains(s) && !out.stderr.contains(s),
            "secret {s} leaked:\n{}",
            out.render()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn run_with_oauth2_end_to_end() {
    let server = oauth_server(&[BASIC_PRIMARY]).await;
    let out = check(
        "oauth_run",
        &oauth_run(
            &server,
            &["run", "jumpcloud", "list_system_users", r#"{"limit": 1}"#],
        ),
        0,
    );
    assert_eq!(out.json()["records"][0]["name"], "Acme");
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2, "one token request, one API request");
    assert_eq!(
        header(&reqs[0], "authorization").as_deref(),
        Some(BASIC_PRIMARY)
    );
    assert_eq!(
        String::from_utf8_lossy(&reqs[0].body),
        "grant_type=client_credentials&scope=api"
    );
    assert_eq!(
        header(&reqs[1], "authorization"),
        Some(format!("Bearer {TOKEN}"))
    );
    assert_no_secret(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_uses_the_secondary_and_says_so() {
    let server = oauth_server(&[BASIC_SECONDARY]).await;
    let cli = oauth_run(&server, &["run", "jumpcloud", "list_system_users"])
        .env("JUMPCLOUD_CLIENT_SECRET_SECONDARY", SECONDARY);
    let out = check("oauth_rotation", &cli, 0);
    assert!(
        out.stderr.contains("`client_secret_secondary` was used"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn both_secrets_revoked_is_an_auth_error() {
    let server = oauth_server(&[]).await;
    let cli = oauth_run(&server, &["run", "jumpcloud", "list_system_users"])
        .env("JUMPCLOUD_CLIENT_SECRET_SECONDARY", SECONDARY)
        .env("ACTIONSPEC_LOG", "trace");
    let out = cli.run();
    assert_eq!(out.code, 5, "{}", out.render());
    assert!(
        out.stderr.contains("rejected both client secrets"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_check_reports_the_method_and_secret() {
    let server = oauth_server(&[BASIC_PRIMARY]).await;
    let out = check(
        "auth_check_oauth2",
        &oauth_run(&server, &["auth", "check", "jumpcloud"]),
        0,
    );
    let report = out.json();
    assert_eq!(
        (
            report["auth_method"].as_str(),
            report["client_secret"].as_str()
        ),
        (Some("oauth2"), Some("client_secret"))
    );
    assert_eq!(report["action"], "list_organizations");
    let reqs = received(&server).await;
    assert_eq!(reqs[1].url.path(), "/api/organizations");
    assert_eq!(query(&reqs[1]).get("limit").map(String::as_str), Some("1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_check_with_an_api_key() {
    let server = server().await;
    Mock::given(path("/api/organizations"))
        .and(has_header("x-api-key", TEST_KEY))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"totalCount": 1, "results": [{"_id": "o1"}]})),
        )
        .mount(&server)
        .await;
    let out = check(
        "auth_check_api_key",
        &actionspec([
            "auth",
            "check",
            "jumpcloud",
            "--base-url",
            &base_url(&server),
        ])
        .key(),
        0,
    );
    assert_eq!(out.json()["auth_method"], "api_key");
}

pub fn credentials_file(name: &str, text: &str, mode: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("actionspec-cli-creds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_from_a_toml_or_yaml_file() {
    let server = oauth_server(&[BASIC_PRIMARY]).await;
    let toml = credentials_file(
        "creds.toml",
        &format!("[jumpcloud]\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{PRIMARY}\"\n"),
        0o600,
    );
    let yaml = credentials_file(
        "creds.yaml",
        &format!("jumpcloud:\n  client_id: {CLIENT_ID}\n  client_secret: {PRIMARY}\n"),
        0o600,
    );
    for file in [toml, yaml] {
        let cli = actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--auth",
            "oauth2",
            "--no-token-cache",
            "--credentials",
        ])
        .arg(file.to_str().unwrap())
        .arg("--base-url")
        .arg(&base_url(&server))
        .arg("--token-url")
        .arg(&format!("{}/oauth2/token", server.uri()));
        let out = cli.run();
        assert_eq!(out.code, 0, "{}", out.render());
        assert_no_secret(&out);
    }
}

#[test]
fn a_credentials_file_readable_by_others_is_refused() {
    let file = credentials_file(
        "open.toml",
        &format!("[jumpcloud]\napi_key = \"{PRIMARY}\"\n"),
        0o644,
    );
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--credentials",
        file.to_str().unwrap(),
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(
        out.stderr
            .contains("is readable by group or others (mode 644); refusing to use it"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("chmod 600"), "{}", out.stderr);
    assert_no_secret(&out);
}

#[test]
fn a_credentials_file_with_an_unknown_credential_is_refused_without_echoing_values() {
    let file = credentials_file(
        "typo.toml",
        &format!("[jumpcloud]\napi_kye = \"{PRIMARY}\"\n"),
        0o600,
    );
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--credentials",
        file.to_str().unwrap(),
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(
        out.stderr.contains("did you mean `api_key`?"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out);
}

#[test]
fn oauth_dry_run_shows_a_redacted_bearer_and_the_region_pairing() {
    let out = check(
        "oauth_dry_run_eu",
        &actionspec([
            "run",
            "jumpcloud",
            "list_systems",
            "--dry-run",
            "--server",
            "eu",
            "--auth",
            "oauth2",
        ])
        .env("JUMPCLOUD_CLIENT_ID", CLIENT_ID)
        .env("JUMPCLOUD_CLIENT_SECRET", PRIMARY),
        0,
    );
    assert_eq!(out.json()["headers"]["authorization"], "Bearer [redacted]");
    assert!(
        out.json()["url"]
            .as_str()
            .unwrap()
            .starts_with("https://console.eu.jumpcloud.com/api/")
    );
    assert_no_secret(&out);
}

/// The canary: every action's example, and every error path (bad token, 401, 500, timeout,
/// invalid input, spec error), run with recognisable fake secrets in every credential and trace
/// logging on; no secret may appear on stdout or stderr.
#[tokio::test(flavor = "multi_thread")]
async fn canary_every_example_and_every_error_path() {
    let text = std::fs::read_to_string(root().join("connectors/jumpcloud.yaml")).unwrap();
    let connector = actionspec_engine::Connector::from_yaml("jumpcloud.yaml", &text).unwrap();
    let server = server().await;
    let base = base_url(&server);
    let token_url = format!("{}/oauth2/token", server.uri());
    let with_secrets = |cli: Cli| {
        cli.env("JUMPCLOUD_API_KEY", TEST_KEY)
            .env("JUMPCLOUD_CLIENT_ID", CLIENT_ID)
            .env("JUMPCLOUD_CLIENT_SECRET", PRIMARY)
            .env("JUMPCLOUD_CLIENT_SECRET_SECONDARY", SECONDARY)
            .env("ACTIONSPEC_LOG", "trace")
    };
    let mut cases: Vec<(String, Cli)> = Vec::new();
    for action in connector.actions.values() {
        let example = &action.spec.examples[0];
        let response = example.response.as_ref().unwrap();
        let mut template = ResponseTemplate::new(response.status);
        for (k, v) in &response.headers {
            template = template.insert_header(k.as_str(), v.as_str());
        }
        if let Some(body) = &response.body {
            template = template.set_body_json(body);
        }
        server.reset().await;
        Mock::given(method("POST"))
            .and(path("/oauth2/token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": TOKEN, "expires_in": 3600})),
            )
            .mount(&server)
            .await;
        let input = serde_json::Value::Object(example.input.clone()).to_string();
        for auth in ["api_key", "oauth2"] {
            let mut cli = actionspec([
                "run",
                "jumpcloud",
                &action.id,
                "--base-url",
                &base,
                "--token-url",
                &token_url,
                "--no-token-cache",
                "--yes",
                "--auth",
                auth,
                &input,
            ]);
            cli = with_secrets(cli);
            cases.push((format!("{} ({auth})", action.id), cli));
        }
        // Dry runs too.
        cases.push((
            format!("{} (dry run)", action.id),
            with_secrets(actionspec([
                "run",
                "jumpcloud",
                &action.id,
                "--dry-run",
                &input,
            ])),
        ));
        // Each example is answered with its documented response, then checked.
        Mock::given(method(action.spec.method.as_str()))
            .respond_with(template)
            .mount(&server)
            .await;
        for (what, cli) in cases.drain(..) {
            let out = cli.run();
            assert_eq!(out.code, 0, "{what}:\n{}", out.render());
            assert_no_canary(&what, &out);
        }
    }
    // Error paths.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client", "error_description": format!("no such secret {PRIMARY}")})))
        .mount(&server)
        .await;
    for (p, status) in [("echo", 401), ("html", 500)] {
        Mock::given(path(format!("/api/systemusers/{p}")))
            .respond_with(
                ResponseTemplate::new(status).set_body_string(format!("{p} {PRIMARY} {TEST_KEY}")),
            )
            .mount(&server)
            .await;
    }
    Mock::given(path("/api/systemusers/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .mount(&server)
        .await;
    let get = |id: &str, auth: &str| {
        with_secrets(actionspec([
            "run",
            "jumpcloud",
            "get_system_user",
            "--base-url",
            &base,
            "--token-url",
            &token_url,
            "--no-token-cache",
            "--timeout",
            "1",
            "--auth",
            auth,
            &format!(r#"{{"id": "{id}"}}"#),
        ]))
    };
    let broken = root().join("tests/fixtures/cli/broken");
    let errors = [
        (
            "bad token (token endpoint rejects both secrets)",
            get("echo", "oauth2"),
            5,
        ),
        ("401 echoing the key", get("echo", "api_key"), 5),
        ("500 echoing the key", get("html", "api_key"), 11),
        ("timeout", get("slow", "api_key"), 12),
        (
            "invalid input",
            with_secrets(actionspec([
                "run",
                "jumpcloud",
                "get_system_user",
                &format!(r#"{{"id": "{TEST_KEY}/x"}}"#),
            ])),
            4,
        ),
        (
            "spec error",
            with_secrets(actionspec([
                "--connectors",
                broken.to_str().unwrap(),
                "run",
                "broken",
                "get_thing",
            ])),
            3,
        ),
    ];
    for (what, cli, code) in errors {
        let out = cli.run();
        assert_eq!(out.code, code, "{what}:\n{}", out.render());
        assert_no_canary(what, &out);
    }
}

fn assert_no_canary(what: &str, out: &Output) {
    for s in [PRIMARY, SECONDARY, TOKEN, TEST_KEY] {
        assert!(
            !out.stdout.contains(s) && !out.stderr.contains(s),
            "{what}: secret {s} leaked:\n{}",
            out.render()
        );
    }
}
