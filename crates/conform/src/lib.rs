//! Conformance of an Actionspec connector to the vendor's OpenAPI documents.
//!
//! Loads OpenAPI 3.0, 3.1 and Swagger 2.0 documents (YAML or JSON, `$ref`s resolved within and
//! between the files of a set) and checks every action of a connector against the operation its
//! method and path match: path parameters, query and header parameters (declared, required,
//! typed, array style), the request body (media type, required members, properties), the
//! success statuses, the scopes and the connector's default headers. It also lists the
//! documents' operations no action covers. The rules are listed by [`Rule`]; a connector says
//! where it differs on purpose with a `conform:` map (rule id → reason) on the action or input.
//!
//! ```
//! use actionspec_conform::{DocumentSet, Options, check};
//! use actionspec_engine::Connector;
//!
//! let connector = Connector::from_yaml("demo.yaml", r#"
//! spec_version: 1
//! key: demo
//! name: Demo
//! version: 1.0.0
//! servers: { prod: { url: "https://api.example.com/v1" } }
//! default_server: prod
//! actions:
//!   get_user:
//!     name: Get User
//!     description: Fetch one user.
//!     method: GET
//!     path: /users/{id}
//!     success: [200]
//!     inputs: { id: { type: string, in: path, required: true } }
//!     examples: [ { input: { id: u1 } } ]
//! "#).expect("valid connector");
//! let documents = DocumentSet::from_texts(&[("api.yaml", r#"
//! openapi: 3.1.0
//! servers: [ { url: "https://api.example.com/v1" } ]
//! paths:
//!   /users/{id}:
//!     get:
//!       parameters: [ { name: id, in: path, required: true, schema: { type: string } } ]
//!       responses: { "200": { description: OK } }
//!     delete:
//!       responses: { "204": { description: Deleted } }
//! "#)]).expect("valid document");
//! let report = check(&connector.spec, &documents, &Options::default()).expect("OpenAPI");
//! assert!(report.passed());
//! assert_eq!(report.summary(), "1/1 actions conform (1 operation of the documents not covered)");
//! assert_eq!(report.uncovered[0].location, "api.yaml#/paths/~1users~1{id}/delete");
//! ```

mod checks;
pub mod document;
pub mod operations;
pub mod report;
pub mod responses;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};

use actionspec_engine::spec::{ActionSpec, ConnectorSpec};

pub use checks::{Shape, operation_scopes, shape};
pub use document::{DocumentSet, LoadError};
pub use report::{Finding, OperationRef, Report, Rule, Severity};
pub use responses::{ResponseFailure, ResponseReport, check_responses};

use checks::{Ctx, Raw};
use operations::{Index, Operation, location, server_matches, split_url};

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Operation members that list scopes beside the standard `security` requirements (a
    /// vendor extension); default `["x-scopes"]`.
    pub scope_keys: Vec<String>,
    /// Default headers known to be accepted by every operation although the documents do not
    /// declare them (case-insensitive).
    pub accepted_headers: Vec<String>,
    /// The severity of a rule's findings, instead of [`Rule::default_severity`] (e.g.
    /// [`Rule::DefaultHeader`] as an error, or any rule as information).
    pub severities: BTreeMap<Rule, Severity>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            scope_keys: vec!["x-scopes".to_owned()],
            accepted_headers: Vec::new(),
            severities: BTreeMap::new(),
        }
    }
}

/// Checks every action of `spec` against the given documents of `documents`.
///
/// An action's full path is its connector's default server URL path followed by its `path`; it
/// matches an operation whose server URL path (OpenAPI 3 `servers`, Swagger 2.0 `basePath`)
/// followed by its `paths` key has the same segments (path parameters match each other, server
/// URL variables match anything). Every connector server must be served by each document that
/// holds a matched operation (same host, or a templated one, and a path prefix).
///
/// # Errors
/// A given document that is not OpenAPI 3.x or Swagger 2.0, or has no `paths`, as `file: why`.
pub fn check(
    spec: &ConnectorSpec,
    documents: &DocumentSet,
    options: &Options,
) -> Result<Report, String> {
    let index = Index::new(documents)?;
    let server_path = spec
        .servers
        .get(&spec.default_server)
        .map(|s| split_url(&s.url).1.to_owned())
        .unwrap_or_default();
    let accepted: BTreeSet<String> = options
        .accepted_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let scoped = documents_with_scopes(documents, &options.scope_keys);
    let mut report = Report {
        connector: spec.key.clone(),
        actions: spec.actions.len(),
        ..Report::default()
    };
    let mut covered = BTreeSet::new();
    let mut used_docs = BTreeSet::new();
    let mut per_action = Vec::new();
    for (id, action) in &spec.actions {
        let full_path = format!("{server_path}{}", action.path);
        let raws = match find_operation(&index, action, &full_path) {
            Ok(op) => {
                covered.insert(op.location.clone());
                used_docs.insert(op.doc);
                report.matched += 1;
                let mut ctx = Ctx::new(documents, spec, action, op);
                ctx.scope_keys = &options.scope_keys;
                ctx.accepted_headers = &accepted;
                ctx.document_has_scopes = scoped.contains(&op.doc);
                ctx.run();
                ctx.found
            }
            Err(raw) => vec![raw],
        };
        let findings: Vec<Finding> = raws
            .into_iter()
            .map(|r| finding(r, Some((id, action)), options))
            .collect();
        if !findings.iter().any(|f| f.severity == Severity::Error) {
            report.conforming += 1;
        }
        per_action.extend(findings);
    }
    report.findings = connector_findings(spec, documents, &index, &used_docs, options);
    report.findings.extend(per_action);
    let mut seen = BTreeSet::new();
    for op in &index.operations {
        if !covered.contains(&op.location) && seen.insert(op.location.clone()) {
            report.uncovered.push(OperationRef {
                method: op.method.to_ascii_uppercase(),
                path: op.full_path.clone(),
                location: op.location.clone(),
            });
        }
    }
    Ok(report)
}

/// The operation an action's method and full path match, or the finding that none does.
fn find_operation<'i, 'a>(
    index: &'i Index<'a>,
    action: &ActionSpec,
    full_path: &str,
) -> Result<&'i Operation<'a>, Raw> {
    let method = action.method.as_str();
    let candidates = index.by_path(full_path);
    let same_method = || {
        candidates
            .iter()
            .copied()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
    };
    // Prefer the operation whose parameter names are ours too.
    let exact =
        same_method().find(|op| checks::path_names(op.path) == checks::path_names(&action.path));
    if let Some(op) = exact.or_else(|| same_method().next()) {
        return Ok(op);
    }
    let message;
    let mut location = None;
    if let Some(first) = candidates.first() {
        let mut have: Vec<String> = candidates
            .iter()
            .map(|op| op.method.to_ascii_uppercase())
            .collect();
        have.dedup();
        message = format!(
            "{method} {full_path}: the path has no {method} (it has {})",
            have.join(", ")
        );
        // The operation's location starts with its file name and `#`.
        let file = first.location.split('#').next().unwrap_or("");
        location = Some(operations::location(file, &["paths", first.path]));
    } else {
        message = format!("{method} {full_path}: no operation of the documents has this path");
    }
    Err(Raw {
        rule: Rule::Operation,
        input: None,
        message,
        location,
    })
}

/// Findings about the connector as a whole: servers the documents do not serve, and `$ref`s
/// that cannot be followed.
fn connector_findings(
    spec: &ConnectorSpec,
    documents: &DocumentSet,
    index: &Index<'_>,
    used: &BTreeSet<usize>,
    options: &Options,
) -> Vec<Finding> {
    let mut raws = Vec::new();
    for doc in used {
        let urls = index.servers.get(doc).cloned().unwrap_or_default();
        let name = &documents.documents[*doc].name;
        for (server_name, server) in &spec.servers {
            if !urls.iter().any(|u| server_matches(&server.url, u)) {
                raws.push(Raw {
                    rule: Rule::Server,
                    input: None,
                    message: format!(
                        "server `{server_name}` ({}) is not served by {name}'s servers [{}]",
                        server.url,
                        urls.join(", ")
                    ),
                    location: Some(location(
                        name,
                        &[server_member(&documents.documents[*doc].value)],
                    )),
                });
            }
        }
    }
    for (doc, pointer, why) in documents.unresolved() {
        raws.push(Raw {
            rule: Rule::UnresolvedRef,
            input: None,
            message: why,
            location: Some(format!("{}#{pointer}", documents.documents[doc].name)),
        });
    }
    raws.into_iter()
        .map(|r| finding(r, None, options))
        .collect()
}

/// Where a document says its server: `servers` (OpenAPI 3), `host` (Swagger 2.0).
fn server_member(doc: &serde_json::Value) -> &'static str {
    if doc.get("swagger").is_some() {
        "host"
    } else {
        "servers"
    }
}

/// The documents that declare scopes on some operation (in `security` or a `scope_keys` list).
fn documents_with_scopes(documents: &DocumentSet, scope_keys: &[String]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for (i, d) in documents.documents.iter().enumerate().take(documents.given) {
        let paths = d.value.get("paths").and_then(serde_json::Value::as_object);
        let any = paths.into_iter().flat_map(|p| p.values()).any(|item| {
            operations::METHODS
                .iter()
                .filter_map(|m| item.get(*m))
                .any(|op| !checks::operation_scopes(&d.value, op, scope_keys).is_empty())
        });
        if any {
            out.insert(i);
        }
    }
    out
}

/// A raw finding with its severity: waived by the input's or the action's `conform:` map (→
/// information, with the reason), else as `options` or the rule's default says.
fn finding(
    raw: Raw,
    action: Option<(&String, &std::sync::Arc<ActionSpec>)>,
    options: &Options,
) -> Finding {
    let rule = raw.rule.id();
    let waived = action.and_then(|(_, a)| {
        let input = raw.input.as_ref().and_then(|i| a.inputs.get(i));
        input
            .and_then(|i| i.conform.get(rule))
            .or_else(|| a.conform.get(rule))
            .cloned()
    });
    let severity = if waived.is_some() {
        Severity::Info
    } else {
        options
            .severities
            .get(&raw.rule)
            .copied()
            .unwrap_or(raw.rule.default_severity())
    };
    Finding {
        rule: raw.rule,
        severity,
        action: action.map(|(id, _)| id.clone()),
        message: raw.message,
        location: raw.location,
        waived,
    }
}
