//! Every example of every connector in `connectors/` (and of the sandbox fixtures in
//! `tests/fixtures/sandbox/`) runs against the sandbox (a fresh one per action) and gets its
//! documented success status, with a body exactly when the documentation shows one. The ids
//! the examples use exist, because the sandbox seeds every record the examples show or name.
//! No connector is named here: a connector added to the directory is checked with no change.

use actionspec_engine::Connector;
use actionspec_sandbox::Options;
use serde_json::Value;

use crate::common::{load, root, run, start};

/// Every `.yaml` file of a directory, by path from the workspace root, sorted.
pub(crate) fn yaml_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.ends_with(".yaml").then(|| format!("{dir}/{name}"))
        })
        .collect();
    files.sort();
    files
}

/// Runs every example of `c`; returns the failures.
async fn check_examples(c: &Connector) -> Vec<String> {
    check_and_count(c).await.1
}

/// Runs every example of `c`; returns how many ran, and the failures.
async fn check_and_count(c: &Connector) -> (usize, Vec<String>) {
    let declared: usize = c.actions.values().map(|a| a.spec.examples.len()).sum();
    let mut ran = 0;
    let mut failures = Vec::new();
    for action in c.actions.values() {
        let sandbox = start(c, &Options::default()).await;
        for (i, example) in action.spec.examples.iter().enumerate() {
            let at = format!("{} {} example {}", c.spec.key, action.id, i + 1);
            let input = Value::Object(example.input.clone());
            let documented = example.response.as_ref().map(|r| r.status);
            let outcome = match run(c, &sandbox, &action.id, input).await {
                Err(e) => {
                    failures.push(format!("{at}: {e}"));
                    continue;
                }
                Ok(outcome) => outcome,
            };
            ran += 1;
            let expected = documented
                .or(action.spec.success.first().copied())
                .unwrap_or(outcome.status);
            let declared_success =
                action.spec.success.is_empty() || action.spec.success.contains(&outcome.status);
            if outcome.status != expected || !declared_success {
                failures.push(format!(
                    "{at}: status {} (documented {expected})",
                    outcome.status
                ));
            }
            let documented_body = example.response.as_ref().and_then(|r| r.body.as_ref());
            match (&outcome.page, documented_body) {
                (Some(page), Some(_)) if page.records.is_empty() => {
                    failures.push(format!("{at}: an empty page"))
                }
                (None, Some(_)) if outcome.body.is_none() => {
                    failures.push(format!("{at}: no body"))
                }
                (None, None) if outcome.body.is_some() && example.response.is_some() => {
                    failures.push(format!("{at}: a body where none is documented"))
                }
                _ => {}
            }
        }
    }
    if ran != declared && failures.is_empty() {
        failures.push(format!("{}: {ran} of {declared} examples ran", c.spec.key));
    }
    (ran, failures)
}

/// Adding an action is YAML only: a copy of a shipped connector with one more action loads, and
/// the sandbox check runs one more example (the new one included) with no Rust change.
#[tokio::test]
async fn a_connector_with_one_more_action_is_checked_with_no_rust_change() {
    let file = "connectors/jumpcloud.yaml";
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let original = load(file);
    let one_more =
        std::fs::read_to_string(root().join("tests/fixtures/one_more_action.yaml")).unwrap();
    let copy = Connector::from_yaml("copy.yaml", &format!("{text}{one_more}"))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(copy.actions.len(), original.actions.len() + 1);
    let (ran_original, failures) = check_and_count(&original).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (ran_copy, failures) = check_and_count(&copy).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran_copy, ran_original + 1);
}

#[tokio::test]
async fn every_example_of_every_connector_gets_its_documented_status() {
    let files: Vec<String> = yaml_files("connectors")
        .into_iter()
        .chain(yaml_files("tests/fixtures/sandbox"))
        .collect();
    assert!(files.len() >= 2, "connectors found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let c = load(file);
        assert!(
            c.actions.values().all(|a| !a.spec.examples.is_empty()),
            "{file}: every action has an example"
        );
        failures.extend(check_examples(&c).await);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
