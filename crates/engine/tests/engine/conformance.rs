//! OpenAPI conformance: every action of `connectors/jumpcloud.yaml` is checked against JumpCloud's
//! own published OpenAPI documents (`../shared/jumpcloud-openapi/v1.yaml` and `v2.yaml`).
//!
//! Why: a declarative connector is only as good as its transcription of the API. A wrong method,
//! a misspelled query parameter, a missing required body field, a wrong success status or a stray
//! `x-org-id` header would all load and validate fine, and only fail against the live API. This
//! module re-derives each of those facts from the vendor's documents on every CI run, so the YAML
//! cannot drift from them unnoticed.
//!
//! The connector's server URL is `https://console.jumpcloud.com/api`: v1 operations use the v1
//! document's paths as they are (`/systemusers/{id}`), v2 operations are prefixed with `/v2`
//! (`/v2/usergroups/{id}` is v2.yaml's `/usergroups/{id}`, whose server URL ends in `/api/v2`).
//!
//! The documents are read with the engine's own YAML reader, once per test binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::LazyLock;

use actionspec_engine::spec::{ActionSpec, ConnectorSpec, InputSpec, InputType, Method, Placement};
use serde_json::Value;

use crate::common;

/// The server URL every action path is appended to.
const SERVER: &str = "https://console.jumpcloud.com/api";

/// How deep `$ref` chains and `allOf` nesting are followed before giving up (cycle guard).
const MAX_DEPTH: usize = 32;

/// The two OpenAPI documents, as JSON.
struct OpenApi {
    v1: Value,
    v2: Value,
}

/// The documents, parsed once (they are ~0.4 MB and ~2.9 MB); `None` when the folder is absent
/// outside CI.
static OPENAPI: LazyLock<Option<OpenApi>> = LazyLock::new(load);

/// Where the OpenAPI documents live: a sibling of the workspace.
fn openapi_dir() -> PathBuf {
    common::root().join("../shared/jumpcloud-openapi")
}

/// Reads and parses both documents (in parallel), or returns `None` when the folder is missing
/// and this is not CI. In CI a missing folder is a failure: the check must run there.
fn load() -> Option<OpenApi> {
    let dir = openapi_dir();
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "conformance: {} not found; CI must run the OpenAPI conformance test",
            dir.display()
        );
        return None;
    }
    let read = |name: &str| {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("conformance: cannot read {}: {e}", path.display()));
        match actionspec_engine::yaml::parse(&text) {
            Ok(doc) => doc.value,
            Err(issues) => {
                let list: Vec<_> = issues
                    .iter()
                    .map(|i| format!("{:?}: {}", i.span, i.message))
                    .collect();
                panic!(
                    "conformance: {} does not parse:\n{}",
                    path.display(),
                    list.join("\n")
                )
            }
        }
    };
    let (v1, v2) = std::thread::scope(|s| {
        let v2 = s.spawn(|| read("v2.yaml"));
        let v1 = read("v1.yaml");
        (v1, v2.join().expect("parsing v2.yaml panicked"))
    });
    Some(OpenApi { v1, v2 })
}

/// The parsed documents, or `None` (with a note on stderr) when the test is skipped locally.
fn openapi() -> Option<&'static OpenApi> {
    let api = OPENAPI.as_ref();
    if api.is_none() {
        eprintln!("conformance: skipped: ../shared/jumpcloud-openapi not found (it runs in CI)");
    }
    api
}

/// The outcome of a run: how many actions were matched to an operation and fully checked, and
/// every problem found as `action id: problem`.
struct Report {
    checked: usize,
    failures: Vec<String>,
}

/// Checks every action of `spec` against the v1 and v2 documents; returns every problem found
/// (empty when the connector conforms).
fn check(spec: &ConnectorSpec, v1: &Value, v2: &Value) -> Vec<String> {
    run(spec, v1, v2).failures
}

/// [`check`], also counting the actions that were checked.
fn run(spec: &ConnectorSpec, v1: &Value, v2: &Value) -> Report {
    let mut failures = Vec::new();
    check_servers(spec, v1, v2, &mut failures);
    let mut checked = 0;
    for (id, action) in &spec.actions {
        let mut problems = Vec::new();
        if check_action(spec, action, v1, v2, &mut problems) {
            checked += 1;
        }
        failures.extend(problems.into_iter().map(|p| format!("{id}: {p}")));
    }
    Report { checked, failures }
}

/// The path mapping above relies on the default server being the documents' US server (v1 at
/// `…/api`, v2 at `…/api/v2`); every connector server must be one of the documents' servers.
fn check_servers(spec: &ConnectorSpec, v1: &Value, v2: &Value, failures: &mut Vec<String>) {
    let urls = |doc: &Value| -> BTreeSet<String> {
        doc.get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .map(|u| u.trim_end_matches('/').to_owned())
            .collect()
    };
    let (v1_urls, v2_urls) = (urls(v1), urls(v2));
    match spec.servers.get(&spec.default_server) {
        Some(server) if server.url.trim_end_matches('/') == SERVER => {}
        Some(server) => failures.push(format!(
            "connector: default server `{}` is {}, expected {SERVER}",
            spec.default_server, server.url
        )),
        None => failures.push(format!(
            "connector: default server `{}` is not defined",
            spec.default_server
        )),
    }
    for (name, server) in &spec.servers {
        let url = server.url.trim_end_matches('/');
        if !v1_urls.contains(url) {
            failures.push(format!(
                "connector: server `{name}` ({url}) is not a v1.yaml server {v1_urls:?}"
            ));
        }
        if !v2_urls.contains(&format!("{url}/v2")) {
            failures.push(format!(
                "connector: server `{name}` ({url}/v2) is not a v2.yaml server {v2_urls:?}"
            ));
        }
    }
}

/// One operation of one document, found for an action.
struct Operation<'a> {
    /// The document (for `$ref`s).
    doc: &'a Value,
    /// `v1.yaml` or `v2.yaml`, for messages.
    file: &'static str,
    /// The operation object.
    op: &'a Value,
    /// Path-level and operation-level parameters, `$ref`s resolved, keyed by (`in`, name);
    /// header names are lowercased.
    params: BTreeMap<(String, String), &'a Value>,
}

/// Checks one action, pushing its problems; returns whether its operation was found (and so
/// every check ran).
fn check_action(
    spec: &ConnectorSpec,
    action: &ActionSpec,
    v1: &Value,
    v2: &Value,
    problems: &mut Vec<String>,
) -> bool {
    // Check 1: The method and path exist in the right document.
    let op = match operation(action, v1, v2) {
        Ok(op) => op,
        Err(problem) => {
            problems.push(problem);
            return false;
        }
    };
    check_path_params(action, &op, problems);
    check_query_and_headers(spec, action, &op, problems);
    check_body(action, &op, problems);
    check_success(action, &op, problems);
    check_scopes(action, &op, problems);
    check_default_headers(spec, action, &op, problems);
    check_param_types(action, &op, problems);
    true
}

/// Finds the action's operation: `/v2/...` paths in v2.yaml (without the prefix), others in
/// v1.yaml. A path that matches only up to parameter names is still found (and reported by the
/// path-parameter check).
fn operation<'a>(
    action: &ActionSpec,
    v1: &'a Value,
    v2: &'a Value,
) -> Result<Operation<'a>, String> {
    let (doc, file, path) = match action.path.strip_prefix("/v2") {
        Some(rest) if rest.starts_with('/') => (v2, "v2.yaml", rest),
        _ => (v1, "v1.yaml", action.path.as_str()),
    };
    let method = action.method.as_str();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{file} has no `paths`"))?;
    let item = paths.get(path).or_else(|| {
        let shape = path_shape(path);
        paths
            .iter()
            .find(|(key, _)| path_shape(key) == shape)
            .map(|(_, item)| item)
    });
    let Some(item) = item else {
        return Err(format!(
            "{method} {}: {file} has no path {path}",
            action.path
        ));
    };
    let Some(op) = item.get(method.to_ascii_lowercase()) else {
        let have: Vec<_> = ["get", "put", "post", "patch", "delete", "head", "options"]
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .map(str::to_ascii_uppercase)
            .collect();
        return Err(format!(
            "{method} {}: {file} has no {method} on {path} (it has {})",
            action.path,
            have.join(", ")
        ));
    };
    let mut params = BTreeMap::new();
    // Operation-level parameters override path-level ones with the same name and location.
    for list in [item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
    {
        for param in list.as_array().into_iter().flatten() {
            let param = resolve(doc, param);
            let (Some(place), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let name = if place == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_owned()
            };
            params.insert((place.to_owned(), name), param);
        }
    }
    Ok(Operation {
        doc,
        file,
        op,
        params,
    })
}

/// A path with its parameter names blanked: `/a/{id}/b` → `/a/{}/b`.
fn path_shape(path: &str) -> String {
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

/// The `{name}`s of a path template.
fn path_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Follows `$ref` (`#/...` JSON pointers into the same document) until a non-reference value.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_DEPTH {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        match target
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
        {
            Some(next) => value = next,
            None => return value,
        }
    }
    value
}

/// The inputs placed in `placement`, as (wire name, input id, input).
fn inputs_in(
    action: &ActionSpec,
    placement: Placement,
) -> impl Iterator<Item = (&str, &str, &InputSpec)> {
    action
        .inputs
        .iter()
        .filter(move |(_, input)| input.placement == placement)
        .map(|(id, input)| (input.wire_name(id), id.as_str(), input))
}

/// Check 2: The `{name}`s of our path are exactly the operation's path parameters, and each is
/// filled by an `in: path` input of that wire name (and every `in: path` input is used by the
/// path).
fn check_path_params(action: &ActionSpec, op: &Operation<'_>, problems: &mut Vec<String>) {
    let ours = path_names(&action.path);
    let theirs: BTreeSet<String> = op
        .params
        .keys()
        .filter(|(place, _)| place == "path")
        .map(|(_, name)| name.clone())
        .collect();
    if ours != theirs {
        problems.push(format!(
            "path parameters {ours:?} differ from {}'s {theirs:?}",
            op.file
        ));
    }
    let inputs: BTreeSet<&str> = inputs_in(action, Placement::Path)
        .map(|(wire, _, _)| wire)
        .collect();
    for name in &ours {
        if !inputs.contains(name.as_str()) {
            problems.push(format!(
                "path parameter {{{name}}} has no `in: path` input with that wire name"
            ));
        }
    }
    for wire in inputs {
        if !ours.contains(wire) {
            problems.push(format!(
                "`in: path` input `{wire}` is not a {{name}} in the path {}",
                action.path
            ));
        }
    }
}

/// Check 3: Every query / header input (and action-level query / header template) is a parameter
/// the operation declares, and every parameter the operation requires is supplied.
fn check_query_and_headers(
    spec: &ConnectorSpec,
    action: &ActionSpec,
    op: &Operation<'_>,
    problems: &mut Vec<String>,
) {
    let declared = |place: &str, name: &str| {
        let name = if place == "header" {
            name.to_ascii_lowercase()
        } else {
            name.to_owned()
        };
        op.params.contains_key(&(place.to_owned(), name))
    };
    for (wire, id, _) in inputs_in(action, Placement::Query) {
        if !declared("query", wire) {
            problems.push(format!(
                "query input `{id}` (`{wire}`) is not a query parameter in {}",
                op.file
            ));
        }
    }
    for (wire, id, _) in inputs_in(action, Placement::Header) {
        if !declared("header", wire) {
            problems.push(format!(
                "header input `{id}` (`{wire}`) is not a header parameter in {}",
                op.file
            ));
        }
    }
    for name in action.query.keys() {
        if !declared("query", name) {
            problems.push(format!(
                "query template `{name}` is not a query parameter in {}",
                op.file
            ));
        }
    }
    for name in action.headers.keys() {
        if !declared("header", name) {
            problems.push(format!(
                "header template `{name}` is not a header parameter in {}",
                op.file
            ));
        }
    }
    // Required parameters: a required input, an action template, a default header or the auth.
    for ((place, name), param) in &op.params {
        if place == "path"
            || !param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        {
            continue;
        }
        let required_input = action.inputs.iter().any(|(id, input)| {
            input.required
                && matches!(
                    (place.as_str(), input.placement),
                    ("query", Placement::Query) | ("header", Placement::Header)
                )
                && input.wire_name(id).eq_ignore_ascii_case(name)
        });
        let template = match place.as_str() {
            "query" => action.query.contains_key(name),
            "header" => action.headers.keys().any(|h| h.eq_ignore_ascii_case(name)),
            _ => false,
        };
        let connector = place == "header"
            && (spec.headers.keys().any(|h| h.eq_ignore_ascii_case(name))
                && !action
                    .omit_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(name))
                || spec.auth.values().any(|a| {
                    a.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                }));
        if !(required_input || template || connector) {
            problems.push(format!(
                "{} requires {place} parameter `{name}`, which no required input supplies",
                op.file
            ));
        }
    }
}

/// The members an object schema allows and requires.
#[derive(Debug, Default)]
struct Shape {
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
    /// Any member is allowed (`additionalProperties` is not `false`, or nothing is declared).
    free_form: bool,
}

/// The shape of an object schema: `$ref`s resolved, `allOf` merged (properties and required
/// united), `oneOf`/`anyOf` united (a member is required only when every branch requires it).
fn shape(doc: &Value, schema: &Value, depth: usize) -> Shape {
    let schema = resolve(doc, schema);
    let mut out = Shape::default();
    if depth > MAX_DEPTH {
        out.free_form = true;
        return out;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.properties.extend(props.keys().cloned());
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        out.required
            .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false))
    {
        out.free_form = true;
    }
    let mut composed = false;
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        composed = true;
        let part = shape(doc, part, depth + 1);
        out.properties.extend(part.properties);
        out.required.extend(part.required);
        out.free_form |= part.free_form;
    }
    for key in ["oneOf", "anyOf"] {
        let Some(branches) = schema.get(key).and_then(Value::as_array) else {
            continue;
        };
        composed = true;
        let mut common_required: Option<BTreeSet<String>> = None;
        for branch in branches {
            let branch = shape(doc, branch, depth + 1);
            out.properties.extend(branch.properties);
            out.free_form |= branch.free_form;
            common_required = Some(match common_required {
                None => branch.required,
                Some(c) => c.intersection(&branch.required).cloned().collect(),
            });
        }
        out.required.extend(common_required.unwrap_or_default());
    }
    if !composed && out.properties.is_empty() {
        out.free_form = true;
    }
    out
}

/// Check 4: Body inputs against the JSON request body schema: the schema's required members are
/// required body inputs (unless a `body:` template builds the body), and every body input is a
/// member the schema declares (unless the schema is free-form).
fn check_body(action: &ActionSpec, op: &Operation<'_>, problems: &mut Vec<String>) {
    let body_inputs: Vec<_> = inputs_in(action, Placement::Body).collect();
    let Some(request_body) = op.op.get("requestBody").map(|b| resolve(op.doc, b)) else {
        if !body_inputs.is_empty() || action.body.is_some() {
            let ids: Vec<_> = body_inputs.iter().map(|(_, id, _)| *id).collect();
            problems.push(format!("has body inputs {ids:?} (or a body template) but the operation takes no request body"));
        }
        return;
    };
    let Some(schema) = request_body.pointer("/content/application~1json/schema") else {
        let types: Vec<_> = request_body
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|c| c.keys())
            .collect();
        problems.push(format!(
            "the request body is not application/json (content types {types:?})"
        ));
        return;
    };
    let shape = shape(op.doc, schema, 0);
    match &action.body {
        None => {
            for field in &shape.required {
                match body_inputs.iter().find(|(wire, _, _)| wire == field) {
                    None => problems.push(format!("required body field `{field}` has no `in: body` input")),
                    Some((_, id, input)) if !input.required => problems.push(format!(
                        "body input `{id}` must be `required: true`: {} requires body field `{field}`",
                        op.file
                    )),
                    Some(_) => {}
                }
            }
            if !shape.free_form {
                for (wire, id, _) in &body_inputs {
                    if !shape.properties.contains(*wire) {
                        problems.push(format!("body input `{id}` (`{wire}`) is not a property of the request body schema"));
                    }
                }
            }
        }
        // A template builds the body: its top-level keys (when it is an object) must be members.
        Some(Value::Object(template)) if !shape.free_form => {
            for key in template.keys() {
                if !shape.properties.contains(key) {
                    problems.push(format!(
                        "body template key `{key}` is not a property of the request body schema"
                    ));
                }
            }
        }
        Some(_) => {}
    }
}

/// Check 5: `success` is exactly the set of 2xx statuses the operation declares.
fn check_success(action: &ActionSpec, op: &Operation<'_>, problems: &mut Vec<String>) {
    let ours: BTreeSet<u16> = action.success.iter().copied().collect();
    let mut theirs = BTreeSet::new();
    for key in op
        .op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|r| r.keys())
    {
        if key.starts_with('2') {
            match key.parse::<u16>() {
                Ok(status) => {
                    theirs.insert(status);
                }
                Err(_) => problems.push(format!(
                    "{} declares a response `{key}` this check cannot compare",
                    op.file
                )),
            }
        }
    }
    if ours != theirs {
        problems.push(format!(
            "success {ours:?} differs from the 2xx statuses {theirs:?} in {}",
            op.file
        ));
    }
}

/// Check 6: `scopes` is exactly the operation's `x-scopes`.
fn check_scopes(action: &ActionSpec, op: &Operation<'_>, problems: &mut Vec<String>) {
    let ours: BTreeSet<&str> = action.scopes.iter().map(String::as_str).collect();
    let theirs: BTreeSet<&str> = op
        .op
        .get("x-scopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if ours != theirs {
        problems.push(format!(
            "scopes {ours:?} differ from x-scopes {theirs:?} in {}",
            op.file
        ));
    }
}

/// Check 7: A connector default header (`x-org-id`) is listed in `omit_headers` exactly when the
/// operation does not declare it as a header parameter.
fn check_default_headers(
    spec: &ConnectorSpec,
    action: &ActionSpec,
    op: &Operation<'_>,
    problems: &mut Vec<String>,
) {
    for header in spec.headers.keys() {
        let omitted = action
            .omit_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(header));
        let declared = op
            .params
            .contains_key(&("header".to_owned(), header.to_ascii_lowercase()));
        match (omitted, declared) {
            (true, true) => problems.push(format!("omits header `{header}`, which the operation declares in {}", op.file)),
            (false, false) => problems.push(format!(
                "sends default header `{header}`, which the operation does not declare in {}: add it to omit_headers",
                op.file
            )),
            _ => {}
        }
    }
}

/// The JSON Schema type of a parameter (`null` dropped from type lists), when it has one.
fn param_type<'a>(doc: &'a Value, param: &'a Value) -> Option<Vec<&'a str>> {
    let schema = resolve(doc, param.get("schema")?);
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(types) => Some(
            types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
        ),
        _ => None,
    }
}

/// Check 8: Query (and path and header) inputs have the parameter's schema type (integer vs string
/// vs array …).
fn check_param_types(action: &ActionSpec, op: &Operation<'_>, problems: &mut Vec<String>) {
    for (placement, place) in [
        (Placement::Query, "query"),
        (Placement::Path, "path"),
        (Placement::Header, "header"),
    ] {
        for (wire, id, input) in inputs_in(action, placement) {
            let name = if place == "header" {
                wire.to_ascii_lowercase()
            } else {
                wire.to_owned()
            };
            let Some(param) = op.params.get(&(place.to_owned(), name)) else {
                continue;
            };
            let Some(types) = param_type(op.doc, param) else {
                continue;
            };
            if !types.contains(&input.kind.as_str()) {
                problems.push(format!(
                    "{place} input `{id}` has type {}, but {}'s parameter `{wire}` is {}",
                    input.kind.as_str(),
                    op.file,
                    types.join(" | ")
                ));
            }
        }
    }
}

/// Every JumpCloud action conforms to the vendor's OpenAPI documents (method, path, parameters,
/// body fields, success statuses, scopes, `x-org-id`, parameter types). All problems are listed
/// at once, as `action id: problem`.
#[test]
fn conformance_jumpcloud_matches_openapi() {
    let Some(api) = openapi() else { return };
    let connector = common::jumpcloud();
    let started = std::time::Instant::now();
    let failures = check(&connector.spec, &api.v1, &api.v2);
    eprintln!(
        "conformance: checked {} actions in {:?}",
        connector.spec.actions.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} conformance problem(s) against ../shared/jumpcloud-openapi:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// The checker really reached every action (found each one's operation and ran every check),
/// so an empty failure list cannot come from checking nothing.
#[test]
fn conformance_checks_every_action() {
    let Some(api) = openapi() else { return };
    let connector = common::jumpcloud();
    let report = run(&connector.spec, &api.v1, &api.v2);
    assert!(!connector.spec.actions.is_empty());
    assert_eq!(
        report.checked,
        connector.spec.actions.len(),
        "actions checked; problems: {:#?}",
        report.failures
    );
}

/// The checker has teeth: a wrong method on one action (in a modified copy of the spec) is
/// reported against that action.
#[test]
fn conformance_detects_a_wrong_method() {
    let Some(api) = openapi() else { return };
    let mut spec = common::jumpcloud().spec.clone();
    action_mut(&mut spec, "get_system_user").method = Method::Patch;
    let failures = check(&spec, &api.v1, &api.v2);
    assert!(
        failures.iter().any(
            |f| f.starts_with("get_system_user: PATCH /systemusers/{id}: v1.yaml has no PATCH")
        ),
        "{failures:#?}"
    );
    assert_eq!(run(&spec, &api.v1, &api.v2).checked, spec.actions.len() - 1);
}

/// The other checks have teeth too: wrong scopes, success statuses, header omission, query
/// parameter, parameter type, path parameter name and a non-required required body field are
/// each reported (again on a modified copy of the spec).
#[test]
fn conformance_detects_other_mismatches() {
    let Some(api) = openapi() else { return };
    let baseline: BTreeSet<String> = check(&common::jumpcloud().spec, &api.v1, &api.v2)
        .into_iter()
        .collect();
    let mut spec = common::jumpcloud().spec.clone();
    action_mut(&mut spec, "list_system_users")
        .scopes
        .push("users.delete".to_owned());
    action_mut(&mut spec, "create_user_group").success = vec![200];
    action_mut(&mut spec, "list_organizations")
        .omit_headers
        .clear();
    action_mut(&mut spec, "get_user_group")
        .omit_headers
        .push("x-org-id".to_owned());
    let list_systems = action_mut(&mut spec, "list_systems");
    list_systems
        .inputs
        .get_mut("sort")
        .expect("sort input")
        .name = Some("order".to_owned());
    let limit = list_systems.inputs.get_mut("limit").expect("limit input");
    limit.kind = InputType::String;
    (limit.minimum, limit.maximum, limit.default) = (None, None, None);
    action_mut(&mut spec, "get_policy").path = "/v2/policies/{policy_id}".to_owned();
    action_mut(&mut spec, "create_system_user")
        .inputs
        .get_mut("email")
        .expect("email input")
        .required = false;

    let found: Vec<String> = check(&spec, &api.v1, &api.v2)
        .into_iter()
        .filter(|f| !baseline.contains(f))
        .collect();
    let expect = [
        "list_system_users: scopes",
        "create_user_group: success",
        "list_organizations: sends default header `x-org-id`",
        "get_user_group: omits header `x-org-id`",
        "list_systems: query input `sort` (`order`) is not a query parameter",
        "list_systems: query input `limit` has type string",
        "get_policy: path parameters",
        "get_policy: path parameter {policy_id} has no `in: path` input",
        "create_system_user: body input `email` must be `required: true`",
    ];
    for prefix in expect {
        assert!(
            found.iter().any(|f| f.starts_with(prefix)),
            "not reported: {prefix}\nreported: {found:#?}"
        );
    }
}

/// One action of a spec, for modifying it.
fn action_mut<'a>(spec: &'a mut ConnectorSpec, id: &str) -> &'a mut ActionSpec {
    // Copied out of the `Arc` it shares with the loaded action.
    std::sync::Arc::make_mut(
        spec.actions
            .get_mut(id)
            .unwrap_or_else(|| panic!("{id} exists")),
    )
}
