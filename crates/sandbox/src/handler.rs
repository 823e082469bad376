//! Answering one request: authentication, routing, the tenant check, input validation, then the
//! action's operation on the records. Synchronous and free of I/O; `server` puts it on HTTP.

use std::sync::atomic::Ordering;

use actionspec_engine::spec::{EncodingStyle, InputType, KeyPlacement, Placement};
use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::{Map, Value};

use crate::model::{Op, Route, path_params, typed};
use crate::query;
use crate::reply::{Reply, set_pointer, splice};
use crate::rng::{Rng, hash};
use crate::seed::{looks_like_time, timestamp};
use crate::state::{Incoming, Req, Shared, values};
use crate::store::{Record, Store, merge_patch};

impl Shared {
    /// An error reply with the connector's error body (and `error_status`, when declared).
    pub(crate) fn error(&self, status: u16, message: &str) -> Reply {
        self.error_about(status, message, &[])
    }

    /// An error about something (a resource, an input), which picks the API error code.
    fn error_about(&self, status: u16, message: &str, about: &[&str]) -> Reply {
        let body = self.model.error_body(status, message, about);
        Reply::value(self.model.error_status.unwrap_or(status), &body)
    }

    /// An error that keeps its HTTP status whatever `error_status` says (the simulated 429 and
    /// 503, so that clients back off and retry as they would).
    pub(crate) fn error_keeping_status(&self, status: u16, message: &str) -> Reply {
        Reply::value(status, &self.model.error_body(status, message, &[]))
    }

    /// Answers one request.
    pub(crate) fn handle(&self, incoming: &Incoming) -> Reply {
        let Incoming {
            method,
            path,
            headers,
            ..
        } = *incoming;
        let query: Vec<(String, String)> = incoming
            .query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();

        if let Some(oauth) = &self.oauth
            && path == crate::oauth::TOKEN_PATH
        {
            return match method {
                "POST" => oauth.token(headers, incoming.body),
                _ => self.error(405, "the token endpoint takes POST"),
            };
        }
        if let Err(reply) = self.authenticate(headers, &query) {
            return reply;
        }
        let (route, params) = match self.route(method, path) {
            Ok(found) => found,
            Err(reply) => return reply,
        };
        tracing::trace!(action = %route.action, "sandbox route");
        if let Err(reply) = self.check_tenant(route, headers) {
            return reply;
        }
        let body = match parse_body(route, headers, incoming.body) {
            Ok(body) => body,
            Err(message) => return self.error(400, &message),
        };
        if let Err(message) = validate(route, &params, &query, headers, body.as_ref()) {
            return self.error(400, &message);
        }
        let req = Req {
            path,
            params,
            query,
            headers,
            body,
            origin: incoming.origin,
        };
        self.operate(route, &req)
    }

    /// The route of a request and its path values, or the 404/405 answer.
    fn route(&self, method: &str, path: &str) -> Result<(&Route, Vec<String>), Reply> {
        let Some(rest) = strip_base(path, &self.model.base_path) else {
            return Err(self.error(
                404,
                &format!(
                    "no API at {path}: the base path is {}",
                    self.model.base_path
                ),
            ));
        };
        let mut segments = Vec::new();
        for raw in rest.trim_matches('/').split('/').filter(|s| !s.is_empty()) {
            match percent_encoding::percent_decode_str(raw).decode_utf8() {
                Ok(s) => segments.push(s.into_owned()),
                Err(_) => return Err(self.error(400, "the path is not valid UTF-8 once decoded")),
            }
        }
        self.model.route(method, &segments).map_err(|allowed| {
            if allowed.is_empty() {
                return self.error(404, &format!("no operation at {path}"));
            }
            // RFC 9110 §15.5.6: a 405 lists the methods the target resource supports.
            let mut reply = self.error(405, &format!("{method} is not allowed on {path}"));
            reply.headers.push(("allow".to_owned(), allowed.join(", ")));
            reply
        })
    }

    /// 403 when a tenant header names another tenant than the sandbox's.
    fn check_tenant(&self, route: &Route, headers: &HeaderMap) -> Result<(), Reply> {
        for tenant in &self.model.tenants {
            if route.omit_headers.contains(&tenant.header) {
                continue;
            }
            let Some(sent) = headers.get(&tenant.header).and_then(|v| v.to_str().ok()) else {
                continue;
            };
            let ours = self
                .tenant_values
                .iter()
                .find(|(c, _)| *c == tenant.credential)
                .map_or("", |(_, v)| v.as_str());
            if sent != ours {
                return Err(self.error(
                    403,
                    &format!(
                        "the `{}` header names `{sent}`, which this API key cannot access (the sandbox's is `{ours}`)",
                        tenant.header
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The action's operation on the records, once the request is known to be valid.
    fn operate(&self, route: &Route, req: &Req) -> Reply {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let params = &req.params;
        if let Some(parent) = route.parent
            && parent.len >= 1
            && parent.len <= params.len()
        {
            let id = &params[parent.len - 1];
            if store
                .get(parent.resource, &params[..parent.len - 1], id)
                .is_none()
            {
                return self.not_found(route, parent.resource, id);
            }
        }
        for (input, r) in &route.references {
            for id in referenced_ids(route, input, params, req.body.as_ref()) {
                if store.get(*r, &[], &id).is_none() {
                    return self.not_found(route, *r, &id);
                }
            }
        }
        let Some(r) = route.resource else {
            return self.respond(route);
        };
        let partition = self.model.resources[r].params.min(params.len());
        let key = params[..partition].to_vec();
        let id = route
            .id_input
            .as_deref()
            .and_then(|input| req.input_text(route, input))
            .unwrap_or_default();
        match route.op {
            Op::List => self.list(&store, route, r, &key, req),
            Op::Get => match store.get(r, &key, &id) {
                None => self.not_found(route, r, &id),
                Some(record) => {
                    let fields = req.values(route.fields.as_deref());
                    if fields.is_empty() {
                        self.record_reply(route, &record.json)
                    } else {
                        let fields = query::parse_fields(fields.into_iter());
                        let id_field = &self.model.resources[r].id_field;
                        let projected = query::project(&record.value, &fields, id_field);
                        self.record_reply(
                            route,
                            &serde_json::to_vec(&projected).unwrap_or_default(),
                        )
                    }
                }
            },
            Op::Create => self.create(&mut store, route, r, key, req),
            Op::Update { merge } => self.update(&mut store, route, r, (key, id), merge, req),
            Op::Delete => match store.remove(r, &key, &id) {
                None => self.not_found(route, r, &id),
                Some(old) => self.record_reply(route, &old.json),
            },
            Op::Respond => self.respond(route),
        }
    }

    /// Adds a record: a new id, the members a create adds by itself, the request's members
    /// and the hint's `set`.
    fn create(
        &self,
        store: &mut Store,
        route: &Route,
        r: usize,
        key: Vec<String>,
        req: &Req,
    ) -> Reply {
        let resource = &self.model.resources[r];
        let id_field = &resource.id_field;
        let members = members(route, req.body.as_ref(), id_field);
        let mut record = Map::new();
        let new_id = self.new_id(store, r);
        record.insert(id_field.clone(), resource.ids.value(&new_id));
        let now = now_text();
        for (k, v) in &route.defaults {
            if k == id_field {
                continue;
            }
            let v = match v {
                Value::String(s) if looks_like_time(s) => Value::String(now.clone()),
                other => other.clone(),
            };
            record.insert(k.clone(), v);
        }
        for (k, v) in members.into_iter().chain(route.set.clone()) {
            record.insert(k, v);
        }
        let record = Record::new(record);
        let json = record.json.clone();
        store.insert(r, key, new_id, record);
        self.record_reply(route, &json)
    }

    /// Replaces the writable members of a record (`merge: false`) or merges the request into it,
    /// then applies the hint's `set`.
    fn update(
        &self,
        store: &mut Store,
        route: &Route,
        r: usize,
        (key, id): (Vec<String>, String),
        merge: bool,
        req: &Req,
    ) -> Reply {
        let Some(old) = store.get(r, &key, &id) else {
            return self.not_found(route, r, &id);
        };
        let resource = &self.model.resources[r];
        let id_field = &resource.id_field;
        let members = members(route, req.body.as_ref(), id_field);
        let mut value = old.value.clone();
        if merge {
            merge_patch(&mut value, &members);
        } else {
            let writable: Vec<&str> = route.body_inputs.iter().map(|b| b.wire.as_str()).collect();
            value.retain(|k, _| {
                k == id_field
                    || members.contains_key(k)
                    || !(writable.is_empty() || writable.contains(&k.as_str()))
            });
            for (k, v) in members {
                value.insert(k, v);
            }
        }
        merge_patch(&mut value, &route.set);
        value.insert(id_field.clone(), resource.ids.value(&id));
        let record = Record::new(value);
        let json = record.json.clone();
        store.insert(r, key, id, record);
        self.record_reply(route, &json)
    }

    /// 401 unless the request carries the sandbox's API key where an auth method puts it, or a
    /// bearer token the sandbox's token endpoint issued and that has not expired.
    fn authenticate(&self, headers: &HeaderMap, query: &[(String, String)]) -> Result<(), Reply> {
        if let Some(oauth) = &self.oauth {
            let bearer = headers
                .get(hyper::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match bearer {
                Some(token) if oauth.accepts(token) => return Ok(()),
                Some(_) => {
                    return Err(self.error(
                        401,
                        "the bearer token is expired or was not issued by this sandbox",
                    ));
                }
                None if self.model.key_slots.is_empty() && !self.model.other_auth => {
                    return Err(
                        self.error(401, "missing bearer token: get one from the token endpoint")
                    );
                }
                None => {}
            }
        }
        if self.model.other_auth && self.key_anywhere(headers, query) {
            return Ok(());
        }
        if self.model.key_slots.is_empty() {
            return match self.model.other_auth {
                false => Ok(()),
                true => Err(self.error(401, "missing or invalid credentials")),
            };
        }
        let mut sent = None;
        for slot in &self.model.key_slots {
            let value = match slot.placement {
                KeyPlacement::Header => headers
                    .get(&slot.name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                KeyPlacement::Query => query
                    .iter()
                    .find(|(k, _)| *k == slot.name)
                    .map(|(_, v)| v.clone()),
            };
            if value.is_some() {
                sent = value;
                break;
            }
        }
        match sent {
            Some(key) if carries_key(&key, &self.api_key) => Ok(()),
            Some(_) => Err(self.error(401, "invalid API key")),
            None => {
                let where_ = self
                    .model
                    .key_slots
                    .iter()
                    .map(|s| match s.placement {
                        KeyPlacement::Header => format!("the `{}` header", s.name),
                        KeyPlacement::Query => format!("the `{}` query parameter", s.name),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ");
                Err(self.error(401, &format!("missing API key: send it in {where_}")))
            }
        }
    }

    /// Whether any header or query value carries the API key (as is, after a scheme such as
    /// `Bearer `, or inside HTTP Basic credentials): how the sandbox accepts auth methods it
    /// has no specific check for.
    fn key_anywhere(&self, headers: &HeaderMap, query: &[(String, String)]) -> bool {
        use base64::Engine as _;
        let key = self.api_key.as_str();
        let in_header = headers.values().filter_map(|v| v.to_str().ok()).any(|v| {
            carries_key(v, key)
                || v.strip_prefix("Basic ").is_some_and(|b| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b.trim())
                        .is_ok_and(|d| String::from_utf8_lossy(&d).contains(key))
                })
        });
        in_header || query.iter().any(|(_, v)| v == key)
    }

    /// 404 for a record that does not exist, with the API error code of the resource.
    fn not_found(&self, route: &Route, resource: usize, id: &str) -> Reply {
        let name = self
            .model
            .resources
            .get(resource)
            .map_or("records", |r| r.name.as_str());
        let wrap = route
            .wrap
            .as_deref()
            .and_then(|w| w.rsplit('/').next())
            .unwrap_or_default();
        let about = [name, route.id_input.as_deref().unwrap_or_default(), wrap];
        self.error_about(404, &format!("no record `{id}` in {name}"), &about)
    }

    /// The record as the action's success answer: the declared `response` when there is one;
    /// else the record (under `wrap`, with the verdict), or no body (204, or an action
    /// documented without one).
    fn record_reply(&self, route: &Route, json: &[u8]) -> Reply {
        if let Some(reply) = &route.reply {
            return self.declared(reply);
        }
        if !route.with_body {
            return Reply::empty(route.status);
        }
        match &route.wrap {
            Some(pointer) => {
                let mut env = Value::Object(Map::new());
                if let Some(p) = &self.model.verdict {
                    set_pointer(&mut env, p, Value::Bool(true));
                }
                Reply::json(route.status, splice(&env, pointer, json))
            }
            None => Reply::json(route.status, Bytes::copy_from_slice(json)),
        }
    }

    /// A fresh id for a created record, in the resource's id form, unique in the resource.
    fn new_id(&self, store: &Store, resource: usize) -> String {
        let ids = &self.model.resources[resource].ids;
        loop {
            let n = self.creates.fetch_add(1, Ordering::Relaxed);
            let id = ids.generate(&mut Rng::of(&[self.seed, hash("create"), n]));
            if !store.contains_anywhere(resource, &id) {
                return id;
            }
        }
    }

    /// The declared answer of an action that changes nothing.
    pub(crate) fn respond(&self, route: &Route) -> Reply {
        match (&route.response, &route.style) {
            (Some(response), Some(style)) => self.declared(&last_page(style, response)),
            (Some(response), None) => self.declared(response),
            (None, _) => Reply::empty(route.status),
        }
    }

    /// A declared response, with the verdict `true` added to an object body that lacks it.
    fn declared(&self, response: &actionspec_engine::spec::ExampleResponse) -> Reply {
        let mut reply = match &response.body {
            Some(body) if response.status != 204 => {
                let mut body = body.clone();
                if let Some(p) = &self.model.verdict
                    && body.is_object()
                    && body.pointer(p).is_none()
                {
                    set_pointer(&mut body, p, Value::Bool(true));
                }
                Reply::value(response.status, &body)
            }
            _ => Reply::empty(response.status),
        };
        for (k, v) in &response.headers {
            reply.headers.push((k.to_ascii_lowercase(), v.clone()));
        }
        reply
    }
}

/// Whether a credential value is the key, alone or after an auth scheme (`SSWS <key>`).
fn carries_key(value: &str, key: &str) -> bool {
    value == key
        || value
            .strip_suffix(key)
            .is_some_and(|scheme| scheme.ends_with(' ') && !scheme.trim().contains(' '))
}

/// The request body: JSON, or a form body (`application/x-www-form-urlencoded`) as a JSON
/// object; `None` when empty.
///
/// # Errors
/// A message for the 400 answer when a JSON body does not parse.
fn parse_body(route: &Route, headers: &HeaderMap, raw: &[u8]) -> Result<Option<Value>, String> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if crate::form::is_form(content_type) {
        return Ok(Some(crate::form::parse(raw, route)));
    }
    serde_json::from_slice(raw)
        .map(Some)
        .map_err(|e| format!("the body is not valid JSON: {e}"))
}

/// The URL path below the base path, or `None` when it is elsewhere.
fn strip_base<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    if base.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The body members an action writes into a record: its declared body inputs (by wire name),
/// or every member when it declares none; never the id, never a `sensitive` input.
fn members(route: &Route, body: Option<&Value>, id_field: &str) -> Map<String, Value> {
    let Some(Value::Object(obj)) = body else {
        return Map::new();
    };
    // The input that names the record (`channel` of an RPC call) is not one of its members.
    let id_wire = route
        .id_input
        .as_deref()
        .and_then(|id| route.inputs.get_key_value(id))
        .filter(|(_, i)| i.placement != Placement::Path)
        .map(|(id, i)| i.wire_name(id));
    obj.iter()
        .filter(|(k, _)| *k != id_field && Some(k.as_str()) != id_wire)
        .filter_map(|(k, v)| {
            if route.body_inputs.is_empty() {
                return Some((k.clone(), v.clone()));
            }
            let b = route.body_inputs.iter().find(|b| b.wire == *k)?;
            match &b.shown {
                _ if b.sensitive => None,
                Some(shape) => Some((k.clone(), project(v, shape))),
                None => Some((k.clone(), v.clone())),
            }
        })
        .collect()
}

/// `value` with only the object members `shape` has, at every level (a sensitive member is
/// kept as far as the API is documented to give it back).
fn project(value: &Value, shape: &Value) -> Value {
    match (value, shape) {
        (Value::Object(v), Value::Object(s)) => Value::Object(
            v.iter()
                .filter_map(|(k, inner)| Some((k.clone(), project(inner, s.get(k)?))))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// The ids an input names in a request: a path value, or a body member (string or array).
fn referenced_ids(
    route: &Route,
    input: &str,
    params: &[String],
    body: Option<&Value>,
) -> Vec<String> {
    let Some(spec) = route.inputs.get(input) else {
        return Vec::new();
    };
    match spec.placement {
        Placement::Path => path_params(&route.segs)
            .into_iter()
            .zip(params)
            .filter(|(id, _)| *id == input)
            .map(|(_, v)| v.clone())
            .collect(),
        Placement::Body => crate::seed::strings_of(body.and_then(|b| b.get(spec.wire_name(input)))),
        Placement::Query | Placement::Header => Vec::new(),
    }
}

/// Checks the request against the action's inputs, as the engine checks an input before
/// sending: required body members first (by wire name), then the input schema.
fn validate(
    route: &Route,
    params: &[String],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Option<&Value>,
) -> Result<(), String> {
    required_body_fields(route, body)?;
    let Some(validator) = &route.validator else {
        return Ok(());
    };
    let input = read_inputs(route, params, query, headers, body);
    let violations =
        actionspec_engine::schema::violations(validator, &route.inputs, &Value::Object(input));
    let shown: Vec<String> = violations
        .iter()
        .filter(|v| {
            // A body template decides the body: its inputs cannot be read back from it.
            let top = v.pointer.split('/').nth(1).unwrap_or_default();
            !(route.templated_body
                && route
                    .inputs
                    .get(top)
                    .is_some_and(|i| i.placement == Placement::Body))
        })
        .map(|v| {
            let top = v.pointer.split('/').nth(1).unwrap_or_default();
            let wire = route.inputs.get(top).map_or(top, |i| i.wire_name(top));
            let rest: Vec<&str> = v.pointer.split('/').skip(2).collect();
            if wire.is_empty() {
                v.message.clone()
            } else if rest.is_empty() {
                format!("`{wire}`: {}", v.message)
            } else {
                format!("`{wire}/{}`: {}", rest.join("/"), v.message)
            }
        })
        .collect();
    if shown.is_empty() {
        Ok(())
    } else {
        Err(format!("invalid request: {}", shown.join("; ")))
    }
}

/// A list's declared response as its only page: the next cursor emptied, `has_more` false, the
/// next URL and the `Link` header left out, so that listing every page ends after it instead of
/// asking for the same answer again.
fn last_page(
    style: &actionspec_engine::spec::PaginationStyle,
    response: &actionspec_engine::spec::ExampleResponse,
) -> actionspec_engine::spec::ExampleResponse {
    let mut last = response.clone();
    let cursor_header = style.next_cursor.as_ref().and_then(|c| c.header.as_deref());
    last.headers.retain(|k, _| {
        !k.eq_ignore_ascii_case("link") && cursor_header.is_none_or(|h| !k.eq_ignore_ascii_case(h))
    });
    if let Some(body) = last.body.as_mut().filter(|b| b.is_object()) {
        let present = |b: &Value, p: &str| b.pointer(p).is_some();
        if let Some(p) = style.next_cursor.as_ref().and_then(|c| c.body.as_deref())
            && present(body, p)
        {
            set_pointer(body, p, Value::from(""));
        }
        if let Some(p) = style.has_more.as_deref()
            && present(body, p)
        {
            set_pointer(body, p, Value::Bool(false));
        }
        if let Some(p) = style.next_url.as_deref() {
            crate::reply::remove_pointer(body, p);
        }
    }
    last
}

/// The body must be an object holding every required body field (unless a template makes it).
fn required_body_fields(route: &Route, body: Option<&Value>) -> Result<(), String> {
    if route.templated_body || route.body_inputs.is_empty() {
        return Ok(());
    }
    if let Some(b) = body
        && !b.is_object()
    {
        return Err("the body must be a JSON object".to_owned());
    }
    let missing: Vec<String> = route
        .body_inputs
        .iter()
        .filter(|b| route.inputs.get(&b.id).is_some_and(|i| i.required))
        .filter(|b| body.and_then(|v| v.get(&b.wire)).is_none())
        .map(|b| format!("`{}`", b.wire))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "missing required body field{}: {}",
        if missing.len() == 1 { "" } else { "s" },
        missing.join(", ")
    ))
}

/// The action's input as the request carries it, by input id: path values, query values
/// (arrays split as their style joins them), headers and body members, each typed as declared.
fn read_inputs(
    route: &Route,
    params: &[String],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Option<&Value>,
) -> Map<String, Value> {
    let mut input = Map::new();
    for (id, v) in path_params(&route.segs).into_iter().zip(params) {
        let kind = route.inputs.get(id).map_or(InputType::String, |i| i.kind);
        input.insert(id.to_owned(), typed(kind, v));
    }
    for (id, spec) in &route.inputs {
        let wire = spec.wire_name(id);
        let value = match spec.placement {
            Placement::Path => None,
            Placement::Query => query_value(spec, &values(query, Some(wire))),
            Placement::Header => headers
                .get(wire)
                .and_then(|v| v.to_str().ok())
                .map(|v| typed(spec.kind, v)),
            Placement::Body if route.templated_body => None,
            Placement::Body => body.and_then(|b| b.get(wire)).cloned(),
        };
        if let Some(v) = value {
            input.insert(id.clone(), v);
        }
    }
    input
}

/// A query input's value from its raw values: an array split by its style's separator and its
/// items typed, else the last value typed.
fn query_value(spec: &actionspec_engine::spec::InputSpec, raw: &[&str]) -> Option<Value> {
    let last = raw.last()?;
    if spec.kind != InputType::Array {
        return Some(typed(spec.kind, last));
    }
    let item_kind = spec
        .items
        .as_ref()
        .and_then(|i| i.get("type"))
        .and_then(|t| serde_json::from_value::<InputType>(t.clone()).ok())
        .unwrap_or(InputType::String);
    let sep = spec.style.and_then(EncodingStyle::separator);
    let items = raw
        .iter()
        .flat_map(|v| match sep {
            Some(c) => v.split(c).collect::<Vec<_>>(),
            None => vec![*v],
        })
        .map(|v| typed(item_kind, v))
        .collect();
    Some(Value::Array(items))
}

/// The current time as RFC 3339 text.
fn now_text() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    timestamp(secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_put_the_inner_text_at_the_pointer() {
        let env = serde_json::json!({"ok": true, "meta": {"total": 7}});
        assert_eq!(
            &splice(&env, "/results", br#"[{"a":1}]"#)[..],
            br#"{"ok":true,"meta":{"total":7},"results":[{"a":1}]}"#
        );
        assert_eq!(
            &splice(&serde_json::json!({}), "/data/items", b"[]")[..],
            br#"{"data":{"items":[]}}"#
        );
    }

    #[test]
    fn base_paths_match_whole_segments() {
        assert_eq!(strip_base("/api/x", "/api"), Some("/x"));
        assert_eq!(strip_base("/api", "/api"), Some(""));
        assert_eq!(strip_base("/apix", "/api"), None);
        assert_eq!(strip_base("/x", ""), Some("/x"));
    }
}
