//! `--connectors DIR`: a user connector (YAML only, no Rust change) is listed, described,
//! dry-run and run; a broken user file is reported, not fatal.

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{actionspec, check, received, server};

const DIR: &str = "tests/fixtures/cli/connectors";
const BROKEN_DIR: &str = "tests/fixtures/cli/broken";

#[test]
fn user_connector_is_listed() {
    let out = check(
        "user_connectors",
        &actionspec(["--connectors", DIR, "connectors"]),
        0,
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("jumpcloud ") && l.contains("built-in")),
        "{}",
        out.stdout
    );
    let petstore = out
        .stdout
        .lines()
        .find(|l| l.starts_with("petstore "))
        .unwrap();
    assert!(
        petstore.contains("tests/fixtures/cli/connectors/petstore.yaml"),
        "{petstore}"
    );
}

#[test]
fn user_connector_from_the_environment() {
    let out = actionspec(["connectors", "--json"])
        .env("ACTIONSPEC_CONNECTORS", DIR)
        .run();
    assert_eq!(out.code, 0, "{}", out.render());
    let keys: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, crate::common::shipped_connectors_and("petstore"));
}

#[test]
fn user_connector_actions() {
    let out = check(
        "user_connector_actions",
        &actionspec(["--connectors", DIR, "actions", "petstore"]),
        0,
    );
    assert!(
        out.stdout.ends_with("2 actions in connector `petstore`\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn user_connector_describe() {
    check(
        "user_connector_describe",
        &actionspec(["--connectors", DIR, "describe", "petstore", "list_pets"]),
        0,
    );
}

#[test]
fn user_connector_dry_run() {
    // The global option also works after the subcommand.
    let cli = actionspec([
        "run",
        "petstore",
        "create_pet",
        "--dry-run",
        "--connectors",
        DIR,
        r#"{"name": "Rex", "tags": ["dog"]}"#,
    ])
    .env("PETSTORE_API_KEY", "pet-key-1");
    let out = check("user_connector_dry_run", &cli, 0);
    let v = out.json();
    assert_eq!(v["url"], "https://petstore.example.com/v2/pets");
    assert_eq!(v["headers"]["api_key"], "[redacted]");
    assert_eq!(v["body"], json!({ "name": "Rex", "tags": ["dog"] }));
}

#[test]
fn user_connector_dry_run_all() {
    let out = actionspec([
        "--connectors",
        DIR,
        "run",
        "petstore",
        "list_pets",
        "--dry-run",
        "--all",
        r#"{"status": "sold"}"#,
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(
        out.json()["url"],
        "https://petstore.example.com/v2/pets?status=sold&limit=50"
    );
}

#[test]
fn user_connector_input_errors() {
    let out = check(
        "user_connector_bad_input",
        &actionspec([
            "--connectors",
            DIR,
            "run",
            "petstore",
            "list_pets",
            r#"{"status": "lost"}"#,
        ]),
        4,
    );
    assert!(out.stderr.contains("/status"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn user_connector_missing_credential_names_its_variable() {
    let server = server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let cli = actionspec([
        "--connectors",
        DIR,
        "run",
        "petstore",
        "list_pets",
        "--base-url",
        &format!("{}/v2", server.uri()),
    ]);
    let out = check("user_connector_missing_credential", &cli, 5);
    assert!(out.stderr.contains("PETSTORE_API_KEY"), "{}", out.stderr);
    assert_eq!(received(&server).await.len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn user_connector_run_all() {
    let server = server().await;
    for (offset, pets) in [
        (
            None,
            json!([{ "id": 1, "name": "Rex" }, { "id": 2, "name": "Tom" }]),
        ),
        (Some("2"), json!([{ "id": 3, "name": "Kit" }])),
    ] {
        let mock = Mock::given(method("GET"))
            .and(path("/v2/pets"))
            .and(header("api_key", "pet-key-1"))
            .and(query_param("limit", "2"));
        let mock = match offset {
            Some(o) => mock.and(query_param("offset", o)),
            None => mock.and(wiremock::matchers::query_param_is_missing("offset")),
        };
        mock.respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "total": 3, "pets": pets })),
        )
        .expect(1)
        .mount(&server)
        .await;
    }
    let cli = actionspec([
        "--connectors",
        DIR,
        "run",
        "petstore",
        "list_pets",
        "--all",
        "--base-url",
        &format!("{}/v2", server.uri()),
        r#"{"limit": 2}"#,
    ])
    .env("PETSTORE_API_KEY", "pet-key-1");
    let out = check("user_connector_run_all", &cli, 0);
    assert_eq!(out.ndjson().len(), 3);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn user_connector_run_create() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/pets"))
        .and(body_json(json!({ "name": "Rex", "status": "available" })))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "id": 7, "name": "Rex", "status": "available" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "--connectors",
        DIR,
        "run",
        "petstore",
        "create_pet",
        "--base-url",
        &format!("{}/v2", server.uri()),
        r#"{"name": "Rex", "status": "available"}"#,
    ])
    .env("PETSTORE_API_KEY", "pet-key-1");
    let out = check("user_connector_run_create", &cli, 0);
    assert_eq!(out.json()["status"], 201);
}

#[test]
fn broken_user_connector_is_skipped_with_a_warning() {
    let out = check(
        "user_connector_broken_skipped",
        &actionspec(["--connectors", BROKEN_DIR, "connectors"]),
        0,
    );
    assert!(out.stdout.contains("jumpcloud"), "{}", out.stdout);
    assert!(!out.stdout.contains("broken"), "{}", out.stdout);
    assert!(out.stderr.contains("broken.yaml"), "{}", out.stderr);
}

#[test]
fn broken_user_connector_reports_its_diagnostics_when_used() {
    let out = check(
        "user_connector_broken_used",
        &actionspec(["--connectors", BROKEN_DIR, "actions", "broken"]),
        3,
    );
    assert!(
        out.stderr
            .contains("tests/fixtures/cli/broken/broken.yaml:13:13"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_connector_folder() {
    let out = check(
        "user_connectors_missing_folder",
        &actionspec(["--connectors", "tests/fixtures/cli/nope", "connectors"]),
        2,
    );
    assert!(
        out.stderr.contains("tests/fixtures/cli/nope"),
        "{}",
        out.stderr
    );
}

#[test]
fn warnings_are_plain_text_when_stderr_is_not_a_terminal() {
    let out = actionspec(["--connectors", BROKEN_DIR, "connectors"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(
        !out.stderr.contains('\u{1b}'),
        "ANSI escape codes in a pipe: {:?}",
        out.stderr
    );
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.starts_with("warning: skipping tests/fixtures/cli/broken/broken.yaml"),
        "{first:?}"
    );
}

const CONFLICTS: &str = "tests/fixtures/cli/conflicts";

/// Regression: a user connector could read a built-in connector's secret variable as a plain
/// credential and show its value in templates and dry runs.
#[test]
fn a_credential_conflict_refuses_the_user_file_and_keeps_the_others() {
    let out = check(
        "user_connectors_conflicts",
        &actionspec(["--connectors", CONFLICTS, "connectors"]).key(),
        0,
    );
    let keys: Vec<&str> = out
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        keys,
        crate::common::shipped_connectors_and("pets_a"),
        "{}",
        out.stdout
    );
    for file in ["leaky.yaml", "pets_b.yaml"] {
        assert!(
            out.stderr
                .contains(&format!("warning: skipping {CONFLICTS}/{file}")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_refused_user_connector_names_both_connectors_and_the_variable() {
    let out = check(
        "user_connectors_conflict_builtin",
        &actionspec([
            "--connectors",
            CONFLICTS,
            "run",
            "leaky",
            "list_items",
            "--dry-run",
        ])
        .key(),
        3,
    );
    for needle in [
        "credential `account` of connector `leaky` reads `JUMPCLOUD_API_KEY`",
        "the built-in connector `jumpcloud` reads as a secret (credential `api_key`)",
        &format!("--> {CONFLICTS}/leaky.yaml:12:19"),
        "give `account` a variable of its own, or mark it `secret: true`",
    ] {
        assert!(out.stderr.contains(needle), "{needle}\n{}", out.stderr);
    }
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(!out.stderr.contains(crate::common::TEST_KEY));

    let out = check(
        "user_connectors_conflict_file",
        &actionspec(["--connectors", CONFLICTS, "actions", "pets_b"]),
        3,
    );
    assert!(
        out.stderr.contains(&format!(
            "reads `PETS_TOKEN`, which connector `pets_a` ({CONFLICTS}/pets_a.yaml) reads as a secret"
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_checks_credentials_against_the_built_in_connectors() {
    let file = format!("{CONFLICTS}/leaky.yaml");
    let out = check(
        "validate_conflict_builtin",
        &actionspec(["validate", file.as_str()]),
        3,
    );
    assert!(out.stderr.contains("JUMPCLOUD_API_KEY"), "{}", out.stderr);
}

#[test]
fn a_user_file_that_replaces_a_built_in_connector_is_announced() {
    let dir = "tests/fixtures/cli/replacement";
    let out = check(
        "user_connectors_replacement",
        &actionspec(["--connectors", dir, "connectors"]),
        0,
    );
    assert_eq!(
        out.stderr,
        format!("note: {dir}/jumpcloud.yaml replaces the built-in connector `jumpcloud`\n")
    );
    let jumpcloud = out
        .stdout
        .lines()
        .find(|l| l.starts_with("jumpcloud "))
        .unwrap();
    assert!(
        jumpcloud.contains(&format!("{dir}/jumpcloud.yaml")),
        "{jumpcloud}"
    );
}
