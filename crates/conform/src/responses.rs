//! `conform --sandbox`: every example of every action run against the connector's sandbox,
//! each response validated against the operation's response schema for its status.
//!
//! The response schema of a status is the operation's `responses` entry for it (else its
//! `NXX` range, else `default`), `$ref`s resolved: OpenAPI 3 `content` → the first JSON media
//! type (`application/json`, `…+json`) → `schema`; Swagger 2.0 `schema`. A list action's
//! records (each as the engine delivers them, from the pagination style's `records` pointer)
//! are validated against the item schema found by walking the response schema along that
//! pointer (`properties`, through `allOf`, then `items`). See [`crate::validate`] for the
//! keywords checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use actionspec_engine::{Action, Client, Connector};
use serde::Serialize;
use serde_json::Value;

use crate::document::DocumentSet;
use crate::operations::{Flavor, Index, Operation, split_url};
use crate::validate::{Validator, display_pointer};

/// One example response that breaks its schema, or could not be obtained.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseFailure {
    /// The action.
    pub action: String,
    /// The example, 1-based as in the connector file.
    pub example: usize,
    /// `/results/0/accountType: "customer" is not one of [...] (v1.yaml#/…/enum)`, or why the
    /// example did not run.
    pub message: String,
}

/// What `--sandbox` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResponseReport {
    /// Examples run.
    pub examples: usize,
    /// Examples whose response validated (or has no schema to validate against).
    pub conforming: usize,
    /// Examples whose response has no schema in the documents (no body, no operation, or no
    /// JSON schema for the status): counted as conforming.
    pub unchecked: usize,
    /// The failures, in action and example order.
    pub failures: Vec<ResponseFailure>,
    /// The examples counted in `unchecked`, each with why (`no body`, `no JSON response schema
    /// for the status`, …).
    pub skipped: Vec<ResponseFailure>,
    /// Schema keywords ignored (not validated) → how many schema locations carry them.
    pub ignored: BTreeMap<String, usize>,
}

impl ResponseReport {
    /// Whether every example response conforms.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// `69/69 example responses conform (3 without a schema; 12 schema keywords ignored: …)`.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{}/{} example responses conform",
            self.conforming, self.examples
        );
        let mut extra = Vec::new();
        if self.unchecked > 0 {
            extra.push(format!("{} without a schema", self.unchecked));
        }
        if !self.ignored.is_empty() {
            let total: usize = self.ignored.values().sum();
            let names: Vec<String> = self
                .ignored
                .iter()
                .map(|(k, n)| format!("{k} ×{n}"))
                .collect();
            extra.push(format!(
                "{total} schema keywords ignored: {}",
                names.join(", ")
            ));
        }
        if !extra.is_empty() {
            let _ = write!(line, " ({})", extra.join("; "));
        }
        line
    }

    /// One `error[response] action example N: …` line per failure, then the summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.failures {
            let _ = writeln!(
                out,
                "error[response] {} example {}: {}",
                f.action, f.example, f.message
            );
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }
}

/// Runs every example of `connector` against a fresh sandbox per action (so that one action's
/// deletions do not reach another's examples) and validates the responses against `documents`.
///
/// # Errors
/// A document that is not OpenAPI, or a sandbox that cannot be built or started, as text.
pub async fn check_responses(
    connector: &Connector,
    documents: &DocumentSet,
) -> Result<ResponseReport, String> {
    let index = Index::new(documents)?;
    let client = Client::new().map_err(|e| e.to_string())?;
    let server_path = connector
        .spec
        .servers
        .get(&connector.spec.default_server)
        .map(|s| split_url(&s.url).1.to_owned())
        .unwrap_or_default();
    let mut validator = Validator::new(documents);
    let mut report = ResponseReport::default();
    for action in connector.actions.values() {
        // Each action starts from the seeded records: a fresh sandbox (same seed) per action.
        let sandbox =
            actionspec_sandbox::Sandbox::new(connector, &actionspec_sandbox::Options::default())
                .map_err(|e| e.to_string())?;
        let running = sandbox.start(0).await.map_err(|e| e.to_string())?;
        let config = running.config();
        let full_path = format!("{server_path}{}", action.spec.path);
        let operation = crate::find_operation(&index, &action.spec, &full_path).ok();
        for (i, example) in action.spec.examples.iter().enumerate() {
            report.examples += 1;
            let input = Value::Object(example.input.clone());
            let outcome = connector.run(&client, action, &input, &config).await;
            let result = match outcome {
                Err(e) => Err(vec![format!("did not run: {e}")]),
                Ok(outcome) => Ok(check_one(
                    &mut validator,
                    documents,
                    operation,
                    action,
                    &outcome,
                )),
            };
            match result {
                Ok(Checked::Valid) => report.conforming += 1,
                Ok(Checked::NoSchema(why)) => {
                    report.conforming += 1;
                    report.unchecked += 1;
                    report.skipped.push(ResponseFailure {
                        action: action.id.clone(),
                        example: i + 1,
                        message: why.to_owned(),
                    });
                }
                Ok(Checked::Invalid(messages)) | Err(messages) => {
                    report
                        .failures
                        .extend(messages.into_iter().map(|message| ResponseFailure {
                            action: action.id.clone(),
                            example: i + 1,
                            message,
                        }))
                }
            }
        }
    }
    report.ignored = validator.ignored();
    Ok(report)
}

enum Checked {
    Valid,
    /// Nothing to validate, and why.
    NoSchema(&'static str),
    Invalid(Vec<String>),
}

/// Validates one outcome: its body, or for list actions each record.
fn check_one(
    validator: &mut Validator<'_>,
    documents: &DocumentSet,
    operation: Option<&Operation<'_>>,
    action: &Action,
    outcome: &actionspec_engine::Outcome,
) -> Checked {
    let Some(op) = operation else {
        return Checked::NoSchema("no operation of the documents");
    };
    let Some((doc, schema, at)) = response_schema(documents, op, outcome.status) else {
        return Checked::NoSchema("no JSON response schema for the status");
    };
    let mut violations = Vec::new();
    if let Some(page) = &outcome.page {
        let records = action
            .pagination
            .as_ref()
            .map_or(String::new(), |p| p.records.clone());
        let Some((doc, item, item_at)) = item_schema(documents, doc, schema, at, &records) else {
            return Checked::NoSchema("no item schema at the records pointer");
        };
        for (i, record) in page.records.iter().enumerate() {
            let pointer = format!("{records}/{i}");
            violations.extend(validator.validate(doc, item, &item_at, &record.value(), &pointer));
        }
    } else if let Some(body) = &outcome.body {
        violations = validator.validate(doc, schema, &at, body, "");
    } else {
        return Checked::NoSchema("no body");
    }
    if violations.is_empty() {
        return Checked::Valid;
    }
    Checked::Invalid(
        violations
            .into_iter()
            .map(|v| {
                format!(
                    "{}: {} ({})",
                    display_pointer(&v.pointer),
                    v.message,
                    v.location
                )
            })
            .collect(),
    )
}

/// The response schema of `status` for an operation, with its document and location.
pub fn response_schema<'a>(
    documents: &'a DocumentSet,
    op: &Operation<'a>,
    status: u16,
) -> Option<(usize, &'a Value, String)> {
    let responses = op.op.get("responses")?.as_object()?;
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    let (key, response) = [
        code.as_str(),
        range.as_str(),
        &range.to_lowercase(),
        "default",
    ]
    .into_iter()
    .find_map(|k| responses.get_key_value(k))?;
    let at = format!(
        "{}/responses/{}",
        op.location,
        actionspec_engine::yaml::escape_token(key)
    );
    let (doc, response, at) = documents.resolve_at(op.doc, response, at).ok()?;
    match op.flavor {
        Flavor::Swagger2 => response
            .get("schema")
            .map(|s| (doc, s, format!("{at}/schema"))),
        Flavor::OpenApi3 => {
            let content = response.get("content")?.as_object()?;
            let (media, body) = content.iter().find(|(m, _)| is_json(m))?;
            let media = actionspec_engine::yaml::escape_token(media);
            body.get("schema")
                .map(|s| (doc, s, format!("{at}/content/{media}/schema")))
        }
    }
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// The item schema of a list response: the schema at the `records` pointer (each token a
/// member of `properties`, looked for through `allOf` members), then its `items`.
fn item_schema<'a>(
    documents: &'a DocumentSet,
    doc: usize,
    schema: &'a Value,
    at: String,
    records: &str,
) -> Option<(usize, &'a Value, String)> {
    let (mut doc, mut schema, mut at) = (doc, schema, at);
    for token in records.split('/').skip(1) {
        let token = actionspec_engine::yaml::unescape_token(token);
        (doc, schema, at) = property(documents, doc, schema, at, &token, 0)?;
    }
    let (doc, schema, at) = documents.resolve_at(doc, schema, at).ok()?;
    schema.get("items").map(|i| (doc, i, format!("{at}/items")))
}

fn property<'a>(
    documents: &'a DocumentSet,
    doc: usize,
    schema: &'a Value,
    at: String,
    name: &str,
    depth: usize,
) -> Option<(usize, &'a Value, String)> {
    if depth > 16 {
        return None;
    }
    let (doc, schema, at) = documents.resolve_at(doc, schema, at).ok()?;
    if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
        let token = actionspec_engine::yaml::escape_token(name);
        return Some((doc, p, format!("{at}/properties/{token}")));
    }
    let members = schema.get("allOf")?.as_array()?;
    members.iter().enumerate().find_map(|(i, m)| {
        property(
            documents,
            doc,
            m,
            format!("{at}/allOf/{i}"),
            name,
            depth + 1,
        )
    })
}
