//! The checks of one action against the operation its method and path match.
//!
//! Parameters follow OpenAPI 3.0/3.1 "Parameter Object" (`in`, `name`, `required`, `schema`,
//! `style`, `explode`, `content`) and Swagger 2.0 "Parameter Object" (`type`,
//! `collectionFormat`, `in: body` with a `schema`, `in: formData`); operation-level parameters
//! override path-level ones of the same `in` and name (OpenAPI 3.0 §4.7.10). Request bodies are
//! OpenAPI 3 "Request Body Object" `content` keyed by media type, or Swagger 2.0 `consumes`.

use std::collections::{BTreeMap, BTreeSet};

use actionspec_engine::spec::{
    ActionSpec, BodyFormat, ConnectorSpec, EncodingStyle, InputSpec, InputType, Placement,
};
use serde_json::Value;

use crate::document::{DocumentSet, MAX_REF_DEPTH};
use crate::operations::{Flavor, Operation, location};
use crate::report::Rule;

/// A finding before waivers and severities apply.
#[derive(Debug, Clone)]
pub struct Raw {
    /// The rule broken.
    pub rule: Rule,
    /// The input it is about, whose `conform:` waivers apply.
    pub input: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Where in the documents.
    pub location: Option<String>,
}

/// What the checks of one action need, and what they found.
pub struct Ctx<'a> {
    /// The documents.
    pub set: &'a DocumentSet,
    /// The connector.
    pub spec: &'a ConnectorSpec,
    /// The action.
    pub action: &'a ActionSpec,
    /// The operation matched.
    pub op: &'a Operation<'a>,
    /// Scope lists the documents carry beside `security` (e.g. `x-scopes`).
    pub scope_keys: &'a [String],
    /// Default headers known to be accepted although undeclared (lowercase).
    pub accepted_headers: &'a BTreeSet<String>,
    /// Whether the operation's document declares scopes on any operation.
    pub document_has_scopes: bool,
    /// The findings.
    pub found: Vec<Raw>,
    params: BTreeMap<(String, String), Param<'a>>,
}

/// A parameter of the operation, `$ref` resolved.
struct Param<'a> {
    doc: usize,
    value: &'a Value,
    location: String,
}

impl<'a> Ctx<'a> {
    /// A context for `action` against `op`, its parameters gathered.
    pub fn new(
        set: &'a DocumentSet,
        spec: &'a ConnectorSpec,
        action: &'a ActionSpec,
        op: &'a Operation<'a>,
    ) -> Ctx<'a> {
        let mut ctx = Ctx {
            set,
            spec,
            action,
            op,
            scope_keys: &[],
            accepted_headers: empty_set(),
            document_has_scopes: false,
            found: Vec::new(),
            params: BTreeMap::new(),
        };
        ctx.gather_params();
        ctx
    }

    fn gather_params(&mut self) {
        let file = &self.set.documents[self.op.doc].name;
        let lists = [
            (self.op.item.get("parameters"), None),
            (self.op.op.get("parameters"), Some(self.op.method)),
        ];
        for (list, method) in lists {
            for (i, param) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let (doc, value) = self.set.resolve_or_self(self.op.doc, param);
                let (Some(place), Some(name)) = (
                    value.get("in").and_then(Value::as_str),
                    value.get("name").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let index = i.to_string();
                let mut tokens = vec!["paths", self.op.path];
                tokens.extend(method);
                tokens.extend(["parameters", index.as_str()]);
                let location = location(file, &tokens);
                let key = (place.to_owned(), wire_key(place, name));
                self.params.insert(
                    key,
                    Param {
                        doc,
                        value,
                        location,
                    },
                );
            }
        }
    }

    /// Records a finding at the operation's location.
    fn push(&mut self, rule: Rule, input: Option<&str>, message: String) {
        let location = Some(self.op.location.clone());
        self.push_at(rule, input, message, location);
    }

    fn push_at(&mut self, rule: Rule, input: Option<&str>, message: String, at: Option<String>) {
        self.found.push(Raw {
            rule,
            input: input.map(str::to_owned),
            message,
            location: at,
        });
    }

    /// Runs every check.
    pub fn run(&mut self) {
        self.path_params();
        self.declared_params();
        self.required_params();
        self.param_types_and_styles();
        self.body();
        self.success();
        self.scopes();
        self.default_headers();
    }

    /// The `{name}`s of the action's path are the operation's path parameters, and each is an
    /// `in: path` input's wire name (and every `in: path` input is used by the path).
    fn path_params(&mut self) {
        let ours = path_names(&self.action.path);
        let declared: BTreeSet<String> = self
            .params
            .keys()
            .filter(|(place, _)| place == "path")
            .map(|(_, name)| name.clone())
            .collect();
        let theirs = if declared.is_empty() {
            path_names(self.op.path)
        } else {
            declared
        };
        if ours != theirs {
            let msg = format!(
                "path parameters {} differ from the operation's {}",
                braced(&ours),
                braced(&theirs)
            );
            self.push(Rule::PathParams, None, msg);
        }
        let inputs: BTreeSet<&str> = inputs_in(self.action, Placement::Path)
            .map(|(wire, _, _)| wire)
            .collect();
        for name in &ours {
            if !inputs.contains(name.as_str()) {
                let msg = format!("path parameter {{{name}}} has no `in: path` input of that name");
                self.push(Rule::PathParams, None, msg);
            }
        }
        for (wire, id, _) in inputs_in(self.action, Placement::Path) {
            if !ours.contains(wire) {
                let msg = format!(
                    "`in: path` input `{id}` is not a {{name}} of the path {}",
                    self.action.path
                );
                self.push(Rule::PathParams, Some(id), msg);
            }
        }
    }

    fn declared(&self, place: &str, name: &str) -> bool {
        self.params
            .contains_key(&(place.to_owned(), wire_key(place, name)))
    }

    /// Every query and header input, and every query and header template, is a parameter of the
    /// operation.
    fn declared_params(&mut self) {
        for (placement, place) in [(Placement::Query, "query"), (Placement::Header, "header")] {
            for (wire, id, _) in inputs_in(self.action, placement) {
                if !self.declared(place, wire) {
                    let msg = format!(
                        "{place} input {} is not a {place} parameter of the operation",
                        named(id, wire)
                    );
                    self.push(Rule::ParamUndeclared, Some(id), msg);
                }
            }
        }
        let templates = [
            ("query", &self.action.query),
            ("header", &self.action.headers),
        ];
        let mut missing = Vec::new();
        for (place, map) in templates {
            for name in map.keys().filter(|n| !self.declared(place, n)) {
                missing.push(format!(
                    "{place} template `{name}` is not a {place} parameter of the operation"
                ));
            }
        }
        for msg in missing {
            self.push(Rule::ParamUndeclared, None, msg);
        }
    }

    /// Every query or header parameter the operation requires is supplied: by a required input,
    /// an action template, a default header the action sends, or an auth method's key name.
    fn required_params(&mut self) {
        let mut missing = Vec::new();
        for ((place, name), param) in &self.params {
            let required = param.value.get("required").and_then(Value::as_bool) == Some(true);
            if !required || !matches!(place.as_str(), "query" | "header") {
                continue;
            }
            if !self.supplies(place, name) {
                let msg = format!(
                    "the operation requires {place} parameter `{name}`, which no required input supplies"
                );
                missing.push((msg, param.location.clone()));
            }
        }
        for (msg, at) in missing {
            self.push_at(Rule::ParamRequired, None, msg, Some(at));
        }
    }

    fn supplies(&self, place: &str, name: &str) -> bool {
        let (spec, action) = (self.spec, self.action);
        let input = action.inputs.iter().any(|(id, input)| {
            input.required
                && placement_name(input.placement) == place
                && wire_key(place, input.wire_name(id)) == name
        });
        let template = match place {
            "query" => action.query.keys().any(|q| q == name),
            _ => action.headers.keys().any(|h| h.eq_ignore_ascii_case(name)),
        };
        let default_header = place == "header"
            && spec.headers.keys().any(|h| h.eq_ignore_ascii_case(name))
            && !action
                .omit_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name));
        let auth = spec.auth.values().any(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| wire_key(place, n) == name)
        });
        input || template || default_header || auth
    }

    /// Path, query and header inputs have the parameter's type; query arrays its style.
    fn param_types_and_styles(&mut self) {
        let mut found = Vec::new();
        for (placement, place) in [
            (Placement::Path, "path"),
            (Placement::Query, "query"),
            (Placement::Header, "header"),
        ] {
            for (wire, id, input) in inputs_in(self.action, placement) {
                let key = (place.to_owned(), wire_key(place, wire));
                let Some(param) = self.params.get(&key) else {
                    continue;
                };
                let at = Some(param.location.clone());
                let types = param_types(self.set, self.op.flavor, param);
                if !types.is_empty() && !compatible(input.kind, &types) {
                    let msg = format!(
                        "{place} input `{id}` is {}, the parameter `{wire}` is {}",
                        input.kind.as_str(),
                        types.join(" | ")
                    );
                    found.push((Rule::ParamType, id, msg, at.clone()));
                }
                if place != "query" {
                    continue;
                }
                if let Some(msg) =
                    style_mismatch(self.set, self.op.flavor, param, id, input, &types)
                {
                    found.push((Rule::ParamStyle, id, msg, at));
                }
            }
        }
        for (rule, id, msg, at) in found {
            self.push_at(rule, Some(id), msg, at);
        }
    }

    /// The body: its media type is accepted, its required members are supplied, its inputs are
    /// members of the schema.
    fn body(&mut self) {
        let action = self.action;
        let body_inputs: Vec<_> = inputs_in(action, Placement::Body).collect();
        if body_inputs.is_empty() && action.body.is_none() {
            return;
        }
        let format = action
            .body_format
            .or(self.spec.defaults.body_format)
            .unwrap_or(BodyFormat::Json);
        let body = match self.op.flavor {
            Flavor::OpenApi3 => self.body_openapi3(format),
            Flavor::Swagger2 => self.body_swagger2(format),
        };
        let Some(shape) = body else { return };
        match &action.body {
            None => {
                for field in &shape.required {
                    match body_inputs.iter().find(|(wire, _, _)| wire == field) {
                        None => {
                            let msg =
                                format!("required body field `{field}` has no `in: body` input");
                            self.push(Rule::BodyRequired, None, msg);
                        }
                        Some((_, id, input)) if !input.required => {
                            let msg = format!(
                                "body input `{id}` must be `required: true`: the operation requires body field `{field}`"
                            );
                            self.push(Rule::BodyRequired, Some(id), msg);
                        }
                        Some(_) => {}
                    }
                }
                if !shape.free_form {
                    for (wire, id, _) in &body_inputs {
                        if !shape.properties.contains(*wire) {
                            let msg = format!(
                                "body input {} is not a property of the request body schema",
                                named(id, wire)
                            );
                            self.push(Rule::BodyProperty, Some(id), msg);
                        }
                    }
                }
            }
            Some(Value::Object(template)) => {
                for field in shape.required.iter().filter(|f| !template.contains_key(*f)) {
                    let msg =
                        format!("required body field `{field}` is not set by the body template");
                    self.push(Rule::BodyRequired, None, msg);
                }
                if !shape.free_form {
                    for key in template.keys().filter(|k| !shape.properties.contains(*k)) {
                        let msg = format!(
                            "body template key `{key}` is not a property of the request body schema"
                        );
                        self.push(Rule::BodyProperty, None, msg);
                    }
                }
            }
            Some(_) => {}
        }
    }

    /// OpenAPI 3: the `requestBody` content for the body's media type, as a shape.
    fn body_openapi3(&mut self, format: BodyFormat) -> Option<Shape> {
        let Some(request_body) = self.op.op.get("requestBody") else {
            let msg = "the action sends a body but the operation takes no request body".to_owned();
            self.push(Rule::BodyMediaType, None, msg);
            return None;
        };
        let (doc, request_body) = self.set.resolve_or_self(self.op.doc, request_body);
        let content = request_body.get("content").and_then(Value::as_object);
        let types: Vec<&str> = content
            .into_iter()
            .flat_map(|c| c.keys())
            .map(String::as_str)
            .collect();
        let Some(media) = types.iter().find(|t| accepts(t, format)) else {
            let msg = format!(
                "the request body is not {} (it is {})",
                media_name(format),
                list(types.iter())
            );
            self.push(Rule::BodyMediaType, None, msg);
            return None;
        };
        let schema = content
            .and_then(|c| c.get(*media))
            .and_then(|m| m.get("schema"))?;
        Some(shape(self.set, doc, schema, 0))
    }

    /// Swagger 2.0: `in: formData` parameters, or the `in: body` parameter's schema, and
    /// `consumes` (the operation's, else the document's; none declared accepts any).
    fn body_swagger2(&mut self, format: BodyFormat) -> Option<Shape> {
        let doc = &self.set.documents[self.op.doc].value;
        let consumes = self.op.consumes(doc);
        let form: Vec<&Param<'_>> = self
            .params
            .iter()
            .filter(|((p, _), _)| p == "formData")
            .map(|(_, v)| v)
            .collect();
        let body = self
            .params
            .iter()
            .find(|((p, _), _)| p == "body")
            .map(|(_, v)| v);
        if form.is_empty() && body.is_none() {
            let msg = "the action sends a body but the operation has no `in: body` or `in: formData` parameter".to_owned();
            self.push(Rule::BodyMediaType, None, msg);
            return None;
        }
        if !consumes.is_empty() && !consumes.iter().any(|t| accepts(t, format)) {
            let msg = format!(
                "the operation consumes {}, not {}",
                list(consumes.iter()),
                media_name(format)
            );
            self.push(Rule::BodyMediaType, None, msg);
            return None;
        }
        if let Some(body) = body {
            let schema = body.value.get("schema")?;
            return Some(shape(self.set, body.doc, schema, 0));
        }
        let mut out = Shape::default();
        for ((_, name), param) in self.params.iter().filter(|((p, _), _)| p == "formData") {
            out.properties.insert(name.clone());
            if param.value.get("required").and_then(Value::as_bool) == Some(true) {
                out.required.insert(name.clone());
            }
        }
        Some(out)
    }

    /// `success` is exactly the operation's declared 2xx responses (`2XX` accepts any 2xx). An
    /// action without `success` accepts any 2xx, as the engine does, so it conforms.
    fn success(&mut self) {
        let ours: BTreeSet<u16> = self.action.success.iter().copied().collect();
        if ours.is_empty() {
            return;
        }
        let keys: Vec<&String> = self
            .op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.keys())
            .collect();
        if keys.iter().any(|k| k.eq_ignore_ascii_case("2XX")) {
            return;
        }
        let theirs: BTreeSet<u16> = keys
            .iter()
            .filter(|k| k.starts_with('2'))
            .filter_map(|k| k.parse().ok())
            .collect();
        if ours != theirs {
            let msg = format!(
                "success {} differs from the operation's 2xx responses {}",
                list(ours.iter()),
                list(theirs.iter())
            );
            self.push(Rule::Success, None, msg);
        }
    }

    /// `scopes` is exactly the operation's: the scopes of its `security` requirements (else the
    /// document's), and the scope lists `scope_keys` name. Checked only where the document
    /// declares scopes on some operation.
    fn scopes(&mut self) {
        if !self.document_has_scopes {
            return;
        }
        let doc = &self.set.documents[self.op.doc].value;
        let theirs = operation_scopes(doc, self.op.op, self.scope_keys);
        let ours: BTreeSet<&str> = self.action.scopes.iter().map(String::as_str).collect();
        if ours != theirs {
            let msg = format!(
                "scopes {} differ from the operation's {}",
                list(ours.iter()),
                list(theirs.iter())
            );
            self.push(Rule::Scopes, None, msg);
        }
    }

    /// A default header is sent exactly when the operation declares it (or it is known to be
    /// accepted), and omitted (`omit_headers`) exactly when it does not.
    fn default_headers(&mut self) {
        for header in self.spec.headers.keys() {
            let omitted = self
                .action
                .omit_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(header));
            let declared = self.declared("header", header);
            let accepted = self.accepted_headers.contains(&header.to_ascii_lowercase());
            if omitted && declared {
                let msg = format!("omits default header `{header}`, which the operation declares");
                self.push(Rule::OmittedHeader, None, msg);
            } else if !omitted && !declared && !accepted {
                let msg = format!(
                    "sends default header `{header}`, which the operation does not declare (add it to `omit_headers`, or accept it)"
                );
                self.push(Rule::DefaultHeader, None, msg);
            }
        }
    }
}

/// `[a, b]`.
fn list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// `{a}, {b}` (or `none`).
fn braced(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    let names: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
    names.join(", ")
}

/// `` `id` ``, or `` `id` (`wire`) `` when the wire name differs.
fn named(id: &str, wire: &str) -> String {
    if id == wire {
        format!("`{id}`")
    } else {
        format!("`{id}` (`{wire}`)")
    }
}

fn empty_set() -> &'static BTreeSet<String> {
    static EMPTY: BTreeSet<String> = BTreeSet::new();
    &EMPTY
}

/// Header names compare case-insensitively (RFC 9110 §5.1); other names exactly.
fn wire_key(place: &str, name: &str) -> String {
    if place == "header" {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    }
}

fn placement_name(placement: Placement) -> &'static str {
    match placement {
        Placement::Path => "path",
        Placement::Query => "query",
        Placement::Header => "header",
        Placement::Body => "body",
    }
}

/// The scopes of an operation: its `security` (else the document's) and its `scope_keys` lists.
pub fn operation_scopes<'a>(
    doc: &'a Value,
    op: &'a Value,
    scope_keys: &[String],
) -> BTreeSet<&'a str> {
    let security = op.get("security").or_else(|| doc.get("security"));
    let mut out: BTreeSet<&str> = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|req| req.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for key in scope_keys {
        out.extend(
            op.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
    }
    out
}

fn media_name(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Json => "application/json",
        BodyFormat::Form => "application/x-www-form-urlencoded",
    }
}

/// Whether a media range of the document accepts the body format (RFC 9110 §8.3.1: parameters
/// ignored, `*/*` and `type/*` ranges, `+json` structured suffixes, RFC 6839).
fn accepts(range: &str, format: BodyFormat) -> bool {
    let range = range
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let wanted = media_name(format);
    range == wanted
        || range == "*/*"
        || range == "application/*"
        || (format == BodyFormat::Json
            && range.starts_with("application/")
            && range.ends_with("+json"))
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

/// The `{name}`s of a path template.
pub fn path_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The JSON Schema type names of a parameter (`null` dropped); empty when it declares none.
fn param_types(set: &DocumentSet, flavor: Flavor, param: &Param<'_>) -> Vec<String> {
    let schema = match flavor {
        Flavor::Swagger2 => Some((param.doc, param.value)),
        Flavor::OpenApi3 => param
            .value
            .get("schema")
            .map(|s| set.resolve_or_self(param.doc, s)),
    };
    let Some((_, schema)) = schema else {
        return Vec::new();
    };
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// An input type fits a parameter's types (an integer is a number; Swagger 2.0 `file` is
/// not compared).
fn compatible(kind: InputType, types: &[String]) -> bool {
    let kind = kind.as_str();
    types
        .iter()
        .any(|t| t == kind || (t == "number" && kind == "integer") || t == "file")
}

/// Why an array or object query input is written differently from the parameter, if it is.
fn style_mismatch(
    set: &DocumentSet,
    flavor: Flavor,
    param: &Param<'_>,
    id: &str,
    input: &InputSpec,
    types: &[String],
) -> Option<String> {
    let ours = match input.kind {
        InputType::Array => input.style.unwrap_or(EncodingStyle::Repeat),
        InputType::Object => input.style.unwrap_or(EncodingStyle::Json),
        _ => return None,
    };
    let is_object = types.iter().any(|t| t == "object");
    let (theirs, declared) = match flavor {
        Flavor::Swagger2 => swagger_style(param.value)?,
        Flavor::OpenApi3 => openapi_style(set, param, is_object)?,
    };
    (ours != theirs).then(|| {
        format!(
            "query input `{id}` is sent `style: {}`; the parameter is {declared}, which is `style: {}`",
            style_name(ours),
            style_name(theirs)
        )
    })
}

/// OpenAPI 3 `style`/`explode` (§4.8.12.4 "Style Values") as an encoding style: `form`
/// (default, exploded by default) is `repeat` or `comma`; `spaceDelimited`, `pipeDelimited`;
/// `deepObject` is `bracket`; a `content` parameter is JSON text.
fn openapi_style(
    set: &DocumentSet,
    param: &Param<'_>,
    object: bool,
) -> Option<(EncodingStyle, String)> {
    let value = param.value;
    if value.get("content").is_some() {
        return Some((EncodingStyle::Json, "JSON content".to_owned()));
    }
    let style = value.get("style").and_then(Value::as_str).unwrap_or("form");
    let explode = value
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let schema = value
        .get("schema")
        .map(|s| set.resolve_or_self(param.doc, s).1);
    let object =
        object || schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("object");
    let theirs = match (style, explode) {
        ("deepObject", _) => EncodingStyle::Bracket,
        ("form", true) if !object => EncodingStyle::Repeat,
        ("form", false) if !object => EncodingStyle::Comma,
        ("spaceDelimited", _) => EncodingStyle::Space,
        ("pipeDelimited", _) => EncodingStyle::Pipe,
        _ => return None,
    };
    Some((theirs, format!("`style: {style}, explode: {explode}`")))
}

/// Swagger 2.0 `collectionFormat` (default `csv`) of an array parameter as an encoding style.
fn swagger_style(value: &Value) -> Option<(EncodingStyle, String)> {
    if value.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    let format = value
        .get("collectionFormat")
        .and_then(Value::as_str)
        .unwrap_or("csv");
    let theirs = match format {
        "csv" => EncodingStyle::Comma,
        "ssv" => EncodingStyle::Space,
        "pipes" => EncodingStyle::Pipe,
        "multi" => EncodingStyle::Repeat,
        _ => return None,
    };
    Some((theirs, format!("`collectionFormat: {format}`")))
}

fn style_name(style: EncodingStyle) -> &'static str {
    match style {
        EncodingStyle::Repeat => "repeat",
        EncodingStyle::Comma => "comma",
        EncodingStyle::Space => "space",
        EncodingStyle::Pipe => "pipe",
        EncodingStyle::Bracket => "bracket",
        EncodingStyle::Json => "json",
    }
}

/// The members an object schema allows and requires.
#[derive(Debug, Default)]
pub struct Shape {
    /// Declared property names.
    pub properties: BTreeSet<String>,
    /// Required property names.
    pub required: BTreeSet<String>,
    /// Any member is allowed (`additionalProperties` is not `false`, or nothing is declared).
    pub free_form: bool,
}

/// The shape of an object schema: `$ref`s resolved, `allOf` merged (properties and required
/// united), `oneOf`/`anyOf` united (a member is required only when every branch requires it).
/// Past [`MAX_REF_DEPTH`] levels the schema counts as free-form.
pub fn shape(set: &DocumentSet, doc: usize, schema: &Value, depth: usize) -> Shape {
    let (doc, schema) = set.resolve_or_self(doc, schema);
    let mut out = Shape::default();
    if depth > MAX_REF_DEPTH {
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
        let part = shape(set, doc, part, depth + 1);
        out.properties.extend(part.properties);
        out.required.extend(part.required);
        out.free_form |= part.free_form;
    }
    for key in ["oneOf", "anyOf"] {
        let Some(branches) = schema.get(key).and_then(Value::as_array) else {
            continue;
        };
        composed = true;
        let mut common: Option<BTreeSet<String>> = None;
        for branch in branches {
            let branch = shape(set, doc, branch, depth + 1);
            out.properties.extend(branch.properties);
            out.free_form |= branch.free_form;
            common = Some(match common {
                None => branch.required,
                Some(c) => c.intersection(&branch.required).cloned().collect(),
            });
        }
        out.required.extend(common.unwrap_or_default());
    }
    if !composed && out.properties.is_empty() {
        out.free_form = true;
    }
    out
}
