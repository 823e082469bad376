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
//! segment of its collection path (`/v2/usergroups` → `usergroups`). APIs whose paths do not
//! name their records (RPC style, `POST /conversations.create`) say it with the `collection`
//! hint, and which input carries the record id with `id_input`.

use std::collections::HashMap;

use actionspec_engine::path::{PathPart, PathTemplate, match_segment};
use actionspec_engine::spec::{
    ActionSandbox, ApiErrorKind, AuthType, ExampleResponse, InputSpec, InputType, KeyPlacement,
    Method, PaginationStyle, Placement, SandboxOperation,
};
use actionspec_engine::{Connector, JsonTemplate};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::Error;
use crate::ids::IdGen;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A literal segment.
    Lit(String),
    /// A placeholder filled by the input with this id.
    Param(String),
    /// Placeholders with literal text in one segment (`{id}.json`, `{from}-{to}`).
    Shaped(Vec<PathPart>),
}

impl Seg {
    /// The input ids of the segment's placeholders, in order.
    pub(crate) fn params(&self) -> Vec<&str> {
        match self {
            Seg::Lit(_) => Vec::new(),
            Seg::Param(id) => vec![id.as_str()],
            Seg::Shaped(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    PathPart::Placeholder(id) => Some(id.as_str()),
                    PathPart::Literal(_) => None,
                })
                .collect(),
        }
    }

    /// The value of each placeholder of the segment when `text` (decoded) fits it, else `None`.
    fn fit(&self, text: &str) -> Option<Vec<String>> {
        match self {
            Seg::Lit(l) => (l == text).then(Vec::new),
            Seg::Param(_) => (!text.is_empty()).then(|| vec![text.to_owned()]),
            Seg::Shaped(parts) => match_segment(parts, text),
        }
    }
}

/// The input ids of every placeholder of `segs`, in path order: the order of a route's path
/// values.
pub(crate) fn path_params(segs: &[Seg]) -> Vec<&str> {
    segs.iter().flat_map(Seg::params).collect()
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
    /// How new ids are made: in the form the resource's id input declares.
    pub ids: IdGen,
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
    /// A `sensitive` input that no example response shows (a password): checked, never
    /// stored.
    pub sensitive: bool,
    /// A `sensitive` input an example response shows: only the parts the example shows are
    /// stored (`credentials.provider`, never `credentials.password`).
    pub shown: Option<Value>,
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
    /// The declared answer of a record operation (`sandbox: { response }`), sent instead of
    /// the record once the operation is done.
    pub reply: Option<ExampleResponse>,
    /// The input holding the record id of an item operation (the `id_input` hint, else the
    /// path's last placeholder).
    pub id_input: Option<String>,
    /// JSON pointer to where the single record sits in the response (`wrap`), `None`: the body.
    pub wrap: Option<String>,
    /// Members the operation sets (`set`).
    pub set: Map<String, Value>,
    /// The members of a list body besides the records, as the examples show them.
    pub envelope: Map<String, Value>,
    /// `next_url` lists: the examples give origin-relative next URLs (`/v1/items?page=2`).
    pub relative_next: bool,
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
    /// The connector has auth methods of a kind the sandbox has no specific check for: their
    /// secret credentials get the API key, accepted wherever a request carries it.
    pub other_auth: bool,
    pub tenants: Vec<Tenant>,
    /// The error body template (`sandbox.error_body`, else one from `errors`).
    pub error_body: JsonTemplate,
    /// The status of every error answer (`sandbox.error_status`), else the error's own.
    pub error_status: Option<u16>,
    /// Where success bodies carry the verdict `true` (`errors.ok`).
    pub verdict: Option<String>,
    /// The API's error codes and their kinds (`errors.codes`), in the connector's order.
    pub codes: Vec<(String, ApiErrorKind)>,
}

/// The placeholders an error body may use.
const ERROR_PLACEHOLDERS: [&str; 4] = ["status", "reason", "message", "code"];

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

        // 1. Paths and the operation each action asks for; 2. collections; 3. resources.
        let drafts: Vec<Draft> = connector.actions.values().map(Draft::of).collect();
        let mut resources = name_resources(collections(&drafts)?);
        add_hinted_resources(&drafts, &mut resources);

        // 4. Each action's operation and resource.
        let mut routes = Vec::new();
        let conventions = connector
            .spec
            .sandbox
            .as_ref()
            .and_then(|s| s.list_conventions)
            .unwrap_or(true);
        for d in &drafts {
            let (op, resource) = operation(d, &resources)?;
            let mut route = compile_route(d.action, d.segs.clone(), op, resource, &resources)?;
            if !conventions {
                (route.filter, route.sort, route.fields) = (None, None, None);
            }
            routes.push(route);
        }

        // 5. Record id fields; 6. parents of nested collections; 7. the form of new ids.
        assign_id_fields(&mut resources, &routes);
        assign_parents(&mut resources, &routes);
        assign_id_generators(&mut resources, &routes);
        // Where the API key goes, and the tenant headers.
        let (key_slots, mut key_credentials) = key_slots(spec);
        let other = other_auth_credentials(spec);
        let other_auth = !other.is_empty();
        for c in other {
            if !key_credentials.contains(&c) {
                key_credentials.push(c);
            }
        }
        let tenants = tenants(spec);

        let sandbox = spec.sandbox.clone().unwrap_or_default();
        let error_body = sandbox
            .error_body
            .clone()
            .unwrap_or_else(|| default_error_body(spec.errors.as_ref()));
        let error_body = compile_error_body(&error_body)?;

        Ok(Model {
            connector: spec.key.clone(),
            base_path,
            routes,
            resources,
            key_slots,
            key_credentials,
            other_auth,
            tenants,
            error_body,
            error_status: sandbox.error_status,
            verdict: spec.errors.as_ref().and_then(|e| e.ok.clone()),
            codes: spec
                .errors
                .as_ref()
                .map(|e| e.codes.iter().map(|(c, k)| (c.clone(), *k)).collect())
                .unwrap_or_default(),
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
    /// `Err` with the methods the path has (for a 405's `Allow` header), in connector order;
    /// empty when no route has the path (404).
    pub(crate) fn route(
        &self,
        method: &str,
        path: &[String],
    ) -> Result<(&Route, Vec<String>), Vec<&'static str>> {
        let mut best: Option<(&Route, usize, Vec<String>)> = None;
        let mut allowed: Vec<&'static str> = Vec::new();
        for route in &self.routes {
            let Some((score, values)) = matches(&route.segs, path) else {
                continue;
            };
            if !allowed.contains(&route.method.as_str()) {
                allowed.push(route.method.as_str());
            }
            if route.method.as_str() != method {
                continue;
            }
            if best.as_ref().is_none_or(|(_, s, _)| score > *s) {
                best = Some((route, score, values));
            }
        }
        match best {
            Some((route, _, values)) => Ok((route, values)),
            None => Err(allowed),
        }
    }

    /// The error body for a status and message, from the connector's `error_body` template;
    /// `about` names what the error is about (a resource, an input), to choose the API error
    /// code (see [`Model::error_code`]).
    pub(crate) fn error_body(&self, status: u16, message: &str, about: &[&str]) -> Value {
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        let code = self.error_code(status, about);
        let context = serde_json::json!({
            "status": status,
            "reason": reason,
            "message": message,
            "code": code,
        });
        // Compiled at build with these names only; a render failure (a template out of fuel)
        // still answers, with the message.
        self.error_body
            .render(&context)
            .unwrap_or_else(|_| serde_json::json!({ "status": status, "message": message }))
    }

    /// The API error code for an error of `status`: the first of `errors.codes` mapped to the
    /// kind of error the status is (404: `not_found`), preferring one that names something in
    /// `about` (`channel_not_found` for a `channel` input); else the reason phrase in
    /// snake case (`not_found`).
    pub(crate) fn error_code(&self, status: u16, about: &[&str]) -> String {
        let kind = match status {
            401 => ApiErrorKind::Auth,
            403 => ApiErrorKind::Permission,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            429 => ApiErrorKind::RateLimited,
            400..=499 => ApiErrorKind::Validation,
            _ => ApiErrorKind::Upstream,
        };
        let of_kind: Vec<&str> = self
            .codes
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(c, _)| c.as_str())
            .collect();
        let named = |word: &str| {
            let word = word.to_ascii_lowercase();
            let singular = word.strip_suffix('s').unwrap_or(&word).to_owned();
            of_kind.iter().find(|c| {
                let c = c.to_ascii_lowercase();
                !singular.is_empty() && (c.contains(&word) || c.contains(&singular))
            })
        };
        if let Some(code) = about.iter().find_map(|w| named(w)).or(of_kind.first()) {
            return (*code).to_owned();
        }
        hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
    }
}

/// One action's path and the operation its hint asks for, before resources are known.
struct Draft<'a> {
    action: &'a actionspec_engine::Action,
    segs: Vec<Seg>,
    key: Vec<Option<String>>,
    hinted: Option<Op>,
    hint: ActionSandbox,
}

impl<'a> Draft<'a> {
    fn of(action: &'a actionspec_engine::Action) -> Draft<'a> {
        let segs = parse_path(&action.spec.path, &action.spec.inputs);
        let hint = action.spec.sandbox.clone().unwrap_or_default();
        Draft {
            action,
            key: normalize(&segs),
            segs,
            hinted: hint.operation.map(Op::from_hint),
            hint,
        }
    }

    /// Whether the record id of an item operation has a source: an `id_input`, or (for a
    /// `collection` hint) any path placeholder, or (for a path collection) a last placeholder.
    fn has_id(&self) -> bool {
        self.hint.id_input.is_some()
            || ends_with_param(&self.segs)
            || (self.hint.collection.is_some() && !path_params(&self.segs).is_empty())
    }
}

/// A collection path with its placeholders blanked, and as the connector writes it.
type Collection = (Vec<Option<String>>, String);

/// Collections named by paths: listed paths, created-into paths and the parents of items that
/// are read. Actions with a `collection` hint name theirs by name instead.
fn collections(drafts: &[Draft]) -> Result<Vec<Collection>, Error> {
    let mut out: Vec<Collection> = Vec::new();
    let mut add = |key: Vec<Option<String>>, path: String| {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, path));
        }
    };
    for d in drafts {
        if d.hint.collection.is_some() {
            if d.hinted.is_some_and(Op::is_item) && !d.has_id() {
                return Err(no_id(d));
            }
            continue;
        }
        let method = d.action.spec.method;
        let op = d.hinted.or(match method {
            Method::Get if d.action.pagination.is_some() => Some(Op::List),
            Method::Get if ends_with_param(&d.segs) => Some(Op::Get),
            _ => None,
        });
        match op {
            Some(Op::List | Op::Create) => add(d.key.clone(), d.action.spec.path.clone()),
            Some(op) if op.is_item() && d.hint.id_input.is_some() && !ends_with_param(&d.segs) => {
                add(d.key.clone(), d.action.spec.path.clone());
            }
            Some(op) if op.is_item() => {
                if !ends_with_param(&d.segs) {
                    return Err(no_id(d));
                }
                add(
                    d.key[..d.key.len() - 1].to_vec(),
                    parent_path(&d.action.spec.path),
                );
            }
            _ => {}
        }
    }
    Ok(out)
}

fn no_id(d: &Draft) -> Error {
    Error::Model(format!(
        "action `{}`: sandbox operation needs the record id: a path that ends with an id placeholder, such as /things/{{id}}, or an `id_input` (path: {})",
        d.action.id, d.action.spec.path
    ))
}

/// Resources, named after the last literal segment of a top-level collection path; nested
/// collections, and names that would be ambiguous, use every literal segment
/// (`/commands/{id}/results` → `commands/results`).
fn name_resources(collections: Vec<Collection>) -> Vec<Resource> {
    let mut resources: Vec<Resource> = collections
        .into_iter()
        .map(|(key, path)| Resource {
            name: if key.iter().any(Option::is_none) {
                literal_path(&key)
            } else {
                last_literal(&key)
            },
            path,
            params: key.iter().filter(|s| s.is_none()).count(),
            key,
            id_field: String::new(),
            parent: None,
            ids: IdGen::default(),
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
    resources
}

/// The resource a name (or collection path) designates.
fn position_of(resources: &[Resource], name: &str) -> Option<usize> {
    let trimmed = name.trim_start_matches('/');
    resources
        .iter()
        .position(|r| r.name == name || r.path == name || r.path.trim_start_matches('/') == trimmed)
}

/// The resources that `collection` hints name and no path gives: top-level, keyed by name.
fn add_hinted_resources(drafts: &[Draft], resources: &mut Vec<Resource>) {
    for name in drafts.iter().filter_map(|d| d.hint.collection.as_deref()) {
        if position_of(resources, name).is_none() {
            resources.push(Resource {
                name: name.to_owned(),
                path: name.to_owned(),
                key: vec![Some(name.to_owned())],
                params: 0,
                id_field: String::new(),
                parent: None,
                ids: IdGen::default(),
            });
        }
    }
}

/// The operation of an action and the resource it works on (`None`: it only responds).
fn operation(d: &Draft, resources: &[Resource]) -> Result<(Op, Option<usize>), Error> {
    let a = d.action;
    let find = |key: &[Option<String>]| resources.iter().position(|r| r.key == key);
    let item_of = if ends_with_param(&d.segs) {
        find(&d.key[..d.key.len() - 1])
    } else {
        None
    };
    let (op, resource) = if let Some(name) = &d.hint.collection {
        let derived = match (a.spec.method, a.pagination.is_some()) {
            (Method::Get, true) => Op::List,
            (Method::Get, false) => Op::Get,
            (Method::Post, _) => Op::Create,
            (Method::Put, _) => Op::Update { merge: false },
            (Method::Patch, _) => Op::Update { merge: true },
            (Method::Delete, _) => Op::Delete,
        };
        let op = d.hinted.unwrap_or(derived);
        if op.is_item() && !d.has_id() {
            return Err(no_id(d));
        }
        (op, position_of(resources, name))
    } else {
        match d.hinted {
            Some(Op::Respond) => (Op::Respond, None),
            Some(op @ (Op::List | Op::Create)) => (op, find(&d.key)),
            Some(op) if d.hint.id_input.is_some() && !ends_with_param(&d.segs) => {
                (op, find(&d.key))
            }
            Some(op) => (op, item_of),
            None => match (a.spec.method, a.pagination.is_some()) {
                (Method::Get, true) => (Op::List, find(&d.key)),
                (Method::Get, false) if item_of.is_some() => (Op::Get, item_of),
                (Method::Post, _) if find(&d.key).is_some() => (Op::Create, find(&d.key)),
                (Method::Put, _) if item_of.is_some() => (Op::Update { merge: false }, item_of),
                (Method::Patch, _) if item_of.is_some() => (Op::Update { merge: true }, item_of),
                (Method::Delete, _) if item_of.is_some() => (Op::Delete, item_of),
                _ => (Op::Respond, None),
            },
        }
    };
    if op == Op::List && a.pagination.is_none() {
        return Err(Error::Model(format!(
            "action `{}`: a sandbox `list` needs a pagination style, which says where the records go",
            a.id
        )));
    }
    Ok(if resource.is_none() {
        (Op::Respond, None)
    } else {
        (op, resource)
    })
}

/// The error body when the connector declares none: at the `errors` pointers the verdict
/// `false`, the code and the message; else `{"status": <status>, "message": <message>}`.
fn default_error_body(errors: Option<&actionspec_engine::spec::ErrorShape>) -> Value {
    let mut body = Value::Object(Map::new());
    if let Some(e) = errors {
        for (pointer, value) in [
            (e.ok.as_deref(), Value::Bool(false)),
            (e.code.as_deref(), Value::from("{{ code }}")),
            (e.message.as_deref(), Value::from("{{ message }}")),
        ] {
            if let Some(p) = pointer.filter(|p| p.starts_with('/')) {
                crate::reply::set_pointer(&mut body, p, value);
            }
        }
    }
    if body.as_object().is_some_and(Map::is_empty) {
        return serde_json::json!({ "status": "{{ status }}", "message": "{{ message }}" });
    }
    if errors.and_then(|e| e.message.as_ref()).is_none() {
        crate::reply::set_pointer(&mut body, "/message", Value::from("{{ message }}"));
    }
    body
}

/// Each resource's id generator, from the id input of its item operations (else of the
/// inputs that reference it): its type, pattern and format.
fn assign_id_generators(resources: &mut [Resource], routes: &[Route]) {
    for (index, r) in resources.iter_mut().enumerate() {
        let item = routes
            .iter()
            .filter(|rt| rt.resource == Some(index) && rt.op.is_item())
            .find_map(|rt| rt.inputs.get(rt.id_input.as_deref()?));
        let referring = || {
            routes.iter().find_map(|rt| {
                let (input, _) = rt.references.iter().find(|(_, res)| *res == index)?;
                rt.inputs.get(input)
            })
        };
        let mut spec = item.or_else(referring).cloned();
        // An array of references declares the form of one id in its items.
        if let Some(s) = &mut spec
            && s.kind == InputType::Array
        {
            *s = s
                .items
                .clone()
                .and_then(|items| {
                    let mut v = items;
                    if let Value::Object(m) = &mut v {
                        m.insert("in".into(), Value::from("path"));
                    }
                    serde_json::from_value(v).ok()
                })
                .unwrap_or_else(|| s.clone());
        }
        r.ids = IdGen::for_input(spec.as_ref().filter(|s| s.kind != InputType::Array));
    }
}

/// The action's body inputs, by wire name. A sensitive member the API gives back (an example
/// response shows it, `shown`) is stored as far as the example shows it; one no response shows
/// (a password) never is.
fn body_inputs(
    spec: &actionspec_engine::spec::ActionSpec,
    shown: &Map<String, Value>,
) -> Vec<BodyInput> {
    spec.inputs
        .iter()
        .filter(|(_, i)| i.placement == Placement::Body)
        .map(|(id, i)| {
            let wire = i.wire_name(id).to_owned();
            BodyInput {
                id: id.clone(),
                sensitive: i.sensitive && !shown.contains_key(&wire),
                shown: shown.get(&wire).filter(|_| i.sensitive).cloned(),
                wire,
            }
        })
        .collect()
}

/// The record a path prefix names, which must exist: for resource operations a prefix shorter
/// than the collection path, for other actions any prefix (the whole path included); none for
/// an item operation on the resource itself.
fn route_parent(
    segs: &[Seg],
    op: Op,
    resource: Option<usize>,
    resources: &[Resource],
) -> Option<ParentRef> {
    let key = normalize(segs);
    let limit = match (op, resource) {
        (Op::Respond, _) | (_, None) => key.len(),
        (_, Some(r)) => resources[r].key.len().saturating_sub(1),
    };
    let parent = longest_item_prefix(&key, limit, resources);
    match (parent, resource) {
        (Some(p), Some(r)) if op.is_item() && p.resource == r => None,
        _ => parent,
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
    let wrap = hint.wrap.as_deref().map(wrap_pointer);
    let shown = shown_members(&spec.examples, wrap.as_deref());
    let body_inputs = body_inputs(spec, &shown);

    let defaults = if op == Op::Create {
        create_defaults(&spec.examples, &body_inputs, wrap.as_deref())
    } else {
        Map::new()
    };
    let references = compile_references(a, &hint, resources)?;
    // The record a path prefix names must exist: for resource operations a prefix shorter than
    // the collection path, for other actions any prefix (the whole path included).
    let parent = route_parent(&segs, op, resource, resources);

    let id_input = route_id_input(a, &hint, op, &segs)?;
    let validator = actionspec_engine::schema::compile(a.input_schema()).ok();
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
        reply: hint.response.clone().filter(|_| op != Op::Respond),
        id_input,
        wrap,
        set: hint.set.clone().unwrap_or_default(),
        envelope: a
            .pagination
            .as_ref()
            .map(|style| example_envelope(style, &spec.examples))
            .unwrap_or_default(),
        relative_next: a
            .pagination
            .as_ref()
            .is_some_and(|style| relative_next_urls(style, &spec.examples)),
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

/// A `wrap` hint as a JSON pointer: a member name becomes `/name`.
fn wrap_pointer(wrap: &str) -> String {
    if wrap.starts_with('/') {
        wrap.to_owned()
    } else {
        format!("/{}", actionspec_engine::yaml::escape_token(wrap))
    }
}

/// What a create adds by itself: the members of the first example's response record (at
/// `wrap`) that the example input did not send.
/// The members of the records the action's example responses show (at `wrap`, else the body).
fn shown_members(
    examples: &[actionspec_engine::spec::Example],
    wrap: Option<&str>,
) -> Map<String, Value> {
    let mut shown = Map::new();
    let records = examples
        .iter()
        .filter_map(|e| e.response.as_ref()?.body.as_ref())
        .filter_map(|body| match wrap {
            Some(p) => body.pointer(p),
            None => Some(body),
        })
        .filter_map(Value::as_object);
    for record in records {
        for (k, v) in record {
            shown.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    shown
}

fn create_defaults(
    examples: &[actionspec_engine::spec::Example],
    body_inputs: &[BodyInput],
    wrap: Option<&str>,
) -> Map<String, Value> {
    let record_of = |e: &actionspec_engine::spec::Example| {
        let body = e.response.as_ref()?.body.as_ref()?;
        match wrap {
            Some(p) => body.pointer(p),
            None => Some(body),
        }
        .and_then(Value::as_object)
        .cloned()
    };
    let mut defaults = Map::new();
    if let Some((example, body)) = examples.iter().find_map(|e| record_of(e).map(|b| (e, b))) {
        let sent: Vec<&str> = body_inputs
            .iter()
            .filter(|b| example.input.contains_key(&b.id))
            .map(|b| b.wire.as_str())
            .collect();
        for (k, v) in body {
            if !sent.contains(&k.as_str()) {
                defaults.insert(k, v);
            }
        }
    }
    defaults
}

/// The `references` hint: each input declared, each resource a top-level one.
fn compile_references(
    a: &actionspec_engine::Action,
    hint: &ActionSandbox,
    resources: &[Resource],
) -> Result<Vec<(String, usize)>, Error> {
    let spec = &a.spec;
    let mut references = Vec::new();
    for (input, target) in &hint.references {
        if !spec.inputs.contains_key(input) {
            return Err(Error::Model(format!(
                "action `{}`: sandbox `references` names input `{input}`, which the action does not declare",
                a.id
            )));
        }
        let index = position_of(resources, target).ok_or_else(|| {
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

    Ok(references)
}

/// The input that holds the record id: the `id_input` hint (declared), else for item
/// operations the path's last placeholder.
fn route_id_input(
    a: &actionspec_engine::Action,
    hint: &ActionSandbox,
    op: Op,
    segs: &[Seg],
) -> Result<Option<String>, Error> {
    let spec = &a.spec;
    Ok(match (&hint.id_input, op.is_item()) {
        (Some(input), _) if !spec.inputs.contains_key(input) => {
            return Err(Error::Model(format!(
                "action `{}`: sandbox `id_input` names input `{input}`, which the action does not declare",
                a.id
            )));
        }
        (Some(input), _) => Some(input.clone()),
        (None, true) => path_params(segs).last().map(|p| (*p).to_owned()),
        (None, false) => None,
    })
}

/// Whether the examples of a `next_url` list show origin-relative next URLs.
fn relative_next_urls(
    style: &PaginationStyle,
    examples: &[actionspec_engine::spec::Example],
) -> bool {
    let Some(pointer) = &style.next_url else {
        return false;
    };
    examples
        .iter()
        .filter_map(|e| {
            e.response
                .as_ref()?
                .body
                .as_ref()?
                .pointer(pointer)?
                .as_str()
        })
        .any(|u| u.starts_with('/'))
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
            let record = match (&rt.wrap, body) {
                (Some(p), Some(b)) if rt.op != Op::List => b.pointer(p),
                _ => body,
            };
            if rt.op.is_item()
                && let Some(last) = &rt.id_input
                && let (Some(id), Some(Value::Object(record))) = (example.input.get(last), record)
                && let Some((k, _)) = record.iter().find(|(_, v)| *v == id)
            {
                return Some(k.clone());
            }
            let records: Vec<&Value> = match (rt.op, record, &rt.style) {
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
                    if r.get(k).is_some_and(|v| v.is_string() || v.is_u64()) {
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

/// Splits a path template into segments by the engine's parser, mapping each `{wire}` to its
/// input id.
pub(crate) fn parse_path(path: &str, inputs: &IndexMap<String, InputSpec>) -> Vec<Seg> {
    let (template, _) = PathTemplate::parse_all(path, inputs);
    template
        .segments()
        .into_iter()
        .map(|parts| match parts.as_slice() {
            [PathPart::Literal(l)] => Seg::Lit(l.clone()),
            [PathPart::Placeholder(id)] => Seg::Param(id.clone()),
            _ => Seg::Shaped(parts),
        })
        .collect()
}

fn normalize(segs: &[Seg]) -> Vec<Option<String>> {
    segs.iter()
        .map(|s| match s {
            Seg::Lit(l) => Some(l.clone()),
            Seg::Param(_) | Seg::Shaped(_) => None,
        })
        .collect()
}

fn ends_with_param(segs: &[Seg]) -> bool {
    segs.len() > 1 && segs.last().is_some_and(|s| !matches!(s, Seg::Lit(_)))
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

/// How well a template matches a path: the number of literal segments and the path values
/// (one per placeholder, in order), or `None`.
fn matches(segs: &[Seg], path: &[String]) -> Option<(usize, Vec<String>)> {
    if segs.len() != path.len() {
        return None;
    }
    let mut score = 0;
    let mut values = Vec::new();
    for (s, p) in segs.iter().zip(path) {
        values.extend(s.fit(p)?);
        score += usize::from(matches!(s, Seg::Lit(_)));
    }
    Some((score, values))
}

/// Compiles the error body with the engine's templates; it may use the names in
/// [`ERROR_PLACEHOLDERS`] only.
fn compile_error_body(v: &Value) -> Result<JsonTemplate, Error> {
    JsonTemplate::compile(v, &ERROR_PLACEHOLDERS).map_err(|issues| {
            let problems: Vec<String> = issues
                .iter()
                .map(|i| format!("at `{}`: {}", i.pointer, i.message))
                .collect();
            Error::Model(format!(
                "sandbox `error_body` {}; its templates may use {{{{ status }}}}, {{{{ reason }}}}, {{{{ message }}}} and {{{{ code }}}}",
                problems.join("; ")
            ))
        })
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
                    let last = path_params(&rt.segs).last().copied()?;
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

/// The credentials of auth methods that are neither API keys nor OAuth 2.0 client credentials
/// (a bearer token, HTTP Basic, …): every credential they require.
fn other_auth_credentials(spec: &actionspec_engine::spec::ConnectorSpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for method in spec.auth.values() {
        if method.kind == AuthType::ApiKey || method.kind == AuthType::Oauth2ClientCredentials {
            continue;
        }
        for c in method.required_credentials() {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_owned());
            }
        }
    }
    out
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

/// The members of a list body besides the records, from the first example that shows one:
/// the records and every value the style fills (total, cursor, next URL) are left out.
pub(crate) fn example_envelope(
    style: &PaginationStyle,
    examples: &[actionspec_engine::spec::Example],
) -> Map<String, Value> {
    if style.records.is_empty() {
        return Map::new();
    }
    let Some(Value::Object(body)) = examples
        .iter()
        .find_map(|e| e.response.as_ref()?.body.as_ref().filter(|b| b.is_object()))
    else {
        return Map::new();
    };
    let mut env = Value::Object(body.clone());
    let filled = [
        Some(style.records.as_str()),
        style.total.as_ref().and_then(|t| t.body.as_deref()),
        style.page_count.as_ref().and_then(|t| t.body.as_deref()),
        style.next_cursor.as_ref().and_then(|t| t.body.as_deref()),
        style.has_more.as_deref(),
        style.next_url.as_deref(),
    ];
    for p in filled.into_iter().flatten() {
        crate::reply::remove_pointer(&mut env, p);
    }
    match env {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_bodies_fill_placeholders_keeping_the_status_a_number() {
        let context = json!({"status": 404, "reason": "Not Found", "message": "no such user", "code": "user_not_found"});
        let t = json!({"code": "{{ status }}", "message": "{{reason}}: {{ message }}", "status": "{{ reason }}"});
        assert_eq!(
            compile_error_body(&t).unwrap().render(&context).unwrap(),
            json!({"code": 404, "message": "Not Found: no such user", "status": "Not Found"})
        );
        let rpc_style = json!({"ok": false, "error": "{{ code }}", "n": "{{status}}!"});
        assert_eq!(
            compile_error_body(&rpc_style)
                .unwrap()
                .render(&context)
                .unwrap(),
            json!({"ok": false, "error": "user_not_found", "n": "404!"})
        );
        let e = compile_error_body(&json!({"x": "{{ nope }}"})).unwrap_err();
        assert!(e.to_string().contains("at `/x`"), "{e}");
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
        assert_eq!(matches(&lit, &p(&["a", "b"])), Some((2, vec![])));
        assert_eq!(
            matches(&param, &p(&["a", "b"])),
            Some((1, vec!["b".to_owned()]))
        );
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
