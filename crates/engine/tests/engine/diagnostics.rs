//! Data-driven diagnostics corpus: every broken connector file in `tests/fixtures/invalid/` and
//! every bad input in `tests/fixtures/inputs/` is loaded (or planned), must fail, and has its
//! rendered report snapshotted under `tests/snapshots/`. Reviewing these snapshots is reviewing
//! what a user sees when something is wrong.

use std::path::Path;

use actionspec_engine::{Config, Connector, Mode};
use serde_json::Value;

use crate::common;

/// Longest input shown in a snapshot's description; longer ones are cut.
const DESCRIPTION_MAX: usize = 160;

/// The file's name, as the snapshot suffix and display path use it.
fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The first line of a fixture when it is a comment: what the fixture shows.
fn what_it_shows(text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix('#'))
        .map(str::trim)
        .unwrap_or_default()
        .to_owned()
}

/// Loads one broken connector file and snapshots its rendered report.
fn check_invalid_connector(path: &Path) {
    let name = file_name(path);
    let text = std::fs::read_to_string(path).unwrap();
    let shows = what_it_shows(&text);
    assert!(
        !shows.is_empty(),
        "{name}: the first line must be a comment saying what the fixture shows"
    );
    let err = match Connector::from_yaml(&format!("tests/fixtures/invalid/{name}"), &text) {
        Ok(_) => panic!("{name} loaded, but it is meant to be invalid ({shows})"),
        Err(err) => err,
    };
    assert!(
        !err.diagnostics.is_empty(),
        "{name}: an error without diagnostics"
    );
    insta::with_settings!({description => shows}, {
        insta::assert_snapshot!("diagnostics_corpus", err.render());
    });
}

/// Plans one bad input (`{"action": …, "input": …}`) against JumpCloud and snapshots the error.
fn check_bad_input(connector: &Connector, path: &Path) {
    let name = file_name(path);
    let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    let action_id = case["action"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no \"action\""));
    let input = case
        .get("input")
        .unwrap_or_else(|| panic!("{name}: no \"input\""));
    let action = connector
        .action(action_id)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let err = match connector.plan(action, input, &Config::default(), Mode::DryRun) {
        Ok(request) => panic!(
            "{name}: planned {} although the input is meant to be invalid",
            request.full_url()
        ),
        Err(err) => err,
    };
    let mut shown = serde_json::to_string(input).unwrap();
    if shown.chars().count() > DESCRIPTION_MAX {
        shown = format!(
            "{}…",
            shown.chars().take(DESCRIPTION_MAX).collect::<String>()
        );
    }
    let report = format!("{err}\n\nexit code: {}", err.exit_code());
    insta::with_settings!({description => format!("{action_id} {shown}")}, {
        insta::assert_snapshot!("input_errors_corpus", report);
    });
}

#[test]
fn diagnostics_corpus() {
    let snapshots = common::root().join("tests/snapshots/diagnostics");
    insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
        insta::glob!("../../../../tests/fixtures/invalid", "*.yaml", check_invalid_connector);
    });
}

/// Sources with no text at all cannot carry a comment, so they are checked here rather than in
/// the fixture directory: loading them must fail with a report, not panic.
#[test]
fn diagnostics_for_blank_sources() {
    let snapshots = common::root().join("tests/snapshots/diagnostics");
    insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
        for (case, text) in [("zero_bytes", ""), ("whitespace_only", "\n  \n\n")] {
            let file = format!("tests/fixtures/invalid/{case}.yaml");
            let Err(err) = Connector::from_yaml(&file, text) else {
                panic!("{case}: a blank file loaded as a connector");
            };
            insta::assert_snapshot!(format!("diagnostics_blank@{case}"), err.render());
        }
    });
}

#[test]
fn input_errors_corpus() {
    let connector = common::jumpcloud();
    let snapshots = common::root().join("tests/snapshots/inputs");
    insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
        insta::glob!("../../../../tests/fixtures/inputs", "*.json", |path| {
            check_bad_input(&connector, path);
        });
    });
}
