//! The lint of each format: the rules its API enforces on a tool definition, checked before a
//! definition is printed, so that an API never refuses one. A problem names the tool, the rule
//! and where in the schema.

use actionspec_engine::Action;
use serde_json::{Map, Value};

use super::{Format, Problem};

/// Keywords OpenAI's strict mode takes.
const STRICT_KEYWORDS: &[&str] = &[
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

/// Keywords of Gemini's schema subset.
const GEMINI_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

/// Strict mode's deepest nesting of objects.
const STRICT_DEPTH: usize = 10;

/// Every rule of `format` that `tool` (the definition of action `a`) breaks.
pub(crate) fn lint(format: Format, a: &Action, tool: &Value) -> Vec<Problem> {
    let (name, schema) = match format {
        Format::Mcp => (&tool["name"], tool.get("inputSchema")),
        Format::Anthropic => (&tool["name"], tool.get("input_schema")),
        Format::Openai => (
            &tool["function"]["name"],
            tool["function"].get("parameters"),
        ),
        Format::Gemini => (&tool["name"], tool.get("parameters")),
    };
    let name = name.as_str().unwrap_or_default();
    let mut l = Lint {
        tool: name.to_owned(),
        problems: Vec::new(),
    };
    l.name(format, name);
    let description = match format {
        Format::Openai => &tool["function"]["description"],
        _ => &tool["description"],
    };
    if description.as_str().is_none_or(|d| d.trim().is_empty()) {
        l.add("description", "the tool has no description".into());
    }
    if let Some(schema) = schema {
        l.top_level(format, schema);
        l.no_ref(schema, "");
        match format {
            Format::Openai => {
                l.strict(schema, "", 0);
                l.nullable(a.input_schema(), schema, "");
            }
            Format::Gemini => l.gemini(schema, ""),
            Format::Mcp | Format::Anthropic => {}
        }
    } else if format != Format::Gemini {
        l.add("input-schema", "the tool has no input schema".into());
    }
    l.problems
}

struct Lint {
    tool: String,
    problems: Vec<Problem>,
}

impl Lint {
    fn add(&mut self, rule: &'static str, message: String) {
        self.problems.push(Problem {
            tool: self.tool.clone(),
            rule,
            message,
        });
    }

    fn name(&mut self, format: Format, name: &str) {
        let ok = match format {
            // Gemini: a letter or `_` first, then letters, digits, `_`, `.`, `:` or `-`.
            Format::Gemini => {
                name.len() <= 64
                    && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b))
            }
            _ => {
                (1..=64).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
        };
        if !ok {
            let rule = match format {
                Format::Gemini => "a letter or _ first, then [a-zA-Z0-9_.:-], at most 64",
                _ => "^[a-zA-Z0-9_-]{1,64}$",
            };
            self.add("name", format!("tool name `{name}` does not fit {rule}"));
        }
    }

    fn top_level(&mut self, format: Format, schema: &Value) {
        if schema["type"] != "object" {
            self.add(
                "top-level-object",
                format!(
                    "the input schema's type is {}, not \"object\"",
                    schema["type"]
                ),
            );
        }
        if format != Format::Gemini {
            for k in ["oneOf", "anyOf", "allOf", "not", "enum"] {
                if schema.get(k).is_some() {
                    self.add(
                        "top-level-combinator",
                        format!("the input schema has `{k}` at the top level"),
                    );
                }
            }
        }
    }

    fn no_ref(&mut self, schema: &Value, at: &str) {
        match schema {
            Value::Object(o) => {
                for (k, v) in o {
                    if k == "$ref" {
                        self.add(
                            "no-ref",
                            format!("`$ref` at {at}/$ref: the schema must be self-contained"),
                        );
                    }
                    self.no_ref(v, &format!("{at}/{k}"));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.no_ref(v, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }

    /// OpenAI strict mode: every object closed and every property required, known keywords,
    /// bounded nesting.
    fn strict(&mut self, s: &Value, at: &str, depth: usize) {
        let Some(o) = s.as_object() else {
            self.add(
                "openai-strict-keyword",
                format!("{} is not a schema object", pointer(at)),
            );
            return;
        };
        for k in o.keys().filter(|k| !STRICT_KEYWORDS.contains(&k.as_str())) {
            self.add(
                "openai-strict-keyword",
                format!("`{k}` at {} is not supported in strict mode", pointer(at)),
            );
        }
        if is_type(o, "object") {
            if depth >= STRICT_DEPTH {
                self.add(
                    "openai-strict-depth",
                    format!(
                        "{} nests objects deeper than {STRICT_DEPTH} levels",
                        pointer(at)
                    ),
                );
            }
            if o.get("additionalProperties") != Some(&Value::Bool(false)) {
                self.add(
                    "openai-strict-additional-properties",
                    format!(
                        "the object at {} lacks `additionalProperties: false`",
                        pointer(at)
                    ),
                );
            }
            let required: Vec<&str> = o
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = o.get("properties").and_then(Value::as_object);
            for k in props.into_iter().flat_map(Map::keys) {
                if !required.contains(&k.as_str()) {
                    self.add(
                        "openai-strict-required",
                        format!(
                            "property `{k}` of the object at {} is not listed in `required`",
                            pointer(at)
                        ),
                    );
                }
            }
            if props.is_none() {
                self.add(
                    "openai-strict-required",
                    format!("the object at {} has no `properties`", pointer(at)),
                );
            }
            for (k, v) in props.into_iter().flatten() {
                self.strict(v, &format!("{at}/properties/{k}"), depth + 1);
            }
        }
        if let Some(items) = o.get("items") {
            self.strict(items, &format!("{at}/items"), depth);
        }
        for (i, v) in o
            .get("anyOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.strict(v, &format!("{at}/anyOf/{i}"), depth);
        }
    }

    /// OpenAI strict mode: a property the action does not require (in `original`) accepts
    /// `null`, which stands for leaving it out.
    fn nullable(&mut self, original: &Value, strict: &Value, at: &str) {
        let required: Vec<&str> = original["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(props) = original["properties"].as_object() else {
            return;
        };
        for (k, v) in props {
            let Some(t) = strict["properties"].get(k) else {
                self.add(
                    "openai-strict-nullable",
                    format!("input `{k}` at {} is missing", pointer(at)),
                );
                continue;
            };
            let here = format!("{at}/properties/{k}");
            if !required.contains(&k.as_str()) && !admits_null(t) {
                self.add(
                    "openai-strict-nullable",
                    format!("optional input at {} is not nullable", pointer(&here)),
                );
            }
            if t["properties"].is_object() {
                self.nullable(v, t, &here);
            }
        }
    }

    /// Gemini's schema subset: known keywords, one type, objects with properties, arrays with
    /// items, enums of strings.
    fn gemini(&mut self, s: &Value, at: &str) {
        let Some(o) = s.as_object() else {
            self.add(
                "gemini-keyword",
                format!("{} is not a schema object", pointer(at)),
            );
            return;
        };
        for k in o.keys().filter(|k| !GEMINI_KEYWORDS.contains(&k.as_str())) {
            self.add(
                "gemini-keyword",
                format!("`{k}` at {} is not in Gemini's schema subset", pointer(at)),
            );
        }
        let kind = o.get("type").and_then(Value::as_str).unwrap_or_default();
        if !matches!(
            kind,
            "string" | "number" | "integer" | "boolean" | "array" | "object"
        ) {
            self.add(
                "gemini-type",
                format!(
                    "{} needs one type of string, number, integer, boolean, array, object, not {}",
                    pointer(at),
                    o.get("type").unwrap_or(&Value::Null)
                ),
            );
        }
        if o.contains_key("enum") && kind != "string" {
            self.add(
                "gemini-enum",
                format!(
                    "`enum` at {} is on a {kind}: Gemini takes enums of strings only",
                    pointer(at)
                ),
            );
        }
        if kind == "object" {
            match o.get("properties").and_then(Value::as_object) {
                Some(p) if !p.is_empty() => {
                    for (k, v) in p {
                        self.gemini(v, &format!("{at}/properties/{k}"));
                    }
                }
                _ => self.add(
                    "gemini-object",
                    format!("the object at {} has no properties", pointer(at)),
                ),
            }
        }
        if kind == "array" {
            match o.get("items") {
                Some(items) => self.gemini(items, &format!("{at}/items")),
                None => self.add(
                    "gemini-array",
                    format!("the array at {} has no `items`", pointer(at)),
                ),
            }
        }
    }
}

/// `at` as shown in a message: the JSON pointer, or "the top level".
fn pointer(at: &str) -> String {
    if at.is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{at}`")
    }
}

fn is_type(o: &Map<String, Value>, kind: &str) -> bool {
    match o.get("type") {
        Some(Value::String(t)) => t == kind,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == kind),
        _ => false,
    }
}

fn admits_null(s: &Value) -> bool {
    match &s["type"] {
        Value::String(t) => t == "null",
        Value::Array(ts) => ts.iter().any(|t| t == "null"),
        _ => s["anyOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(admits_null)),
    }
}

#[cfg(test)]
mod tests {
    use actionspec_engine::Connector;
    use serde_json::json;

    use super::*;

    const YAML: &str = r#"
spec_version: 1
key: demo
name: Demo
version: 1.0.0
servers: { prod: { url: "https://api.example.com/v1" } }
default_server: prod
actions:
  find_user:
    name: Find User
    description: Find users.
    method: GET
    path: /users
    inputs:
      q: { type: string, in: query, required: true }
      level: { type: integer, in: query, enum: [1, 2] }
    examples:
      - input: { q: a }
"#;

    fn rules(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.rule).collect()
    }

    fn check(format: Format, tool: &Value) -> Vec<Problem> {
        let c = Connector::from_yaml("demo.yaml", YAML).unwrap();
        lint(format, c.action("find_user").unwrap(), tool)
    }

    /// The transforms of every format pass its lint (the shipped connectors are checked by the
    /// CLI tests).
    #[test]
    fn the_exports_pass() {
        let c = Connector::from_yaml("demo.yaml", YAML).unwrap();
        for format in [
            Format::Mcp,
            Format::Openai,
            Format::Anthropic,
            Format::Gemini,
        ] {
            let (_, problems) = super::super::export(&c, format);
            assert!(problems.is_empty(), "{format:?}: {problems:?}");
        }
    }

    #[test]
    fn strict_mode_needs_closed_objects_required_and_nullable_properties() {
        let tool = json!({"type": "function", "function": {
            "name": "demo_find_user", "description": "Find users.", "strict": true,
            "parameters": {"type": "object", "properties": {
                "q": {"type": "string"},
                "level": {"type": "integer", "default": 1}
            }, "required": ["q"]}
        }});
        let problems = check(Format::Openai, &tool);
        assert_eq!(
            rules(&problems),
            [
                "openai-strict-additional-properties",
                "openai-strict-required",
                "openai-strict-keyword",
                "openai-strict-nullable"
            ],
            "{problems:?}"
        );
        assert_eq!(problems[0].tool, "demo_find_user");
        assert_eq!(
            problems[1].message,
            "property `level` of the object at the top level is not listed in `required`"
        );
        assert_eq!(
            problems[2].message,
            "`default` at `/properties/level` is not supported in strict mode"
        );
        assert_eq!(
            problems[3].message,
            "optional input at `/properties/level` is not nullable"
        );
    }

    #[test]
    fn gemini_takes_its_subset_only() {
        let tool = json!({"name": "9demo find", "description": "Find users.", "parameters": {
        "type": "object", "additionalProperties": false, "properties": {
            "q": {"type": ["string", "null"]},
            "level": {"type": "integer", "enum": [1, 2]},
            "filter": {"type": "object"},
            "tags": {"type": "array"}
        }}});
        let problems = check(Format::Gemini, &tool);
        assert_eq!(
            rules(&problems),
            [
                "name",
                "gemini-keyword",
                "gemini-type",
                "gemini-enum",
                "gemini-object",
                "gemini-array"
            ],
            "{problems:?}"
        );
        assert!(problems[0].message.contains("`9demo find`"));
        assert_eq!(
            problems[3].message,
            "`enum` at `/properties/level` is on a integer: Gemini takes enums of strings only"
        );
    }

    #[test]
    fn schemas_are_self_contained_objects() {
        let tool = json!({"name": "demo_find_user", "description": " ", "inputSchema": {
            "anyOf": [{"$ref": "#/$defs/user"}]}});
        let problems = check(Format::Mcp, &tool);
        assert_eq!(
            rules(&problems),
            [
                "description",
                "top-level-object",
                "top-level-combinator",
                "no-ref"
            ],
            "{problems:?}"
        );
        assert_eq!(
            problems[3].message,
            "`$ref` at /anyOf/0/$ref: the schema must be self-contained"
        );
    }
}
