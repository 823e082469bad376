//! The operations of a document set, keyed by full path (server path included), and matching
//! an action's method and path to one of them.
//!
//! The full path of an operation is its server URL's path part followed by its `paths` key:
//! OpenAPI 3.0/3.1 "Server Object" `url` (a document without `servers` is served at `/`),
//! Swagger 2.0 `basePath` (default `/`). The full path of an action is its connector's default
//! server URL's path part followed by the action's `path`. Both are compared segment by
//! segment: `{name}` path parameters match each other whatever their names (the path-parameter
//! check then compares names), and a `{variable}` of a server URL matches any one segment.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::DocumentSet;

/// The HTTP methods an OpenAPI "Path Item Object" may hold, in the order of the specifications.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Which specification a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Swagger 2.0 (`swagger: "2.0"`).
    Swagger2,
    /// OpenAPI 3.0 or 3.1 (`openapi: 3.x.y`).
    OpenApi3,
}

/// The flavor of a document, or why it has none.
///
/// # Errors
/// When the document declares neither `openapi: 3.…` nor `swagger: "2.0"`.
pub fn flavor(doc: &Value) -> Result<Flavor, String> {
    if let Some(v) = doc.get("openapi").and_then(Value::as_str) {
        return if v.starts_with("3.") {
            Ok(Flavor::OpenApi3)
        } else {
            Err(format!("`openapi: {v}` is not OpenAPI 3.0 or 3.1"))
        };
    }
    match doc.get("swagger") {
        Some(Value::String(v)) if v == "2.0" => Ok(Flavor::Swagger2),
        Some(v) => Err(format!("`swagger: {v}` is not Swagger 2.0")),
        None => {
            Err("neither `openapi: 3.x` nor `swagger: \"2.0\"`: not an OpenAPI document".into())
        }
    }
}

/// One segment of a full path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Literal text (or a segment mixing text and `{…}`, compared with names blanked).
    Literal(String),
    /// `{name}`, a whole-segment path parameter.
    Param,
    /// A server URL `{variable}`: any one segment.
    Any,
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// The document it belongs to (an index into the set).
    pub doc: usize,
    /// Its flavor.
    pub flavor: Flavor,
    /// The `paths` key: `/usergroups/{id}`.
    pub path: &'a str,
    /// The full path, server path first: `/api/v2/usergroups/{id}`.
    pub full_path: String,
    /// The method, lowercase as in the document.
    pub method: &'static str,
    /// The Path Item Object.
    pub item: &'a Value,
    /// The Operation Object.
    pub op: &'a Value,
    /// `v2.yaml#/paths/~1usergroups~1{id}/get`.
    pub location: String,
    segments: Vec<Segment>,
}

impl<'a> Operation<'a> {
    /// Swagger 2.0's `consumes`: the operation's media types, else the document's (`doc`, the
    /// value of the document it belongs to); empty when neither declares any, which accepts any.
    pub fn consumes(&self, doc: &'a Value) -> Vec<&'a str> {
        self.op
            .get("consumes")
            .or_else(|| doc.get("consumes"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }
}

/// Every operation of the set's given documents (not of files only referenced).
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// The operations, in document order.
    pub operations: Vec<Operation<'a>>,
    /// Per given document, the server URLs it declares (Swagger 2.0: built from `schemes`,
    /// `host` and `basePath`).
    pub servers: BTreeMap<usize, Vec<String>>,
}

impl<'a> Index<'a> {
    /// Indexes the given documents of `set`.
    ///
    /// # Errors
    /// A document that is not OpenAPI 3.x or Swagger 2.0, or has no `paths` object, as
    /// `file: why`.
    pub fn new(set: &'a DocumentSet) -> Result<Index<'a>, String> {
        let mut index = Index::default();
        for (doc, document) in set.documents.iter().enumerate().take(set.given) {
            let value = &document.value;
            let flavor = flavor(value).map_err(|e| format!("{}: {e}", document.name))?;
            let Some(paths) = value.get("paths").and_then(Value::as_object) else {
                return Err(format!("{}: no `paths` object", document.name));
            };
            let servers = server_urls(value, flavor);
            for (path, item) in paths {
                let (_, item) = set.resolve_or_self(doc, item);
                for method in METHODS {
                    let Some(op) = item.get(method) else { continue };
                    for server in &servers {
                        index.operations.push(Operation {
                            doc,
                            flavor,
                            path,
                            full_path: format!("{}{path}", url_path(server)),
                            method,
                            item,
                            op,
                            location: location(&document.name, &["paths", path, method]),
                            segments: segments(&url_path(server), true)
                                .into_iter()
                                .chain(segments(path, false))
                                .collect(),
                        });
                    }
                }
            }
            index.servers.insert(doc, servers);
        }
        // The same operation under several servers (US and EU) is one operation.
        index
            .operations
            .dedup_by(|a, b| a.location == b.location && a.full_path == b.full_path);
        Ok(index)
    }

    /// The operations whose full path matches `full_path` (an action's), any method.
    pub fn by_path(&self, full_path: &str) -> Vec<&Operation<'a>> {
        let wanted = segments(full_path, false);
        self.operations
            .iter()
            .filter(|op| matches(&op.segments, &wanted))
            .collect()
    }
}

/// `file#/a/b`, each token escaped by RFC 6901 (`/` → `~1`).
pub fn location(file: &str, tokens: &[&str]) -> String {
    let mut out = format!("{file}#");
    for token in tokens {
        out.push('/');
        out.push_str(&actionspec_engine::yaml::escape_token(token));
    }
    out
}

/// A document's server URLs, trailing `/` removed.
pub fn server_urls(doc: &Value, flavor: Flavor) -> Vec<String> {
    let mut urls: Vec<String> = match flavor {
        Flavor::OpenApi3 => doc
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .map(|u| u.trim_end_matches('/').to_owned())
            .collect(),
        Flavor::Swagger2 => {
            let host = doc.get("host").and_then(Value::as_str).unwrap_or("");
            let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
            let base = base.trim_end_matches('/');
            let schemes: Vec<&str> = doc
                .get("schemes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match (host, schemes.is_empty()) {
                ("", _) => vec![base.to_owned()],
                (_, true) => vec![format!("https://{host}{base}")],
                (_, false) => schemes
                    .iter()
                    .map(|s| format!("{s}://{host}{base}"))
                    .collect(),
            }
        }
    };
    if urls.is_empty() {
        urls.push(String::new());
    }
    urls
}

/// The host and path parts of a URL: `https://a.example.com/api/` → (`a.example.com`, `/api`);
/// a relative URL (`/api/v2`) has no host.
pub fn split_url(url: &str) -> (Option<&str>, &str) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, url.trim_end_matches('/'));
    };
    match rest.find('/') {
        Some(i) => (Some(&rest[..i]), rest[i..].trim_end_matches('/')),
        None => (Some(rest), ""),
    }
}

/// The path part of a URL, without a trailing `/`.
pub fn url_path(url: &str) -> String {
    split_url(url).1.to_owned()
}

/// Whether a connector server URL is served by a document server URL: the hosts are equal (or
/// either is a template) and the connector's path is a prefix of the document's.
pub fn server_matches(connector: &str, document: &str) -> bool {
    let (ours, our_path) = split_url(connector);
    let (theirs, their_path) = split_url(document);
    let hosts = match (ours, theirs) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || a.contains('{') || b.contains('{'),
        _ => true,
    };
    let ours = segments(our_path, true);
    let theirs = segments(their_path, true);
    hosts && ours.len() <= theirs.len() && matches(&theirs[..ours.len()], &ours)
}

fn segments(path: &str, server: bool) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if !s.contains('{') {
                Segment::Literal(s.to_owned())
            } else if server {
                Segment::Any
            } else if s.starts_with('{') && s.ends_with('}') && s.matches('{').count() == 1 {
                Segment::Param
            } else {
                Segment::Literal(path_shape(s))
            }
        })
        .collect()
}

/// Whether a document's segments match an action's.
fn matches(document: &[Segment], action: &[Segment]) -> bool {
    document.len() == action.len()
        && document.iter().zip(action).all(|(d, a)| match (d, a) {
            (Segment::Any, _) | (_, Segment::Any) => true,
            (Segment::Param, Segment::Param) => true,
            (Segment::Literal(d), Segment::Literal(a)) => d == a,
            _ => false,
        })
}

/// A path with its parameter names blanked: `/a/{id}/b` → `/a/{}/b`.
pub fn path_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_path() {
        assert_eq!(
            split_url("https://x.example.com/api/v2/"),
            (Some("x.example.com"), "/api/v2")
        );
        assert_eq!(split_url("https://{domain}"), (Some("{domain}"), ""));
        assert_eq!(split_url("/api"), (None, "/api"));
    }

    #[test]
    fn a_server_path_prefix_and_template_hosts_match() {
        assert!(server_matches(
            "https://a.example.com/api",
            "https://a.example.com/api/v2"
        ));
        assert!(server_matches("https://{domain}", "https://{yourDomain}"));
        assert!(!server_matches(
            "https://a.example.com/api",
            "https://b.example.com/api"
        ));
        assert!(!server_matches(
            "https://a.example.com/api",
            "https://a.example.com/v1"
        ));
    }
}
