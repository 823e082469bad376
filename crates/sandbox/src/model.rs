//! The sandbox's model of an API, derived from a connector: its resources and what each action
//! does to them.
//!
//! The rules (documented for authors in `docs/connector-format.md`, "Sandbox"):
//!
//! - a `GET` with a pagination style is a *list* of the collection at its path;
//! - a `GET` on `{collection}/{id}` (no pagination) is a *get*;
//! - a `POST` on a collection path is a *create*;
//! - a `PUT` on an item path is a *replace*, a `PATCH` a *merge*;
//! - a `DELETE` on an item path is a *delete*;
//! - anything else *responds* with the action's declared response and changes nothing.
//!
//! A path is a collection when some action lists it or gets an item of it. An action's
//! `sandbox:` hint overrides the derived operation. A resource is named after the last literal
//! segment of its collection path (`/v2/usergroups` → `usergroups`).

use std::collections::HashMap;

use actionspec_engine::Connector;
use actionspec_engine::spec::{
    AuthType, ExampleResponse, InputSpec, InputType, KeyPlacement, Method, PaginationStyle,
    Placement, SandboxOperation,
};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::Error;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A literal segment.
    Lit(String),
    /// A placeholder filled by the input with this id.
    Param(String),
}

/// What an action does to the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Get,
    Create,
    /// `merge: false` replaces the writable members (PUT), `true` merges (PATCH).
    Update {
        merge: bool,
    },
    Delete,
    Respond,
}

impl Op {
    fn from_hint(op: SandboxOperation) -> Op {
        match op {
            SandboxOperation::List => Op::List,
            SandboxOperation::Get => Op::Get,
            SandboxOperation::Create => Op::Create,
            SandboxOperation::Replace => Op::Update { merge: false },
            SandboxOperation::Merge => Op::Update { merge: true },
            SandboxOperation::Delete => Op::Delete,
            SandboxOperation::Respond => Op::Respond,
        }
    }

    /// Whether the operation addresses one record (`{collection}/{id}`).
    pub(crate) fn is_item(self) -> bool {
        matches!(self, Op::Get | Op::Update { .. } | Op::Delete)
    }
}

/// A collection of records.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// The name used by `--records` and `references`: `systemusers`.
    pub name: String,
    /// The collection path as the connector writes it: `/systemusers`, `/commands/{id}/results`.
    pub path: String,
    /// The collection path with placeholders blanked, to compare paths.
    pub key: Vec<Option<String>>,
    /// Placeholders in the collection path: records are kept per combination of their values.
    pub params: usize,
    /// The record member holding the id (`_id`, `id`).
    pub id_field: String,
    /// The resource whose records own this one's partitions (`/commands/{id}/results` →
    /// `commands`), used to seed nested collections.
    pub parent: Option<usize>,
}

/// A record that must exist for a request to succeed: a path prefix `{collection}/{id}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParentRef {
    pub resource: usize,
    /// How many path parameters the prefix holds: the partition is the first `len - 1`, the id
    /// the last.
    pub len: usize,
}

/// A body input: its id and its name on the wire.
#[derive(Debug, Clone)]
pub(crate) struct BodyInput {
    pub id: String,
    pub wire: String,
    /// A `sensitive` input (a password): checked, never stored.
    pub sensitive: bool,
}

/// One action, ready to answer requests.
#[derive(Debug)]
pub(crate) struct Route {
    pub action: String,
    pub method: Method,
    pub segs: Vec<Seg>,
    pub op: Op,
    /// The resource, for every operation but `Respond`.
    pub resource: Option<usize>,
    pub style: Option<PaginationStyle>,
    /// The status a success answers with: the first of the action's `success` list.
    pub status: u16,
    /// Whether a record operation answers with the record (else no body).
    pub with_body: bool,
    /// The declared response of a `Respond` operation.
    pub response: Option<ExampleResponse>,
    /// Members a create adds that the client does not send (from the first example).
    pub defaults: Map<String, Value>,
    pub body_inputs: Vec<BodyInput>,
    /// The body is a template (`body:`), so body inputs cannot be read back from it.
    pub templated_body: bool,
    pub inputs: IndexMap<String, InputSpec>,
    pub validator: Option<actionspec_engine::schema::Schema>,
    /// Default headers (lowercase) the operation does not take.
    pub omit_headers: Vec<String>,
    pub parent: Option<ParentRef>,
    /// Inputs whose values must be ids of records of a resource.
    pub references: Vec<(String, usize)>,
    /// Wire names of the list conventions the action declares: `filter`, `sort`, `fields`.
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub fields: Option<String>,
    /// First example's input, for seeding.
    pub examples: Vec<actionspec_engine::spec::Example>,
}

/// Where the API key may be sent.
#[derive(Debug, Clone)]
pub(crate) struct KeySlot {
    pub placement: KeyPlacement,
    /// Header names are lowercase.
    pub name: String,
}

/// A default header that carries a non-secret credential (a tenant id such as `x-org-id`): it names a
/// tenant, and a request naming another tenant is refused with 403.
#[derive(Debug, Clone)]
pub(crate) struct Tenant {
    /// Lowercase header name.
    pub header: String,
    pub credential: String,
}

/// Everything the sandbox knows about the API.
#[derive(Debug)]
pub(crate) struct Model {
    pub connector: String,
    /// The default server's URL path (`/api`), without a trailing slash.
    pub base_path: String,
    pub routes: Vec<Route>,
    pub resources: Vec<Resource>,
    pub key_slots: Vec<KeySlot>,
    /// The credentials the API key fills.
    pub key_credentials: Vec<String>,
    pub tenants: Vec<Tenant>,
    pub error_body: Value,
}

/// The placeholders an error body may use.
const ERROR_PLACEHOLDERS: [&str; 3] = ["status", "reason", "message"];

impl Model {
    /// Derives the model from a loaded connector.
    pub(crate) fn build(connector: &Connector) -> Result<Model, Error> {
        let spec = &connector.spec;
        let base_path = spec
            .servers
            .get(&spec.default_server)
            .and_then(|s| url::Url::parse(&s.url).ok())
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();

        // 1. Paths and the operation each action asks for.
        struct Draft<'a> {
            action: &'a actionspec_engine::Action,
            segs: Vec<Seg>,
            key: Vec<Option<String>>,
            hinted: Option<Op>,
        }
        let mut drafts = Vec::new();
        for action in connector.actions.values() {
            let segs = parse_path(&action.spec.path, &action.spec.inputs);
            let key = normalize(&segs);
            let hinted = action
                .spec
                .sandbox
                .as_ref()
                .and_then(|h| h.operation)
                .map(Op::from_hint);
            drafts.push(Draft {
                action,
                segs,
                key,
                hinted,
            });
        }

        // 2. Collections: listed paths, and the parents of items that are read.
        let mut collections: Vec<(Vec<Option<String>>, String)> = Vec::new();
        let mut add_collection = |key: Vec<Option<String>>, path: String| {
            if !collections.iter().any(|(k, _)| *k == key) {
                collections.push((key, path));
            }
        };
        for d in &drafts {
            let method = d.action.spec.method;
            let op = d.hinted.or(match method {
                Method::Get if d.action.pagination.is_some() => Some(Op::List),
                Method::Get if ends_with_param(&d.segs) => Some(Op::Get),
                _ => None,
            });
            match op {
                Some(Op::List | Op::Create) => {
                    add_collection(d.key.clone(), d.action.spec.path.clone());
                }
                Some(op) if op.is_item() => {
                    if !ends_with_param(&d.segs) {
                        return Err(Error::Model(format!(
                            "action `{}`: sandbox operation needs a path that ends with an id placeholder, such as /things/{{id}} (path: {})",
                            d.action.id, d.action.spec.path
                        )));
                    }
                    add_collection(
                        d.key[..d.key.len() - 1].to_vec(),
                        parent_path(&d.action.spec.path),
                    );
                }
                _ => {}
            }
        }

        // 3. Resources, named after the last literal segment of a top-level collection path;
        //    nested collections, and names that would be ambiguous, use every literal segment
        //    (`/commands/{id}/results` → `commands/results`).
        let mut resources: Vec<Resource> = collections
            .iter()
            .map(|(key, path)| Resource {
                name: if key.iter().any(Option::is_none) {
                    literal_path(key)
                } else {
                    last_literal(key)
                },
                path: path.clone(),
                key: key.clone(),
                params: key.iter().filter(|s| s.is_none()).count(),
                id_field: String::new(),
                parent: None,
            })
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &resources {
            *seen.entry(r.name.clone()).or_default() += 1;
        }
        for r in &mut resources {
            if seen.get(&r.name).copied().unwrap_or(0) > 1 || r.name.is_empty() {
                r.name = literal_path(&r.key);
            }
        }
        let find = |key: &[Option<String>]| resources.iter().position(|r| r.key == key);

        // 4. Each action's operation and resource.
        let mut routes = Vec::new();
        for d in &drafts {
            let a = d.action;
            let last_is_param = ends_with_param(&d.segs);
            let item_of = if last_is_param {
                find(&d.key[..d.key.len() - 1])
            } else {
                None
            };
            let (op, resource) = match d.hinted {
                Some(Op::Respond) => (Op::Respond, None),
                Some(op @ (Op::List | Op::Create)) => (op, find(&d.key)),
                Some(op) => (op, item_of),
                None => match (a.spec.method, a.pagination.is_some()) {
                    (Method::Get, true) => (Op::List, find(&d.key)),
                    (Method::Get, false) if item_of.is_some() => (Op::Get, item_of),
                    (Method::Post, _) if find(&d.key).is_some() => (Op::Create, find(&d.key)),
                    (Method::Put, _) if item_of.is_some() => (Op::Update { merge: false }, item_of),
                    (Method::Patch, _) if item_of.is_some() => {
                        (Op::Update { merge: true }, item_of)
                    }
                    (Method::Delete, _) if item_of.is_some() => (Op::Delete, item_of),
                    _ => (Op::Respond, None),
                },
            };
            if op == Op::List && a.pagination.is_none() {
                return Err(Error::Model(format!(
                    "action `{}`: a sandbox `list` needs a pagination style, which says where the records go",
                    a.id
                )));
            }
            if let Some(style) = a.pagination.as_ref().filter(|_| op == Op::List)
                && style.kind != actionspec_engine::spec::PaginationType::Offset
            {
                return Err(Error::Model(format!(
                    "action `{}`: the sandbox serves `offset` pagination only so far, not `{}`",
                    a.id,
                    style.kind.as_str()
                )));
            }
            let op = if resource.is_none() { Op::Respond } else { op };
            routes.push(compile_route(a, d.segs.clone(), op, resource, &resources)?);
        }

        // 5. Record id fields; 6. parents of nested collections.
        assign_id_fields(&mut resources, &routes);
        assign_parents(&mut resources, &routes);
        // Where the API key goes, and the tenant headers.
        let (key_slots, key_credentials) = key_slots(spec);
        let tenants = tenants(spec);

        let error_body = spec
            .sandbox
            .as_ref()
            .and_then(|s| s.error_body.clone())
            .unwrap_or_else(
                || serde_json::json!({ "status": "{{ status }}", "message": "{{ message }}" }),
            );
        check_placeholders(&error_body)?;

        Ok(Model {
            connector: spec.key.clone(),
            base_path,
            routes,
            resources,
            key_slots,
            key_credentials,
            tenants,
            error_body,
        })
    }

    /// The resource called `name` (or with collection path `name`).
    pub(crate) fn resource_named(&self, name: &str) -> Option<usize> {
        let trimmed = name.trim_start_matches('/');
        self.resources.iter().position(|r| {
            r.name == name || r.path == name || r.path.trim_start_matches('/') == trimmed
        })
    }

    /// The route for a request, by method and path segments (already percent-decoded).
    /// `Err(true)` when the path exists with other methods (405), `Err(false)` when it does not
    /// (404).
    pub(crate) fn route(
        &self,
        method: &str,
        path: &[String],
    ) -> Result<(&Route, Vec<String>), bool> {
        let mut best: Option<(&Route, usize)> = None;
        let mut path_known = false;
        for route in &self.routes {
            let Some(score) = matches(&route.segs, path) else {
                continue;
            };
            path_known = true;
            if route.method.as_str() != method {
                continue;
            }
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((route, score));
            }
        }
        match best {
            Some((route, _)) => {
                let values = route
                    .segs
                    .iter()
                    .zip(path)
                    .filter(|(s, _)| matches!(s, Seg::Param(_)))
                    .map(|(_, v)| v.clone())
                    .collect();
                Ok((route, values))
            }
            None => Err(path_known),
        }
    }

    /// The error body for a status and message, from the connector's `error_body` template.
    pub(crate) fn error_body(&self, status: u16, message: &str) -> Value {
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        fill(&self.error_body, status, reason, message)
    }
}

/// Compiles one action into a route.
fn compile_route(
    a: &actionspec_engine::Action,
    segs: Vec<Seg>,
    op: Op,
    resource: Option<usize>,
    resources: &[Resource],
) -> Result<Route, Error> {
    let spec = &a.spec;
    let first_response = spec.examples.iter().find_map(|e| e.response.as_ref());
    let hint = spec.sandbox.clone().unwrap_or_default();
    let status = spec
        .success
        .first()
        .copied()
        .or(first_response.map(|r| r.status))
        .unwrap_or(200);
    let with_body = status != 204 && first_response.is_none_or(|r| r.body.is_some());
    let body_inputs: Vec<BodyInput> = spec
        .inputs
        .iter()
        .filter(|(_, i)| i.placement == Placement::Body)
        .map(|(id, i)| BodyInput {
            id: id.clone(),
            wire: i.wire_name(id).to_owned(),
            sensitive: i.sensitive,
        })
        .collect();

    // What a create adds by itself: members of the first example's response that the example
    // input did not send.
    let mut defaults = Map::new();
    if op == Op::Create
        && let Some(example) = spec.examples.iter().find(|e| {
            e.response
                .as_ref()
                .is_some_and(|r| r.body.as_ref().is_some_and(Value::is_object))
        })
        && let Some(Value::Object(body)) = example.response.as_ref().and_then(|r| r.body.as_ref())
    {
        let sent: Vec<&str> = body_inputs
            .iter()
            .filter(|b| example.input.contains_key(&b.id))
            .map(|b| b.wire.as_str())
            .collect();
        for (k, v) in body {
            if !sent.contains(&k.as_str()) {
                defaults.insert(k.clone(), v.clone());
            }
        }
    }

    let mut references = Vec::new();
    for (input, target) in &hint.references {
        if !spec.inputs.contains_key(input) {
            return Err(Error::Model(format!(
                "action `{}`: sandbox `references` names input `{input}`, which the action does not declare",
                a.id
            )));
        }
        let trimmed = target.trim_start_matches('/');
        let index = resources
            .iter()
            .position(|r| {
                r.name == *target || r.path == *target || r.path.trim_start_matches('/') == trimmed
            })
            .ok_or_else(|| {
                Error::Model(format!(
                    "action `{}`: sandbox `references` names resource `{target}`, which does not exist (resources: {})",
                    a.id,
                    resources
                        .iter()
                        .map(|r| r.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if resources[index].params > 0 {
            return Err(Error::Model(format!(
                "action `{}`: sandbox `references` names `{target}`, a nested collection; only top-level collections can be referenced",
                a.id
            )));
        }
        references.push((input.clone(), index));
    }

    // The record a path prefix names must exist: for resource operations a prefix shorter than
    // the collection path, for other actions any prefix (the whole path included).
    let key = normalize(&segs);
    let limit = match (op, resource) {
        (Op::Respond, _) | (_, None) => key.len(),
        (_, Some(r)) => resources[r].key.len().saturating_sub(1),
    };
    let mut parent = longest_item_prefix(&key, limit, resources);
    if let (Some(p), Some(r)) = (parent, resource)
        && op.is_item()
        && p.resource == r
    {
        parent = None;
    }

    let validator = actionspec_engine::input::compile(a.input_schema()).ok();
    let wire_of = |name: &str| {
        spec.inputs
            .iter()
            .find(|(id, i)| i.placement == Placement::Query && i.wire_name(id) == name)
            .map(|_| name.to_owned())
    };
    Ok(Route {
        action: a.id.clone(),
        method: spec.method,
        segs,
        op,
        resource,
        style: a.pagination.clone(),
        status,
        with_body,
        response: hint.response.clone().or_else(|| first_response.cloned()),
        defaults,
        body_inputs,
        templated_body: spec.body.is_some(),
        inputs: spec.inputs.clone(),
        validator,
        omit_headers: spec
            .omit_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        parent,
        references,
        filter: wire_of("filter"),
        sort: wire_of("sort"),
        fields: wire_of("fields"),
        examples: spec.examples.clone(),
    })
}

/// The longest prefix of `key`, at most `limit` segments long, that is `{collection}/{id}` of a
/// known collection.
fn longest_item_prefix(
    key: &[Option<String>],
    limit: usize,
    resources: &[Resource],
) -> Option<ParentRef> {
    (2..=limit.min(key.len())).rev().find_map(|len| {
        if key[len - 1].is_some() {
            return None;
        }
        let resource = resources.iter().position(|r| r.key == key[..len - 1])?;
        Some(ParentRef {
            resource,
            len: key[..len].iter().filter(|s| s.is_none()).count(),
        })
    })
}

/// The id member of a resource's records, inferred from its examples: the member whose value is
/// the example's id placeholder, or `_id` / `id` when the records have one.
fn infer_id_field(routes: &[Route], resource: usize) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    for rt in routes.iter().filter(|r| r.resource == Some(resource)) {
        for example in &rt.examples {
            let body = example.response.as_ref().and_then(|r| r.body.as_ref());
            if rt.op.is_item()
                && let Some(Seg::Param(last)) = rt.segs.last()
                && let (Some(id), Some(Value::Object(body))) = (example.input.get(last), body)
                && let Some((k, _)) = body.iter().find(|(_, v)| *v == id)
            {
                return Some(k.clone());
            }
            let records: Vec<&Value> = match (rt.op, body, &rt.style) {
                (Op::List, Some(b), Some(style)) => b
                    .pointer(&style.records)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default(),
                (_, Some(b), _) => vec![b],
                _ => Vec::new(),
            };
            for r in records {
                for k in ["_id", "id"] {
                    if r.get(k).is_some_and(Value::is_string) {
                        candidates.push(k.to_owned());
                    }
                }
            }
        }
    }
    candidates.into_iter().next()
}

/// Whether `template` refers to `name` (not as the prefix of a longer name).
fn mentions(template: &str, name: &str) -> bool {
    template.match_indices(name).any(|(i, _)| {
        template[i + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// Splits a path template into segments, mapping each `{wire}` to its input id.
pub(crate) fn parse_path(path: &str, inputs: &IndexMap<String, InputSpec>) -> Vec<Seg> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(wire) => Seg::Param(
                    inputs
                        .iter()
                        .find(|(id, i)| i.placement == Placement::Path && i.wire_name(id) == wire)
                        .map_or_else(|| wire.to_owned(), |(id, _)| id.clone()),
                ),
                None => Seg::Lit(s.to_owned()),
            },
        )
        .collect()
}

fn normalize(segs: &[Seg]) -> Vec<Option<String>> {
    segs.iter()
        .map(|s| match s {
            Seg::Lit(l) => Some(l.clone()),
            Seg::Param(_) => None,
        })
        .collect()
}

fn ends_with_param(segs: &[Seg]) -> bool {
    segs.len() > 1 && matches!(segs.last(), Some(Seg::Param(_)))
}

fn parent_path(path: &str) -> String {
    match path.trim_end_matches('/').rfind('/') {
        Some(i) => path[..i].to_owned(),
        None => String::new(),
    }
}

/// The literal segments of a path, joined with `/`.
fn literal_path(key: &[Option<String>]) -> String {
    key.iter().flatten().cloned().collect::<Vec<_>>().join("/")
}

fn last_literal(key: &[Option<String>]) -> String {
    key.iter()
        .rev()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_default()
}

/// How well a template matches a path: the number of literal segments, or `None`.
fn matches(segs: &[Seg], path: &[String]) -> Option<usize> {
    if segs.len() != path.len() {
        return None;
    }
    let mut score = 0;
    for (s, p) in segs.iter().zip(path) {
        match s {
            Seg::Lit(l) if l == p => score += 1,
            Seg::Lit(_) => return None,
            Seg::Param(_) if p.is_empty() => return None,
            Seg::Param(_) => {}
        }
    }
    Some(score)
}

/// Every `{{ name }}` placeholder in the strings of `v` must be a known one.
fn check_placeholders(v: &Value) -> Result<(), Error> {
    match v {
        Value::String(s) => {
            for name in placeholders(s) {
                if !ERROR_PLACEHOLDERS.contains(&name.as_str()) {
                    return Err(Error::Model(format!(
                        "sandbox `error_body` uses `{{{{ {name} }}}}`; the placeholders are {{{{ status }}}}, {{{{ reason }}}} and {{{{ message }}}}"
                    )));
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_placeholders),
        Value::Object(map) => map.values().try_for_each(check_placeholders),
        _ => Ok(()),
    }
}

/// The trimmed names of the `{{ … }}` placeholders in `s`.
fn placeholders(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push(rest[open + 2..open + close].trim().to_owned());
        rest = &rest[open + close + 2..];
    }
    out
}

/// Fills the error body template.
fn fill(template: &Value, status: u16, reason: &str, message: &str) -> Value {
    match template {
        Value::String(s) => {
            let names = placeholders(s);
            if names.len() == 1 && s.trim().starts_with("{{") && s.trim().ends_with("}}") {
                return match names[0].as_str() {
                    "status" => Value::from(status),
                    "reason" => Value::from(reason),
                    _ => Value::from(message),
                };
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(open) = rest.find("{{") {
                let Some(close) = rest[open..].find("}}") else {
                    break;
                };
                out.push_str(&rest[..open]);
                match rest[open + 2..open + close].trim() {
                    "status" => out.push_str(&status.to_string()),
                    "reason" => out.push_str(reason),
                    _ => out.push_str(message),
                }
                rest = &rest[open + close + 2..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| fill(v, status, reason, message))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, status, reason, message)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Converts a query or path string to the input's JSON type, for validation (a value that does
/// not convert stays a string, so that the validator reports the type).
pub(crate) fn typed(kind: InputType, raw: &str) -> Value {
    match kind {
        InputType::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(raw)),
        InputType::Number => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::from(raw)),
        InputType::Boolean => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::from(raw),
        },
        _ => Value::from(raw),
    }
}

/// Each resource's record id field: the list's pagination style, else the examples, else `id`.
fn assign_id_fields(resources: &mut [Resource], routes: &[Route]) {
    for (index, r) in resources.iter_mut().enumerate() {
        let declared = routes
            .iter()
            .filter(|rt| rt.resource == Some(index))
            .find_map(|rt| rt.style.as_ref().and_then(|s| s.record_id.clone()));
        r.id_field = declared
            .or_else(|| infer_id_field(routes, index))
            .unwrap_or_else(|| "id".to_owned());
    }
}

/// Parents of nested collections: the path prefix, else a `references` hint on the list's last
/// placeholder (`/files/command/{id}` with `references: {id: commands}`).
fn assign_parents(resources: &mut [Resource], routes: &[Route]) {
    for index in 0..resources.len() {
        let key = resources[index].key.clone();
        let mut parent =
            longest_item_prefix(&key, key.len().saturating_sub(1), resources).map(|p| p.resource);
        if parent.is_none() && resources[index].params == 1 {
            parent = routes
                .iter()
                .filter(|rt| rt.resource == Some(index) && matches!(rt.op, Op::List))
                .find_map(|rt| {
                    let last = rt.segs.iter().rev().find_map(|s| match s {
                        Seg::Param(p) => Some(p.as_str()),
                        Seg::Lit(_) => None,
                    })?;
                    rt.references
                        .iter()
                        .find(|(input, _)| input == last)
                        .map(|(_, res)| *res)
                });
        }
        resources[index].parent = parent.filter(|p| *p != index);
    }
}

/// Where the connector's API key auth methods put the key, and the credentials they send.
fn key_slots(spec: &actionspec_engine::spec::ConnectorSpec) -> (Vec<KeySlot>, Vec<String>) {
    let mut slots = Vec::new();
    let mut credentials = Vec::new();
    for method in spec.auth.values().filter(|m| m.kind == AuthType::ApiKey) {
        if let (Some(placement), Some(name), Some(credential)) =
            (method.placement, &method.name, &method.credential)
        {
            let name = match placement {
                KeyPlacement::Header => name.to_ascii_lowercase(),
                KeyPlacement::Query => name.clone(),
            };
            slots.push(KeySlot { placement, name });
            if !credentials.contains(credential) {
                credentials.push(credential.clone());
            }
        }
    }
    (slots, credentials)
}

/// The default headers that carry a non-secret credential (a tenant id).
fn tenants(spec: &actionspec_engine::spec::ConnectorSpec) -> Vec<Tenant> {
    let mut out = Vec::new();
    for (header, template) in &spec.headers {
        for (name, credential) in &spec.credentials {
            if !credential.secret && mentions(template, &format!("credentials.{name}")) {
                out.push(Tenant {
                    header: header.to_ascii_lowercase(),
                    credential: name.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_bodies_fill_placeholders_keeping_the_status_a_number() {
        let t = json!({"code": "{{ status }}", "message": "{{reason}}: {{ message }}", "status": "{{ reason }}"});
        assert_eq!(
            fill(&t, 404, "Not Found", "no such user"),
            json!({"code": 404, "message": "Not Found: no such user", "status": "Not Found"})
        );
        assert!(check_placeholders(&t).is_ok());
        assert!(check_placeholders(&json!({"x": "{{ nope }}"})).is_err());
    }

    #[test]
    fn mentions_whole_names_only() {
        assert!(mentions("{{ credentials.org_id }}", "credentials.org_id"));
        assert!(!mentions("{{ credentials.org_id2 }}", "credentials.org_id"));
    }

    #[test]
    fn literal_segments_win_over_placeholders() {
        let p = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let lit = vec![Seg::Lit("a".into()), Seg::Lit("b".into())];
        let param = vec![Seg::Lit("a".into()), Seg::Param("id".into())];
        assert_eq!(matches(&lit, &p(&["a", "b"])), Some(2));
        assert_eq!(matches(&param, &p(&["a", "b"])), Some(1));
        assert_eq!(matches(&param, &p(&["a", ""])), None);
        assert_eq!(matches(&param, &p(&["a"])), None);
    }

    #[test]
    fn typed_values_follow_the_input_type() {
        assert_eq!(typed(InputType::Integer, "5"), json!(5));
        assert_eq!(typed(InputType::Integer, "x"), json!("x"));
        assert_eq!(typed(InputType::Boolean, "true"), json!(true));
        assert_eq!(typed(InputType::String, "5"), json!("5"));
    }
}
