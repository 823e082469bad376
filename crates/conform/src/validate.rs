//! Validating a JSON value against an OpenAPI Schema Object: the subset a response check
//! needs, with every failure named by the JSON pointer of the value and the document location
//! of the keyword that failed.
//!
//! The subset (OpenAPI 3.0 §4.8.24 "Schema Object", 3.1 §4.8.24 with JSON Schema 2020-12,
//! Swagger 2.0 "Schema Object"): `$ref` (resolved across the document set), `type` (one name,
//! or a 3.1 list, `"null"` included), `nullable` (3.0) and `x-nullable` (Swagger 2.0), `enum`,
//! `const`, `format` (`date-time`, `date`, `email`, `uri`, `uuid`, `int32`, `int64`),
//! `minimum`/`maximum`, `minLength`/`maxLength`, `required`, `properties`,
//! `additionalProperties` (`false` or a schema), `items`, `allOf` (every member validates, and
//! `additionalProperties: false` in one member admits the properties of the others: the members
//! are merged), `oneOf`/`anyOf` (one of them validates).
//!
//! The engine's JSON Schema validator (its `schema` module, for inputs and the meta-schema) is
//! not used here:
//! OpenAPI 3.0 schemas are not JSON Schema (`nullable`, boolean `exclusiveMinimum`), findings
//! must name the document location across files, and unknown keywords must be counted rather
//! than rejected. Other keywords (`pattern`, `minItems`, `not`, unknown formats, …) are
//! ignored and counted per schema location, never reported as failures; annotations
//! (`description`, `example`, `discriminator`, `readOnly`, `x-…`) are ignored silently.

use std::collections::{BTreeMap, BTreeSet};

use actionspec_engine::schema::{TYPES, is_type};
use serde_json::Value;

use crate::document::DocumentSet;

/// How deep schemas nest (through `$ref`s and combinators) before validation stops there.
const MAX_DEPTH: usize = 64;

/// Keywords that only annotate: ignored without being counted.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "xml",
    "externalDocs",
    "discriminator",
    "$schema",
    "$id",
    "$comment",
    "contentMediaType",
    "contentEncoding",
];

/// Keywords this validator checks.
const CHECKED: &[&str] = &[
    "$ref",
    "type",
    "nullable",
    "x-nullable",
    "enum",
    "const",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
];

/// One failed rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON pointer (RFC 6901) of the failing value in the validated value; `""` for the root.
    pub pointer: String,
    /// What is wrong: `"customer" is not one of ["admin", "msp"]`.
    pub message: String,
    /// The failing keyword's location: `v1.yaml#/components/schemas/Org/properties/x/enum`.
    pub location: String,
}

/// A validator over one document set; it remembers the keywords it ignored.
#[derive(Debug)]
pub struct Validator<'d> {
    set: &'d DocumentSet,
    /// Ignored keyword → the schema locations that carry it.
    ignored: BTreeMap<String, BTreeSet<String>>,
}

impl<'d> Validator<'d> {
    /// A validator resolving `$ref`s in `set`.
    pub fn new(set: &'d DocumentSet) -> Validator<'d> {
        Validator {
            set,
            ignored: BTreeMap::new(),
        }
    }

    /// The keywords ignored so far, each with how many schema locations carry it.
    pub fn ignored(&self) -> BTreeMap<String, usize> {
        self.ignored
            .iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect()
    }

    /// Validates `value` against `schema` (in document `doc`, at location `at`); the failures,
    /// each with `pointer` prefixed to its own pointer.
    pub fn validate(
        &mut self,
        doc: usize,
        schema: &Value,
        at: &str,
        value: &Value,
        pointer: &str,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut ctx = Walk {
            pointer: pointer.to_owned(),
            out: &mut out,
        };
        self.schema(doc, schema, at.to_owned(), value, &mut ctx, 0, &[]);
        out
    }

    /// One schema; `siblings` are property names that `allOf` siblings declare.
    #[allow(clippy::too_many_arguments)]
    fn schema(
        &mut self,
        doc: usize,
        schema: &Value,
        at: String,
        value: &Value,
        w: &mut Walk<'_>,
        depth: usize,
        siblings: &[String],
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Ok((doc, schema, at)) = self.set.resolve_at(doc, schema, at) else {
            return;
        };
        let Some(map) = schema.as_object() else {
            return;
        };
        self.count_ignored(map, &at);
        if value.is_null() && nullable(map) {
            return;
        }
        if !self.type_ok(map, value, &at, w) {
            return;
        }
        scalar_rules(map, value, &at, w);
        if let Some(members) = map.get("allOf").and_then(Value::as_array) {
            let mut names: Vec<String> = siblings.to_vec();
            names.extend(self.property_names(doc, members, depth));
            for (i, member) in members.iter().enumerate() {
                let member_at = format!("{at}/allOf/{i}");
                self.schema(doc, member, member_at, value, w, depth + 1, &names);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(members) = map.get(keyword).and_then(Value::as_array) {
                self.one_of(doc, members, &format!("{at}/{keyword}"), value, w, depth);
            }
        }
        match value {
            Value::Object(object) => self.object(doc, map, &at, object, w, depth, siblings),
            Value::Array(items) => {
                if let Some(item) = map.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        let len = w.push(&i.to_string());
                        self.schema(doc, item, format!("{at}/items"), v, w, depth + 1, &[]);
                        w.pointer.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }

    /// `type`: false (and a violation) when the value has none of the schema's types.
    fn type_ok(
        &self,
        map: &serde_json::Map<String, Value>,
        value: &Value,
        at: &str,
        w: &mut Walk<'_>,
    ) -> bool {
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        if types.iter().any(|t| has_type(value, t)) {
            return true;
        }
        w.fail(
            format!("{} is not of type {}", excerpt(value), types.join(" or ")),
            format!("{at}/type"),
        );
        false
    }

    /// `properties`, `required`, `additionalProperties`.
    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        doc: usize,
        map: &serde_json::Map<String, Value>,
        at: &str,
        object: &serde_json::Map<String, Value>,
        w: &mut Walk<'_>,
        depth: usize,
        siblings: &[String],
    ) {
        let properties = map.get("properties").and_then(Value::as_object);
        if let Some(required) = map.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    w.fail(
                        format!("required member `{name}` is missing"),
                        format!("{at}/required"),
                    );
                }
            }
        }
        for (name, v) in object {
            let len = w.push(name);
            if let Some(schema) = properties.and_then(|p| p.get(name)) {
                let token = actionspec_engine::yaml::escape_token(name);
                let here = format!("{at}/properties/{token}");
                self.schema(doc, schema, here, v, w, depth + 1, &[]);
            } else if !siblings.iter().any(|s| s == name) {
                match map.get("additionalProperties") {
                    Some(Value::Bool(false)) => w.fail(
                        format!("member `{name}` is not allowed (no such property)"),
                        format!("{at}/additionalProperties"),
                    ),
                    Some(extra @ Value::Object(_)) => {
                        let here = format!("{at}/additionalProperties");
                        self.schema(doc, extra, here, v, w, depth + 1, &[]);
                    }
                    _ => {}
                }
            }
            w.pointer.truncate(len);
        }
    }

    /// `oneOf`/`anyOf`: some member validates; else one violation naming the closest member's
    /// first failure.
    fn one_of(
        &mut self,
        doc: usize,
        members: &[Value],
        at: &str,
        value: &Value,
        w: &mut Walk<'_>,
        depth: usize,
    ) {
        let mut closest: Option<Vec<Violation>> = None;
        for (i, member) in members.iter().enumerate() {
            let mut out = Vec::new();
            let mut inner = Walk {
                pointer: w.pointer.clone(),
                out: &mut out,
            };
            self.schema(
                doc,
                member,
                format!("{at}/{i}"),
                value,
                &mut inner,
                depth + 1,
                &[],
            );
            if out.is_empty() {
                return;
            }
            if closest.as_ref().is_none_or(|c| out.len() < c.len()) {
                closest = Some(out);
            }
        }
        let Some(first) = closest.and_then(|c| c.into_iter().next()) else {
            return;
        };
        w.fail(
            format!(
                "matches none of the {} schemas (closest: {}: {} at {})",
                members.len(),
                display_pointer(&first.pointer),
                first.message,
                first.location
            ),
            at.to_owned(),
        );
    }

    /// The property names the members of an `allOf` declare (through `$ref`s and nested
    /// `allOf`s).
    fn property_names(&self, doc: usize, members: &[Value], depth: usize) -> Vec<String> {
        let mut names = Vec::new();
        if depth > MAX_DEPTH {
            return names;
        }
        for member in members {
            let Ok((d, schema)) = self.set.resolve(doc, member) else {
                continue;
            };
            if let Some(p) = schema.get("properties").and_then(Value::as_object) {
                names.extend(p.keys().cloned());
            }
            if let Some(inner) = schema.get("allOf").and_then(Value::as_array) {
                names.extend(self.property_names(d, inner, depth + 1));
            }
        }
        names
    }

    fn count_ignored(&mut self, map: &serde_json::Map<String, Value>, at: &str) {
        for (key, value) in map {
            let known = CHECKED.contains(&key.as_str())
                || ANNOTATIONS.contains(&key.as_str())
                || key.starts_with("x-");
            let name = if !known {
                key.clone()
            } else if key == "format" && value.as_str().is_some_and(|f| !known_format(f)) {
                format!("format: {}", value.as_str().unwrap_or(""))
            } else {
                continue;
            };
            self.ignored.entry(name).or_default().insert(at.to_owned());
        }
    }
}

/// Where violations go, and the pointer of the value being validated.
struct Walk<'o> {
    pointer: String,
    out: &'o mut Vec<Violation>,
}

impl Walk<'_> {
    /// Appends a reference token; returns the length to truncate back to.
    fn push(&mut self, token: &str) -> usize {
        let len = self.pointer.len();
        self.pointer.push('/');
        self.pointer
            .push_str(&actionspec_engine::yaml::escape_token(token));
        len
    }

    fn fail(&mut self, message: String, location: String) {
        self.out.push(Violation {
            pointer: self.pointer.clone(),
            message,
            location,
        });
    }
}

/// A pointer as printed: `""` (the whole value) as `/`.
pub fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

fn nullable(map: &serde_json::Map<String, Value>) -> bool {
    let flag = |k: &str| map.get(k).and_then(Value::as_bool).unwrap_or(false);
    let listed = match map.get("type") {
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        Some(Value::String(t)) => t == "null",
        _ => false,
    };
    flag("nullable") || flag("x-nullable") || listed
}

/// The engine's JSON Schema type test; a type name it does not know is no failure here.
fn has_type(value: &Value, name: &str) -> bool {
    !TYPES.contains(&name) || is_type(value, name)
}

/// `enum`, `const`, `format`, `minimum`, `maximum`, `minLength`, `maxLength`.
fn scalar_rules(map: &serde_json::Map<String, Value>, value: &Value, at: &str, w: &mut Walk<'_>) {
    if let Some(options) = map.get("enum").and_then(Value::as_array) {
        // 3.0: a nullable enum admits null even when the list omits it (handled above).
        if !options.contains(value) {
            let listed: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            w.fail(
                format!(
                    "{} is not one of [{}]",
                    excerpt(value),
                    truncate(&listed.join(", "), 200)
                ),
                format!("{at}/enum"),
            );
        }
    }
    if let Some(constant) = map.get("const").filter(|c| *c != value) {
        w.fail(
            format!("{} is not {constant}", excerpt(value)),
            format!("{at}/const"),
        );
    }
    if let (Some(format), Value::String(s)) = (map.get("format").and_then(Value::as_str), value)
        && !format_ok(format, s)
    {
        w.fail(
            format!("{} is not a valid {format}", excerpt(value)),
            format!("{at}/format"),
        );
    }
    if let Some(n) = value.as_f64() {
        bound(map, "minimum", n, at, w, |n, m| n >= m, "less than");
        bound(map, "maximum", n, at, w, |n, m| n <= m, "greater than");
    }
    if let Value::String(s) = value {
        let len = s.chars().count() as f64;
        bound(map, "minLength", len, at, w, |n, m| n >= m, "shorter than");
        bound(map, "maxLength", len, at, w, |n, m| n <= m, "longer than");
    }
}

fn bound(
    map: &serde_json::Map<String, Value>,
    keyword: &str,
    n: f64,
    at: &str,
    w: &mut Walk<'_>,
    ok: fn(f64, f64) -> bool,
    word: &str,
) {
    if let Some(limit) = map.get(keyword).and_then(Value::as_f64)
        && !ok(n, limit)
    {
        let what = if keyword.ends_with("Length") {
            format!("a string of {n} characters is {word} {limit}")
        } else {
            format!("{n} is {word} {limit}")
        };
        w.fail(what, format!("{at}/{keyword}"));
    }
}

fn known_format(format: &str) -> bool {
    matches!(
        format,
        "date-time" | "date" | "email" | "uri" | "uuid" | "int32" | "int64"
    )
}

/// Cheap checks of the common formats (RFC 3339 `date-time`/`full-date`, RFC 5321-ish
/// `email`, RFC 3986 `uri` scheme, RFC 4122 `uuid`); other formats pass.
pub fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "date-time" => date_time(s),
        "date" => full_date(s),
        "email" => match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !s.contains(char::is_whitespace)
            }
            None => false,
        },
        "uri" => match s.split_once(':') {
            Some((scheme, _)) => {
                scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    && !s.contains(char::is_whitespace)
            }
            None => false,
        },
        "uuid" => {
            let parts: Vec<&str> = s.split('-').collect();
            parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
                && parts
                    .iter()
                    .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
        }
        _ => true,
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`.
fn full_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([4, 2, 2])
        && parts.iter().all(|p| digits(p))
        && matches!(parts[1].parse::<u8>(), Ok(1..=12))
        && matches!(parts[2].parse::<u8>(), Ok(1..=31))
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => return false,
    };
    let clock = clock
        .split_once('.')
        .map_or(clock, |(c, frac)| if digits(frac) { c } else { "bad" });
    let hms: Vec<&str> = clock.split(':').collect();
    let zone_ok = matches!(zone, "Z" | "z")
        || (zone.len() == 6
            && zone.as_bytes().get(3) == Some(&b':')
            && digits(&zone[1..3])
            && digits(&zone[4..]));
    full_date(date) && hms.len() == 3 && hms.iter().all(|p| p.len() == 2 && digits(p)) && zone_ok
}

/// A value as a message shows it: JSON, cut at 80 characters.
fn excerpt(value: &Value) -> String {
    truncate(&value.to_string(), 80)
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(format_ok("date-time", "2024-01-02T03:04:05Z"));
        assert!(format_ok("date-time", "2024-01-02T03:04:05.123+02:00"));
        assert!(!format_ok("date-time", ""));
        assert!(!format_ok("date-time", "2024-01-02"));
        assert!(format_ok("email", "a@b.example"));
        assert!(!format_ok("email", "ab.example"));
        assert!(format_ok("uri", "https://x.example/a"));
        assert!(!format_ok("uri", "not a uri"));
        assert!(format_ok("uuid", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(!format_ok("uuid", "123e4567"));
    }

    #[test]
    fn nullable_enum_allof_and_one_of() {
        let set = DocumentSet::from_texts(&[(
            "d.yaml",
            r#"
openapi: 3.0.3
paths: {}
components:
  schemas:
    Base: { type: object, properties: { id: { type: string } } }
    Org:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          additionalProperties: false
          properties:
            kind: { type: string, enum: [a, b], nullable: true }
            n: { oneOf: [ { type: integer, minimum: 1 }, { type: string } ] }
"#,
        )])
        .unwrap_or_default();
        let schema = serde_json::json!({ "$ref": "#/components/schemas/Org" });
        let mut v = Validator::new(&set);
        let ok = serde_json::json!({ "id": "x", "kind": null, "n": 2 });
        assert!(v.validate(0, &schema, "d.yaml#", &ok, "").is_empty());
        let bad = serde_json::json!({ "id": "x", "kind": "c", "n": 0, "z": 1 });
        let found: Vec<String> = v
            .validate(0, &schema, "d.yaml#", &bad, "")
            .into_iter()
            .map(|f| format!("{}: {} ({})", f.pointer, f.message, f.location))
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with(
            "/kind: \"c\" is not one of [\"a\", \"b\"] (d.yaml#/components/schemas/Org/allOf/1/properties/kind/enum)"
        ));
    }
}
