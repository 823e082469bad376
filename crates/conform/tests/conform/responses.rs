//! The response validator, one rule at a time: each file of `tests/fixtures/conform/responses/`
//! is a small OpenAPI 3.0 document whose `x-body` breaks its `#/components/schemas/Body` in one
//! way (or uses keywords the validator ignores); the failures, each with the value's pointer and
//! the failing keyword's location, and the ignored keywords are a snapshot.

use actionspec_conform::DocumentSet;
use actionspec_conform::validate::{Validator, display_pointer};

use crate::common;

#[test]
fn conform_response_rule_snapshots() {
    let snapshots = common::root().join("tests/snapshots/conform");
    insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
        insta::glob!("../../../../tests/fixtures/conform/responses", "*.yaml", |path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let set = DocumentSet::from_texts(&[(
                name.as_str(),
                &std::fs::read_to_string(path).unwrap(),
            )])
            .unwrap();
            let doc = &set.documents[0].value;
            let schema = serde_json::json!({ "$ref": "#/components/schemas/Body" });
            let mut validator = Validator::new(&set);
            let found = validator.validate(0, &schema, &format!("{name}#"), &doc["x-body"], "");
            let mut text: Vec<String> = found
                .iter()
                .map(|v| format!("{}: {} ({})", display_pointer(&v.pointer), v.message, v.location))
                .collect();
            for (keyword, n) in validator.ignored() {
                text.push(format!("ignored: {keyword} ×{n}"));
            }
            let ignored_only = name == "ignored-keywords.yaml";
            assert_eq!(found.is_empty(), ignored_only, "{text:#?}");
            insta::assert_snapshot!("conform_response_rule", text.join("\n"));
        });
    });
}
