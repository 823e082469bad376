//! Errors as data: `--output json` (or `ACTIONSPEC_OUTPUT=json`) prints each error as one JSON
//! object on stdout (`Error::to_json`), nothing on stderr about it, with the exit code of its
//! kind. One case per kind — usage 2, spec 3, input 4, auth 5, permission 6, not_found 7,
//! conflict 8, validation 9, rate_limited 10, upstream 11, transport 12 — each a snapshot.
//! (`io`, a closed stdout, is a success by design: there is nowhere to print it.)

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Cli, Output, Slices, actionspec, base_url, check, closed_base_url, server};

const USER_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e1f";

/// `cli` with `--output json`.
fn json_output(cli: Cli) -> Cli {
    cli.arg("--output").arg("json")
}

/// Runs `cli` with `--output json`, snapshots it, and checks the object: one JSON document on
/// stdout whose `error.kind` and `error.exit_code` match, and an empty stderr.
#[track_caller]
fn check_json(name: &str, cli: Cli, kind: &str, code: i32) -> Value {
    let out = check(name, &json_output(cli), code);
    assert!(out.stderr.is_empty(), "stderr:\n{}", out.render());
    error_object(&out, kind, code)
}

#[track_caller]
fn error_object(out: &Output, kind: &str, code: i32) -> Value {
    assert_eq!(out.stdout.lines().count(), 1, "one line:\n{}", out.stdout);
    let v = out.json();
    assert_eq!(v["error"]["kind"], kind, "{v}");
    assert_eq!(v["error"]["exit_code"], code, "{v}");
    assert!(v["error"]["message"].is_string(), "{v}");
    for (key, member) in v["error"].as_object().unwrap() {
        assert!(!member.is_null(), "`{key}` is null rather than absent: {v}");
    }
    v
}

fn get_user(base: &str) -> Cli {
    actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        base,
        &format!(r#"{{"id": "{USER_ID}"}}"#),
    ])
    .key()
}

/// A server answering `GET /api/systemusers/{USER_ID}` with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{USER_ID}")))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

// ---------------------------------------------------------------- usage (2)

#[test]
fn usage_unknown_connector() {
    let v = check_json(
        "json_usage_unknown_connector",
        actionspec(["run", "jumpcloud2", "get_system_user"]),
        "usage",
        2,
    );
    assert!(v["error"]["hint"].as_str().unwrap().contains("jumpcloud"));
}

#[test]
fn usage_destructive_without_yes_names_the_action() {
    let v = check_json(
        "json_usage_destructive_without_yes",
        actionspec([
            "run",
            "jumpcloud",
            "delete_system_user",
            &format!(r#"{{"id": "{USER_ID}"}}"#),
        ])
        .key(),
        "usage",
        2,
    );
    assert_eq!(v["error"]["action"], "delete_system_user");
}

/// Even an argument clap cannot parse is reported as JSON when `--output json` is given.
#[test]
fn usage_unknown_option() {
    check_json(
        "json_usage_unknown_option",
        actionspec(["run", "jumpcloud", "get_system_user", "--frobnicate"]),
        "usage",
        2,
    );
}

// ---------------------------------------------------------------- spec (3)

#[test]
fn spec_broken_connector_lists_its_diagnostics() {
    let cli = json_output(actionspec([
        "--connectors",
        "tests/fixtures/cli/broken",
        "run",
        "broken",
        "get_thing",
    ]));
    let out = check("json_spec_broken_connector", &cli, 3);
    // Loading warns about the broken file on stderr, as it does for every command.
    assert!(
        out.stderr.starts_with("warning: skipping"),
        "{}",
        out.stderr
    );
    let v = error_object(&out, "spec", 3);
    let diagnostics = v["error"]["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty(), "{v}");
    for d in diagnostics {
        assert_eq!(d["file"], "tests/fixtures/cli/broken/broken.yaml", "{d}");
        assert!(d["line"].is_u64() && d["column"].is_u64(), "{d}");
    }
}

/// `validate` keeps printing each file's report on stderr as it goes; the JSON object on stdout
/// holds every diagnostic.
#[test]
fn spec_validate_puts_every_diagnostic_in_the_object() {
    let out = check(
        "json_spec_validate",
        &json_output(actionspec([
            "validate",
            "connectors/jumpcloud.yaml",
            "tests/fixtures/cli/broken/broken.yaml",
        ])),
        3,
    );
    let line = out.stdout.lines().last().unwrap();
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["error"]["kind"], "spec");
    assert!(!v["error"]["diagnostics"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------- input (4)

#[test]
fn input_violations_with_pointers() {
    let v = check_json(
        "json_input_violations",
        actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            r#"{"limit": "five", "skip": -1}"#,
        ])
        .key(),
        "input",
        4,
    );
    assert_eq!(v["error"]["action"], "list_system_users");
    let pointers: Vec<&str> = v["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/limit", "/skip"]);
}

#[test]
fn input_not_utf8_on_stdin() {
    check_json(
        "json_input_not_utf8_stdin",
        actionspec(["run", "jumpcloud", "create_system_user", "--input", "-"])
            .stdin_bytes(b"{\"username\": \"jos\xe9\"}"),
        "input",
        4,
    );
}

#[test]
fn input_not_utf8_in_a_file() {
    let v = check_json(
        "json_input_not_utf8_file",
        actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            "--input",
            "@tests/fixtures/cli/inputs/latin1.json",
        ]),
        "input",
        4,
    );
    assert_eq!(v["error"]["action"], "create_system_user");
}

// ---------------------------------------------------------------- auth (5)

#[test]
fn auth_missing_credentials() {
    let v = check_json(
        "json_auth_missing_credentials",
        actionspec([
            "run",
            "jumpcloud",
            "get_system_user",
            &format!(r#"{{"id": "{USER_ID}"}}"#),
        ]),
        "auth",
        5,
    );
    // The engine's hint names no command-line option; the text output words it for the CLI.
    let hint = v["error"]["hint"].as_str().unwrap();
    assert!(!hint.contains("--"), "{hint}");
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_401() {
    let server = answering(
        ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized: bad key"})),
    )
    .await;
    let v = check_json("json_auth_401", get_user(&base_url(&server)), "auth", 5);
    // Every error of a run names its action, wherever it was made.
    assert_eq!(v["error"]["action"], "get_system_user");
}

// ---------------------------------------------------------------- HTTP statuses (6–11)

#[tokio::test(flavor = "multi_thread")]
async fn permission_403() {
    let server = answering(ResponseTemplate::new(403).set_body_json(
        json!({"code": 403, "message": "Forbidden: wrong organization", "status": "Forbidden"}),
    ))
    .await;
    check_json(
        "json_permission_403",
        get_user(&base_url(&server)),
        "permission",
        6,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_404() {
    let server = answering(ResponseTemplate::new(404).set_body_json(
        json!({"code": 404, "message": "Not Found: no such user", "status": "Not Found"}),
    ))
    .await;
    let v = check_json(
        "json_not_found_404",
        get_user(&base_url(&server)),
        "not_found",
        7,
    );
    assert_eq!(v["error"]["status"], 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn conflict_409() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_json(json!({"message": "Conflict: username already exists"})),
        )
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "create_system_user",
        "--base-url",
        &base_url(&server),
        r#"{"email": "jdoe@example.com", "username": "jdoe"}"#,
    ])
    .key();
    check_json("json_conflict_409", cli, "conflict", 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn validation_400_and_422() {
    for status in [400, 422] {
        let server = answering(
            ResponseTemplate::new(status)
                .set_body_json(json!({"message": "Bad Request: invalid id"})),
        )
        .await;
        check_json(
            &format!("json_validation_{status}"),
            get_user(&base_url(&server)),
            "validation",
            9,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_429() {
    let server = answering(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "120")
            .set_body_json(json!({"message": "Too Many Requests"})),
    )
    .await;
    check_json(
        "json_rate_limited_429",
        get_user(&base_url(&server)),
        "rate_limited",
        10,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_503_not_json() {
    let server =
        answering(ResponseTemplate::new(503).set_body_raw("upstream connect error", "text/plain"))
            .await;
    check_json(
        "json_upstream_503",
        get_user(&base_url(&server)),
        "upstream",
        11,
    );
}

// ---------------------------------------------------------------- transport (12)

#[test]
fn transport_connection_refused() {
    check_json(
        "json_transport_connection_refused",
        get_user(&closed_base_url()),
        "transport",
        12,
    );
}

// ---------------------------------------------------------------- resume, environment

/// A failure part-way through `--all`: the records already delivered stay on stdout as NDJSON,
/// and the error is the last line, with the input that resumes.
#[tokio::test(flavor = "multi_thread")]
async fn all_failing_part_way_ends_the_stream_with_the_error_and_its_resume_input() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 250,
            v2: false,
            fail_at_skip: Some(100),
        })
        .mount(&server)
        .await;
    let cli = json_output(
        actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--all",
            "--base-url",
            &base_url(&server),
        ])
        .key(),
    );
    let out = cli.run();
    crate::common::snapshot_text("json_run_all_fails_on_page_2", &out.render_summarized(2));
    assert_eq!(out.code, 11, "{}", out.render());
    let lines = out.ndjson();
    assert_eq!(lines.len(), 101, "100 records, then the error");
    let error = &lines[100]["error"];
    assert_eq!(error["kind"], "upstream");
    assert_eq!(error["resume_input"], json!({"limit": 100, "skip": 100}));
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

/// `ACTIONSPEC_OUTPUT=json` does what `--output json` does; `--output text` wins over it.
#[test]
fn output_from_the_environment_and_the_option_wins() {
    let cli = actionspec(["run", "jumpcloud2", "get_system_user"]);
    let out = cli.clone().env("ACTIONSPEC_OUTPUT", "json").run();
    error_object(&out, "usage", 2);
    let out = cli
        .env("ACTIONSPEC_OUTPUT", "json")
        .arg("--output")
        .arg("text")
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.starts_with("error[usage]"), "{}", out.stderr);
}

/// Regression: `ACTIONSPEC_SERVER=` (set but empty) was read as the server ``, and an empty
/// `ACTIONSPEC_OUTPUT` as an invalid format. Every `ACTIONSPEC_*` variable set but empty counts
/// as unset.
#[test]
fn empty_actionspec_variables_count_as_unset() {
    let mut cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        r#"{"limit": 1}"#,
    ]);
    for var in [
        "ACTIONSPEC_SERVER",
        "ACTIONSPEC_AUTH",
        "ACTIONSPEC_CREDENTIALS",
        "ACTIONSPEC_CONNECTORS",
        "ACTIONSPEC_LOG",
        "ACTIONSPEC_TOKEN_CACHE",
        "ACTIONSPEC_OUTPUT",
    ] {
        cli = cli.env(var, "");
    }
    let out = cli.run();
    assert_eq!(out.code, 0, "{}", out.render());
    let plain = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        r#"{"limit": 1}"#,
    ])
    .run();
    assert_eq!(out.stdout, plain.stdout);
    assert_eq!(out.stderr, plain.stderr);
    // And for `auth check`, whose options live on a subcommand of a subcommand.
    let out = actionspec(["auth", "check", "jumpcloud"])
        .env("ACTIONSPEC_SERVER", "")
        .env("ACTIONSPEC_AUTH", "")
        .run();
    assert_eq!(
        out.code,
        5,
        "missing credentials, not a usage error:\n{}",
        out.render()
    );
}
