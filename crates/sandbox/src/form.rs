//! Form bodies (`application/x-www-form-urlencoded`) as JSON objects, so that they are stored,
//! merged and validated exactly like JSON bodies.
//!
//! `a=1&a=2` and `a[]=1&a[]=2` give arrays, `a[b]=1` nested objects (`a[b][]=1`, `a[b][c]=1`
//! too). Values are strings, except that a member whose body input declares a type (`integer`,
//! `number`, `boolean`, or an array of them) is converted to it; a value that does not convert
//! stays a string, so that validation reports it. A member sent in a joined style (`style:
//! comma`, `space`, `pipe`) is split into its items, and one sent as JSON text (`style: json`,
//! the default for objects) is read as JSON, so that it reads back as the engine sent it.

use actionspec_engine::spec::{EncodingStyle, InputSpec, InputType, Placement};
use serde_json::{Map, Value};

use crate::model::{Route, typed};

/// Whether a `Content-Type` names a form body.
pub(crate) fn is_form(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|t| {
        t.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// The body as a JSON object, typed by the route's body inputs.
pub(crate) fn parse(raw: &[u8], route: &Route) -> Value {
    let mut out = Map::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        let path = key_path(&key);
        insert(&mut out, &path, Value::String(value.into_owned()));
    }
    for (id, spec) in &route.inputs {
        if spec.placement != Placement::Body {
            continue;
        }
        let Some(v) = out.get_mut(spec.wire_name(id)) else {
            continue;
        };
        let item_kind = spec
            .items
            .as_ref()
            .and_then(|i| i.get("type"))
            .and_then(|t| serde_json::from_value::<InputType>(t.clone()).ok());
        *v = convert(unstyle(v.take(), spec), spec.kind, item_kind);
    }
    Value::Object(out)
}

/// A member as the engine wrote it before its style joined or encoded it: joined items split,
/// JSON text parsed. A value that does not read back stays as sent, so validation reports it.
fn unstyle(v: Value, spec: &InputSpec) -> Value {
    let Value::String(text) = &v else {
        return v;
    };
    let json = spec.style == Some(EncodingStyle::Json)
        || (spec.style.is_none() && spec.kind == InputType::Object);
    if json {
        return serde_json::from_str(text).unwrap_or(v);
    }
    match spec.style.and_then(EncodingStyle::separator) {
        Some(sep) if spec.kind == InputType::Array => Value::Array(
            text.split(sep)
                .map(|item| Value::String(item.to_owned()))
                .collect(),
        ),
        _ => v,
    }
}

/// A value converted to the declared type; an array input sent once is an array of one.
fn convert(v: Value, kind: InputType, item_kind: Option<InputType>) -> Value {
    match (kind, v) {
        (InputType::Array, Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|i| item_kind.map_or(i.clone(), |k| convert(i, k, None)))
                .collect(),
        ),
        (InputType::Array, single @ Value::String(_)) => Value::Array(vec![
            item_kind.map_or(single.clone(), |k| convert(single, k, None)),
        ]),
        (kind, Value::String(s)) => typed(kind, &s),
        (_, other) => other,
    }
}

/// `a[b][]` → `["a", "b", ""]`; a key without brackets is one segment.
fn key_path(key: &str) -> Vec<String> {
    let Some(open) = key.find('[').filter(|&i| i > 0 && key.ends_with(']')) else {
        return vec![key.to_owned()];
    };
    let mut path = vec![key[..open].to_owned()];
    for part in key[open + 1..key.len() - 1].split("][") {
        path.push(part.to_owned());
    }
    path
}

/// Puts `value` at `path`; an empty segment (`[]`) or a repeated key appends to an array.
fn insert(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match rest.split_first() {
        None => match map.get_mut(first) {
            None => {
                map.insert(first.clone(), value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let old = existing.take();
                *existing = Value::Array(vec![old, value]);
            }
        },
        Some((next, _)) if next.is_empty() => {
            let slot = map
                .entry(first.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            match slot {
                Value::Array(items) => items.push(value),
                other => {
                    let old = other.take();
                    *other = Value::Array(vec![old, value]);
                }
            }
        }
        Some(_) => {
            let slot = map
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn untyped(raw: &str) -> Value {
        let mut out = Map::new();
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            insert(&mut out, &key_path(&k), Value::String(v.into_owned()));
        }
        Value::Object(out)
    }

    #[test]
    fn brackets_and_repeats_shape_the_object() {
        assert_eq!(
            untyped(
                "name=a+b&tag=x&tag=y&ids[]=1&ids[]=2&profile[city]=Oslo&profile[tags][]=q&one[]=z"
            ),
            json!({"name": "a b", "tag": ["x", "y"], "ids": ["1", "2"],
                   "profile": {"city": "Oslo", "tags": ["q"]}, "one": ["z"]})
        );
        assert_eq!(untyped("[x]=1&a]=2"), json!({"[x]": "1", "a]": "2"}));
        assert!(is_form("application/x-www-form-urlencoded; charset=utf-8"));
        assert!(!is_form("application/json"));
    }

    #[test]
    fn declared_types_convert() {
        assert_eq!(convert(json!("5"), InputType::Integer, None), json!(5));
        assert_eq!(
            convert(json!("true"), InputType::Boolean, None),
            json!(true)
        );
        assert_eq!(
            convert(
                json!(["1", "x"]),
                InputType::Array,
                Some(InputType::Integer)
            ),
            json!([1, "x"])
        );
        assert_eq!(
            convert(json!("1"), InputType::Array, Some(InputType::Integer)),
            json!([1])
        );
        assert_eq!(convert(json!("x"), InputType::String, None), json!("x"));
    }

    /// Regression: a form field the engine sent joined (`style: comma`) or as JSON text
    /// (`style: json`) was read back as one string, so a valid request got 400.
    #[test]
    fn styled_members_read_back_as_sent() {
        let spec = |s: Value| serde_json::from_value::<InputSpec>(s).unwrap();
        let comma = spec(json!({"type": "array", "in": "body", "style": "comma"}));
        assert_eq!(unstyle(json!("U1,U2"), &comma), json!(["U1", "U2"]));
        let blocks = spec(json!({"type": "array", "in": "body", "style": "json"}));
        assert_eq!(
            unstyle(json!(r#"[{"type":"divider"}]"#), &blocks),
            json!([{"type": "divider"}])
        );
        assert_eq!(unstyle(json!("not json"), &blocks), json!("not json"));
        let object = spec(json!({"type": "object", "in": "body"}));
        assert_eq!(unstyle(json!(r#"{"a":1}"#), &object), json!({"a": 1}));
        let plain = spec(json!({"type": "string", "in": "body"}));
        assert_eq!(unstyle(json!("a,b"), &plain), json!("a,b"));
    }
}
