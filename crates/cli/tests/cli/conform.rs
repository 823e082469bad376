//! `conform`: a connector file against OpenAPI documents; one line per finding and a summary,
//! exit 3 (spec) when it does not conform, 2 (usage) for a document that is not OpenAPI.

use crate::common::{actionspec, check};

const CONNECTOR: &str = "tests/fixtures/conform/connector.yaml";

#[test]
fn conform_a_conforming_connector() {
    let out = check(
        "conform_ok",
        &actionspec([
            "conform",
            CONNECTOR,
            "--openapi",
            "tests/fixtures/conform/openapi30.yaml",
            "--uncovered",
        ]),
        0,
    );
    assert!(
        out.stdout
            .ends_with("4/4 actions conform (1 operation of the documents not covered)\n")
    );
}

#[test]
fn conform_a_broken_document_fails_with_exit_3() {
    check(
        "conform_broken",
        &actionspec([
            "conform",
            CONNECTOR,
            "--openapi",
            "tests/fixtures/conform/broken/success.yaml",
        ]),
        3,
    );
}

/// `--output json`: the report as one object on stdout, nothing else there, the same exit code.
#[test]
fn conform_json_output() {
    let out = check(
        "conform_broken_json",
        &actionspec([
            "conform",
            CONNECTOR,
            "--openapi",
            "tests/fixtures/conform/broken/success.yaml",
            "--output",
            "json",
        ]),
        3,
    );
    let report = out.json();
    assert_eq!(report["passed"], false);
    assert_eq!(report["findings"][0]["rule"], "success");
    assert_eq!(report["findings"][0]["action"], "create_user");
}

/// `--allow RULE` turns a rule's findings into information; an unknown rule is a usage error.
#[test]
fn conform_allow_and_unknown_rules() {
    let broken = "tests/fixtures/conform/broken/success.yaml";
    let out = actionspec([
        "conform",
        CONNECTOR,
        "--openapi",
        broken,
        "--allow",
        "success",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    let out = actionspec([
        "conform",
        CONNECTOR,
        "--openapi",
        broken,
        "--allow",
        "sucess",
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(
        out.stderr.contains("unknown rule `sucess`"),
        "{}",
        out.stderr
    );
}

#[test]
fn conform_a_document_that_is_not_openapi_is_a_usage_error() {
    check(
        "conform_not_openapi",
        &actionspec(["conform", CONNECTOR, "--openapi", CONNECTOR]),
        2,
    );
}

/// `--sandbox`: every example runs against the connector's in-process sandbox and each response
/// is validated against the document's response schema; a failure names the action, the
/// example, the member and the keyword's location, and the command exits 3.
#[test]
fn conform_sandbox_responses_against_the_response_schemas() {
    let out = check(
        "conform_sandbox",
        &actionspec([
            "conform",
            CONNECTOR,
            "--openapi",
            "tests/fixtures/conform/sandbox/responses.yaml",
            "--sandbox",
        ]),
        3,
    );
    assert!(out.stdout.contains(
        "error[response] get_user example 1: /name: a string of 7 characters is longer than 3"
    ));
    assert!(
        out.stdout
            .ends_with("2/4 example responses conform (2 without a schema)\n")
    );
}
