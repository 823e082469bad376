//! Loading a set of OpenAPI documents and resolving `$ref`s within and between them.
//!
//! A document is YAML or JSON (JSON is read by `serde_json`, YAML by the engine's reader, which
//! rejects duplicate keys and reads scalars by the YAML 1.2 core schema). A `$ref` is a JSON
//! Reference (OpenAPI 3.0 §4.8.26 "Reference Object", 3.1 §4.8.23, Swagger 2.0 "Reference
//! Object"): `#/pointer` within the document, `other.yaml#/pointer` or `other.yaml` in a file
//! relative to the referring one. Files named by a reference are loaded with the set; references
//! to URLs are never fetched (conformance runs offline) and count as unresolved.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// How many `$ref`s in a chain are followed before the chain counts as a cycle.
pub const MAX_REF_DEPTH: usize = 32;

/// How many files one set may hold (those given and those their references name).
pub const MAX_FILES: usize = 64;

/// A document that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file, as given (or as a reference named it, joined to the referring file's folder).
    pub file: String,
    /// 1-based line and column of the problem, when the parser knows it.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// One loaded document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The name findings use: the path as given, or as a reference named it.
    pub name: String,
    /// The file's path on disk (for resolving relative references); `None` for text given as is.
    pub path: Option<PathBuf>,
    /// The document as JSON.
    pub value: Value,
}

/// The documents of one API, with their `$ref`s resolvable across the set.
#[derive(Debug, Clone, Default)]
pub struct DocumentSet {
    /// The documents given first (whose operations are checked), then the files their
    /// references named, in the order they were found.
    pub documents: Vec<Document>,
    /// How many of [`DocumentSet::documents`] were given (the rest were only referenced).
    pub given: usize,
}

/// A value of a document set: the document it sits in, and the value.
pub type Located<'a> = (usize, &'a Value);

impl DocumentSet {
    /// Reads and parses `paths`, then every file their `$ref`s name (relative to the referring
    /// file), up to [`MAX_FILES`].
    ///
    /// # Errors
    /// The first file that cannot be read or parsed, with the line and column where known.
    pub fn load(paths: &[PathBuf]) -> Result<DocumentSet, LoadError> {
        let mut set = DocumentSet::default();
        for path in paths {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| LoadError {
                file: name.clone(),
                position: None,
                message: format!("cannot read the file: {e}"),
            })?;
            set.documents.push(Document {
                value: parse(&name, &text)?,
                name,
                path: Some(path.clone()),
            });
        }
        set.given = set.documents.len();
        set.load_referenced()?;
        Ok(set)
    }

    /// A set of documents given as text (`(name, text)` pairs): no file is read, so references
    /// into other files resolve only to documents of the set with that name.
    ///
    /// # Errors
    /// The first document that does not parse.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<DocumentSet, LoadError> {
        let mut set = DocumentSet::default();
        for (name, text) in texts {
            set.documents.push(Document {
                name: (*name).to_owned(),
                path: None,
                value: parse(name, text)?,
            });
        }
        set.given = set.documents.len();
        Ok(set)
    }

    /// Loads the files that references name and the set does not hold yet, transitively.
    fn load_referenced(&mut self) -> Result<(), LoadError> {
        let mut next = 0;
        while next < self.documents.len() {
            let mut targets = BTreeSet::new();
            collect_file_refs(&self.documents[next].value, &mut targets, 0);
            for target in targets {
                if self.find_file(next, &target).is_some() || is_url(&target) {
                    continue;
                }
                let Some((name, path)) = self.joined(next, &target) else {
                    continue;
                };
                if self.documents.len() >= MAX_FILES {
                    return Err(LoadError {
                        file: name,
                        position: None,
                        message: format!("the references name more than {MAX_FILES} files"),
                    });
                }
                let text = std::fs::read_to_string(&path).map_err(|e| LoadError {
                    file: name.clone(),
                    position: None,
                    message: format!(
                        "cannot read the file a $ref in {} names: {e}",
                        self.documents[next].name
                    ),
                })?;
                let value = parse(&name, &text)?;
                self.documents.push(Document {
                    name,
                    path: Some(path),
                    value,
                });
            }
            next += 1;
        }
        Ok(())
    }

    /// The name and path of `target` relative to the document `from`.
    fn joined(&self, from: usize, target: &str) -> Option<(String, PathBuf)> {
        let base = self.documents[from].path.as_deref()?;
        let path = base.parent().unwrap_or(Path::new("")).join(target);
        Some((path.display().to_string(), path))
    }

    /// The document that `target` (the file part of a reference in document `from`) names.
    fn find_file(&self, from: usize, target: &str) -> Option<usize> {
        let wanted = self.joined(from, target).map(|(_, p)| normalize(&p));
        self.documents
            .iter()
            .position(|d| match (&d.path, &wanted) {
                (Some(p), Some(w)) => normalize(p) == *w,
                _ => d.name == target,
            })
    }

    /// Follows `$ref`s from `value` (in document `doc`) to a value that is not a reference.
    ///
    /// # Errors
    /// The reference that cannot be followed: a URL, a file outside the set, a pointer to
    /// nothing, or a chain longer than [`MAX_REF_DEPTH`] (a cycle).
    pub fn resolve<'a>(&'a self, doc: usize, value: &'a Value) -> Result<Located<'a>, String> {
        let (mut doc, mut value) = (doc, value);
        for _ in 0..MAX_REF_DEPTH {
            let Some(target) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((doc, value));
            };
            (doc, value) = self.follow(doc, target)?;
        }
        Err(format!(
            "$ref chain longer than {MAX_REF_DEPTH} (a cycle?) at {}",
            value.get("$ref").and_then(Value::as_str).unwrap_or("?")
        ))
    }

    /// As [`DocumentSet::resolve`], giving back the value itself when a reference cannot be
    /// followed (a check then sees an object it knows nothing about, and checks nothing).
    pub fn resolve_or_self<'a>(&'a self, doc: usize, value: &'a Value) -> Located<'a> {
        self.resolve(doc, value).unwrap_or((doc, value))
    }

    /// As [`DocumentSet::resolve`], also tracking where the value sits: `at` is the location
    /// of `value` (`file#/pointer`), and the location of the value the chain ends at is
    /// returned with it (the last reference's target, its file named as the set names it).
    ///
    /// # Errors
    /// As [`DocumentSet::resolve`].
    pub fn resolve_at<'a>(
        &'a self,
        doc: usize,
        value: &'a Value,
        at: String,
    ) -> Result<(usize, &'a Value, String), String> {
        let (mut doc, mut value, mut at) = (doc, value, at);
        for _ in 0..MAX_REF_DEPTH {
            let Some(target) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((doc, value, at));
            };
            (doc, value) = self.follow(doc, target)?;
            let pointer = target.split_once('#').map_or("", |(_, p)| p);
            at = format!("{}#{}", self.documents[doc].name, percent_decode(pointer));
        }
        Err(format!(
            "$ref chain longer than {MAX_REF_DEPTH} (a cycle?) at {}",
            value.get("$ref").and_then(Value::as_str).unwrap_or("?")
        ))
    }

    /// The value one reference names.
    fn follow(&self, doc: usize, target: &str) -> Result<Located<'_>, String> {
        let (file, pointer) = target.split_once('#').unwrap_or((target, ""));
        let doc = if file.is_empty() {
            doc
        } else if is_url(file) {
            return Err(format!("$ref {target} is a URL (not fetched)"));
        } else {
            self.find_file(doc, file)
                .ok_or_else(|| format!("$ref {target}: no such file in the set"))?
        };
        let pointer = percent_decode(pointer);
        self.documents[doc]
            .value
            .pointer(&pointer)
            .map(|v| (doc, v))
            .ok_or_else(|| format!("$ref {target} points to nothing"))
    }

    /// Every `$ref` of the set that cannot be followed, as (document, JSON pointer of the
    /// reference object, why).
    pub fn unresolved(&self) -> Vec<(usize, String, String)> {
        let mut out = Vec::new();
        for (i, d) in self.documents.iter().enumerate() {
            walk_refs(&d.value, &mut String::new(), 0, &mut |pointer, target| {
                if let Err(why) = self.follow(i, target) {
                    out.push((i, pointer.to_owned(), why));
                }
            });
        }
        out
    }
}

/// Parses one document: JSON when it starts with `{`, else YAML.
fn parse(name: &str, text: &str) -> Result<Value, LoadError> {
    let error = |position, message| LoadError {
        file: name.to_owned(),
        position,
        message,
    };
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text)
            .map_err(|e| error(Some((e.line(), e.column())), format!("invalid JSON: {e}")))?
    } else {
        match actionspec_engine::yaml::parse_untracked(text) {
            Ok(doc) => doc.value,
            Err(issues) => {
                let first = issues.first();
                return Err(error(
                    first.map(|i| (i.span.start.line, i.span.start.col)),
                    first.map_or("invalid YAML".to_owned(), |i| i.message.clone()),
                ));
            }
        }
    };
    if !value.is_object() {
        return Err(error(None, "the document is not an object".to_owned()));
    }
    Ok(value)
}

fn is_url(target: &str) -> bool {
    target.contains("://")
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// JSON References may percent-encode their pointer (RFC 6901 §6): `%7B` → `{`. A pointer that
/// does not decode to UTF-8 is kept as written.
fn percent_decode(pointer: &str) -> String {
    percent_encoding::percent_decode_str(pointer)
        .decode_utf8()
        .map_or_else(|_| pointer.to_owned(), |p| p.into_owned())
}

/// The file parts of the document's `$ref`s.
fn collect_file_refs(value: &Value, out: &mut BTreeSet<String>, depth: usize) {
    walk_refs(value, &mut String::new(), depth, &mut |_, target| {
        let file = target.split_once('#').map_or(target, |(f, _)| f);
        if !file.is_empty() {
            out.insert(file.to_owned());
        }
    });
}

/// Calls `visit(pointer, target)` for every `$ref` string member under `value`. The walk stops
/// at 256 levels (documents parsed from YAML are at most 64 deep; JSON ones are bounded by
/// `serde_json`'s own limit of 128).
fn walk_refs(value: &Value, pointer: &mut String, depth: usize, visit: &mut dyn FnMut(&str, &str)) {
    if depth > 256 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                visit(pointer, target);
            }
            for (key, child) in map {
                // Literal example data (Schema `example`, Example Object `value`), not schemas:
                // a `$ref` member there is data (OpenAPI 3.0 §4.8.19, 3.1 §4.8.19).
                if key == "example" || (key == "value" && pointer.contains("/examples/")) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&actionspec_engine::yaml::escape_token(key));
                walk_refs(child, pointer, depth + 1, visit);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk_refs(child, pointer, depth + 1, visit);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_pointers_are_decoded() {
        assert_eq!(percent_decode("/paths/~1a~1%7Bid%7D"), "/paths/~1a~1{id}");
        assert_eq!(percent_decode("/bad%zz"), "/bad%zz");
    }

    #[test]
    fn a_ref_cycle_is_an_error_not_a_hang() {
        let set =
            DocumentSet::from_texts(&[("a.yaml", "a: { $ref: '#/b' }\nb: { $ref: '#/a' }\n")])
                .unwrap_or_default();
        let start = &set.documents[0].value["a"];
        assert!(set.resolve(0, start).is_err());
    }
}
