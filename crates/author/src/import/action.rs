//! One OpenAPI operation as one action: its id, name and description, method and path, scopes,
//! success statuses, inputs (parameters and request-body members, their schemas converted), the
//! body's media type, an example, and a guessed pagination style.

use std::collections::BTreeSet;

use actionspec_conform::operations::{Flavor, Operation};
use actionspec_conform::{DocumentSet, operation_scopes, shape};
use actionspec_engine::ENGINE_HEADERS;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::schema::{Converter, sample};
use super::yaml;
use super::{Context, snake};

/// Headers an imported action never declares: the engine's own ([`ENGINE_HEADERS`]), the auth
/// method's, and the ones the engine sets from the action's body format and answer.
fn owned_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ENGINE_HEADERS.contains(&name.as_str())
        || ["authorization", "content-type", "accept"].contains(&name.as_str())
}

/// One input being built.
#[derive(Debug, Clone)]
pub struct Input {
    /// `path`, `query`, `header` or `body`.
    pub placement: &'static str,
    /// The name on the wire.
    pub wire: String,
    /// The caller must supply it.
    pub required: bool,
    /// The converted schema.
    pub schema: Value,
    /// `description` of the parameter.
    pub description: Option<String>,
    /// Encoding style of an array or object in the query or a form body.
    pub style: Option<&'static str>,
    /// An example value the document gives.
    pub example: Option<Value>,
    /// Comments for the input.
    pub notes: Vec<String>,
    /// Conformance waivers (rule → reason).
    pub waivers: Vec<(String, String)>,
}

/// An action being built.
#[derive(Debug, Default)]
pub struct Action {
    /// The action id.
    pub id: String,
    /// The action as YAML.
    pub map: yaml::Map,
    /// Comments above the action.
    pub notes: Vec<String>,
    /// The pagination style guessed, with what it was guessed from.
    pub pagination: Option<(Value, String)>,
    /// The inputs, by input id.
    pub inputs: IndexMap<String, Input>,
    /// The example's response: the document's example, or one made from the schema.
    pub response: Option<Value>,
    /// Conformance waivers of the action (rule → reason).
    pub waivers: Vec<(String, String)>,
}

/// The id of an operation: its `operationId` in snake_case, else its method and path.
pub fn action_id(op: &Operation<'_>) -> String {
    match op.op.get("operationId").and_then(Value::as_str) {
        Some(id) => snake(id),
        None => snake(&format!(
            "{} {}",
            op.method,
            op.path.replace(['{', '}'], "")
        )),
    }
}

/// Builds the action of `op` (path relative to the connector's server: `path`).
pub fn build(ctx: &Context<'_>, op: &Operation<'_>, id: String, path: &str) -> Action {
    let mut a = Action {
        id,
        ..Action::default()
    };
    let method = op.method.to_ascii_uppercase();
    let summary = text(op.op.get("summary"));
    let name = summary
        .clone()
        .filter(|s| !s.contains('\n') && s.len() <= 80)
        .unwrap_or_else(|| title(&a.id));
    let mut description = text(op.op.get("description"))
        .or(summary)
        .unwrap_or_else(|| name.clone());
    if normal(&description) == normal(&name) {
        description = format!("{name}: {method} {path}.");
    }
    a.map.value("name", name);
    a.map.value("description", description);
    a.map.value("method", method.as_str());
    a.map.value("path", path);
    let doc = &ctx.set.documents[op.doc].value;
    let scopes: Vec<&str> = operation_scopes(doc, op.op, &["x-scopes".to_owned()])
        .into_iter()
        .collect();
    if !scopes.is_empty() {
        a.map.value("scopes", json!(scopes));
    }
    let success = success(op.op);
    if !success.is_empty() {
        a.map.value("success", json!(success));
    }
    let mut conv = Converter::new(ctx.set);
    parameters(ctx, op, &mut conv, &mut a);
    let form = body(ctx, op, &mut conv, &mut a);
    if form {
        a.map.value("body_format", "form");
    }
    if op.op.get("deprecated") == Some(&Value::Bool(true)) {
        a.notes
            .push("The document marks this operation deprecated.".to_owned());
    }
    if method == "GET" {
        a.pagination = super::paginate::guess(ctx, op, &mut conv, &a.inputs);
    }
    a.response = response(ctx, op, &mut conv);
    a
}

/// The first success response: its status and the document's example body, or one made from
/// its schema; only the status when it has no body.
fn response(ctx: &Context<'_>, op: &Operation<'_>, conv: &mut Converter<'_>) -> Option<Value> {
    let (status, r) = op
        .op
        .get("responses")
        .and_then(Value::as_object)?
        .iter()
        .find_map(|(k, r)| {
            k.parse::<u16>()
                .ok()
                .filter(|s| (200..300).contains(s))
                .map(|s| (s, r))
        })?;
    let (doc, r) = ctx.set.resolve_or_self(op.doc, r);
    let (example, schema) = match op.flavor {
        Flavor::Swagger2 => (
            r.pointer("/examples/application~1json").cloned(),
            r.get("schema"),
        ),
        Flavor::OpenApi3 => {
            let media = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().find(|(m, _)| is_json(m)).map(|(_, m)| m));
            let Some(media) = media else {
                return Some(json!({ "status": status }));
            };
            let example = media.get("example").cloned().or_else(|| {
                let first = media
                    .get("examples")
                    .and_then(Value::as_object)?
                    .values()
                    .next()?;
                ctx.set.resolve_or_self(doc, first).1.get("value").cloned()
            });
            (example, media.get("schema"))
        }
    };
    let body = match (example, schema) {
        (Some(e), _) => Some(e),
        (None, Some(s)) => sample(&conv.convert(doc, s)),
        (None, None) => None,
    };
    Some(match body {
        Some(b) => json!({ "status": status, "body": b }),
        None => json!({ "status": status }),
    })
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `list_users` → `List Users`.
fn title(id: &str) -> String {
    id.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The operation's 2xx statuses; none when it declares `2XX` or no 2xx.
fn success(op: &Value) -> Vec<u16> {
    let keys: Vec<&String> = op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|r| r.keys())
        .collect();
    if keys.iter().any(|k| k.eq_ignore_ascii_case("2XX")) {
        return Vec::new();
    }
    keys.iter()
        .filter(|k| k.starts_with('2'))
        .filter_map(|k| k.parse().ok())
        .collect()
}

/// The operation's parameters, path-level first, an operation-level one replacing a path-level
/// one of the same `in` and name (OpenAPI 3.0 §4.7.10), `$ref`s resolved.
fn gathered<'a>(set: &'a DocumentSet, op: &Operation<'a>) -> Vec<(usize, &'a Value)> {
    let mut out: Vec<(usize, &'a Value)> = Vec::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let (d, p) = set.resolve_or_self(op.doc, p);
            let key = |v: &Value| (v.get("in").cloned(), v.get("name").cloned());
            out.retain(|(_, q)| key(q) != key(p));
            out.push((d, p));
        }
    }
    out
}

fn parameters(ctx: &Context<'_>, op: &Operation<'_>, conv: &mut Converter<'_>, a: &mut Action) {
    for (doc, p) in gathered(ctx.set, op) {
        let place = p.get("in").and_then(Value::as_str).unwrap_or("");
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let placement = match place {
            "path" => "path",
            "query" => "query",
            "header" => "header",
            "body" | "formData" => continue,
            other => {
                a.notes.push(format!("{other} parameter `{name}` is not sent: an action has path, query, header and body inputs"));
                continue;
            }
        };
        if let Some(why) = skipped(ctx, placement, name) {
            a.notes
                .push(format!("{placement} parameter `{name}` left out: {why}"));
            continue;
        }
        let (schema, style, notes) = param_schema(op.flavor, conv, doc, p, placement);
        let mut input = Input {
            placement,
            wire: name.to_owned(),
            required: placement == "path" || p.get("required") == Some(&Value::Bool(true)),
            schema,
            description: text(p.get("description")),
            style,
            example: param_example(p),
            notes,
            waivers: Vec::new(),
        };
        if placement == "path" {
            path_type(&mut input);
        }
        if looks_secret(name) {
            input
                .notes
                .push("sensitive: its name says it holds a secret".to_owned());
        }
        add(a, input);
    }
}

/// Why a parameter is not an input: the engine or an auth method sets it.
fn skipped(ctx: &Context<'_>, placement: &str, name: &str) -> Option<String> {
    if placement == "header" && owned_header(name) {
        return Some("the engine or the auth method sets this header".to_owned());
    }
    ctx.auth_params
        .iter()
        .any(|(p, n)| p == placement && n.eq_ignore_ascii_case(name))
        .then(|| "the auth method sends it".to_owned())
}

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["token", "password", "secret", "api_key", "apikey"]
        .iter()
        .any(|w| n.contains(w))
}

/// A parameter's schema (3.x `schema` or `content`; Swagger 2.0: the parameter itself) and the
/// style its array or object is written in.
fn param_schema(
    flavor: Flavor,
    conv: &mut Converter<'_>,
    doc: usize,
    p: &Value,
    placement: &str,
) -> (Value, Option<&'static str>, Vec<String>) {
    let mut notes = Vec::new();
    let (schema, style) = match flavor {
        Flavor::OpenApi3 => {
            if let Some(content) = p.get("content").and_then(Value::as_object) {
                let s = content
                    .values()
                    .next()
                    .and_then(|m| m.get("schema"))
                    .cloned();
                (conv.convert(doc, &s.unwrap_or(json!({}))), Some("json"))
            } else {
                let s = p
                    .get("schema")
                    .cloned()
                    .unwrap_or(json!({"type": "string"}));
                let converted = conv.convert(doc, &s);
                let style = openapi_style(p, &converted, &mut notes);
                (converted, style)
            }
        }
        Flavor::Swagger2 => {
            let mut s = p.clone();
            if let Some(m) = s.as_object_mut() {
                for k in [
                    "name",
                    "in",
                    "required",
                    "collectionFormat",
                    "allowEmptyValue",
                ] {
                    m.remove(k);
                }
            }
            let converted = conv.convert(doc, &s);
            let style = swagger_style(p, &mut notes);
            (converted, style)
        }
    };
    let style = style.filter(|_| placement == "query" && is_collection(&schema));
    (schema, style, notes)
}

fn is_collection(schema: &Value) -> bool {
    matches!(kind(schema), "array" | "object")
}

/// OpenAPI 3 `style`/`explode` as an encoding style (defaults: `form`, exploded).
fn openapi_style(p: &Value, schema: &Value, notes: &mut Vec<String>) -> Option<&'static str> {
    let style = p.get("style").and_then(Value::as_str).unwrap_or("form");
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let object = kind(schema) == "object";
    match (style, explode, object) {
        ("form", true, false) => None,
        ("form", false, false) => Some("comma"),
        ("spaceDelimited", _, false) => Some("space"),
        ("pipeDelimited", _, false) => Some("pipe"),
        ("deepObject", _, _) => Some("bracket"),
        (_, _, true) => {
            notes.push(format!("the document writes this object `style: {style}, explode: {explode}` (a parameter per member), which an input cannot: it is sent as JSON text"));
            Some("json")
        }
        _ => None,
    }
}

/// Swagger 2.0 `collectionFormat` (default `csv`) of an array parameter.
fn swagger_style(p: &Value, notes: &mut Vec<String>) -> Option<&'static str> {
    if p.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    match p
        .get("collectionFormat")
        .and_then(Value::as_str)
        .unwrap_or("csv")
    {
        "csv" => Some("comma"),
        "ssv" => Some("space"),
        "pipes" => Some("pipe"),
        "multi" => None,
        other => {
            notes.push(format!(
                "`collectionFormat: {other}` cannot be written: items are sent repeated"
            ));
            None
        }
    }
}

/// A parameter's example value, if the document gives one.
fn param_example(p: &Value) -> Option<Value> {
    p.get("example")
        .or_else(|| p.get("schema").and_then(|s| s.get("example")))
        .or_else(|| {
            p.get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .and_then(|e| e.get("value"))
        })
        .cloned()
}

/// A path input is a string or an integer; another type is sent as a string, waived for
/// `conform`.
fn path_type(input: &mut Input) {
    let k = kind(&input.schema).to_owned();
    if k == "string" || k == "integer" {
        return;
    }
    input.schema = json!({ "type": "string" });
    let why = format!("a path input is a string or an integer; the document's parameter is {k}");
    input.notes.push(format!("{why}: sent as a string"));
    input.waivers.push(("param-type".to_owned(), why));
}

/// The first non-null type of a converted schema.
pub fn kind(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "string",
    }
}

/// Adds an input under an id of its own: its wire name when that is an identifier, else in
/// snake_case, suffixed with its placement when another input has the id.
fn add(a: &mut Action, input: Input) {
    let ident = input
        .wire
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && input
            .wire
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut id = if ident {
        input.wire.clone()
    } else {
        snake(&input.wire)
    };
    if id.is_empty() || !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id = format!("p_{id}");
    }
    if a.inputs.contains_key(&id) {
        id = format!("{id}_{}", input.placement);
    }
    let mut n = 2;
    let base = id.clone();
    while a.inputs.contains_key(&id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    a.inputs.insert(id, input);
}

/// The request body: its members as body inputs (or one `body` input for a body that is not an
/// object of members). Returns whether it is a form body.
fn body(ctx: &Context<'_>, op: &Operation<'_>, conv: &mut Converter<'_>, a: &mut Action) -> bool {
    match op.flavor {
        Flavor::OpenApi3 => body_openapi3(ctx, op, conv, a),
        Flavor::Swagger2 => body_swagger2(ctx, op, conv, a),
    }
}

fn is_json(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json"
        || m == "*/*"
        || m == "application/*"
        || (m.starts_with("application/") && m.ends_with("+json"))
}

fn is_form(media: &str) -> bool {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

fn body_openapi3(
    ctx: &Context<'_>,
    op: &Operation<'_>,
    conv: &mut Converter<'_>,
    a: &mut Action,
) -> bool {
    let Some(rb) = op.op.get("requestBody") else {
        return false;
    };
    let (doc, rb) = ctx.set.resolve_or_self(op.doc, rb);
    let content = rb.get("content").and_then(Value::as_object);
    let medias: Vec<&String> = content.into_iter().flat_map(|c| c.keys()).collect();
    let chosen = medias
        .iter()
        .find(|m| is_json(m))
        .map(|m| (*m, false))
        .or_else(|| medias.iter().find(|m| is_form(m)).map(|m| (*m, true)));
    let Some((media, form)) = chosen else {
        a.notes.push(format!(
            "TODO: the request body is {}, which an action cannot send (JSON or form only): no body inputs",
            medias.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        ));
        return false;
    };
    let media_object = content.and_then(|c| c.get(media.as_str()));
    let Some(schema) = media_object.and_then(|m| m.get("schema")) else {
        return form;
    };
    let example = media_object.and_then(|m| {
        m.get("example").cloned().or_else(|| {
            m.get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .map(|e| ctx.set.resolve_or_self(doc, e).1)
                .and_then(|e| e.get("value").cloned())
        })
    });
    let required = rb.get("required") == Some(&Value::Bool(true));
    members(ctx.set, conv, doc, schema, example, required, a);
    form
}

fn body_swagger2(
    ctx: &Context<'_>,
    op: &Operation<'_>,
    conv: &mut Converter<'_>,
    a: &mut Action,
) -> bool {
    let params = gathered(ctx.set, op);
    let doc_value = &ctx.set.documents[op.doc].value;
    let consumes = op.consumes(doc_value);
    let form_ok = consumes.is_empty() || consumes.iter().any(|m| is_form(m) || m.trim() == "*/*");
    let json_ok = consumes.is_empty() || consumes.iter().any(|m| is_json(m));
    if let Some((doc, p)) = params
        .iter()
        .find(|(_, p)| p.get("in").and_then(Value::as_str) == Some("body"))
    {
        if !json_ok {
            a.notes.push(format!(
                "TODO: the body is {consumes:?}, which an action cannot send: no body inputs"
            ));
            return false;
        }
        let schema = p.get("schema").cloned().unwrap_or(json!({}));
        let required = p.get("required") == Some(&Value::Bool(true));
        members(ctx.set, conv, *doc, &schema, None, required, a);
        return false;
    }
    let fields: Vec<&(usize, &Value)> = params
        .iter()
        .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("formData"))
        .collect();
    if fields.is_empty() {
        return false;
    }
    if !form_ok {
        a.notes.push(format!("TODO: the form is {consumes:?} (file uploads), which an action cannot send: no body inputs"));
        return false;
    }
    for (doc, p) in fields {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let (schema, style, mut notes) = param_schema(Flavor::Swagger2, conv, *doc, p, "query");
        if looks_secret(name) {
            notes.push("sensitive: its name says it holds a secret".to_owned());
        }
        add(
            a,
            Input {
                placement: "body",
                wire: name.to_owned(),
                required: p.get("required") == Some(&Value::Bool(true)),
                schema,
                description: text(p.get("description")),
                style,
                example: param_example(p),
                notes,
                waivers: Vec::new(),
            },
        );
    }
    true
}

/// A body schema's members as body inputs; a body that is not an object of declared members is
/// one `body` input, placed by a `body` template.
fn members(
    set: &DocumentSet,
    conv: &mut Converter<'_>,
    doc: usize,
    schema: &Value,
    example: Option<Value>,
    required: bool,
    a: &mut Action,
) {
    let shape = shape(set, doc, schema, 0);
    let converted = conv.convert(doc, schema);
    if let Some(c) = converted.get("$comment").and_then(Value::as_str) {
        a.notes.push(format!("request body: {c}"));
    }
    if shape.properties.is_empty() {
        add(a, Input {
            placement: "body",
            wire: "body".to_owned(),
            required,
            schema: converted.clone(),
            description: Some("The whole request body.".to_owned()),
            style: None,
            example,
            notes: vec!["the body is not an object of declared members: sent whole by the `body` template".to_owned()],
            waivers: Vec::new(),
        });
        a.map.value("body", "{{ input.body }}");
        return;
    }
    undeclared_required(&shape, a);
    let props = converted
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut names: Vec<&String> = props
        .keys()
        .filter(|k| shape.properties.contains(*k))
        .collect();
    names.extend(shape.properties.iter().filter(|k| !props.contains_key(*k)));
    for name in names {
        let schema = props.get(name).cloned().unwrap_or(json!({}));
        let required = shape.required.contains(name);
        if schema.get("readOnly") == Some(&Value::Bool(true)) && !required {
            a.notes.push(format!(
                "body member `{name}` left out: the document marks it read-only"
            ));
            continue;
        }
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        add(
            a,
            Input {
                placement: "body",
                wire: name.clone(),
                required,
                schema,
                description,
                style: None,
                example: example.as_ref().and_then(|e| e.get(name)).cloned(),
                notes: Vec::new(),
                waivers: Vec::new(),
            },
        );
    }
}

/// Required body members the schema does not declare (a document's mistake): no inputs, the
/// `body-required` finding waived with the reason.
fn undeclared_required(shape: &actionspec_conform::Shape, a: &mut Action) {
    let undeclared: Vec<&String> = shape
        .required
        .iter()
        .filter(|r| !shape.properties.contains(*r))
        .collect();
    if !undeclared.is_empty() {
        let names: Vec<String> = undeclared.iter().map(|n| format!("`{n}`")).collect();
        let why = format!(
            "the document requires body members {} that its schema does not declare",
            names.join(", ")
        );
        a.notes.push(format!("{why}: no inputs for them"));
        a.waivers.push(("body-required".to_owned(), why));
    }
}

/// Writes the inputs and the example of `a` into its YAML.
pub fn finish(a: &mut Action, pagination_name: Option<&str>) {
    let mut inputs = yaml::Map::new();
    let mut waivers = Map::new();
    for (rule, why) in &a.waivers {
        waivers.insert(rule.clone(), json!(why));
    }
    let mut example = Map::new();
    let style = a.pagination.as_ref().map(|(s, _)| s);
    let page_size = style
        .and_then(|s| s.get("limit_input"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let largest = style
        .and_then(|s| s.get("max_page_size"))
        .and_then(Value::as_u64);
    let ids: Vec<String> = a.inputs.keys().cloned().collect();
    for id in ids {
        let Some(input) = a.inputs.get_mut(&id) else {
            continue;
        };
        narrow(input);
        let mut value = example_value(input);
        let is_page_size = page_size.as_deref() == Some(id.as_str());
        if let (true, Some(max), Some(v)) = (is_page_size, largest, value.as_u64()) {
            value = json!(v.min(max));
        }
        if input.required || is_page_size {
            example.insert(id.clone(), value);
        }
        let (spec, notes) = super::input::spec(input, &id);
        for (rule, why) in &input.waivers {
            waivers.insert(rule.clone(), json!(why));
        }
        inputs.value_with(&id, notes, spec);
    }
    if let Some(name) = pagination_name {
        a.map.value("pagination", name);
    }
    if !waivers.is_empty() {
        a.map.value("conform", Value::Object(waivers));
    }
    if !inputs.is_empty() {
        a.map.map("inputs", Vec::new(), inputs);
    }
    let mut example = json!({ "input": Value::Object(example) });
    if let Some(r) = a.response.take() {
        example["response"] = r;
    }
    a.map.value_with(
        "examples",
        vec![
            "An example from the document's examples or made from the schemas: check it."
                .to_owned(),
        ],
        json!([example]),
    );
}

/// The top level of an input has one type: a list of types (`[string, "null"]`) becomes its
/// first non-null one, noted.
fn narrow(input: &mut Input) {
    let Some(types) = input.schema.get("type").and_then(Value::as_array).cloned() else {
        return;
    };
    let k = kind(&input.schema).to_owned();
    if types.len() > 1 {
        input.notes.push(format!(
            "the document allows the types {}; the input takes {k}",
            Value::Array(types)
        ));
    }
    if let Some(m) = input.schema.as_object_mut() {
        m.insert("type".into(), k.into());
    }
}

/// The example value of an input: the document's, when valid, else one made from its schema.
/// When none is valid, the constraints that no value was found for are relaxed (with a note).
fn example_value(input: &mut Input) -> Value {
    let compiled = actionspec_engine::schema::Schema::compile(&input.schema).ok();
    let valid = |v: &Value| {
        compiled
            .as_ref()
            .is_some_and(|s| s.violations(v).is_empty())
    };
    if let Some(v) = input.example.clone().filter(|v| valid(v)) {
        return v;
    }
    if let Some(v) = sample(&input.schema) {
        return v;
    }
    let relaxed: BTreeSet<&str> = ["pattern", "minLength", "maxLength", "format"].into();
    if let Some(m) = input.schema.as_object_mut() {
        let removed: Vec<String> = m
            .keys()
            .filter(|k| relaxed.contains(k.as_str()))
            .cloned()
            .collect();
        for k in &removed {
            m.remove(k);
        }
        if !removed.is_empty() {
            input.notes.push(format!(
                "TODO: {} left out: no example value was found that meets them",
                removed.join(", ")
            ));
        }
    }
    sample(&input.schema).unwrap_or(json!("example"))
}
