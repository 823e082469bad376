//! `--output yaml`: JSON values written as YAML 1.2 block style.
//!
//! A string is written plain when YAML would read it back as the same string, and otherwise as
//! a JSON string in double quotes (valid YAML, escapes included), so the output is never
//! ambiguous: `"true"`, `"1.5"`, `"a: b"` stay strings.

use serde_json::Value;

/// `value` as a YAML document, ending in a newline.
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Writes `value` at `indent`: a scalar or an empty collection inline, a collection as one
/// entry a line.
fn write_value(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                write_nested(out, item, indent + 2);
            }
        }
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&scalar_text(k));
                out.push(':');
                write_nested(out, v, indent + 2);
            }
        }
        v => {
            out.push_str(&pad);
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

/// After `- ` or `key:`: a scalar on the same line, a collection on the next lines.
fn write_nested(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_value(out, value, indent);
        }
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_value(out, value, indent);
        }
        v => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => scalar_text(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
        v => v.to_string(),
    }
}

/// `s` plain when that reads back as the same string, else double-quoted.
fn scalar_text(s: &str) -> String {
    const WORDS: [&str; 12] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ".nan", ".inf",
    ];
    let safe_start = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '/');
    let safe_chars = s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | ' ' | '+'));
    let plain = safe_start
        && safe_chars
        && !s.ends_with(' ')
        && !WORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_values_and_ambiguous_strings() {
        let v = json!({"a": [1, {"b": "true", "c": []}], "d": "x y", "e": {}, "f": "a: b"});
        assert_eq!(
            to_yaml(&v),
            "a:\n  - 1\n  -\n    b: \"true\"\n    c: []\nd: x y\ne: {}\nf: \"a: b\"\n"
        );
    }
}
