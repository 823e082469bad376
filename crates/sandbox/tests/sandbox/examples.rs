//! Every example of every JumpCloud action runs against the sandbox (a fresh one per action)
//! and gets its documented success status, with a body exactly when the documentation shows
//! one. The ids the examples use exist, because the sandbox seeds every record the examples
//! show or name.

use actionspec_sandbox::Options;
use serde_json::Value;

use crate::common::{jumpcloud, run, start};

#[tokio::test]
async fn every_jumpcloud_example_gets_its_documented_status() {
    let c = jumpcloud();
    let declared: usize = c.actions.values().map(|a| a.spec.examples.len()).sum();
    assert!(declared >= c.actions.len(), "every action has an example");
    let mut ran = 0;
    let mut failures = Vec::new();
    for action in c.actions.values() {
        let sandbox = start(&c, &Options::default()).await;
        for (i, example) in action.spec.examples.iter().enumerate() {
            let input = Value::Object(example.input.clone());
            let expected = example
                .response
                .as_ref()
                .map_or(action.spec.success[0], |r| r.status);
            match run(&c, &sandbox, &action.id, input).await {
                Err(e) => failures.push(format!("{} example {}: {e}", action.id, i + 1)),
                Ok(outcome) => {
                    ran += 1;
                    if outcome.status != expected || !action.spec.success.contains(&outcome.status)
                    {
                        failures.push(format!(
                            "{} example {}: status {} (documented {expected})",
                            action.id,
                            i + 1,
                            outcome.status
                        ));
                    }
                    let documented_body = example.response.as_ref().and_then(|r| r.body.as_ref());
                    match (&outcome.page, documented_body) {
                        (Some(page), Some(_)) if page.records.is_empty() => {
                            failures.push(format!("{} example {}: an empty page", action.id, i + 1))
                        }
                        (None, Some(_)) if outcome.body.is_none() => {
                            failures.push(format!("{} example {}: no body", action.id, i + 1))
                        }
                        (None, None) if outcome.body.is_some() => failures.push(format!(
                            "{} example {}: a body where none is documented",
                            action.id,
                            i + 1
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran, declared, "examples ran");
}
