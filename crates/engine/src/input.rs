//! Action inputs: each action's input JSON Schema, built from its `inputs` and compiled once.
//!
//! Validation runs before any request. Unknown input keys are rejected; every violation is
//! reported with its JSON pointer and what was expected.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::diagnostic::did_you_mean;
use crate::error::InputViolation;
use crate::schema::{Problem, Schema, Violation};
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

/// Compiles an input schema (see [`crate::schema`] for the keywords checked).
///
/// # Errors
/// The schema uses a keyword the engine does not check, or a bad `pattern` or `format`.
pub fn compile(schema: &Value) -> Result<Schema, String> {
    Schema::compile(schema)
}

/// Validates `input` against a compiled input schema, returning every violation, sorted by
/// pointer. Values of sensitive inputs are never shown.
pub fn violations(
    schema: &Schema,
    inputs: &IndexMap<String, InputSpec>,
    input: &Value,
) -> Vec<InputViolation> {
    let mut out: Vec<InputViolation> = schema
        .violations(input)
        .into_iter()
        .flat_map(|v| describe(v, inputs, input))
        .collect();
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
    out.dedup();
    out
}

fn describe(
    v: Violation,
    inputs: &IndexMap<String, InputSpec>,
    input: &Value,
) -> Vec<InputViolation> {
    let pointer = v.pointer;
    let top = pointer
        .split('/')
        .nth(1)
        .map(crate::yaml::unescape_token)
        .unwrap_or_default();
    let sensitive = inputs.get(&top).is_some_and(|i| i.sensitive);
    let instance = input.pointer(&pointer).unwrap_or(&Value::Null);
    // Never echo a sensitive value; shorten long ones.
    let shown = if sensitive {
        crate::redact::REDACTED.to_owned()
    } else {
        truncate(&instance.to_string())
    };
    let at = |p: String, message: String| InputViolation {
        pointer: p,
        message,
    };
    match v.problem {
        Problem::Unexpected { names, .. } if pointer.is_empty() => unknown_inputs(&names, inputs),
        Problem::Unexpected { names, .. } => {
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            vec![at(
                pointer,
                format!(
                    "unexpected member {}: the input's schema allows no others",
                    names.join(", ")
                ),
            )]
        }
        Problem::Required { name } => vec![missing(&pointer, &name, inputs)],
        Problem::Type { expected } => vec![at(
            pointer,
            format!("expected {expected}, got {}", json_type(instance)),
        )],
        Problem::Enum { options } => {
            let allowed: Vec<String> = options.iter().map(Value::to_string).collect();
            vec![at(
                pointer,
                format!(
                    "{shown} is not one of the allowed values: {}",
                    allowed.join(", ")
                ),
            )]
        }
        Problem::Const { expected } => vec![at(pointer, format!("{expected} was expected"))],
        Problem::Pattern { pattern } => {
            vec![at(pointer, format!("{shown} does not match \"{pattern}\""))]
        }
        Problem::Name { name } => vec![at(
            pointer,
            format!("the member name `{name}` is not allowed"),
        )],
        Problem::Other { message } => vec![at(pointer, message.replace("{value}", &shown))],
    }
}

/// Top-level members that are no input of the action, each with a "did you mean".
fn unknown_inputs(names: &[String], inputs: &IndexMap<String, InputSpec>) -> Vec<InputViolation> {
    names
        .iter()
        .map(|k| {
            let hint = match did_you_mean(k, inputs.keys().map(String::as_str)) {
                Some(best) => format!("; did you mean `{best}`?"),
                None => format!("; valid inputs: {}", list(inputs.keys())),
            };
            InputViolation {
                pointer: format!("/{}", crate::yaml::escape_token(k)),
                message: format!("unknown input `{k}`{hint}"),
            }
        })
        .collect()
}

/// A missing required member; at the top level, with the input's type and description.
fn missing(pointer: &str, name: &str, inputs: &IndexMap<String, InputSpec>) -> InputViolation {
    let what = inputs
        .get(name)
        .filter(|_| pointer.is_empty())
        .map(|s| {
            let description = s
                .description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            format!(" ({}{description})", s.kind.as_str())
        })
        .unwrap_or_default();
    InputViolation {
        pointer: format!("{pointer}/{}", crate::yaml::escape_token(name)),
        message: format!("missing required input `{name}`{what}"),
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
