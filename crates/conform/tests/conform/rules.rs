//! One rule at a time: the fixture documents (OpenAPI 3.0 with a `$ref` into another file,
//! OpenAPI 3.1 in JSON, Swagger 2.0) describe `tests/fixtures/conform/connector.yaml` exactly;
//! each file of `broken/` is one of them with one rule broken, and its report is a snapshot.

use std::sync::Arc;

use actionspec_conform::{DocumentSet, Options, Rule, Severity, check};

use crate::common;

fn fixture_connector() -> actionspec_engine::Connector {
    common::connector("tests/fixtures/conform/connector.yaml")
}

/// The three base documents: every action conforms, with no finding at all.
#[test]
fn conform_fixture_documents_conform() {
    let connector = fixture_connector();
    for name in ["openapi30.yaml", "openapi31.json", "swagger2.yaml"] {
        let set = DocumentSet::load(&[common::fixtures().join(name)]).unwrap();
        let report = check(&connector.spec, &set, &Options::default()).unwrap();
        assert!(
            report.findings.is_empty(),
            "{name}:\n{}",
            common::text(&report)
        );
        assert_eq!(report.conforming, 4, "{name}");
        assert_eq!(report.matched, 4, "{name}");
    }
}

/// Each broken document: the report names the rule, the action and the place.
#[test]
fn conform_rule_snapshots() {
    let connector = fixture_connector();
    let snapshots = common::root().join("tests/snapshots/conform");
    insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
        insta::glob!("../../../../tests/fixtures/conform/broken", "*.{yaml,json}", |path| {
            let rule = path.file_stem().unwrap().to_string_lossy().into_owned();
            let set = DocumentSet::load(&[path.to_path_buf()]).unwrap();
            let report = check(&connector.spec, &set, &Options::default()).unwrap();
            let rule = Rule::from_id(&rule).unwrap_or_else(|| panic!("{rule} names no rule"));
            assert!(report.findings.iter().any(|f| f.rule == rule), "{}", common::text(&report));
            insta::assert_snapshot!("conform_rule", common::text(&report));
        });
    });
}

/// A `conform:` waiver on the input turns the finding into information with the reason, and
/// the run passes; `Options::severities` can do the same for a rule as a whole.
#[test]
fn conform_waivers_and_severities() {
    let mut spec = fixture_connector().spec;
    let set = DocumentSet::load(&[common::fixtures().join("broken/param-style.yaml")]).unwrap();
    let strict = check(&spec, &set, &Options::default()).unwrap();
    assert!(!strict.passed());

    let mut allowed = Options::default();
    allowed.severities.insert(Rule::ParamStyle, Severity::Info);
    assert!(check(&spec, &set, &allowed).unwrap().passed());

    let action = Arc::make_mut(spec.actions.get_mut("list_users").unwrap());
    let tags = action.inputs.get_mut("tags").unwrap();
    tags.conform
        .insert("param-style".into(), "the API reads both forms".into());
    let waived = check(&spec, &set, &Options::default()).unwrap();
    assert!(waived.passed(), "{}", common::text(&waived));
    let finding = &waived.findings[0];
    assert_eq!(finding.severity, Severity::Info);
    assert_eq!(finding.waived.as_deref(), Some("the API reads both forms"));
}

/// A warning rule can be made to fail: `default-header` denied.
#[test]
fn conform_a_warning_rule_can_be_denied() {
    let spec = fixture_connector().spec;
    let set = DocumentSet::load(&[common::fixtures().join("broken/default-header.json")]).unwrap();
    assert!(check(&spec, &set, &Options::default()).unwrap().passed());
    let mut options = Options::default();
    options
        .severities
        .insert(Rule::DefaultHeader, Severity::Error);
    assert!(!check(&spec, &set, &options).unwrap().passed());
}

/// Malformed or foreign documents are errors that say where, never panics.
#[test]
fn conform_bad_documents_are_located_errors() {
    let spec = fixture_connector().spec;
    let bad_yaml =
        DocumentSet::from_texts(&[("a.yaml", "openapi: 3.0.0\npaths: {\n")]).unwrap_err();
    assert_eq!(bad_yaml.file, "a.yaml");
    assert!(bad_yaml.position.is_some(), "{bad_yaml}");
    let bad_json = DocumentSet::from_texts(&[("a.json", "{\"openapi\": ")]).unwrap_err();
    assert!(bad_json.to_string().starts_with("a.json:1:"), "{bad_json}");
    let duplicate = DocumentSet::from_texts(&[("d.yaml", "a: 1\na: 2\n")]).unwrap_err();
    assert!(
        duplicate.to_string().starts_with("d.yaml:2:"),
        "{duplicate}"
    );
    for (text, expect) in [
        (
            "swagger: '1.2'\npaths: {}\n",
            "d.yaml: `swagger: \"1.2\"` is not Swagger 2.0",
        ),
        (
            "openapi: 2.0.0\npaths: {}\n",
            "d.yaml: `openapi: 2.0.0` is not OpenAPI 3.0 or 3.1",
        ),
        ("openapi: 3.0.0\n", "d.yaml: no `paths` object"),
        (
            "title: x\n",
            "d.yaml: neither `openapi: 3.x` nor `swagger: \"2.0\"`: not an OpenAPI document",
        ),
    ] {
        let set = DocumentSet::from_texts(&[("d.yaml", text)]).unwrap();
        assert_eq!(check(&spec, &set, &Options::default()).unwrap_err(), expect);
    }
    let missing = DocumentSet::load(&[common::fixtures().join("nope.yaml")]).unwrap_err();
    assert!(
        missing.message.starts_with("cannot read the file"),
        "{missing}"
    );
}

/// Odd shapes anywhere (parameters that are not objects, `paths` members that are not path
/// items, `$ref` cycles) are skipped or reported, never a panic.
#[test]
fn conform_odd_shapes_do_not_panic() {
    let spec = fixture_connector().spec;
    let text = r##"
openapi: 3.1.0
components: { schemas: { A: { $ref: "#/components/schemas/B" }, B: { $ref: "#/components/schemas/A" } } }
paths:
  /v1/users: 7
  /v1/users/{id}:
    parameters: [1, "x", { $ref: "#/nowhere" }]
    get: { parameters: { not: a list }, responses: [] }
  /v1/users/{id}/notes:
    post: { requestBody: { content: { application/x-www-form-urlencoded: { schema: { $ref: "#/components/schemas/A" } } } } }
"##;
    let set = DocumentSet::from_texts(&[("odd.yaml", text)]).unwrap();
    let report = check(&spec, &set, &Options::default()).unwrap();
    assert!(!report.passed());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == Rule::UnresolvedRef)
    );
}
