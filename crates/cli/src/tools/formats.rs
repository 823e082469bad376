//! `actionspec tools <connector> --format mcp|openai|anthropic|gemini`: the tool definitions in
//! each API's shape, with the schema transforms each API needs, and a lint per format that
//! names the tool and the rule it breaks.
//!
//! - `mcp`: `tools/list`'s `{"tools": [...]}`, as `actionspec mcp` serves them.
//! - `anthropic`: Messages API tools, `{name, description, input_schema}`.
//! - `openai`: Chat Completions function tools in strict mode. Strict mode takes a subset of
//!   JSON Schema in which every property is listed in `required` and every object has
//!   `additionalProperties: false`, so the schemas are transformed: an optional input becomes
//!   nullable (`null` means "leave it out"), and a value strict mode cannot describe (a
//!   free-form object, an untyped value) becomes a string holding its JSON text, as its
//!   description says. Keywords outside the subset move into the description.
//! - `gemini`: a `Tool` with `functionDeclarations`, whose `parameters` use Gemini's OpenAPI
//!   subset: one type per schema, objects with properties, arrays with items, enums of
//!   strings; the rest is translated as for OpenAI (JSON text, description notes).

use actionspec_engine::{Action, Connector};
use serde_json::{Map, Value, json};

use super::{description, mcp_tool, tool_name};

/// An API whose tool definitions `actionspec tools` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// MCP `tools/list`.
    Mcp,
    /// OpenAI function tools, strict mode.
    Openai,
    /// Anthropic Messages API tools.
    Anthropic,
    /// Gemini function declarations.
    Gemini,
}

/// A tool definition that breaks a rule of its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The tool's name.
    pub tool: String,
    /// The rule's id (`openai-strict-required`, `no-ref`, …).
    pub rule: &'static str,
    /// What is wrong, and where in the definition.
    pub message: String,
}

/// The tool definitions of every action of `c` in `format`, as the API takes them, and what
/// the format's lint found wrong with them.
pub(crate) fn export(c: &Connector, format: Format) -> (Value, Vec<Problem>) {
    let mut tools = Vec::new();
    let mut problems = Vec::new();
    for a in c.actions.values() {
        let tool = definition(c, a, format);
        problems.extend(lint(format, a, &tool));
        tools.push(tool);
    }
    let all = match format {
        Format::Mcp => json!({ "tools": tools }),
        Format::Openai | Format::Anthropic => Value::Array(tools),
        Format::Gemini => json!({ "functionDeclarations": tools }),
    };
    (all, problems)
}

/// The tool of action `a` in `format`.
pub(crate) fn definition(c: &Connector, a: &Action, format: Format) -> Value {
    let name = tool_name(c, a);
    let schema = a.input_schema();
    match format {
        Format::Mcp => mcp_tool(c, a),
        Format::Anthropic => {
            let mut input = schema.clone();
            if let Some(obj) = input.as_object_mut() {
                obj.shift_remove("$schema");
            }
            json!({ "name": name, "description": description(a), "input_schema": input })
        }
        Format::Openai => json!({
            "type": "function",
            "function": {
                "name": name,
                "description": description(a),
                "strict": true,
                "parameters": top_level(schema, Dialect::Strict),
            }
        }),
        Format::Gemini => {
            let mut f = Map::new();
            f.insert("name".into(), Value::String(name));
            f.insert("description".into(), Value::String(description(a)));
            // Gemini refuses an object without properties: an action without inputs has none.
            if schema["properties"]
                .as_object()
                .is_some_and(|p| !p.is_empty())
            {
                f.insert("parameters".into(), top_level(schema, Dialect::Gemini));
            }
            Value::Object(f)
        }
    }
}

/// The schema subsets the transforms target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// OpenAI strict mode.
    Strict,
    /// Gemini's OpenAPI subset.
    Gemini,
}

/// The input schema's top level, always an object: its properties transformed.
fn top_level(schema: &Value, d: Dialect) -> Value {
    object(
        schema.as_object().cloned().unwrap_or_default(),
        d,
        false,
        Vec::new(),
    )
}

/// An object schema with properties, transformed; `notes` go into its description.
fn object(s: Map<String, Value>, d: Dialect, nullable: bool, notes: Vec<String>) -> Value {
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties = Map::new();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let optional = !required.contains(&k.as_str());
            properties.insert(k.clone(), convert(v, d, d == Dialect::Strict && optional));
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), type_of("object", d, nullable));
    put_description(&mut out, &s, notes);
    let keys: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
    out.insert("properties".into(), Value::Object(properties));
    match d {
        Dialect::Strict => {
            out.insert("required".into(), Value::Array(keys));
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
        Dialect::Gemini if !required.is_empty() => {
            out.insert("required".into(), json!(required));
        }
        Dialect::Gemini => {}
    }
    Value::Object(out)
}

/// One schema, transformed for `d`; `nullable` (strict mode's optional properties) adds `null`.
fn convert(s: &Value, d: Dialect, nullable: bool) -> Value {
    let Some(s) = s.as_object().filter(|o| !is_opaque(o, d)) else {
        return opaque(s, d, nullable);
    };
    let kind = s.get("type").and_then(Value::as_str).unwrap_or_default();
    let mut notes = Vec::new();
    if kind == "object" {
        for (k, v) in s {
            if !matches!(
                k.as_str(),
                "type" | "description" | "properties" | "required" | "additionalProperties"
            ) {
                notes.push(format!("{k}: {v}"));
            }
        }
        return object(s.clone(), d, nullable, notes);
    }
    let mut out = Map::new();
    out.insert("type".into(), type_of(kind, d, nullable));
    for (k, v) in s {
        match (k.as_str(), d) {
            ("type" | "description" | "$schema", _) => {}
            ("items", _) => {
                out.insert("items".into(), convert(v, d, false));
            }
            ("enum", Dialect::Gemini) if kind != "string" => notes.push(one_of(v)),
            ("enum" | "const", _) => {
                let mut values = match v {
                    Value::Array(values) => values.clone(),
                    other => vec![other.clone()],
                };
                if nullable {
                    values.push(Value::Null);
                }
                out.insert("enum".into(), Value::Array(values));
            }
            ("format", _) if !format_supported(d, kind, v) => notes.push(format!("format: {v}")),
            ("minLength" | "maxLength", Dialect::Gemini)
            | ("format" | "minimum" | "maximum" | "pattern" | "minItems" | "maxItems", _) => {
                out.insert(k.clone(), v.clone());
            }
            _ => notes.push(format!("{k}: {v}")),
        }
    }
    put_description(&mut out, s, notes);
    Value::Object(out)
}

/// Whether `d` cannot describe `s` as it is: no single type, an object without properties (or,
/// in strict mode, one that allows other members), an array without items.
fn is_opaque(s: &Map<String, Value>, d: Dialect) -> bool {
    let has = |k: &str| {
        s.get(k)
            .and_then(Value::as_object)
            .is_some_and(|o| !o.is_empty())
    };
    match s.get("type").and_then(Value::as_str) {
        Some("object") => {
            !has("properties")
                || (d == Dialect::Strict
                    && s.get("additionalProperties")
                        .is_some_and(|a| a != &Value::Bool(false)))
        }
        Some("array") => !s.get("items").is_some_and(Value::is_object),
        Some("string" | "integer" | "number" | "boolean") => false,
        _ => true,
    }
}

/// A value the dialect cannot describe, as a string holding its JSON text.
fn opaque(s: &Value, d: Dialect, nullable: bool) -> Value {
    let what = match s.get("type").and_then(Value::as_str) {
        Some("object") => "a JSON object",
        Some("array") => "a JSON array",
        _ => "a JSON value",
    };
    let mut text = s
        .get("description")
        .and_then(Value::as_str)
        .map(|t| format!("{} ", t.trim()))
        .unwrap_or_default();
    text.push_str(&format!(
        "Give it as JSON text: {what}, encoded as a string."
    ));
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        text.push_str(&format!(" Known members: {}.", names.join(", ")));
    }
    json!({ "type": type_of("string", d, nullable), "description": text })
}

/// `kind`, or in strict mode for an optional property `[kind, "null"]`.
fn type_of(kind: &str, d: Dialect, nullable: bool) -> Value {
    if nullable && d == Dialect::Strict {
        json!([kind, "null"])
    } else {
        Value::String(kind.to_owned())
    }
}

/// The description of `s`, followed by what the dialect could not say otherwise.
fn put_description(out: &mut Map<String, Value>, s: &Map<String, Value>, notes: Vec<String>) {
    let mut parts: Vec<String> = s
        .get("description")
        .and_then(Value::as_str)
        .map(|t| t.trim().to_owned())
        .into_iter()
        .collect();
    if !notes.is_empty() {
        parts.push(format!("({})", notes.join("; ")));
    }
    if !parts.is_empty() {
        out.insert("description".into(), Value::String(parts.join(" ")));
    }
}

fn one_of(values: &Value) -> String {
    let shown: Vec<String> = values
        .as_array()
        .map(|v| v.iter().map(Value::to_string).collect())
        .unwrap_or_default();
    format!("one of: {}", shown.join(", "))
}

/// The string formats OpenAI's strict mode takes; Gemini takes `date-time` and `enum` for
/// strings, `int32`/`int64` and `float`/`double` for numbers.
fn format_supported(d: Dialect, kind: &str, format: &Value) -> bool {
    let f = format.as_str().unwrap_or_default();
    match d {
        Dialect::Strict => {
            kind == "string"
                && matches!(
                    f,
                    "date-time"
                        | "time"
                        | "date"
                        | "duration"
                        | "email"
                        | "hostname"
                        | "ipv4"
                        | "ipv6"
                        | "uuid"
                )
        }
        Dialect::Gemini => matches!(
            (kind, f),
            ("string", "date-time" | "enum")
                | ("integer", "int32" | "int64")
                | ("number", "float" | "double")
        ),
    }
}

mod lint;
pub(crate) use lint::lint;
