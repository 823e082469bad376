//! An input's converted schema as the keys of an input (`type`, `in`, `enum`, `min_length`,
//! `items`, `properties`, …), with a comment for each keyword the top level of an input cannot
//! carry.

use serde_json::{Map, Value, json};

use super::action::{Input, kind};

/// Schema keywords with the input key of the same meaning.
const RENAMED: &[(&str, &str)] = &[
    ("enum", "enum"),
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("minLength", "min_length"),
    ("maxLength", "max_length"),
    ("pattern", "pattern"),
    ("format", "format"),
    ("items", "items"),
    ("properties", "properties"),
    ("required", "required_properties"),
    ("additionalProperties", "additional_properties"),
    ("default", "default"),
];

/// Annotations the top level of an input leaves out without loss.
const ANNOTATIONS: &[&str] = &[
    "type",
    "description",
    "title",
    "examples",
    "readOnly",
    "writeOnly",
];

/// The input's keys and the comments that go above it.
pub fn spec(input: &Input, id: &str) -> (Value, Vec<String>) {
    let mut notes = input.notes.clone();
    let schema = input.schema.as_object().cloned().unwrap_or_default();
    let k = kind(&input.schema);
    let mut out = Map::new();
    out.insert("type".into(), k.into());
    out.insert("in".into(), input.placement.into());
    if input.wire != id {
        out.insert("name".into(), input.wire.clone().into());
    }
    if input.required {
        out.insert("required".into(), true.into());
    }
    for (from, to) in RENAMED {
        if let Some(v) = schema.get(*from) {
            out.insert((*to).into(), v.clone());
        }
    }
    if let Some(c) = schema.get("const") {
        out.insert("enum".into(), json!([c]));
    }
    exclusive(&schema, k, &mut out, &mut notes);
    if let Some(style) = input.style {
        out.insert("style".into(), style.into());
    }
    if notes.iter().any(|n| n.starts_with("sensitive"))
        || schema.get("format") == Some(&json!("password"))
    {
        out.insert("sensitive".into(), true.into());
    }
    if schema.get("deprecated") == Some(&Value::Bool(true)) {
        notes.push("deprecated by the document".to_owned());
    }
    if let Some(c) = schema.get("$comment").and_then(Value::as_str) {
        notes.push(c.to_owned());
    }
    let unchecked: Vec<String> = schema
        .iter()
        .filter(|(key, _)| {
            !ANNOTATIONS.contains(&key.as_str())
                && !RENAMED.iter().any(|(f, _)| f == key)
                && !matches!(
                    key.as_str(),
                    "const" | "$comment" | "deprecated" | "exclusiveMinimum" | "exclusiveMaximum"
                )
        })
        .map(|(key, v)| format!("{key}: {v}"))
        .collect();
    if !unchecked.is_empty() {
        notes.push(format!(
            "not checked at the top level of an input: {}",
            unchecked.join(", ")
        ));
    }
    let description = input.description.clone().or_else(|| {
        schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        out.insert("description".into(), d.trim().into());
    }
    (Value::Object(out), notes)
}

/// `exclusiveMinimum`/`exclusiveMaximum`: an integer bound becomes an inclusive one; a number
/// bound is noted.
fn exclusive(
    schema: &Map<String, Value>,
    k: &str,
    out: &mut Map<String, Value>,
    notes: &mut Vec<String>,
) {
    for (key, inclusive, step) in [
        ("exclusiveMinimum", "minimum", 1.0),
        ("exclusiveMaximum", "maximum", -1.0),
    ] {
        let Some(bound) = schema.get(key).and_then(Value::as_f64) else {
            continue;
        };
        if k == "integer" {
            out.insert(inclusive.into(), json!((bound + step) as i64));
        } else {
            notes.push(format!("not checked: {key} {bound}"));
        }
    }
}
