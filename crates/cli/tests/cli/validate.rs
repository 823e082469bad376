//! `validate`: exit 0 for a good connector file, 3 with located diagnostics for a broken one.

use crate::common::{actionspec, check};

const BROKEN: &str = "tests/fixtures/cli/broken/broken.yaml";

#[test]
fn validate_the_shipped_connector() {
    let out = check(
        "validate_jumpcloud",
        &actionspec(["validate", "connectors/jumpcloud.yaml"]),
        0,
    );
    let n = crate::common::shipped_actions("jumpcloud");
    assert_eq!(
        out.stdout,
        format!("ok: connectors/jumpcloud.yaml: connector `jumpcloud` with {n} actions\n")
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn validate_a_broken_file() {
    let out = check("validate_broken", &actionspec(["validate", BROKEN]), 3);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    // Located: file:line:column, the source line, and a caret.
    assert!(
        out.stderr.contains(&format!("--> {BROKEN}:12:5")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("--> {BROKEN}:13:13")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `description`?"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("FETCH"), "{}", out.stderr);
}

#[test]
fn validate_several_files() {
    let cli = actionspec([
        "validate",
        "connectors/jumpcloud.yaml",
        BROKEN,
        "tests/fixtures/cli/connectors/petstore.yaml",
    ]);
    let out = check("validate_several", &cli, 3);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("ok: ")).count(),
        2,
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("1 of 3"), "{}", out.stderr);
}

#[test]
fn validate_a_missing_file() {
    let out = check(
        "validate_missing_file",
        &actionspec(["validate", "connectors/nope.yaml"]),
        2,
    );
    assert!(
        out.stderr.contains("connectors/nope.yaml"),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_needs_a_file() {
    check("validate_no_file", &actionspec(["validate"]), 2);
}
