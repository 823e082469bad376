//! Bounded loading: connector files too large for a fixture (thousands of nested lists, long
//! template expressions, huge renders) are generated here; each must fail with a located report,
//! snapshotted like the fixtures of `tests/fixtures/invalid/`. Also: the shipped connectors stay
//! far below every limit.

use actionspec_engine::limits::EXAMPLES_FUEL;
use actionspec_engine::limits::MAX_YAML_DEPTH as MAX_DEPTH;
use actionspec_engine::limits::{MAX_TEMPLATE_NESTING, MAX_TEMPLATE_OPERATORS, TEMPLATE_FUEL};
use actionspec_engine::{Connector, SpecError};
use serde_json::Value;

use crate::common;

/// A small valid connector whose `create_note` action has `body` (YAML, indented 4 spaces).
fn with_body(body: &str) -> String {
    format!(
        r#"spec_version: 1
key: demo
name: Demo
version: 1.0.0
servers:
  prod: {{ url: "https://api.example.com/v1" }}
default_server: prod
actions:
  create_note:
    name: Create Note
    description: Create a note.
    method: POST
    path: /notes
    inputs:
      title: {{ type: string, in: body }}
    body:
{body}
    examples:
      - input: {{ title: Hi }}
"#
    )
}

/// A body of one member `title` whose value is the template `t` (double-quoted YAML).
fn with_template(t: &str) -> String {
    with_body(&format!("      title: \"{t}\""))
}

/// Loads `text` as `tests/fixtures/invalid/<case>.yaml`; it must fail.
fn load_error(case: &str, text: &str) -> SpecError {
    let file = format!("tests/fixtures/invalid/{case}.yaml");
    match Connector::from_yaml(&file, text) {
        Ok(_) => panic!("{case}: loaded, but it is meant to be invalid"),
        Err(e) => e,
    }
}

/// The generated cases: (snapshot name, what it shows, file text).
fn cases() -> Vec<(&'static str, &'static str, String)> {
    let ops = MAX_TEMPLATE_OPERATORS + 1;
    let nest = MAX_TEMPLATE_NESTING + 1;
    let huge_members: String = (0..30)
        .map(|i| format!("      m{i}: \"{{{{ 'x' * 99999999 }}}}\"\n"))
        .collect();
    let big_members: String = (0..30)
        .map(|i| format!("      m{i}: \"{{{{ 'x' * 500000 }}}}\"\n"))
        .collect();
    vec![
        (
            "yaml_block_nesting_10500_deep",
            "10,500 nested `- ` (21 KB), which overflowed the stack",
            format!("{}a\n", "- ".repeat(10_500)),
        ),
        (
            "yaml_flow_nesting_100000_deep",
            "100,000 nested `[`",
            format!(
                "spec_version: 1\ntags: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "template_20000_terms",
            "`{{ 1+1+…+1 }}` with 20,000 terms, which overflowed the stack",
            with_template(&format!("{{{{ {} }}}}", vec!["1"; 20_000].join("+"))),
        ),
        (
            "template_operator_chain",
            "a filter chain one operator longer than the limit",
            with_template(&format!(
                "{{{{ input.title{} }}}}",
                "|lower".repeat(ops - 1)
            )),
        ),
        (
            "template_nested_blocks",
            "`{% if %}` blocks nested one deeper than the limit",
            with_template(&format!(
                "{}x{}",
                "{% if true %}".repeat(nest),
                "{% endif %}".repeat(nest)
            )),
        ),
        (
            "render_30_members_of_100_mb",
            "30 body members of `'x' * 99999999`, which took 3 GB",
            with_body(huge_members.trim_end()),
        ),
        (
            "render_body_over_1_mib",
            "30 body members of 500 KB: the body passes 1 MiB at the third",
            with_body(big_members.trim_end()),
        ),
        (
            "render_lazy_list",
            "`[1] * 99999999`, a list built lazily",
            with_template("{{ [1] * 99999999 }}"),
        ),
    ]
}

/// Regression: each of these aborted the process (stack overflow), ran for minutes or took
/// gigabytes; now each is one located diagnostic.
#[test]
fn generated_oversized_files_are_located_errors() {
    let snapshots = common::root().join("tests/snapshots/diagnostics");
    for (case, shows, text) in cases() {
        let err = load_error(case, &text);
        assert_eq!(err.diagnostics.len(), 1, "{case}: {}", err.render());
        assert!(err.diagnostics[0].span.is_some(), "{case}: not located");
        insta::with_settings!({
            snapshot_path => &snapshots,
            prepend_module_to_snapshot => false,
            description => shows,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("diagnostics_generated@{case}"), err.render());
        });
    }
}

/// A connector whose action has `n` query templates that each loop `steps` times.
fn with_loops(n: usize, steps: usize) -> String {
    let query: String = (0..n)
        .map(|i| format!("      q{i}: \"{{% for a in [0] * {steps} %}}{{% endfor %}}x\"\n"))
        .collect();
    with_body("      title: Hi").replace("    body:\n", &format!("    query:\n{query}    body:\n"))
}

/// Regression: a file of many templates that each use most of their fuel stalled the load;
/// planning the examples stops once they have used [`EXAMPLES_FUEL`] in all.
#[test]
fn examples_share_one_fuel_budget() {
    let steps = 20_000;
    let one =
        Connector::from_yaml("one.yaml", &with_loops(1, steps)).unwrap_or_else(|e| panic!("{e}"));
    let each = one.template_fuel_spent();
    assert!(
        each > TEMPLATE_FUEL / 4 && each < TEMPLATE_FUEL,
        "one loop used {each} fuel"
    );
    // Each query template is within its own fuel; together they pass the budget of the load.
    let n = usize::try_from(EXAMPLES_FUEL / each).unwrap() + 2;
    let three_examples = with_loops(n, steps).replace(
        "      - input: { title: Hi }\n",
        &"      - input: { title: Hi }\n".repeat(3),
    );
    let err = load_error("examples_fuel", &three_examples);
    let titles: Vec<&str> = err.diagnostics.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles[0].starts_with("example 1 of action `create_note` cannot be planned")
            && titles[0].ends_with("the examples' templates together used more than 2000000 fuel"),
        "{titles:?}"
    );
    assert!(
        titles[1].starts_with("planning the examples stopped at example 2 of action `create_note`"),
        "{titles:?}"
    );
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The limits leave room: every shipped connector and every fixture that parses nests at most
/// a quarter of [`MAX_DEPTH`], and JumpCloud's examples use a hundredth of [`EXAMPLES_FUEL`].
#[test]
fn shipped_connectors_and_fixtures_stay_far_below_the_limits() {
    let mut files = common::connector_files();
    for dir in [
        "tests/fixtures/invalid",
        "tests/fixtures/cli",
        "tests/fixtures/sandbox",
    ] {
        for entry in walk(&common::root().join(dir)) {
            files.push((
                entry.display().to_string(),
                std::fs::read_to_string(&entry).unwrap(),
            ));
        }
    }
    let mut checked = 0;
    for (file, text) in &files {
        if file.ends_with("yaml_nesting_too_deep.yaml") {
            continue;
        }
        if let Ok(doc) = actionspec_engine::yaml::parse(text) {
            assert!(
                depth(&doc.value) <= MAX_DEPTH / 4,
                "{file} nests {} deep",
                depth(&doc.value)
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} files checked");
    let spent = common::jumpcloud().template_fuel_spent();
    assert!(
        spent > 0 && spent < EXAMPLES_FUEL / 100,
        "JumpCloud's examples used {spent} fuel"
    );
}

/// Every `*.yaml` file under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    out
}
