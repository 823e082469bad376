//! The part of JSON Schema (draft 2020-12) that action inputs are checked with, compiled once.
//!
//! Inputs declare scalars with bounds, arrays of items and objects of members; this module checks
//! exactly those keywords and refuses any other, so a schema never silently checks less than it
//! says. Keywords: `type` (one name or a list), `enum`, `const`, `minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength` (in characters),
//! `pattern` (unanchored, in the `regex` crate's syntax: ECMA-262 without look-around or
//! back-references), `format` (see [`FORMATS`]), `items`, `minItems`, `maxItems`,
//! `uniqueItems`, `properties`, `required`, `additionalProperties`; annotations (`$schema`,
//! `title`, `description`, `default`, `examples`, `deprecated`, `readOnly`, `writeOnly`,
//! `$comment`) are allowed and ignored. Boolean schemas (`true`, `false`) and `{}` are allowed.

use std::net::{Ipv4Addr, Ipv6Addr};

pub use crate::input::{compile, input_property_schema, input_schema, json_type, violations};

use indexmap::IndexMap;
use serde_json::Value;

/// The `format` values that are checked (JSON Schema 2020-12 §7.3: dates and times per
/// RFC 3339, `email` per RFC 5321's shape, `uri` an absolute URI per RFC 3986, `uuid` per
/// RFC 4122's text form, `ipv4`/`ipv6`, `hostname` per RFC 1123).
pub const FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "email",
    "uri",
    "uuid",
    "ipv4",
    "ipv6",
    "hostname",
];

const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

const KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
];

/// A compiled schema.
#[derive(Debug, Default)]
pub struct Schema {
    /// `false`: nothing is valid.
    never: bool,
    types: Vec<String>,
    allowed: Option<Vec<Value>>,
    constant: Option<Value>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<(String, regex::Regex)>,
    format: Option<String>,
    items: Option<Box<Schema>>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    unique_items: bool,
    properties: IndexMap<String, Schema>,
    required: Vec<String>,
    /// `None`: any other member is allowed.
    additional: Option<Box<Schema>>,
}

/// One reason a value does not satisfy a schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The value is not of the declared type(s): `expected` reads `string` or `string or null`.
    Type {
        /// The type names allowed.
        expected: String,
    },
    /// The value is not one of `enum`'s.
    Enum {
        /// The allowed values.
        options: Vec<Value>,
    },
    /// A required member is missing.
    Required {
        /// The member's name.
        name: String,
    },
    /// Members that `additionalProperties` does not allow.
    Unexpected {
        /// Their names, in the value's order.
        names: Vec<String>,
    },
    /// Any other keyword: `{value}` in the message stands for the value (which may be
    /// sensitive, so the caller decides how it is shown).
    Other {
        /// E.g. `{value} is greater than the maximum of 100`.
        message: String,
    },
}

/// A problem and where: `pointer` (RFC 6901) into the value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where in the value.
    pub pointer: String,
    /// What is wrong.
    pub problem: Problem,
}

impl Schema {
    /// Compiles a schema (a JSON object or boolean).
    ///
    /// # Errors
    /// A keyword outside the supported set, a keyword with a value of the wrong shape, an
    /// invalid `pattern` or an unknown `format`: a message naming the schema location
    /// (`/items/properties/id`) and what to use instead.
    pub fn compile(schema: &Value) -> Result<Schema, String> {
        compile_at(schema, "")
    }

    /// Every problem of `value`, in document order.
    pub fn violations(&self, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(value, &mut String::new(), &mut out);
        out
    }

    fn check(&self, value: &Value, at: &mut String, out: &mut Vec<Violation>) {
        let mut add = |problem: Problem| {
            out.push(Violation {
                pointer: at.clone(),
                problem,
            });
        };
        if self.never {
            add(other("{value} is not allowed here"));
            return;
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| is_type(value, t)) {
            add(Problem::Type {
                expected: self.types.join(" or "),
            });
            return;
        }
        if let Some(options) = &self.allowed
            && !options.iter().any(|o| same(o, value))
        {
            add(Problem::Enum {
                options: options.clone(),
            });
        }
        if let Some(c) = &self.constant
            && !same(c, value)
        {
            add(other(&format!("{c} was expected")));
        }
        match value {
            Value::Number(n) => self.check_number(n.as_f64().unwrap_or(f64::NAN), &mut add),
            Value::String(s) => self.check_string(s, &mut add),
            Value::Array(items) => self.check_array(items, at, out),
            Value::Object(members) => self.check_object(members, at, out),
            _ => {}
        }
    }

    fn check_number(&self, n: f64, add: &mut impl FnMut(Problem)) {
        let failed = [
            (
                self.minimum.filter(|m| n < *m),
                "is less than the minimum of",
            ),
            (
                self.maximum.filter(|m| n > *m),
                "is greater than the maximum of",
            ),
            (
                self.exclusive_minimum.filter(|m| n <= *m),
                "is not above the exclusive minimum of",
            ),
            (
                self.exclusive_maximum.filter(|m| n >= *m),
                "is not below the exclusive maximum of",
            ),
        ];
        for (limit, words) in failed {
            if let Some(limit) = limit {
                add(other(&format!("{{value}} {words} {}", number_text(limit))));
            }
        }
    }

    fn check_string(&self, s: &str, add: &mut impl FnMut(Problem)) {
        let chars = s.chars().count() as u64;
        if let Some(min) = self.min_length.filter(|m| chars < *m) {
            add(other(&format!(
                "{{value}} is shorter than {}",
                characters(min)
            )));
        }
        if let Some(max) = self.max_length.filter(|m| chars > *m) {
            add(other(&format!(
                "{{value}} is longer than {}",
                characters(max)
            )));
        }
        if let Some((text, re)) = &self.pattern
            && !re.is_match(s)
        {
            add(other(&format!("{{value}} does not match \"{text}\"")));
        }
        if let Some(format) = &self.format
            && !format_holds(format, s)
        {
            add(other(&format!("{{value}} is not a \"{format}\"")));
        }
    }

    fn check_array(&self, items: &[Value], at: &mut String, out: &mut Vec<Violation>) {
        let n = items.len() as u64;
        let mut add = |message: String| {
            out.push(Violation {
                pointer: at.clone(),
                problem: Problem::Other { message },
            });
        };
        if let Some(min) = self.min_items.filter(|m| n < *m) {
            add(format!("{{value}} has fewer than {}", plural(min, "item")));
        }
        if let Some(max) = self.max_items.filter(|m| n > *m) {
            add(format!("{{value}} has more than {}", plural(max, "item")));
        }
        if self.unique_items
            && items
                .iter()
                .enumerate()
                .any(|(i, a)| items[..i].iter().any(|b| same(a, b)))
        {
            add("{value} has repeated items".to_owned());
        }
        if let Some(schema) = &self.items {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                schema.check(item, at, out);
                at.truncate(len);
            }
        }
    }

    fn check_object(
        &self,
        members: &serde_json::Map<String, Value>,
        at: &mut String,
        out: &mut Vec<Violation>,
    ) {
        for name in self.required.iter().filter(|r| !members.contains_key(*r)) {
            out.push(Violation {
                pointer: at.clone(),
                problem: Problem::Required { name: name.clone() },
            });
        }
        let mut unexpected = Vec::new();
        for (name, value) in members {
            let schema = match self.properties.get(name) {
                Some(s) => s,
                None => match &self.additional {
                    Some(s) if s.never => {
                        unexpected.push(name.clone());
                        continue;
                    }
                    Some(s) => s,
                    None => continue,
                },
            };
            let len = at.len();
            at.push('/');
            at.push_str(&crate::yaml::escape_token(name));
            schema.check(value, at, out);
            at.truncate(len);
        }
        if !unexpected.is_empty() {
            out.push(Violation {
                pointer: at.clone(),
                problem: Problem::Unexpected { names: unexpected },
            });
        }
    }
}

fn other(message: &str) -> Problem {
    Problem::Other {
        message: message.to_owned(),
    }
}

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn characters(n: u64) -> String {
    plural(n, "character")
}

/// Integral limits read `100`, not `100.0`.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// JSON Schema's type test: an integer is any number with no fractional part (so `250.0`).
fn is_type(v: &Value, t: &str) -> bool {
    match (t, v) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON Schema equality: numbers compare by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn compile_at(schema: &Value, at: &str) -> Result<Schema, String> {
    let where_ = if at.is_empty() { "the schema" } else { at };
    let members = match schema {
        Value::Bool(b) => {
            return Ok(Schema {
                never: !b,
                ..Schema::default()
            });
        }
        Value::Object(m) => m,
        _ => return Err(format!("{where_}: a schema is an object or a boolean")),
    };
    if let Some(k) = members
        .keys()
        .find(|k| !KEYWORDS.contains(&k.as_str()) && !ANNOTATIONS.contains(&k.as_str()))
    {
        return Err(format!(
            "{where_}: the JSON Schema keyword `{k}` is not supported in inputs; supported: {}",
            KEYWORDS.join(", ")
        ));
    }
    let mut s = Schema {
        types: types_of(members.get("type"), where_)?,
        allowed: members
            .get("enum")
            .map(|v| array_of(v, "enum", where_))
            .transpose()?,
        constant: members.get("const").cloned(),
        ..Schema::default()
    };
    compile_bounds(&mut s, members, where_)?;
    compile_strings(&mut s, members, where_)?;
    compile_nested(&mut s, members, at)?;
    Ok(s)
}

fn compile_bounds(
    s: &mut Schema,
    m: &serde_json::Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    let num = |k: &str| -> Result<Option<f64>, String> {
        m.get(k)
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| format!("{at}: `{k}` takes a number"))
            })
            .transpose()
    };
    let count = |k: &str| -> Result<Option<u64>, String> {
        m.get(k)
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| format!("{at}: `{k}` takes a whole number of at least 0"))
            })
            .transpose()
    };
    s.minimum = num("minimum")?;
    s.maximum = num("maximum")?;
    s.exclusive_minimum = num("exclusiveMinimum")?;
    s.exclusive_maximum = num("exclusiveMaximum")?;
    s.min_length = count("minLength")?;
    s.max_length = count("maxLength")?;
    s.min_items = count("minItems")?;
    s.max_items = count("maxItems")?;
    s.unique_items = match m.get("uniqueItems") {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("{at}: `uniqueItems` takes true or false"))?,
    };
    Ok(())
}

fn compile_strings(
    s: &mut Schema,
    m: &serde_json::Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    if let Some(p) = m.get("pattern") {
        let text = p
            .as_str()
            .ok_or_else(|| format!("{at}: `pattern` takes a regular expression"))?;
        let re = regex::RegexBuilder::new(text)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("{at}: `pattern` is not a valid regular expression: {e}"))?;
        s.pattern = Some((text.to_owned(), re));
    }
    if let Some(f) = m.get("format") {
        let name = f.as_str().unwrap_or_default();
        if !FORMATS.contains(&name) {
            return Err(format!(
                "{at}: unknown format {f}; the formats checked are {}",
                FORMATS.join(", ")
            ));
        }
        s.format = Some(name.to_owned());
    }
    Ok(())
}

fn compile_nested(
    s: &mut Schema,
    m: &serde_json::Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    if let Some(items) = m.get("items") {
        s.items = Some(Box::new(compile_at(items, &format!("{at}/items"))?));
    }
    if let Some(props) = m.get("properties") {
        let props = props
            .as_object()
            .ok_or_else(|| format!("{at}/properties: takes an object of schemas"))?;
        for (name, schema) in props {
            let here = format!("{at}/properties/{}", crate::yaml::escape_token(name));
            s.properties
                .insert(name.clone(), compile_at(schema, &here)?);
        }
    }
    if let Some(req) = m.get("required") {
        let names = array_of(req, "required", at)?;
        s.required = names
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("{at}/required: takes a list of member names"))?;
    }
    if let Some(extra) = m.get("additionalProperties") {
        let here = format!("{at}/additionalProperties");
        s.additional = Some(Box::new(compile_at(extra, &here)?));
    }
    Ok(())
}

fn types_of(v: Option<&Value>, at: &str) -> Result<Vec<String>, String> {
    const NAMES: &[&str] = &[
        "null", "boolean", "integer", "number", "string", "array", "object",
    ];
    let names: Vec<&Value> = match v {
        None => return Ok(Vec::new()),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
    };
    names
        .into_iter()
        .map(|n| match n.as_str() {
            Some(t) if NAMES.contains(&t) => Ok(t.to_owned()),
            _ => Err(format!(
                "{at}: `type` {n} is not one of {}",
                NAMES.join(", ")
            )),
        })
        .collect()
}

fn array_of(v: &Value, keyword: &str, at: &str) -> Result<Vec<Value>, String> {
    v.as_array()
        .cloned()
        .ok_or_else(|| format!("{at}: `{keyword}` takes a list"))
}

/// Whether `s` is of the named format (one of [`FORMATS`]).
fn format_holds(format: &str, s: &str) -> bool {
    match format {
        "date-time" => date_time(s),
        "date" => date(s),
        "time" => time(s),
        "email" => email(s),
        "uri" => url::Url::parse(s).is_ok(),
        "uuid" => uuid(s),
        "ipv4" => s.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<Ipv6Addr>().is_ok(),
        "hostname" => hostname(s),
        _ => true,
    }
}

/// `n` ASCII digits as a number.
fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`, a real day (leap years included).
fn date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 `full-time`: `HH:MM:SS[.frac]` then `Z` or `±HH:MM`.
fn time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (digits(&s[..2]), digits(&s[3..5]), digits(&s[6..8]))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes().first() {
        Some(b'Z' | b'z') => rest.len() == 1,
        Some(b'+' | b'-') => {
            let o = &rest[1..];
            o.len() == 5
                && o.as_bytes()[2] == b':'
                && digits(&o[..2]).is_some_and(|h| h <= 23)
                && digits(&o[3..]).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// RFC 3339 `date-time`: a date, `T` (or `t`), a time.
fn date_time(s: &str) -> bool {
    s.len() > 11
        && s.is_char_boundary(10)
        && date(&s[..10])
        && matches!(s.as_bytes()[10], b'T' | b't')
        && time(&s[11..])
}

/// `local@domain`: a local part with no space, and a host name or a bracketed address.
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(ip) => {
            ip.parse::<Ipv4Addr>().is_ok()
                || ip
                    .strip_prefix("IPv6:")
                    .is_some_and(|v| v.parse::<Ipv6Addr>().is_ok())
        }
        None => hostname(domain),
    };
    local_ok && domain_ok
}

/// RFC 1123 host name: dot-separated labels of 1–63 letters, digits and inner hyphens.
fn hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// RFC 4122 text form: 8-4-4-4-12 hex digits.
fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(schema: Value, value: Value) -> Vec<(String, Problem)> {
        Schema::compile(&schema)
            .unwrap()
            .violations(&value)
            .into_iter()
            .map(|v| (v.pointer, v.problem))
            .collect()
    }

    fn message(text: &str) -> Problem {
        other(text)
    }

    #[test]
    fn types_accept_integral_floats_as_integers() {
        assert!(problems(json!({"type": "integer"}), json!(250.0)).is_empty());
        assert!(problems(json!({"type": "integer"}), json!(1e2)).is_empty());
        assert_eq!(
            problems(json!({"type": "integer"}), json!(2.5)),
            [(
                "".into(),
                Problem::Type {
                    expected: "integer".into()
                }
            )]
        );
        assert_eq!(
            problems(json!({"type": ["string", "null"]}), json!(1)),
            [(
                "".into(),
                Problem::Type {
                    expected: "string or null".into()
                }
            )]
        );
    }

    #[test]
    fn bounds_lengths_patterns_and_formats() {
        let s = json!({"type": "integer", "minimum": 1, "maximum": 100});
        assert_eq!(
            problems(s.clone(), json!(101)),
            [(
                "".into(),
                message("{value} is greater than the maximum of 100")
            )]
        );
        assert_eq!(
            problems(s, json!(0)),
            [("".into(), message("{value} is less than the minimum of 1"))]
        );
        let s = json!({"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"});
        assert_eq!(
            problems(s.clone(), json!("é")),
            [
                ("".into(), message("{value} is shorter than 2 characters")),
                ("".into(), message("{value} does not match \"^[a-z]+$\"")),
            ]
        );
        assert!(problems(s, json!("abc")).is_empty());
        let dt = json!({"type": "string", "format": "date-time"});
        assert!(problems(dt.clone(), json!("2024-02-29T23:59:60.5+05:30")).is_empty());
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
        ] {
            assert_eq!(problems(dt.clone(), json!(bad)).len(), 1, "{bad}");
        }
        assert!(problems(json!({"format": "email"}), json!("a.b@example.com")).is_empty());
        assert_eq!(
            problems(json!({"format": "email"}), json!("a b@example")).len(),
            1
        );
        assert_eq!(problems(json!({"format": "uuid"}), json!("123")).len(), 1);
    }

    #[test]
    fn nested_items_members_and_required() {
        let s = json!({"type": "array", "items": {
            "type": "object", "required": ["id"], "additionalProperties": false,
            "properties": {"id": {"type": "string"}, "kind": {"enum": ["a", "b"]}}}});
        let v = json!([{"id": "x"}, {"kind": "c", "extra": 1, "more": 2}]);
        assert_eq!(
            problems(s, v),
            [
                ("/1".into(), Problem::Required { name: "id".into() }),
                (
                    "/1/kind".into(),
                    Problem::Enum {
                        options: vec![json!("a"), json!("b")]
                    }
                ),
                (
                    "/1".into(),
                    Problem::Unexpected {
                        names: vec!["extra".into(), "more".into()]
                    }
                ),
            ]
        );
        assert!(problems(json!({"properties": {"v": {}}}), json!({"v": [1]})).is_empty());
    }

    #[test]
    fn unsupported_keywords_formats_and_patterns_are_compile_errors() {
        let e = Schema::compile(&json!({"items": {"oneOf": []}})).unwrap_err();
        assert!(
            e.starts_with("/items: the JSON Schema keyword `oneOf` is not supported"),
            "{e}"
        );
        let e = Schema::compile(&json!({"format": "phone"})).unwrap_err();
        assert!(e.contains("unknown format \"phone\""), "{e}");
        let e = Schema::compile(&json!({"properties": {"a": {"pattern": "("}}})).unwrap_err();
        assert!(
            e.starts_with("/properties/a: `pattern` is not a valid regular expression"),
            "{e}"
        );
    }
}
