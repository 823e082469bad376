//! Secret canaries: the API key (and `sensitive` input values) must never reach stdout or stderr,
//! whatever happens (success, dry-run, API errors that echo the key back, transport errors,
//! invalid input) and whatever the log level.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{
    self, Cli, KEY_VAR, Slices, actionspec, base_url, closed_base_url, received, server,
};

const CANARY: &str = "canary-SECRET-9f8e7d";
const PASSWORD_CANARY: &str = "PW-canary-5c4b3a2e1d";

const OK_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e01";
const UNAUTHORIZED_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e02";
const HTML_500_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e03";
const NOT_JSON_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e04";
const NOT_FOUND_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e05";

fn get_user(base: &str, id: &str) -> Cli {
    actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        base,
        &format!(r#"{{"id": "{id}"}}"#),
    ])
}

/// Asserts that neither output stream contains `secret`, for each case at the default log level
/// and with `ACTIONSPEC_LOG=trace`. Returns how many runs sent a request (logged at trace).
fn assert_never_printed(cases: &[(&str, Cli, i32)], env: &[(&str, &str)], secret: &str) -> usize {
    let mut sent = 0;
    for (what, cli, code) in cases {
        for log in [None, Some("trace")] {
            let mut cli = cli.clone();
            for (k, v) in env {
                cli = cli.env(k, v);
            }
            if let Some(level) = log {
                cli = cli.env("ACTIONSPEC_LOG", level);
            }
            let out = cli.run();
            assert_eq!(
                out.code,
                *code,
                "{what} (log {log:?}): exit code\n{}",
                out.render()
            );
            assert!(
                !out.stdout.contains(secret),
                "{what} (log {log:?}): the secret is on stdout:\n{}",
                out.stdout
            );
            assert!(
                !out.stderr.contains(secret),
                "{what} (log {log:?}): the secret is on stderr:\n{}",
                out.stderr
            );
            if log.is_some() && out.stderr.contains("sending request") {
                sent += 1;
            }
        }
    }
    sent
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_never_reaches_the_output() {
    let server = server().await;
    let echo = format!("invalid API key {CANARY}");
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 150,
            v2: false,
            fail_at_skip: None,
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{OK_ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "_id": OK_ID, "username": "jdoe" })),
        )
        .mount(&server)
        .await;
    // APIs sometimes echo the credential back in an error: it must be scrubbed.
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{UNAUTHORIZED_ID}")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": echo })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{HTML_500_ID}")))
        .respond_with(ResponseTemplate::new(500).set_body_raw(
            format!("<html><body><h1>500</h1><pre>x-api-key: {CANARY}</pre></body></html>"),
            "text/html",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{NOT_JSON_ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(format!("<html>welcome {CANARY}</html>"), "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{NOT_FOUND_ID}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "code": 404, "message": format!("Not Found: key {CANARY} has no user {NOT_FOUND_ID}"), "status": "Not Found" })))
        .mount(&server)
        .await;
    let base = base_url(&server);
    let closed = closed_base_url();

    let cases = [
        (
            "dry-run list",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--dry-run",
                r#"{"limit": 5}"#,
            ]),
            0,
        ),
        (
            "dry-run --all",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--dry-run",
                "--all",
            ]),
            0,
        ),
        (
            "dry-run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--dry-run",
                r#"{"email": "a@example.com", "username": "a", "password": "p"}"#,
            ]),
            0,
        ),
        (
            "run list",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--base-url",
                &base,
                r#"{"limit": 5}"#,
            ]),
            0,
        ),
        (
            "run --all",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--all",
                "--base-url",
                &base,
            ]),
            0,
        ),
        ("run get", get_user(&base, OK_ID), 0),
        ("401 echoing the key", get_user(&base, UNAUTHORIZED_ID), 5),
        ("500 HTML echoing the key", get_user(&base, HTML_500_ID), 11),
        (
            "200 not JSON echoing the key",
            get_user(&base, NOT_JSON_ID),
            11,
        ),
        ("404 echoing the key", get_user(&base, NOT_FOUND_ID), 7),
        ("connection refused", get_user(&closed, OK_ID), 12),
        (
            "invalid input",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--base-url",
                &base,
                r#"{"limit": "five"}"#,
            ]),
            4,
        ),
        (
            "destructive without --yes",
            actionspec([
                "run",
                "jumpcloud",
                "delete_system_user",
                "--base-url",
                &base,
                r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
            ]),
            2,
        ),
    ];
    let sent = assert_never_printed(&cases, &[(KEY_VAR, CANARY)], CANARY);
    // The trace runs really did send requests (so there was something to leak).
    assert!(sent >= 7, "only {sent} trace runs logged a request");

    // And the key really was sent, on every request.
    let requests = received(&server).await;
    assert!(requests.len() >= 2 * 8, "{} requests", requests.len());
    for r in &requests {
        assert_eq!(
            common::header(r, "x-api-key").as_deref(),
            Some(CANARY),
            "{}",
            r.url
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sensitive_input_never_reaches_the_output() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "_id": OK_ID, "username": "a" })),
        )
        .mount(&server)
        .await;
    let input = format!(
        r#"{{"email": "a@example.com", "username": "a", "password": "{PASSWORD_CANARY}"}}"#
    );
    let cases = [
        (
            "dry-run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--dry-run",
                &input,
            ]),
            0,
        ),
        (
            "run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--base-url",
                &base_url(&server),
                &input,
            ]),
            0,
        ),
        (
            "transport error",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--base-url",
                &closed_base_url(),
                &input,
            ]),
            12,
        ),
        (
            "invalid input next to the password",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                &format!(r#"{{"email": 5, "username": "a", "password": "{PASSWORD_CANARY}"}}"#),
            ]),
            4,
        ),
    ];
    assert_never_printed(&cases, &[(KEY_VAR, CANARY)], PASSWORD_CANARY);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body_json::<serde_json::Value>().unwrap()["password"],
        PASSWORD_CANARY
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sensitive_input_echoed_by_the_api_is_redacted() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 400,
            "message": format!("Bad Request: password {PASSWORD_CANARY} does not meet requirements"),
            "status": "Bad Request",
        })))
        .mount(&server)
        .await;
    let input = format!(
        r#"{{"email": "a@example.com", "username": "a", "password": "{PASSWORD_CANARY}"}}"#
    );
    let cases = [(
        "400 echoing the password",
        actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            "--base-url",
            &base_url(&server),
            &input,
        ]),
        9,
    )];
    assert_never_printed(&cases, &[(KEY_VAR, CANARY)], PASSWORD_CANARY);
}
