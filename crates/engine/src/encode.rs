//! How an input's JSON value becomes name–value pairs of a query string or a form body
//! (`application/x-www-form-urlencoded`, the WHATWG URL Standard's form encoding), as the
//! input's [`EncodingStyle`] says. The pairs are unencoded: the HTTP layer percent-encodes them
//! once.
//!
//! - Strings are sent as they are, numbers and booleans as their JSON text, `null` not at all.
//! - Arrays: `repeat` (the default) sends `a=1&a=2`; `comma`, `space` and `pipe` join the items
//!   into one value, and refuse an item that holds the separator (`["a,b", "z"]` joined by
//!   commas would read as three items); `bracket` sends `a[]=1&a[]=2` (objects inside as
//!   `a[0][k]=…`); `json` sends the array as JSON text.
//! - Objects: `json` (the default) sends the object as JSON text; `bracket` sends each member
//!   as `a[k]=…`, nested members as `a[k][j]=…` (OpenAPI's `deepObject`).

use serde_json::Value;

use crate::spec::EncodingStyle;

/// The pairs that carry `value` under the name `name`.
///
/// # Errors
/// A message (for an input violation) when a joined style meets an item holding its separator.
pub(crate) fn pairs(
    name: &str,
    value: &Value,
    style: Option<EncodingStyle>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    match value {
        Value::Null => {}
        Value::Array(items) => array(
            name,
            items,
            style.unwrap_or(EncodingStyle::Repeat),
            &mut out,
        )?,
        Value::Object(_) if style == Some(EncodingStyle::Bracket) => {
            bracketed(name, value, &mut out)
        }
        other => out.push((name.to_owned(), text(other))),
    }
    Ok(out)
}

fn array(
    name: &str,
    items: &[Value],
    style: EncodingStyle,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    match style {
        EncodingStyle::Repeat => {
            out.extend(
                items
                    .iter()
                    .filter(|i| !i.is_null())
                    .map(|i| (name.to_owned(), text(i))),
            );
        }
        EncodingStyle::Json => out.push((name.to_owned(), Value::from(items).to_string())),
        EncodingStyle::Bracket => bracketed(name, &Value::from(items), out),
        joined => {
            let sep = joined.separator().unwrap_or(',');
            let texts: Vec<String> = items.iter().filter(|i| !i.is_null()).map(text).collect();
            if texts.is_empty() {
                // `a=` would read as one empty item: an empty array is left out, as when
                // repeated or bracketed.
                return Ok(());
            }
            if let Some((i, t)) = texts.iter().enumerate().find(|(_, t)| t.contains(sep)) {
                return Err(format!(
                    "item {i} ({t:?}) holds a {sep:?}, which the API would read as a separator between items; \
                     send it in a request of its own, or without that character"
                ));
            }
            out.push((name.to_owned(), texts.join(&sep.to_string())));
        }
    }
    Ok(())
}

/// `a[k]=…` for object members, `a[]=…` for scalar array items and `a[i][k]=…` for object or
/// array items, recursively.
fn bracketed(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(members) => {
            for (k, v) in members {
                bracketed(&format!("{name}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        bracketed(&format!("{name}[{i}]"), item, out);
                    }
                    Value::Null => {}
                    scalar => out.push((format!("{name}[]"), text(scalar))),
                }
            }
        }
        scalar => out.push((name.to_owned(), text(scalar))),
    }
}

/// A value's text: strings as they are, everything else as JSON.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(value: Value, style: Option<EncodingStyle>) -> Vec<(String, String)> {
        pairs("a", &value, style).unwrap()
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn scalars_are_their_text_and_null_is_left_out() {
        assert_eq!(enc(json!("x y"), None), p(&[("a", "x y")]));
        assert_eq!(enc(json!(12.5), None), p(&[("a", "12.5")]));
        assert_eq!(enc(json!(false), None), p(&[("a", "false")]));
        assert!(enc(json!(null), None).is_empty());
    }

    #[test]
    fn arrays_follow_their_style() {
        let v = json!(["x", 2, true]);
        assert_eq!(
            enc(v.clone(), None),
            p(&[("a", "x"), ("a", "2"), ("a", "true")])
        );
        assert_eq!(
            enc(v.clone(), Some(EncodingStyle::Comma)),
            p(&[("a", "x,2,true")])
        );
        assert_eq!(
            enc(v.clone(), Some(EncodingStyle::Pipe)),
            p(&[("a", "x|2|true")])
        );
        assert_eq!(
            enc(v.clone(), Some(EncodingStyle::Space)),
            p(&[("a", "x 2 true")])
        );
        assert_eq!(
            enc(v.clone(), Some(EncodingStyle::Bracket)),
            p(&[("a[]", "x"), ("a[]", "2"), ("a[]", "true")])
        );
        assert_eq!(
            enc(v, Some(EncodingStyle::Json)),
            p(&[("a", r#"["x",2,true]"#)])
        );
    }

    #[test]
    fn an_empty_array_is_left_out_in_every_style_but_json() {
        for style in [
            None,
            Some(EncodingStyle::Comma),
            Some(EncodingStyle::Bracket),
        ] {
            assert!(enc(json!([]), style).is_empty(), "{style:?}");
        }
        assert_eq!(enc(json!([]), Some(EncodingStyle::Json)), p(&[("a", "[]")]));
    }

    #[test]
    fn a_joined_item_holding_the_separator_is_refused() {
        let e = pairs("a", &json!(["a,b", "z"]), Some(EncodingStyle::Comma)).unwrap_err();
        assert!(e.contains("item 0 (\"a,b\") holds a ','"), "{e}");
        assert!(pairs("a", &json!(["a,b"]), Some(EncodingStyle::Pipe)).is_ok());
    }

    #[test]
    fn objects_are_json_or_bracketed() {
        let v = json!({"b": 1, "c": {"d": "é"}, "e": ["x", {"f": null, "g": 2}]});
        assert_eq!(
            enc(v.clone(), None),
            p(&[("a", r#"{"b":1,"c":{"d":"é"},"e":["x",{"f":null,"g":2}]}"#)])
        );
        assert_eq!(
            enc(v, Some(EncodingStyle::Bracket)),
            p(&[
                ("a[b]", "1"),
                ("a[c][d]", "é"),
                ("a[e][]", "x"),
                ("a[e][1][g]", "2")
            ])
        );
    }
}
