//! The part of JSON Schema (draft 2020-12) the engine checks values with, compiled once, in two
//! dialects.
//!
//! **Inputs** ([`Schema::compile`]) declare scalars with bounds, arrays of items and objects of
//! members; this dialect checks exactly those keywords and refuses any other, so a schema never
//! silently checks less than it says. Keywords: `type` (one name or a list), `enum`, `const`,
//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength` (in
//! characters), `pattern` (unanchored, in the `regex` crate's syntax: ECMA-262 without
//! look-around or back-references), `format` (see [`FORMATS`]), `items`, `minItems`,
//! `maxItems`, `uniqueItems`, `properties`, `required`, `additionalProperties`; annotations
//! (`$schema`, `title`, `description`, `default`, `examples`, `deprecated`, `readOnly`,
//! `writeOnly`, `$comment`) are allowed and ignored. Boolean schemas (`true`, `false`) and `{}`
//! are allowed.
//!
//! **Documents** ([`Schema::compile_document`]), such as the connector meta-schema, add `$defs`
//! (at the root) with local `$ref`s (`#/$defs/NAME`), `allOf`, `if`/`then`/`else`,
//! `propertyNames`, `minProperties`, `maxProperties` and `$id`. There `format` is an annotation
//! only, as JSON Schema 2020-12 §7.2.1 has it by default.

mod check;
mod compile;
mod format;

pub use crate::input::{compile, input_property_schema, input_schema, json_type, violations};

use indexmap::IndexMap;
use serde_json::Value;

pub use check::is_type;

use check::Walk;
use compile::Dialect;

/// The `format` values that are checked in inputs (JSON Schema 2020-12 §7.3: dates and times
/// per RFC 3339, `email` per RFC 5321's shape, `uri` an absolute URI per RFC 3986, `uuid` per
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

/// JSON Schema's type names (draft 2020-12 §6.1.1), the values of `type`.
pub const TYPES: &[&str] = &[
    "null", "boolean", "integer", "number", "string", "array", "object",
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
    property_names: Option<Box<Schema>>,
    min_properties: Option<u64>,
    max_properties: Option<u64>,
    /// `$ref`: a name in the document's `$defs`.
    reference: Option<String>,
    all_of: Vec<Schema>,
    condition: Option<Box<Condition>>,
    /// `$defs`, at a document's root only.
    defs: IndexMap<String, Schema>,
}

/// `if`, `then` and `else`: when a value satisfies `test`, `then` applies; otherwise `otherwise`.
#[derive(Debug, Default)]
struct Condition {
    test: Schema,
    then: Option<Schema>,
    otherwise: Option<Schema>,
}

/// One reason a value does not satisfy a schema.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
    /// The value is not `const`'s.
    Const {
        /// The one value allowed.
        expected: Value,
    },
    /// A string does not match `pattern`.
    Pattern {
        /// The regular expression, as written.
        pattern: String,
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
        /// The names the schema's `properties` declare, in the schema's order.
        allowed: Vec<String>,
    },
    /// A member name that `propertyNames` does not allow.
    Name {
        /// The member's name.
        name: String,
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
    /// Compiles an input schema (a JSON object or boolean) in the inputs' dialect.
    ///
    /// # Errors
    /// A keyword outside the inputs' set, a keyword with a value of the wrong shape, an
    /// invalid `pattern` or an unknown `format`: a message naming the schema location
    /// (`/items/properties/id`) and what to use instead.
    pub fn compile(schema: &Value) -> Result<Schema, String> {
        compile::compile(schema, Dialect::Input)
    }

    /// Compiles a whole schema document, such as `spec/connector.schema.json`, in the documents'
    /// dialect (see the [module docs](self)).
    ///
    /// # Errors
    /// As [`Schema::compile`], and a `$ref` that is not `#/$defs/NAME` of a defined `NAME`.
    pub fn compile_document(schema: &Value) -> Result<Schema, String> {
        compile::compile(schema, Dialect::Document)
    }

    /// Every problem of `value`, in document order. Checking stops descending (with a problem)
    /// below 256 levels of nesting and `$ref`s, so a cyclic `$ref` cannot hang it.
    pub fn violations(&self, value: &Value) -> Vec<Violation> {
        let mut walk = Walk::new(&self.defs);
        self.check(value, &mut walk);
        walk.into_violations()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use check::other;
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
                (
                    "".into(),
                    Problem::Pattern {
                        pattern: "^[a-z]+$".into()
                    }
                ),
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
                        names: vec!["extra".into(), "more".into()],
                        allowed: vec!["id".into(), "kind".into()],
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

    fn document_problems(schema: Value, value: Value) -> Vec<(String, Problem)> {
        Schema::compile_document(&schema)
            .unwrap()
            .violations(&value)
            .into_iter()
            .map(|v| (v.pointer, v.problem))
            .collect()
    }

    #[test]
    fn documents_follow_refs_conditions_and_member_names() {
        let s = json!({
            "$id": "https://example.invalid/s",
            "$ref": "#/$defs/Top",
            "$defs": {
                "Top": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[a-z]+$"},
                    "additionalProperties": {"$ref": "#/$defs/Method"},
                    "maxProperties": 2
                },
                "Method": {
                    "type": "object",
                    "required": ["type"],
                    "allOf": [{
                        "if": {"properties": {"type": {"const": "key"}}},
                        "then": {"required": ["header"]},
                        "else": {"properties": {"header": false}}
                    }]
                }
            }
        });
        assert!(
            document_problems(s.clone(), json!({"a": {"type": "key", "header": "X"}})).is_empty()
        );
        assert_eq!(
            document_problems(
                s,
                json!({"a": {"type": "key"}, "B": {"type": "other", "header": "X"}, "c": {}})
            ),
            [
                ("".into(), message("{value} has more than 2 members")),
                ("".into(), Problem::Name { name: "B".into() }),
                (
                    "/a".into(),
                    Problem::Required {
                        name: "header".into()
                    }
                ),
                ("/B/header".into(), message("{value} is not allowed here")),
                // `if` holds for a member with no `type`, as in JSON Schema: `then` applies.
                (
                    "/c".into(),
                    Problem::Required {
                        name: "header".into()
                    }
                ),
                (
                    "/c".into(),
                    Problem::Required {
                        name: "type".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn documents_refuse_unknown_refs_and_keywords_and_stop_on_cycles() {
        let e = Schema::compile_document(&json!({"$ref": "#/$defs/Missing"})).unwrap_err();
        assert!(
            e.starts_with("/$ref: `$ref` names `#/$defs/Missing`"),
            "{e}"
        );
        let e = Schema::compile_document(&json!({"$ref": "other.json#/x"})).unwrap_err();
        assert!(e.contains("takes a local reference"), "{e}");
        let e = Schema::compile_document(&json!({"oneOf": []})).unwrap_err();
        assert!(e.contains("keyword `oneOf` is not supported here"), "{e}");
        let e = Schema::compile(&json!({"allOf": []})).unwrap_err();
        assert!(
            e.contains("keyword `allOf` is not supported in inputs"),
            "{e}"
        );
        let e = Schema::compile_document(&json!({"items": {"$defs": {}}})).unwrap_err();
        assert!(
            e.contains("`$defs` is read at the document's root only"),
            "{e}"
        );
        // `format` only annotates in a document.
        assert!(document_problems(json!({"format": "uri"}), json!("not a uri")).is_empty());
        let cycle = json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}});
        let found = document_problems(cycle, json!(1));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            matches!(&found[0].1, Problem::Other { message } if message.contains("deeper than 256")),
            "{found:?}"
        );
    }
}
