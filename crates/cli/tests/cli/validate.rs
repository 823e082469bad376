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

/// Every example command `describe` prints, read by a POSIX shell, passes the example's input
/// exactly (a `'` in a value is quoted, not the end of the argument).
#[test]
fn describe_prints_example_commands_a_shell_reads_back_exactly() {
    for key in crate::common::shipped_connectors() {
        let file = format!("connectors/{key}.yaml");
        let text = std::fs::read_to_string(crate::common::root().join(&file)).unwrap();
        let c = actionspec_engine::Connector::from_yaml(&file, &text).unwrap();
        for action in c.actions.values() {
            let out = actionspec(["describe", key.as_str(), action.id.as_str()]).run();
            assert_eq!(out.code, 0, "{}", out.render());
            let prefix = format!("  actionspec run {key} {} ", action.id);
            let lines: Vec<&str> = out
                .stdout
                .lines()
                .filter_map(|l| l.strip_prefix(prefix.as_str()))
                .collect();
            assert_eq!(
                lines.len(),
                action.spec.examples.len(),
                "{key} {}",
                action.id
            );
            for (line, example) in lines.iter().zip(&action.spec.examples) {
                let quoted = line.strip_suffix(" --yes").unwrap_or(line);
                let shell = std::process::Command::new("sh")
                    .args(["-c", &format!("printf %s {quoted}")])
                    .output()
                    .unwrap();
                let read: serde_json::Value = serde_json::from_slice(&shell.stdout)
                    .unwrap_or_else(|e| panic!("{key} {}: {e}: {line}", action.id));
                assert_eq!(read, serde_json::Value::Object(example.input.clone()));
            }
        }
    }
}

/// `schema` prints the meta-schema exactly as shipped, for editors outside this repository.
#[test]
fn schema_prints_the_meta_schema() {
    let out = actionspec(["schema"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let shipped =
        std::fs::read_to_string(crate::common::root().join("spec/connector.schema.json")).unwrap();
    assert_eq!(out.stdout, shipped);
    assert_eq!(
        out.json()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}
