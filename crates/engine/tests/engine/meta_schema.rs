//! The meta-schema (`spec/connector.schema.json`) and the Rust spec types, tested against each
//! other so they cannot drift: every object of the meta-schema has exactly the fields of its
//! Rust type, and every shipped connector passes both.

use actionspec_engine::spec::{
    ActionSandbox, ActionSpec, AuthMethod, ConnectorSpec, Credential, Defaults, ErrorShape,
    Example, ExampleResponse, HealthCheck, InputSpec, Lints, PaginationStyle, RateLimit,
    ResetHeader, ResponseValue, Retries, SandboxSpec, Server, ServerVariable, Timeouts,
};
use serde_aux::serde_introspection::serde_introspect;
use serde_json::{Value, json};

use crate::common;

fn schema() -> Value {
    serde_json::from_str(actionspec_engine::META_SCHEMA).unwrap()
}

fn schema_fields(schema: &Value, def: &str) -> Vec<String> {
    let mut keys: Vec<String> = schema["$defs"][def]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no $defs/{def}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn rust_fields(fields: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    keys.sort();
    keys
}

#[test]
fn meta_schema_objects_have_exactly_the_rust_fields() {
    let s = schema();
    let pairs: Vec<(&str, &[&str])> = vec![
        ("ConnectorSpec", serde_introspect::<ConnectorSpec>()),
        ("Server", serde_introspect::<Server>()),
        ("ServerVariable", serde_introspect::<ServerVariable>()),
        ("ResetHeader", serde_introspect::<ResetHeader>()),
        ("Credential", serde_introspect::<Credential>()),
        ("AuthMethod", serde_introspect::<AuthMethod>()),
        ("HealthCheck", serde_introspect::<HealthCheck>()),
        ("ErrorShape", serde_introspect::<ErrorShape>()),
        ("Defaults", serde_introspect::<Defaults>()),
        ("Timeouts", serde_introspect::<Timeouts>()),
        ("Retries", serde_introspect::<Retries>()),
        ("RateLimit", serde_introspect::<RateLimit>()),
        ("PaginationStyle", serde_introspect::<PaginationStyle>()),
        ("ResponseValue", serde_introspect::<ResponseValue>()),
        ("ActionSpec", serde_introspect::<ActionSpec>()),
        ("InputSpec", serde_introspect::<InputSpec>()),
        ("Example", serde_introspect::<Example>()),
        ("ExampleResponse", serde_introspect::<ExampleResponse>()),
        ("SandboxSpec", serde_introspect::<SandboxSpec>()),
        ("ActionSandbox", serde_introspect::<ActionSandbox>()),
        ("Lints", serde_introspect::<Lints>()),
    ];
    for (def, fields) in &pairs {
        assert_eq!(
            schema_fields(&s, def),
            rust_fields(fields),
            "$defs/{def} and its Rust type disagree"
        );
    }
    // Every object definition with properties is covered by the list above.
    let covered: Vec<&str> = pairs.iter().map(|(d, _)| *d).collect();
    for (name, def) in s["$defs"].as_object().unwrap() {
        if def.get("properties").is_some() {
            assert!(
                covered.contains(&name.as_str()),
                "$defs/{name} has no Rust type in this test"
            );
        }
    }
}

#[test]
fn meta_schema_objects_reject_unknown_keys() {
    let s = schema();
    for (name, def) in s["$defs"].as_object().unwrap() {
        if def.get("properties").is_some() {
            assert_eq!(
                def["additionalProperties"],
                Value::Bool(false),
                "$defs/{name} must set additionalProperties: false"
            );
        }
    }
}

/// Every shipped connector round-trips: YAML → Rust types → JSON still validates.
#[test]
fn shipped_connectors_round_trip_through_the_rust_types() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    for (file, text) in common::connector_files() {
        let doc = actionspec_engine::yaml::parse(&text).unwrap();
        let spec: ConnectorSpec = serde_json::from_value(doc.value).unwrap();
        let back = serde_json::to_value(&spec).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&back)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

/// The places (JSON pointers) where `doc` breaks the meta-schema: by the engine's own validator,
/// and by the `jsonschema` crate, an independent implementation of draft 2020-12.
fn broken_places(doc: &Value) -> (Vec<String>, Vec<String>) {
    static OURS: std::sync::LazyLock<actionspec_engine::schema::Schema> =
        std::sync::LazyLock::new(|| {
            actionspec_engine::schema::Schema::compile_document(&schema()).unwrap()
        });
    static THEIRS: std::sync::LazyLock<jsonschema::Validator> =
        std::sync::LazyLock::new(|| jsonschema::validator_for(&schema()).unwrap());
    let mut ours: Vec<String> = OURS
        .violations(doc)
        .into_iter()
        .map(|v| v.pointer)
        .collect();
    let mut theirs: Vec<String> = THEIRS
        .iter_errors(doc)
        .map(|e| e.instance_path().as_str().to_owned())
        .collect();
    for places in [&mut ours, &mut theirs] {
        places.sort();
        places.dedup();
    }
    (ours, theirs)
}

/// Every JSON pointer in `v`, in document order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The engine's own meta-schema check finds exactly the places an independent validator finds:
/// on every shipped connector, on every test fixture that parses, and on about 2,000 broken
/// variants of the connectors (80 sampled nodes per file, each replaced by a value of each type,
/// removed, or given an unknown member).
#[test]
fn the_meta_schema_check_agrees_with_an_independent_validator() {
    let replacements = [
        json!(42),
        json!(2.5),
        json!("x"),
        json!(null),
        json!(true),
        json!([]),
        json!({}),
    ];
    let (mut compared, mut broken) = (0, 0);
    for (file, text) in common::connector_files() {
        let doc = actionspec_engine::yaml::parse(&text).unwrap().value;
        let (ours, theirs) = broken_places(&doc);
        assert!(
            ours.is_empty() && theirs.is_empty(),
            "{file}: {ours:?} {theirs:?}"
        );
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let step = (all.len() / 80).max(1);
        for at in all.iter().step_by(step) {
            let mut variants: Vec<Value> = replacements
                .iter()
                .map(|r| {
                    let mut d = doc.clone();
                    *d.pointer_mut(at).unwrap() = r.clone();
                    d
                })
                .collect();
            let mut removed = doc.clone();
            if let Some((parent, last)) = at.rsplit_once('/')
                && let Some(Value::Object(m)) = removed.pointer_mut(parent)
            {
                m.shift_remove(&last.replace("~1", "/").replace("~0", "~"));
                variants.push(removed);
            }
            let mut extended = doc.clone();
            if let Some(Value::Object(m)) = extended.pointer_mut(at) {
                m.insert("Not A-Key".into(), json!(1));
                variants.push(extended);
            }
            for variant in &variants {
                let (ours, theirs) = broken_places(variant);
                assert_eq!(ours, theirs, "{file}, changed at {at}");
                compared += 1;
                broken += usize::from(!ours.is_empty());
            }
        }
    }
    for dir in ["invalid", "lints", "import", "sandbox", "conform", "cli"] {
        let Ok(entries) = std::fs::read_dir(common::root().join("tests/fixtures").join(dir)) else {
            continue;
        };
        for path in entries.map(|e| e.unwrap().path()) {
            let parsed = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| actionspec_engine::yaml::parse(&text).ok());
            if let Some(doc) = parsed {
                let (ours, theirs) = broken_places(&doc.value);
                assert_eq!(ours, theirs, "{}", path.display());
                compared += 1;
            }
        }
    }
    assert!(compared > 300, "only {compared} variants compared");
    // Most changes break the file: the comparison is not between two validators that accept all.
    assert!(
        broken * 2 > compared,
        "only {broken} of {compared} variants are broken"
    );
}
