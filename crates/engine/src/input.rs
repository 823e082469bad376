//! Action inputs: each action's input JSON Schema, built from its `inputs` and compiled once.
//!
//! Validation runs before any request. Unknown input keys are rejected; every violation is
//! reported with its JSON pointer and what was expected.

use indexmap::IndexMap;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value, json};

use crate::diagnostic::did_you_mean;
use crate::error::InputViolation;
use crate::spec::InputSpec;

/// The JSON Schema (draft 2020-12) for an action's input object.
pub fn input_schema(inputs: &IndexMap<String, InputSpec>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (id, spec) in inputs {
        properties.insert(id.clone(), input_property_schema(spec));
        if spec.required {
            required.push(Value::String(id.clone()));
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The JSON Schema of one input.
pub fn input_property_schema(spec: &InputSpec) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), Value::String(spec.kind.as_str().into()));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            s.insert(k.into(), v);
        }
    };
    put("description", spec.description.clone().map(Value::String));
    put("enum", spec.allowed.clone().map(Value::Array));
    put("minimum", spec.minimum.map(number));
    put("maximum", spec.maximum.map(number));
    put("minLength", spec.min_length.map(Value::from));
    put("maxLength", spec.max_length.map(Value::from));
    put("pattern", spec.pattern.clone().map(Value::String));
    put("format", spec.format.clone().map(Value::String));
    put("items", spec.items.clone());
    put("properties", spec.properties.clone().map(Value::Object));
    put(
        "required",
        spec.required_properties
            .clone()
            .map(|r| Value::Array(r.into_iter().map(Value::String).collect())),
    );
    put("additionalProperties", spec.additional_properties.clone());
    put("default", spec.default.clone());
    Value::Object(s)
}

/// Integral bounds stay integers so error messages read `maximum 100`, not `100.0`.
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// Compiles an input schema.
///
/// # Errors
/// The schema is not valid JSON Schema (e.g. a bad `pattern` or `items`).
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Validates `input` against a compiled input schema, returning every violation.
pub fn violations(
    validator: &jsonschema::Validator,
    inputs: &IndexMap<String, InputSpec>,
    input: &Value,
) -> Vec<InputViolation> {
    let mut out: Vec<InputViolation> = validator
        .iter_errors(input)
        .flat_map(|e| describe(&e, inputs))
        .collect();
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
    out.dedup();
    out
}

fn describe(
    e: &jsonschema::ValidationError<'_>,
    inputs: &IndexMap<String, InputSpec>,
) -> Vec<InputViolation> {
    let pointer = e.instance_path().as_str().to_owned();
    let top = pointer
        .split('/')
        .nth(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .unwrap_or_default();
    let sensitive = inputs.get(&top).is_some_and(|i| i.sensitive);
    // Never echo a sensitive value; shorten long ones.
    let shown = if sensitive {
        crate::plan::REDACTED.to_owned()
    } else {
        truncate(&e.instance().to_string())
    };
    let at = |p: String, message: String| InputViolation {
        pointer: p,
        message,
    };
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } if pointer.is_empty() => {
            unexpected
                .iter()
                .map(|k| {
                    let hint = match did_you_mean(k, inputs.keys().map(String::as_str)) {
                        Some(best) => format!("; did you mean `{best}`?"),
                        None => format!("; valid inputs: {}", list(inputs.keys())),
                    };
                    at(
                        format!("/{}", crate::yaml::escape_token(k)),
                        format!("unknown input `{k}`{hint}"),
                    )
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let what = inputs
                .get(name)
                .filter(|_| pointer.is_empty())
                .map(|s| {
                    format!(
                        " ({}{})",
                        s.kind.as_str(),
                        s.description
                            .as_deref()
                            .map(|d| format!(": {d}"))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            vec![at(
                format!("{pointer}/{}", crate::yaml::escape_token(name)),
                format!("missing required input `{name}`{what}"),
            )]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = expected_types(kind);
            vec![at(
                pointer,
                format!("expected {expected}, got {}", json_type(e.instance())),
            )]
        }
        ValidationErrorKind::Enum { options } => {
            let allowed = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            vec![at(
                pointer,
                format!("{shown} is not one of the allowed values: {allowed}"),
            )]
        }
        _ => vec![at(pointer, e.masked_with(&shown).to_string())],
    }
}

/// At most 80 characters of a value's JSON text.
fn truncate(text: &str) -> String {
    if text.chars().count() <= 80 {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(77).collect();
    short.push('…');
    short
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if all.is_empty() {
        "none (this action takes no input)".into()
    } else {
        all.join(", ")
    }
}

/// The type(s) a JSON Schema `type` keyword asked for: `string`, `string or null`.
pub(crate) fn expected_types(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(ts) => ts
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// The JSON type name of a value, as JSON Schema names it.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
