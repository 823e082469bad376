//! The meta-schema (`spec/connector.schema.json`) and the Rust spec types, tested against each
//! other so they cannot drift: every object of the meta-schema has exactly the fields of its
//! Rust type, and every shipped connector passes both.

use actionspec_engine::spec::{
    ActionSandbox, ActionSpec, AuthMethod, ConnectorSpec, Credential, Defaults, ErrorShape,
    Example, ExampleResponse, HealthCheck, InputSpec, Lints, PaginationStyle, RateLimit,
    ResetHeader, ResponseValue, Retries, SandboxSpec, Server, ServerVariable, Timeouts,
};
use serde_aux::serde_introspection::serde_introspect;
use serde_json::Value;

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
