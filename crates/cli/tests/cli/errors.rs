//! Every way a run can fail, with its message and exit code (see `ErrorKind::exit_code`): usage 2,
//! spec 3, input 4, auth 5, not found 7, upstream 11, transport 12.

use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Cli, KEY_VAR, actionspec, base_url, check, closed_base_url, received, server};

const USER_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e1f";

fn get_user(input: &str) -> Cli {
    actionspec(["run", "jumpcloud", "get_system_user", input]).key()
}

/// A mock server that fails the test if it receives any request.
async fn silent_server() -> MockServer {
    let server = server().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

// ---------------------------------------------------------------- input errors (exit 4)

#[test]
fn malformed_json_input() {
    let out = check(
        "error_malformed_json",
        &actionspec(["run", "jumpcloud", "list_system_users", "{limit: 5}"]).key(),
        4,
    );
    assert!(out.stderr.contains("not valid JSON"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn malformed_json_on_stdin() {
    let out = check(
        "error_malformed_json_stdin",
        &actionspec(["run", "jumpcloud", "list_system_users", "--input", "-"])
            .stdin(r#"{"limit": 5,"#),
        4,
    );
    assert!(out.stderr.contains("standard input"), "{}", out.stderr);
}

/// Regression: input that is not UTF-8 was a usage error (2) from a file and an input error (4)
/// from standard input; it is an input error either way.
#[test]
fn input_not_utf8_is_an_input_error_from_a_file_or_stdin() {
    let from_file = check(
        "error_input_not_utf8_file",
        &actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            "--input",
            "@tests/fixtures/cli/inputs/latin1.json",
        ]),
        4,
    );
    assert!(
        from_file.stderr.contains("not valid UTF-8"),
        "{}",
        from_file.stderr
    );
    let from_stdin = check(
        "error_input_not_utf8_stdin",
        &actionspec(["run", "jumpcloud", "create_system_user", "--input", "-"])
            .stdin_bytes(b"{\"username\": \"jos\xe9\"}"),
        4,
    );
    assert!(
        from_stdin.stderr.contains("not valid UTF-8"),
        "{}",
        from_stdin.stderr
    );
}

#[test]
fn input_file_not_found() {
    let out = check(
        "error_input_file_missing",
        &actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--input",
            "@tests/fixtures/cli/inputs/nope.json",
        ]),
        2,
    );
    assert!(
        out.stderr.contains("tests/fixtures/cli/inputs/nope.json"),
        "{}",
        out.stderr
    );
}

#[test]
fn input_that_is_a_json_array() {
    let out = check(
        "error_input_array",
        &actionspec([
            "run",
            "jumpcloud",
            "get_system_user",
            r#"["5f1b2c3d4e5f6a7b8c9d0e1f"]"#,
        ]),
        4,
    );
    assert!(
        out.stderr.contains("must be a JSON object"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_required_input() {
    let out = check("error_missing_required", &get_user("{}"), 4);
    assert!(
        out.stderr.contains("/id") && out.stderr.contains("required"),
        "{}",
        out.stderr
    );
}

#[test]
fn wrong_input_type() {
    let out = check(
        "error_wrong_type",
        &actionspec(["run", "jumpcloud", "list_system_users", r#"{"limit": "5"}"#]).key(),
        4,
    );
    assert!(out.stderr.contains("/limit"), "{}", out.stderr);
}

#[test]
fn input_out_of_range() {
    check(
        "error_above_maximum",
        &actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--dry-run",
            r#"{"limit": 500}"#,
        ]),
        4,
    );
}

#[test]
fn unknown_input_key() {
    let out = check(
        "error_unknown_input_key",
        &actionspec(["run", "jumpcloud", "list_system_users", r#"{"limt": 5}"#]).key(),
        4,
    );
    assert!(
        out.stderr.contains("did you mean `limit`"),
        "{}",
        out.stderr
    );
}

#[test]
fn several_input_problems_are_reported_together() {
    let out = check(
        "error_several_input_problems",
        &actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            r#"{"username": 7, "state": "GONE", "tagz": []}"#,
        ])
        .key(),
        4,
    );
    assert!(
        out.stderr.contains("/email")
            && out.stderr.contains("/state")
            && out.stderr.contains("/tagz"),
        "{}",
        out.stderr
    );
}

#[test]
fn empty_path_value() {
    let out = check("error_empty_path_value", &get_user(r#"{"id": ""}"#), 4);
    assert!(out.stderr.contains("/id"), "{}", out.stderr);
}

#[test]
fn path_value_with_slash() {
    let out = check(
        "error_path_value_with_slash",
        &get_user(r#"{"id": "systemusers/5f1b2c3d4e5f6a7b8c9d0e1f"}"#),
        4,
    );
    assert!(out.stderr.contains("contains `/`"), "{}", out.stderr);
}

#[test]
fn path_value_with_traversal() {
    let out = check(
        "error_path_value_traversal",
        &get_user(r#"{"id": "../systems/5f1b2c3d4e5f6a7b8c9d0e1f"}"#),
        4,
    );
    assert!(out.stderr.contains("`..`"), "{}", out.stderr);
}

#[test]
fn sensitive_value_is_not_echoed_in_input_errors() {
    let out = check(
        "error_sensitive_wrong_type",
        &actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            r#"{"email": "a@example.com", "username": "a", "password": ["Hunter2-sensitive-value!"]}"#,
        ]),
        4,
    );
    assert!(out.stderr.contains("/password"), "{}", out.stderr);
    assert!(!out.stderr.contains("Hunter2"), "{}", out.stderr);
}

// ---------------------------------------------------------------- usage errors (exit 2)

#[test]
fn unknown_connector_suggests_the_closest() {
    let out = check(
        "error_unknown_connector",
        &actionspec(["run", "jumpclod", "list_system_users"]),
        2,
    );
    assert!(
        out.stderr.contains("did you mean `jumpcloud`"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_connector_in_actions() {
    check(
        "error_unknown_connector_actions",
        &actionspec(["actions", "jumpcluod"]),
        2,
    );
}

#[test]
fn unknown_action_suggests_the_closest() {
    let out = check(
        "error_unknown_action",
        &actionspec(["run", "jumpcloud", "list_system_user"]),
        2,
    );
    assert!(
        out.stderr.contains("did you mean `list_system_users`"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_action_in_describe() {
    let out = check(
        "error_unknown_action_describe",
        &actionspec(["describe", "jumpcloud", "delete_user"]),
        2,
    );
    assert!(out.stderr.contains("delete_user"), "{}", out.stderr);
}

#[test]
fn unknown_server() {
    let out = check(
        "error_unknown_server",
        &actionspec([
            "run",
            "jumpcloud",
            "list_systems",
            "--dry-run",
            "--server",
            "mars",
        ]),
        2,
    );
    assert!(out.stderr.contains("`us`"), "{}", out.stderr);
}

#[test]
fn base_url_that_is_not_a_url() {
    check(
        "error_base_url_not_a_url",
        &actionspec([
            "run",
            "jumpcloud",
            "list_systems",
            "--dry-run",
            "--base-url",
            "console.jumpcloud.com/api",
        ]),
        2,
    );
}

#[test]
fn json_argument_and_input_option_conflict() {
    check(
        "error_json_and_input",
        &actionspec(["run", "jumpcloud", "list_systems", "{}", "--input", "{}"]),
        2,
    );
}

#[test]
fn unknown_subcommand() {
    check("error_unknown_subcommand", &actionspec(["lsit-actions"]), 2);
}

#[test]
fn all_on_an_action_without_pagination() {
    let out = check(
        "error_all_without_pagination",
        &get_user(r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#).arg("--all"),
        2,
    );
    assert!(out.stderr.contains("not a list action"), "{}", out.stderr);
}

#[test]
fn dry_run_all_on_an_action_without_pagination() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--dry-run",
        "--all",
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(out.stderr.contains("not a list action"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn destructive_action_without_yes_sends_nothing() {
    let server = silent_server().await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "delete_system_user",
        "--base-url",
        &base_url(&server),
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .key();
    let out = check("error_destructive_without_yes", &cli, 2);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert_eq!(received(&server).await.len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn destructive_action_with_bad_input_reports_the_input_first() {
    let server = silent_server().await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "erase_system",
        "--base-url",
        &base_url(&server),
        "{}",
    ])
    .key();
    check("error_destructive_bad_input", &cli, 4);
    assert_eq!(received(&server).await.len(), 0);
}

// ---------------------------------------------------------------- credentials (exit 5)

#[tokio::test(flavor = "multi_thread")]
async fn missing_credential() {
    let server = silent_server().await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        &base_url(&server),
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ]);
    let out = check("error_missing_credential", &cli, 5);
    assert!(out.stderr.contains(KEY_VAR), "{}", out.stderr);
    assert_eq!(received(&server).await.len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_credential_counts_as_missing() {
    let server = silent_server().await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_systems",
        "--base-url",
        &base_url(&server),
    ])
    .env(KEY_VAR, "");
    let out = cli.run();
    assert_eq!(out.code, 5, "{}", out.render());
    assert!(out.stderr.contains(KEY_VAR), "{}", out.stderr);
    assert_eq!(received(&server).await.len(), 0);
}

// ---------------------------------------------------------------- transport (exit 12)

#[test]
fn connection_refused() {
    let cli = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        &closed_base_url(),
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .key();
    let out = check("error_connection_refused", &cli, 12);
    assert!(out.stderr.contains("could not connect"), "{}", out.stderr);
}

// ---------------------------------------------------------------- HTTP errors

/// Runs `get_system_user` against a server that answers `response`.
async fn get_user_answered(
    name: &str,
    response: ResponseTemplate,
    code: i32,
) -> crate::common::Output {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{USER_ID}")))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        &base_url(&server),
        &format!(r#"{{"id": "{USER_ID}"}}"#),
    ])
    .key();
    let out = check(name, &cli, code);
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a failure: {}",
        out.stdout
    );
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_with_html_body() {
    let html = "<html>\n<head><title>500 Internal Server Error</title></head>\n<body><center><h1>500 Internal Server Error</h1></center></body>\n</html>\n";
    let out = get_user_answered(
        "error_500_html",
        ResponseTemplate::new(500).set_body_raw(html, "text/html"),
        11,
    )
    .await;
    assert!(out.stderr.contains("500"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn success_status_with_a_body_that_is_not_json() {
    let html = "<!doctype html><html><head><title>JumpCloud Admin Portal</title></head><body><div id=\"root\"></div></body></html>";
    let out = get_user_answered(
        "error_200_not_json",
        ResponseTemplate::new(200).set_body_raw(html, "text/html; charset=utf-8"),
        11,
    )
    .await;
    assert!(out.stderr.contains("not JSON"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_shows_the_api_message() {
    let body = json!({ "code": 404, "message": format!("Not Found: user {USER_ID}"), "status": "Not Found" });
    let out = get_user_answered(
        "error_404",
        ResponseTemplate::new(404).set_body_json(body),
        7,
    )
    .await;
    assert!(
        out.stderr.contains(&format!("Not Found: user {USER_ID}")),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unauthorized() {
    let body = json!({ "message": "Unauthorized" });
    let out = get_user_answered(
        "error_401",
        ResponseTemplate::new(401).set_body_json(body),
        5,
    )
    .await;
    assert!(
        out.stderr.contains(KEY_VAR),
        "the hint names the variable to fix: {}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden() {
    let body = json!({ "message": "Forbidden: insufficient permissions" });
    get_user_answered(
        "error_403",
        ResponseTemplate::new(403).set_body_json(body),
        6,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited() {
    get_user_answered(
        "error_429",
        // A wait past the longest a run waits (60 s): no retry, the error says when to retry.
        ResponseTemplate::new(429)
            .insert_header("retry-after", "120")
            .set_body_raw("Too Many Requests", "text/plain"),
        10,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_request_with_validation_message() {
    let server = server().await;
    let body = json!({ "message": "Bad Request: Password does not meet requirements", "status": "Bad Request", "code": 400 });
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "create_system_user",
        "--base-url",
        &base_url(&server),
        r#"{"email": "a@example.com", "username": "a", "password": "x"}"#,
    ])
    .key();
    let out = check("error_400", &cli, 9);
    assert!(
        out.stderr.contains("Password does not meet requirements"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn conflict() {
    let server = server().await;
    let body =
        json!({ "message": "Already Exists: username jdoe", "status": "Conflict", "code": 409 });
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(ResponseTemplate::new(409).set_body_json(body))
        .expect(1)
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
    check("error_409", &cli, 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_response_without_the_record_array() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([crate::common::user(1)])))
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--base-url",
        &base_url(&server),
    ])
    .key();
    check("error_list_without_records", &cli, 11);
}

/// Regression: `{"id": "a", "id": "b"}` silently sent `/systemusers/b`.
#[test]
fn duplicate_keys_in_the_input_are_refused() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--dry-run",
        r#"{"id": "a", "id": "b"}"#,
    ])
    .run();
    assert_eq!(out.code, 4, "{}", out.render());
    assert!(
        out.stderr
            .contains("duplicate key `id` at line 1 column 16"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "nothing planned: {}", out.stdout);
}

/// Regression: `ACTIONSPEC_CONNECTORS=` (set but empty) made every command a usage error.
#[test]
fn an_empty_connectors_variable_is_ignored() {
    let out = actionspec(["connectors"])
        .env("ACTIONSPEC_CONNECTORS", "")
        .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(out.stdout.contains("jumpcloud"), "{}", out.stdout);
}

/// A closed stdout (`| head`) is a success; a stdout that cannot be written (a full disk) is an
/// `io` error, exit 13, said on stderr.
#[test]
fn output_that_cannot_be_written_is_an_io_error_and_a_closed_pipe_is_not() {
    let bin = assert_cmd::cargo::cargo_bin("actionspec");
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(&bin)
            .args(["actions", "jumpcloud"])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(13), "{stderr}");
        assert!(stderr.contains("cannot write the output"), "{stderr}");
    }
    let mut child = std::process::Command::new(&bin)
        .args(["actions", "jumpcloud"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
