//! OpenAPI schemas (3.0, 3.1 and Swagger 2.0 Schema Objects) as the part of JSON Schema that
//! action inputs are checked with (`actionspec_engine::schema`): `$ref`s resolved and inlined,
//! a cycle cut where it comes back with a `$comment`, `allOf` merged, 3.0's `nullable` and
//! boolean `exclusiveMinimum` rewritten, `example` as `examples`. What cannot be checked
//! (`oneOf`, `anyOf`, `not`, an unknown `format`, a pattern outside the `regex` syntax, levels
//! past [`MAX_DEPTH`]) is left out with a `$comment` saying so, never silently.

use actionspec_conform::DocumentSet;
use actionspec_engine::schema::{FORMATS, Schema};
use serde_json::{Map, Value, json};

/// How many levels of a schema are inlined below an input; deeper ones are not checked.
pub const MAX_DEPTH: usize = 8;

/// Numeric formats that only restate the type (OpenAPI's `int32`, `int64`, `float`, `double`).
const NUMERIC_FORMATS: &[&str] = &["int32", "int64", "float", "double"];

/// Keywords copied as they are (after their subschemas are converted).
const COPIED: &[&str] = &[
    "enum",
    "const",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Constraint keywords that the input checker does not know: left out, named in a `$comment`.
const UNCHECKED: &[&str] = &[
    "oneOf",
    "anyOf",
    "not",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "contains",
    "prefixItems",
    "unevaluatedProperties",
];

/// Converts the schemas of one document set.
pub struct Converter<'a> {
    set: &'a DocumentSet,
    stack: Vec<String>,
}

impl<'a> Converter<'a> {
    /// A converter over `set`.
    pub fn new(set: &'a DocumentSet) -> Converter<'a> {
        Converter {
            set,
            stack: Vec::new(),
        }
    }

    /// The schema at `schema` (in document `doc`), converted.
    pub fn convert(&mut self, doc: usize, schema: &Value) -> Value {
        self.stack.clear();
        self.at(doc, schema, 0)
    }

    fn at(&mut self, doc: usize, schema: &Value, depth: usize) -> Value {
        if let Some(b) = schema.as_bool() {
            return Value::Bool(b);
        }
        if depth > MAX_DEPTH {
            return json!({ "$comment": format!("deeper than {MAX_DEPTH} levels: not checked") });
        }
        let reference = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(r) = &reference {
            let key = format!("{doc}{r}");
            if self.stack.contains(&key) {
                return json!({ "$comment": format!("cycle: {r} contains itself here; not checked deeper") });
            }
            self.stack.push(key);
        }
        let out = match self.set.resolve(doc, schema) {
            Ok((d, s)) => self.object(d, s, depth),
            Err(why) => json!({ "$comment": format!("not checked: {why}") }),
        };
        if reference.is_some() {
            self.stack.pop();
        }
        out
    }

    fn object(&mut self, doc: usize, s: &Value, depth: usize) -> Value {
        let Some(map) = s.as_object() else {
            return json!({});
        };
        let mut out = Map::new();
        let mut notes = Vec::new();
        self.types(map, &mut out);
        for key in COPIED {
            if let Some(v) = map.get(*key) {
                out.insert((*key).to_owned(), v.clone());
            }
        }
        if let Some(example) = map.get("example").filter(|_| !out.contains_key("examples")) {
            out.insert("examples".into(), json!([example]));
        }
        bounds(map, &mut out);
        if let Some(p) = map.get("pattern").and_then(Value::as_str) {
            if Schema::compile(&json!({ "pattern": p })).is_ok() {
                out.insert("pattern".into(), p.into());
            } else {
                notes.push(format!(
                    "pattern {p:?} is not in the regex syntax: not checked"
                ));
            }
        }
        if let Some(f) = map.get("format").and_then(Value::as_str) {
            if FORMATS.contains(&f) {
                out.insert("format".into(), f.into());
            } else if !NUMERIC_FORMATS.contains(&f) {
                notes.push(format!("format {f:?} not checked"));
            }
        }
        if let Some(items) = map.get("items") {
            let items = self.at(doc, items, depth + 1);
            out.insert("items".into(), items);
        }
        self.members(doc, map, depth, &mut out);
        for part in map
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let part = self.at(doc, part, depth + 1);
            merge(&mut out, part);
        }
        self.alternatives(doc, map, depth, &mut out, &mut notes);
        for key in UNCHECKED.iter().filter(|k| map.contains_key(**k)) {
            if !matches!(*key, "oneOf" | "anyOf") {
                notes.push(format!("`{key}` not checked"));
            }
        }
        if !notes.is_empty() {
            out.insert("$comment".into(), notes.join("; ").into());
        }
        Value::Object(out)
    }

    /// `type`, with 3.0's `nullable: true` as a `"null"` type.
    fn types(&self, map: &Map<String, Value>, out: &mut Map<String, Value>) {
        let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
        match map.get("type") {
            Some(Value::String(t)) if t == "file" => {
                out.insert("type".into(), "string".into());
            }
            Some(Value::String(t)) if nullable => {
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(t) => {
                out.insert("type".into(), t.clone());
            }
            None => {}
        }
    }

    fn members(
        &mut self,
        doc: usize,
        map: &Map<String, Value>,
        depth: usize,
        out: &mut Map<String, Value>,
    ) {
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            let mut converted = Map::new();
            for (name, p) in props {
                converted.insert(name.clone(), self.at(doc, p, depth + 1));
            }
            out.insert("properties".into(), Value::Object(converted));
        }
        if let Some(required) = map.get("required").filter(|r| r.is_array()) {
            out.insert("required".into(), required.clone());
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(b)) => {
                out.insert("additionalProperties".into(), Value::Bool(*b));
            }
            Some(ap @ Value::Object(_)) => {
                let ap = self.at(doc, ap, depth + 1);
                out.insert("additionalProperties".into(), ap);
            }
            _ => {}
        }
    }

    /// `oneOf`/`anyOf`: when every branch is an object, their members are united (none
    /// required); otherwise the alternatives are not checked.
    fn alternatives(
        &mut self,
        doc: usize,
        map: &Map<String, Value>,
        depth: usize,
        out: &mut Map<String, Value>,
        notes: &mut Vec<String>,
    ) {
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = map.get(key).and_then(Value::as_array) else {
                continue;
            };
            let converted: Vec<Value> = branches
                .iter()
                .map(|b| self.at(doc, b, depth + 1))
                .collect();
            let objects = converted.iter().all(|b| b.get("properties").is_some());
            if objects {
                for mut b in converted {
                    if let Some(b) = b.as_object_mut() {
                        b.remove("required");
                        b.remove("additionalProperties");
                    }
                    merge(out, b);
                }
                notes.push(format!(
                    "{key} of {} object schemas: their members united, none required",
                    branches.len()
                ));
            } else {
                notes.push(format!("{key} of {} schemas not checked", branches.len()));
            }
        }
    }
}

/// 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` beside `minimum`/`maximum`, as 3.1's
/// numbers.
fn bounds(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(exclusive) {
            Some(Value::Bool(true)) => {
                if let Some(b) = out.remove(bound) {
                    out.insert(exclusive.into(), b);
                }
            }
            Some(n @ Value::Number(_)) => {
                out.insert(exclusive.into(), n.clone());
            }
            _ => {}
        }
    }
}

/// `part` merged into `into` (an `allOf` member): properties and required united, other
/// keywords kept where `into` has none.
pub fn merge(into: &mut Map<String, Value>, part: Value) {
    let Value::Object(part) = part else { return };
    for (k, v) in part {
        match (k.as_str(), into.get_mut(&k), v) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (name, s) in theirs {
                    mine.entry(name).or_insert(s);
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for name in theirs {
                    if !mine.contains(&name) {
                        mine.push(name);
                    }
                }
            }
            ("$comment", Some(Value::String(mine)), Value::String(theirs)) => {
                mine.push_str("; ");
                mine.push_str(&theirs);
            }
            (_, Some(_), _) => {}
            (_, None, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// A value valid against `schema` (a converted schema): its example, default, first enum value
/// or const, else one built from its type and bounds. `None` when none is found valid.
pub fn sample(schema: &Value) -> Option<Value> {
    let compiled = Schema::compile(schema).ok()?;
    let valid = |v: &Value| compiled.violations(v).is_empty();
    let given = [
        schema.get("examples").and_then(|e| e.get(0)).cloned(),
        schema.get("default").cloned(),
        schema.get("const").cloned(),
        schema.get("enum").and_then(|e| e.get(0)).cloned(),
    ];
    if let Some(v) = given.into_iter().flatten().find(|v| valid(v)) {
        return Some(v);
    }
    Some(built(schema, 0)).filter(|v| valid(v))
}

fn first_type(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "string",
    }
}

/// A value built from a schema's type and bounds (not checked here).
fn built(schema: &Value, depth: usize) -> Value {
    let given = schema
        .get("examples")
        .and_then(|e| e.get(0))
        .or_else(|| schema.get("default"))
        .or_else(|| schema.get("const"))
        .or_else(|| schema.get("enum").and_then(|e| e.get(0)));
    if let Some(v) = given {
        return v.clone();
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    match first_type(schema) {
        "integer" => json!(number("minimum").map_or(1, |m| m.ceil() as i64)),
        "number" => json!(number("minimum").unwrap_or(1.0)),
        "boolean" => json!(true),
        "null" => Value::Null,
        "array" if depth < MAX_DEPTH => {
            let n = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            let item = schema
                .get("items")
                .map_or(json!("string"), |i| built(i, depth + 1));
            let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
            Value::Array(
                (0..if unique { 1 } else { n })
                    .map(|_| item.clone())
                    .collect(),
            )
        }
        "object" if depth < MAX_DEPTH => {
            let mut out = Map::new();
            let required = schema.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                let member = schema.pointer(&format!(
                    "/properties/{}",
                    actionspec_engine::yaml::escape_token(name)
                ));
                out.insert(
                    name.to_owned(),
                    member.map_or(json!("string"), |m| built(m, depth + 1)),
                );
            }
            Value::Object(out)
        }
        "array" => json!([]),
        "object" => json!({}),
        _ => string(schema),
    }
}

/// A string of the schema's format, pattern (its literal parts and first class members) or
/// length.
fn string(schema: &Value) -> Value {
    let format = schema.get("format").and_then(Value::as_str);
    let text = match format {
        Some("date-time") => "2024-01-01T00:00:00Z".to_owned(),
        Some("date") => "2024-01-01".to_owned(),
        Some("time") => "12:00:00Z".to_owned(),
        Some("email") => "user@example.com".to_owned(),
        Some("uri") => "https://example.com/".to_owned(),
        Some("uuid") => "123e4567-e89b-12d3-a456-426614174000".to_owned(),
        Some("ipv4") => "192.0.2.1".to_owned(),
        Some("ipv6") => "2001:db8::1".to_owned(),
        Some("hostname") => "example.com".to_owned(),
        _ => match schema.get("pattern").and_then(Value::as_str) {
            Some(p) => from_pattern(p),
            None => "example".to_owned(),
        },
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut text: String = text.chars().take(max.unwrap_or(usize::MAX)).collect();
    while text.chars().count() < min {
        text.push('x');
    }
    Value::String(text)
}

/// A string for a simple pattern: literal characters, the first member of each class (`\d` →
/// `0`, `[A-Z]` → `A`), repeated as often as the smallest repetition asks (once for `+`).
fn from_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .chars()
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let (unit, next) = match chars[i] {
            '\\' => (escape(chars.get(i + 1).copied()), i + 2),
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .map_or(chars.len(), |e| i + e);
                let first = chars
                    .get(i + 1)
                    .copied()
                    .filter(|c| *c != '^')
                    .unwrap_or('a');
                let first = if first == '\\' {
                    escape(chars.get(i + 2).copied())
                } else {
                    first
                };
                (first, end + 1)
            }
            '.' => ('a', i + 1),
            '(' | ')' | '|' => {
                i += 1;
                continue;
            }
            c => (c, i + 1),
        };
        let (count, after) = repetition(&chars, next);
        for _ in 0..count {
            out.push(unit);
        }
        i = after;
    }
    out
}

fn escape(c: Option<char>) -> char {
    match c {
        Some('d') => '0',
        Some('w') | Some('s') | None => 'a',
        Some(c) => c,
    }
}

/// The smallest count of a repetition at `at` (`{n}`, `{n,m}`, `+`, `*`, `?`), and where it
/// ends.
fn repetition(chars: &[char], at: usize) -> (usize, usize) {
    match chars.get(at) {
        Some('+') => (1, at + 1),
        Some('*') | Some('?') => (0, at + 1),
        Some('{') => {
            let end = chars[at..]
                .iter()
                .position(|c| *c == '}')
                .map_or(chars.len(), |e| at + e);
            let inner: String = chars[at + 1..end.min(chars.len())].iter().collect();
            let n = inner
                .split(',')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(1);
            (n, end + 1)
        }
        _ => (1, at),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn samples_honour_patterns_formats_and_bounds() {
        for (schema, want) in [
            (
                json!({"type": "string", "pattern": "^C[A-Z0-9]{8,}$"}),
                json!("CAAAAAAAA"),
            ),
            (
                json!({"type": "string", "pattern": "^bk_[a-z0-9]+$"}),
                json!("bk_a"),
            ),
            (
                json!({"type": "string", "format": "email"}),
                json!("user@example.com"),
            ),
            (json!({"type": "integer", "minimum": 5}), json!(5)),
            (
                json!({"type": "array", "items": {"type": "string"}, "minItems": 2}),
                json!(["example", "example"]),
            ),
            (json!({"type": "string", "enum": ["a", "b"]}), json!("a")),
        ] {
            assert_eq!(sample(&schema), Some(want), "{schema}");
        }
    }

    #[test]
    fn a_ref_cycle_is_cut_with_a_comment() {
        let set = DocumentSet::from_texts(&[(
            "a.yaml",
            "components: { schemas: { Node: { type: object, properties: { child: { $ref: '#/components/schemas/Node' } } } } }\n",
        )])
        .unwrap();
        let start = json!({ "$ref": "#/components/schemas/Node" });
        let out = Converter::new(&set).convert(0, &start);
        assert_eq!(
            out["properties"]["child"]["$comment"],
            "cycle: #/components/schemas/Node contains itself here; not checked deeper"
        );
        assert!(Schema::compile(&out).is_ok());
    }
}
