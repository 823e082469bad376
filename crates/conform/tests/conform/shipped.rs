//! Every shipped connector (`connectors/*.yaml`) checked against its vendor's OpenAPI
//! documents in `../shared` (issue 12, part 4), and the checker's teeth on modified copies of
//! the JumpCloud connector.
//!
//! Why: a declarative connector is only as good as its transcription of the API. A wrong
//! method, a misspelled query parameter, a missing required body field, a wrong success
//! status or a stray default header would all load and validate fine, and only fail against
//! the live API.
//!
//! The documents sit beside the workspace and are not part of it. Without them these tests are
//! compiled `#[ignore]` (see `build.rs`), so `cargo test` lists them as ignored, never as
//! passed; in CI (`CI` set) they always run, and missing documents fail.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use actionspec_conform::{DocumentSet, Options, Report, Rule, Severity, check, check_responses};
use actionspec_engine::spec::{ActionSpec, ConnectorSpec, InputType, Method};

use crate::common;

/// Connector key → its vendor's documents, relative to `../shared`: the one place that knows.
const DOCUMENTS: &[(&str, &[&str])] = &[
    (
        "jumpcloud",
        &["jumpcloud-openapi/v1.yaml", "jumpcloud-openapi/v2.yaml"],
    ),
    ("okta", &["okta-openapi/management.yaml"]),
    ("slack", &["slack-openapi/slack_web_openapi_v2.json"]),
];

/// How shipped connectors are checked: strictly, a default header no operation declares
/// included (each is declared, or listed in the action's `omit_headers`).
fn options() -> Options {
    let mut options = Options::default();
    options
        .severities
        .insert(Rule::DefaultHeader, Severity::Error);
    options
}

fn shared() -> PathBuf {
    common::root().join("../shared")
}

/// The documents of a connector key, loaded; `None` when no documents are known for it.
fn documents(key: &str) -> Option<DocumentSet> {
    let (_, files) = DOCUMENTS.iter().find(|(k, _)| *k == key)?;
    let paths: Vec<PathBuf> = files.iter().map(|f| shared().join(f)).collect();
    Some(DocumentSet::load(&paths).unwrap_or_else(|e| panic!("{key}: {e}")))
}

/// Written past the test harness's capture, so that a skip is seen in any run.
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "conform: {text}");
}

/// Every shipped connector conforms to its vendor's documents: every action is matched to an
/// operation and has no error finding, and (as `conform --sandbox`) every example's response
/// from the connector's sandbox validates against the operation's response schema. A connector
/// without known documents is skipped, with a note on stderr.
#[test]
#[cfg_attr(
    not(shared_documents),
    ignore = "../shared (the vendors' OpenAPI documents) is absent"
)]
fn conform_shipped_connectors() {
    let mut failures = Vec::new();
    for (file, _) in connector_files() {
        let connector = common::connector(&file);
        let key = connector.spec.key.clone();
        let Some(set) = documents(&key) else {
            note(&format!(
                "skipped {file}: no vendor documents known for `{key}` (see DOCUMENTS)"
            ));
            continue;
        };
        let report = check(&connector.spec, &set, &options()).unwrap();
        note(&format!("{key}: {}", report.summary()));
        if !report.passed() || report.matched != report.actions {
            failures.push(format!("{key}:\n{}", common::text(&report)));
        }
        // `--sandbox`: every example's response against the vendor's response schemas.
        let responses = runtime()
            .block_on(check_responses(&connector, &set))
            .unwrap();
        note(&format!("{key}: {}", responses.summary()));
        // Unchecked only where the vendor documents no JSON body (a 204): never because an
        // operation or a list's item schema went unfound.
        for s in &responses.skipped {
            if s.message != "no JSON response schema for the status" && s.message != "no body" {
                let at = format!("{key} --sandbox: {} example {}", s.action, s.example);
                failures.push(format!("{at}: {}", s.message));
            }
        }
        if !responses.passed() || responses.unchecked == responses.examples {
            failures.push(format!("{key} --sandbox:\n{}", responses.to_text()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The connector files of `connectors/`, as (path from the root, text).
fn connector_files() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join("connectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = format!("connectors/{}", p.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&p).unwrap();
            (name, text)
        })
        .collect()
}

/// JumpCloud's documents, parsed once (~0.4 MB and ~2.9 MB).
static JUMPCLOUD: LazyLock<DocumentSet> = LazyLock::new(|| documents("jumpcloud").unwrap());

fn jumpcloud() -> ConnectorSpec {
    common::connector("connectors/jumpcloud.yaml").spec
}

fn findings(spec: &ConnectorSpec) -> Report {
    check(spec, &JUMPCLOUD, &options()).unwrap()
}

/// One action of a spec, for modifying it (copied out of the `Arc` it shares).
fn action_mut<'a>(spec: &'a mut ConnectorSpec, id: &str) -> &'a mut ActionSpec {
    Arc::make_mut(spec.actions.get_mut(id).unwrap())
}

/// Findings as `action: rule: message`, errors only.
fn errors(report: &Report) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{}: {}: {}",
                f.action.as_deref().unwrap_or("-"),
                f.rule,
                f.message
            )
        })
        .collect()
}

/// The checker has teeth: a wrong method on one action is reported against that action, and
/// that action alone goes unmatched.
#[test]
#[cfg_attr(not(shared_documents), ignore = "../shared is absent")]
fn conform_jumpcloud_detects_a_wrong_method() {
    let mut spec = jumpcloud();
    action_mut(&mut spec, "get_system_user").method = Method::Patch;
    let report = findings(&spec);
    let found = errors(&report);
    assert!(
        found.iter().any(|f| f.starts_with(
            "get_system_user: operation: PATCH /api/systemusers/{id}: the path has no PATCH"
        )),
        "{found:#?}"
    );
    assert_eq!(report.matched, spec.actions.len() - 1);
}

/// The other checks have teeth too, each on a modified copy of the connector: wrong scopes,
/// success statuses, default-header omission either way, an undeclared query parameter, a
/// parameter type, a path parameter name, a required body field, a server.
#[test]
#[cfg_attr(not(shared_documents), ignore = "../shared is absent")]
fn conform_jumpcloud_detects_other_mismatches() {
    let baseline = errors(&findings(&jumpcloud()));
    let mut spec = jumpcloud();
    action_mut(&mut spec, "list_system_users")
        .scopes
        .push("users.delete".to_owned());
    action_mut(&mut spec, "create_user_group").success = vec![200];
    action_mut(&mut spec, "list_organizations")
        .omit_headers
        .clear();
    action_mut(&mut spec, "get_user_group")
        .omit_headers
        .push("x-org-id".to_owned());
    let list_systems = action_mut(&mut spec, "list_systems");
    list_systems.inputs.get_mut("sort").unwrap().name = Some("order".to_owned());
    let limit = list_systems.inputs.get_mut("limit").unwrap();
    limit.kind = InputType::String;
    (limit.minimum, limit.maximum, limit.default) = (None, None, None);
    action_mut(&mut spec, "get_policy").path = "/v2/policies/{policy_id}".to_owned();
    action_mut(&mut spec, "create_system_user")
        .inputs
        .get_mut("email")
        .unwrap()
        .required = false;
    spec.servers.get_mut("eu").unwrap().url = "https://console.example.com/api".to_owned();

    let found: Vec<String> = errors(&findings(&spec))
        .into_iter()
        .filter(|f| !baseline.contains(f))
        .collect();
    let expect = [
        "list_system_users: scopes:",
        "create_user_group: success:",
        "list_organizations: default-header: sends default header `x-org-id`",
        "get_user_group: omitted-header: omits default header `x-org-id`",
        "list_systems: param-undeclared: query input `sort` (`order`)",
        "list_systems: param-type: query input `limit` is string",
        "get_policy: path-params: path parameters {policy_id} differ",
        "get_policy: path-params: path parameter {policy_id} has no `in: path` input",
        "create_system_user: body-required: body input `email` must be `required: true`",
        "-: server: server `eu`",
    ];
    for prefix in expect {
        assert!(
            found.iter().any(|f| f.starts_with(prefix)),
            "not reported: {prefix}\nreported: {found:#?}"
        );
    }
}

/// `--sandbox` has teeth: with the organization examples' `accountType` outside JumpCloud's
/// enum (as it was), the sandbox answers with it and each such response is reported, naming
/// the member and the enum's location.
#[test]
#[cfg_attr(not(shared_documents), ignore = "../shared is absent")]
fn conform_jumpcloud_sandbox_detects_a_value_outside_the_enum() {
    let path = common::root().join("connectors/jumpcloud.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.replace("accountType: Customer", "accountType: customer");
    let connector = actionspec_engine::Connector::from_yaml("jumpcloud.yaml", &text).unwrap();
    let report = runtime()
        .block_on(check_responses(&connector, &JUMPCLOUD))
        .unwrap();
    let failures: Vec<String> = report
        .failures
        .iter()
        .map(|f| format!("{} example {}: {}", f.action, f.example, f.message))
        .collect();
    let expected = "get_organization example 1: /accountType: \"customer\" is not one of [";
    assert!(
        failures.iter().any(|f| f.starts_with(expected)
            && f.ends_with(
                "v1.yaml#/components/schemas/organization/properties/accountType/enum)"
            )),
        "{failures:#?}"
    );
    assert!(!report.passed());
}
