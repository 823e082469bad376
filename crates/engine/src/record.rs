//! Records as the API sent them: JSON text, checked once, never rebuilt into a tree.
//!
//! A list page is read by walking its body for the record array (and the total, or a cursor)
//! with [`pick`], and each record is kept as its own JSON text ([`Record`]): a slice of the
//! response body itself (shared, not copied) unless it had whitespace to remove. Streaming a
//! list then writes each record's text straight out, with no `serde_json::Value` per record; a
//! record's value is parsed only when something asks for it ([`Record::value`],
//! [`Record::pointer`]).

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// One record: valid JSON text on one line (whitespace between tokens removed; strings, numbers
/// and key order exactly as the API sent them, so numbers beyond 64 bits keep every digit).
#[derive(Clone)]
pub struct Record(Text);

#[derive(Clone)]
enum Text {
    /// `buf[start..end]`: UTF-8 JSON text with no whitespace to remove.
    Shared {
        buf: Bytes,
        start: usize,
        end: usize,
    },
    Owned(Box<str>),
}

impl Record {
    /// The record `raw`, which lies inside `buf` (the text it was parsed from): a slice of
    /// `buf` when it needs no change, else a copy without its whitespace.
    fn within(buf: &Bytes, raw: &RawValue) -> Record {
        let text = raw.get();
        let start = (text.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
        let inside = start <= buf.len() && buf.len() - start >= text.len();
        match minify(text) {
            Cow::Borrowed(_) if inside => Record(Text::Shared {
                buf: buf.clone(),
                start,
                end: start + text.len(),
            }),
            other => Record(Text::Owned(other.into_owned().into_boxed_str())),
        }
    }

    /// The record from a parsed value (for records built in memory, e.g. in tests).
    pub fn from_value(value: &Value) -> Record {
        let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
        Record(Text::Owned(text.into_boxed_str()))
    }

    /// The record's JSON text: one line, no trailing newline.
    pub fn json(&self) -> &str {
        match &self.0 {
            // Checked as UTF-8 when the body was read, so this never falls back.
            Text::Shared { buf, start, end } => {
                std::str::from_utf8(&buf[*start..*end]).unwrap_or("null")
            }
            Text::Owned(text) => text,
        }
    }

    /// The record parsed into a value (`Null` in the unreachable case that its text does not
    /// parse, e.g. nesting beyond serde_json's recursion limit).
    pub fn value(&self) -> Value {
        serde_json::from_str(self.json()).unwrap_or(Value::Null)
    }

    /// The value at a JSON pointer (RFC 6901) inside the record, parsed; `None` when absent.
    pub fn pointer(&self, pointer: &str) -> Option<Value> {
        let raw = self.raw_at(pointer)?;
        serde_json::from_str(raw.get()).ok()
    }

    /// The record's id at `pointer` as text: a string as itself, anything else as its JSON
    /// text; `None` when absent. A top-level member is found without reading past it.
    pub fn id_at(&self, pointer: &str) -> Option<String> {
        let raw = self.raw_at(pointer)?;
        let text = raw.get();
        if text.starts_with('"') {
            serde_json::from_str(text).ok()
        } else {
            Some(text.to_owned())
        }
    }

    fn raw_at(&self, pointer: &str) -> Option<&RawValue> {
        match pointer.strip_prefix('/') {
            Some(name) if !name.contains(['/', '~']) && self.json().starts_with('{') => {
                first_member(self.json(), name)
            }
            _ => pick(self.json(), pointer).ok()?,
        }
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.json() == other.json()
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

/// Serialized as its value, so pretty printing indents records like the rest of an outcome.
impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

/// The JSON text at `pointer` (RFC 6901; `""` is the whole document) in the JSON document
/// `text`, borrowed from it: `Ok(None)` when a step is absent (a missing member, an index past
/// the end, or a step into a scalar). Members and items off the path are skipped without being
/// built into values, though the whole document is still checked.
///
/// # Errors
/// When `text` is not one JSON value (serde_json's message, with line and column).
pub fn pick<'a>(text: &'a str, pointer: &str) -> serde_json::Result<Option<&'a RawValue>> {
    Ok(pick_many(text, &[pointer])?.pop().flatten())
}

/// Several JSON pointers looked up in one walk of `text` (see [`pick`]): for each pointer, in
/// order, the JSON text there, or `None`.
///
/// # Errors
/// When `text` is not one JSON value.
pub fn pick_many<'a>(
    text: &'a str,
    pointers: &[&str],
) -> serde_json::Result<Vec<Option<&'a RawValue>>> {
    let steps: Vec<Vec<String>> = pointers.iter().map(|p| steps_of(p)).collect();
    let paths: Vec<(usize, &[String])> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.as_slice()))
        .collect();
    let mut out = vec![None; pointers.len()];
    let mut de = serde_json::Deserializer::from_str(text);
    Walk {
        paths,
        out: &mut out,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

fn steps_of(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(crate::yaml::unescape_token)
        .collect()
}

/// The walk of [`pick_many`]: the pointers (by index) still to follow from here.
struct Walk<'s, 'o, 'de> {
    paths: Vec<(usize, &'s [String])>,
    out: &'o mut Vec<Option<&'de RawValue>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if !self.paths.iter().any(|(_, s)| s.is_empty()) {
            return d.deserialize_any(self);
        }
        // A target here: take its text, and walk it again for any longer pointer.
        let raw = <&RawValue as de::Deserialize>::deserialize(d)?;
        let (here, longer): (Vec<_>, Vec<_>) =
            self.paths.into_iter().partition(|(_, s)| s.is_empty());
        for (i, _) in here {
            self.out[i] = Some(raw);
        }
        if !longer.is_empty() {
            let mut inner = serde_json::Deserializer::from_str(raw.get());
            // `raw` was just checked as JSON, so walking it again cannot fail.
            let _ = Walk {
                paths: longer,
                out: self.out,
            }
            .deserialize(&mut inner);
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let firsts: Vec<&str> = self.paths.iter().map(|(_, s)| s[0].as_str()).collect();
        while let Some(matched) = map.next_key_seed(KeyAmong(&firsts))? {
            if matched.is_empty() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let paths = matched
                .iter()
                .map(|&k| (self.paths[k].0, &self.paths[k].1[1..]))
                .collect();
            map.next_value_seed(Walk {
                paths,
                out: &mut *self.out,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let paths: Vec<(usize, &[String])> = self
                .paths
                .iter()
                .filter(|(_, s)| !s[0].starts_with('+') && s[0].parse() == Ok(i))
                .map(|(n, s)| (*n, &s[1..]))
                .collect();
            let more = if paths.is_empty() {
                seq.next_element::<IgnoredAny>()?.is_some()
            } else {
                seq.next_element_seed(Walk {
                    paths,
                    out: &mut *self.out,
                })?
                .is_some()
            };
            if !more {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Which of the wanted member names (by index) a key is, compared without copying it.
struct KeyAmong<'s>(&'s [&'s str]);

impl<'de> DeserializeSeed<'de> for KeyAmong<'_> {
    type Value = Vec<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyAmong<'_> {
    type Value = Vec<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Vec<usize>, E> {
        Ok((0..self.0.len()).filter(|&i| self.0[i] == key).collect())
    }
}

/// The first member `name` of the JSON object `text` (already checked JSON, such as a
/// record), found without reading past it; `None` when absent or not an object.
fn first_member<'a>(text: &'a str, name: &str) -> Option<&'a RawValue> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(text);
    // Stopping at the member ends the walk with an error on purpose: what follows is not read.
    let _ = serde::Deserializer::deserialize_map(
        &mut de,
        FirstMember {
            name,
            found: &mut found,
        },
    );
    found
}

struct FirstMember<'k, 'o, 'de> {
    name: &'k str,
    found: &'o mut Option<&'de RawValue>,
}

impl<'de> Visitor<'de> for FirstMember<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(matched) = map.next_key_seed(KeyAmong(&[self.name]))? {
            if !matched.is_empty() {
                *self.found = Some(map.next_value()?);
                return Err(de::Error::custom("found"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// The items of the JSON array `raw` as records (`None` when it is not an array). `raw` lies
/// inside `buf` (the text it was picked from), and each record shares `buf` instead of copying
/// its text (see [`Record`]); a record outside `buf` is copied.
pub fn records_in(buf: &Bytes, raw: &RawValue) -> Option<Vec<Record>> {
    let items: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
    Some(items.into_iter().map(|r| Record::within(buf, r)).collect())
}

/// `text` (valid JSON) without whitespace between tokens; borrowed when it has none.
fn minify(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut out: Option<Vec<u8>> = None;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            true
        } else {
            if b == b'"' {
                in_string = true;
            }
            !matches!(b, b' ' | b'\n' | b'\r' | b'\t')
        };
        match (&mut out, keep) {
            (Some(buf), true) => buf.push(b),
            (None, false) => out = Some(bytes[..i].to_vec()),
            _ => {}
        }
    }
    match out {
        // Only ASCII whitespace was removed, between tokens, so the bytes stay UTF-8.
        Some(buf) => Cow::Owned(String::from_utf8(buf).unwrap_or_else(|_| text.to_owned())),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn picked(text: &str, pointer: &str) -> Option<String> {
        pick(text, pointer).unwrap().map(|r| r.get().to_owned())
    }

    #[test]
    fn pick_follows_members_and_indexes_and_escapes() {
        let doc = r#"{"a": {"b/c": [10, {"d~e": "x"}]}, "z": 1}"#;
        assert_eq!(picked(doc, "/a/b~1c/1/d~0e").as_deref(), Some(r#""x""#));
        assert_eq!(picked(doc, "/a/b~1c/0").as_deref(), Some("10"));
        assert_eq!(picked(doc, "").as_deref(), Some(doc));
        assert_eq!(picked(doc, "/a/b~1c/2"), None);
        assert_eq!(picked(doc, "/z/deeper"), None);
        assert_eq!(picked(doc, "/missing"), None);
        assert_eq!(picked(doc, "/a/b~1c/+1"), None);
    }

    #[test]
    fn pick_many_finds_every_pointer_in_one_walk() {
        let doc = r#"{"meta": {"next": "c2", "n": [5, 6]}, "items": [{"id": 1}], "total": 9}"#;
        let found = pick_many(
            doc,
            &[
                "/items",
                "/total",
                "/meta/next",
                "/meta/n/1",
                "/nope",
                "",
                "/items/0/id",
            ],
        )
        .unwrap();
        let texts: Vec<Option<&str>> = found.iter().map(|r| r.map(RawValue::get)).collect();
        assert_eq!(
            texts,
            [
                Some(r#"[{"id": 1}]"#),
                Some("9"),
                Some(r#""c2""#),
                Some("6"),
                None,
                Some(doc),
                Some("1")
            ]
        );
        assert!(pick_many(r#"{"a": [}"#, &["/a"]).is_err());
    }

    #[test]
    fn ids_are_found_at_the_first_member_or_a_pointer() {
        let r = Record::from_value(&json!({"_id": "a\"b", "n": 7, "meta": {"id": 3}}));
        assert_eq!(r.id_at("/_id").as_deref(), Some("a\"b"));
        assert_eq!(r.id_at("/n").as_deref(), Some("7"));
        assert_eq!(r.id_at("/meta/id").as_deref(), Some("3"));
        assert_eq!(r.id_at("/missing"), None);
        assert_eq!(
            Record::from_value(&json!([1])).id_at("/0").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn pick_checks_the_whole_document() {
        assert!(pick(r#"{"a": 1, "b": [}"#, "/a").is_err());
        assert!(pick(r#"{"a": 1} trailing"#, "/a").is_err());
    }

    #[test]
    fn the_last_of_repeated_members_is_picked() {
        assert_eq!(picked(r#"{"a": 1, "a": 2}"#, "/a").as_deref(), Some("2"));
    }

    #[test]
    fn records_are_one_line_and_keep_their_text() {
        let body = "[ {\"a\" : \"x y\\\" z\",\n \"n\": 123456789012345678901234567890 }, 2 ]";
        let buf = Bytes::from_static(body.as_bytes());
        let raw = pick(std::str::from_utf8(&buf).unwrap(), "")
            .unwrap()
            .unwrap();
        let records = records_in(&buf, raw).unwrap();
        assert_eq!(
            records[0].json(),
            r#"{"a":"x y\" z","n":123456789012345678901234567890}"#
        );
        assert_eq!(records[1].json(), "2");
        assert_eq!(records[0].pointer("/a"), Some(json!("x y\" z")));
        let object = Bytes::from_static(b"{}");
        assert!(records_in(&object, pick("{}", "").unwrap().unwrap()).is_none());
    }

    #[test]
    fn records_in_a_body_share_it_unless_they_need_minifying() {
        let buf = Bytes::from_static(br#"{"items":[{"a":1},{ "b" : 2 }]}"#);
        let text = std::str::from_utf8(&buf).unwrap();
        let raw = pick(text, "/items").unwrap().unwrap();
        let records = records_in(&buf, raw).unwrap();
        assert!(matches!(
            records[0].0,
            Text::Shared {
                start: 10,
                end: 17,
                ..
            }
        ));
        assert!(matches!(records[1].0, Text::Owned(_)));
        assert_eq!(records[0].json(), r#"{"a":1}"#);
        assert_eq!(records[1].json(), r#"{"b":2}"#);
        let elsewhere = Bytes::from_static(b"[1]");
        let outside = records_in(&elsewhere, raw).unwrap();
        assert!(outside.iter().all(|r| matches!(r.0, Text::Owned(_))));
    }

    #[test]
    fn a_record_serializes_as_its_value() {
        let r = Record::from_value(&json!({"b": 1, "a": [true]}));
        assert_eq!(r.json(), r#"{"b":1,"a":[true]}"#);
        assert_eq!(
            serde_json::to_string_pretty(&r).unwrap(),
            "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}"
        );
    }
}
