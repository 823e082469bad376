//! A response before it goes on the wire, and JSON bodies built by JSON pointer (RFC 6901).

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::{Map, Value};

/// The JSON content type of every body the sandbox sends.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// A response, before it goes on the wire.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    /// JSON text, or empty.
    pub body: Bytes,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Bytes) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), JSON.into())],
            body,
        }
    }

    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub(crate) fn value(status: u16, body: &Value) -> Reply {
        Reply::json(
            status,
            Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        )
    }
}

/// `template` as JSON text with the JSON text `inner` at `pointer` (created, with the objects on
/// the way): a list body with its records, a record under its `wrap`. `inner` is copied, not
/// parsed, so a page of cached records costs a copy.
pub(crate) fn splice(template: &Value, pointer: &str, inner: &[u8]) -> Bytes {
    const MARKER: &str = "\u{1}inner\u{1}";
    let mut env = template.clone();
    set_pointer(&mut env, pointer, Value::from(MARKER));
    let text = env.to_string();
    let quoted = Value::from(MARKER).to_string();
    let (prefix, suffix) = text.split_once(&quoted).unwrap_or(("", ""));
    let mut out = BytesMut::with_capacity(prefix.len() + inner.len() + suffix.len());
    out.put_slice(prefix.as_bytes());
    out.put_slice(inner);
    out.put_slice(suffix.as_bytes());
    out.freeze()
}

/// Sets the value at a JSON pointer, creating objects on the way.
pub(crate) fn set_pointer(root: &mut Value, pointer: &str, value: Value) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(actionspec_engine::yaml::unescape_token)
        .collect();
    let mut slot = root;
    for t in tokens {
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(map) = slot else { return };
        slot = map.entry(t).or_insert(Value::Null);
    }
    *slot = value;
}

/// Removes the member at a JSON pointer, if there is one.
pub(crate) fn remove_pointer(root: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = actionspec_engine::yaml::unescape_token(last);
    if let Some(Value::Object(m)) = root.pointer_mut(parent) {
        m.remove(&last);
    }
}
