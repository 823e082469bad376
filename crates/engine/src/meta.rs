//! The meta-schema (`spec/connector.schema.json`, JSON Schema draft 2020-12) and its
//! violations as located diagnostics, worded for a connector author: which node (in words), which
//! key or value, and how to fix it ("did you mean", YAML 1.2's strings that look like booleans).

use std::sync::LazyLock;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, article, did_you_mean};
use crate::schema::{Problem, Schema};
use crate::yaml::{SourceMap, escape_token};

/// The meta-schema every connector file is validated against (`spec/connector.schema.json`).
pub const META_SCHEMA: &str = include_str!("../spec/connector.schema.json");

/// The meta-schema, compiled once by the engine's own validator ([`Schema::compile_document`]).
static META_VALIDATOR: LazyLock<Result<Schema, String>> = LazyLock::new(|| {
    serde_json::from_str(META_SCHEMA)
        .map_err(|e| e.to_string())
        .and_then(|schema| Schema::compile_document(&schema))
});

/// Maps meta-schema violations to located diagnostics: each names the node in words
/// ([`describe_pointer`]), points at its key or value, and says how to fix it.
pub(crate) fn meta_schema_diagnostics(doc: &Value, map: &SourceMap) -> Vec<Diagnostic> {
    let validator = match META_VALIDATOR.as_ref() {
        Ok(v) => v,
        Err(e) => {
            return vec![Diagnostic::new(
                format!("internal error: the embedded meta-schema does not compile: {e}"),
                "here",
            )];
        }
    };
    let mut out = Vec::new();
    for found in validator.violations(doc) {
        let v = Violation {
            instance: doc.pointer(&found.pointer).unwrap_or(&Value::Null),
            pointer: found.pointer,
            map,
        };
        match found.problem {
            Problem::Unexpected { names, allowed } => {
                out.extend(names.iter().map(|key| v.unknown_key(key, &allowed)));
            }
            Problem::Required { name } => out.push(v.missing(&name)),
            Problem::Enum { options } => out.push(v.not_allowed(&options)),
            Problem::Type { .. } if v.pointer.is_empty() => out.push(not_a_mapping(doc)),
            Problem::Type { expected } => out.push(v.wrong_type(&expected)),
            Problem::Const { expected } => out.push(v.unsupported(&expected)),
            Problem::Name { name } => out.push(v.bad_name(&name)),
            Problem::Pattern { .. } => out.push(v.bad_form()),
            Problem::Other { message } => out.push(
                Diagnostic::new(
                    format!(
                        "{}: {}",
                        v.context(),
                        message.replace("{value}", "the value")
                    ),
                    "here",
                )
                .at(v.value_span(), Some(v.pointer.clone())),
            ),
        }
    }
    out
}

/// One meta-schema violation, where it is.
struct Violation<'a> {
    pointer: String,
    /// The value at `pointer`.
    instance: &'a Value,
    map: &'a SourceMap,
}

impl Violation<'_> {
    fn context(&self) -> String {
        describe_pointer(&self.pointer)
    }

    fn value_span(&self) -> Option<crate::yaml::Span> {
        self.map.locate(&self.pointer).map(|l| l.value)
    }

    fn unknown_key(&self, key: &str, allowed: &[String]) -> Diagnostic {
        let child = format!("{}/{}", self.pointer, escape_token(key));
        let hint = match did_you_mean(key, allowed.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("allowed keys: {}", quoted(allowed)),
        };
        Diagnostic::new(
            format!("unknown key `{key}` in {}", self.context()),
            "unknown key",
        )
        .at(self.map.key_or_value(&child), Some(child))
        .hint(hint)
    }

    fn missing(&self, name: &str) -> Diagnostic {
        let context = self.context();
        Diagnostic::new(
            format!("missing required key `{name}` in {context}"),
            format!("`{name}` is missing here"),
        )
        .at(
            self.map.key_or_value(&self.pointer),
            Some(self.pointer.clone()),
        )
        .hint(format!("add `{name}:` to {context}"))
    }

    fn not_allowed(&self, options: &[Value]) -> Diagnostic {
        let allowed: Vec<String> = options
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let got = self
            .instance
            .as_str()
            .map_or_else(|| self.instance.to_string(), str::to_owned);
        let hint = match did_you_mean(&got, allowed.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("expected one of: {}", quoted(&allowed)),
        };
        Diagnostic::new(
            format!("`{got}` is not a valid value for {}", self.context()),
            "invalid value",
        )
        .at(self.value_span(), Some(self.pointer.clone()))
        .hint(hint)
    }

    fn wrong_type(&self, expected: &str) -> Diagnostic {
        let context = self.context();
        let found = crate::input::json_type(self.instance);
        let last = self.pointer.rsplit('/').next().unwrap_or_default();
        let hint = match (expected, self.instance) {
            ("boolean", Value::String(s))
                if ["yes", "no", "on", "off", "y", "n"]
                    .contains(&s.to_ascii_lowercase().as_str()) =>
            {
                format!("YAML 1.2 reads `{s}` as a string: write `true` or `false`")
            }
            ("string", _) if last == "version" => {
                "write a semantic version in quotes, such as \"1.0.0\"".to_owned()
            }
            ("string", _) if found != "string" => "quote the value to make it a string".to_owned(),
            ("array", _) if last == "success" => "write a list, e.g. `success: [200]`".to_owned(),
            ("array", _) => format!("write a list, e.g. `{last}: [...]`"),
            _ => format!("write {context} as {}", article(expected)),
        };
        Diagnostic::new(
            format!(
                "{context} must be {}, found {}",
                article(expected),
                article(found)
            ),
            format!("expected {}", article(expected)),
        )
        .at(self.value_span(), Some(self.pointer.clone()))
        .hint(hint)
    }

    fn unsupported(&self, expected_value: &Value) -> Diagnostic {
        let hint = if self.pointer == "/spec_version" {
            format!(
                "this version of actionspec reads `spec_version: {expected_value}`; convert the file, or upgrade actionspec"
            )
        } else {
            format!("write `{expected_value}`")
        };
        Diagnostic::new(
            format!("unsupported value {} for {}", self.instance, self.context()),
            "unsupported value",
        )
        .at(self.value_span(), Some(self.pointer.clone()))
        .hint(hint)
    }

    fn bad_name(&self, name: &str) -> Diagnostic {
        let child = format!("{}/{}", self.pointer, escape_token(name));
        Diagnostic::new(
            format!("`{name}` is not a valid name in {}", self.context()),
            "invalid name",
        )
        .at(self.map.key_or_value(&child), Some(child))
        .hint(name_rule(&self.pointer))
    }

    fn bad_form(&self) -> Diagnostic {
        Diagnostic::new(
            format!(
                "{} is not a valid value for {}",
                self.instance,
                self.context()
            ),
            "does not match the expected form",
        )
        .at(self.value_span(), Some(self.pointer.clone()))
        .hint(pattern_hint(&self.pointer))
    }
}

/// The document is empty or not a mapping.
fn not_a_mapping(doc: &Value) -> Diagnostic {
    let what = if doc.is_null() {
        "the file is empty"
    } else {
        "the file is not a YAML mapping"
    };
    let first = crate::yaml::Pos { line: 1, col: 1 };
    let span = crate::yaml::Span {
        start: first,
        end: crate::yaml::Pos { line: 1, col: 2 },
    };
    Diagnostic::new(
        format!("{what}: a connector file is a mapping of keys"),
        "expected keys here",
    )
    .at(Some(span), Some(String::new()))
    .hint("start from the required keys: spec_version, key, name, version, servers, default_server, actions (see docs/connector-format.md)")
}

/// `` `a`, `b`, `c` ``.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn name_rule(pointer: &str) -> String {
    if pointer.ends_with("/inputs") {
        "input ids start with a letter and use letters, digits and `_`".into()
    } else if pointer.ends_with("headers") {
        "header names use letters, digits and `-`".into()
    } else {
        "names are snake_case: lowercase letters, digits and `_`, starting with a letter".into()
    }
}

fn pattern_hint(pointer: &str) -> String {
    if pointer.contains("keep_headers/") {
        return "a header name: letters, digits and `!#$%&'*+.^_`|~-`, no spaces or colons".into();
    }
    let last = pointer.rsplit('/').next().unwrap_or_default();
    match last {
        "version" => "use a semantic version such as 1.0.0 (quoted if needed)".into(),
        "key" => "connector keys are snake_case, e.g. my_service".into(),
        "url" => "write an absolute http(s) URL without spaces".into(),
        "path" => "paths start with `/` and hold no query string, e.g. /users/{id}".into(),
        "env" => "environment variable names are UPPER_SNAKE_CASE".into(),
        "records" | "body" => {
            "write a JSON pointer such as /results, or \"\" for the whole body".into()
        }
        _ => "see docs/connector-format.md for the expected form".into(),
    }
}

/// A readable name for the node at `pointer`: "action `get_user`", "input `id` of action `x`".
pub(crate) fn describe_pointer(pointer: &str) -> String {
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(crate::yaml::unescape_token)
        .collect();
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    match p.as_slice() {
        [] => "the connector".into(),
        ["actions", a] => format!("action `{a}`"),
        ["actions", a, "inputs", i] => format!("input `{i}` of action `{a}`"),
        ["actions", a, "inputs", i, key, ..] => format!("`{key}` of input `{i}` (action `{a}`)"),
        ["actions", a, "examples", n] => format!(
            "example {} of action `{a}`",
            n.parse::<usize>().map_or(0, |n| n + 1)
        ),
        ["actions", a, "examples", n, key, ..] => format!(
            "`{key}` of example {} (action `{a}`)",
            n.parse::<usize>().map_or(0, |n| n + 1)
        ),
        ["actions", a, key, ..] => format!("`{key}` of action `{a}`"),
        ["servers", s] => format!("server `{s}`"),
        ["servers", s, key, ..] => format!("`{key}` of server `{s}`"),
        ["credentials", c] => format!("credential `{c}`"),
        ["credentials", c, key, ..] => format!("`{key}` of credential `{c}`"),
        ["auth", m] => format!("auth method `{m}`"),
        ["auth", m, key, ..] => format!("`{key}` of auth method `{m}`"),
        ["keep_headers", n] => format!(
            "item {} of `keep_headers`",
            n.parse::<usize>().map_or(0, |n| n + 1)
        ),
        ["pagination", s] => format!("pagination style `{s}`"),
        ["pagination", s, key, ..] => format!("`{key}` of pagination style `{s}`"),
        [key] => format!("`{key}`"),
        [first, .., last] => format!("`{last}` in `{first}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_schema_compiles() {
        assert!(
            META_VALIDATOR.is_ok(),
            "{:?}",
            META_VALIDATOR.as_ref().err()
        );
    }

    #[test]
    fn pointers_read_as_names() {
        assert_eq!(
            describe_pointer("/actions/get_user/inputs/id/type"),
            "`type` of input `id` (action `get_user`)"
        );
        assert_eq!(describe_pointer("/actions/get_user"), "action `get_user`");
        assert_eq!(describe_pointer(""), "the connector");
    }
}
