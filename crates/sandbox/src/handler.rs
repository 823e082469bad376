//! Answering one request: authentication, routing, the tenant check, input validation, then the
//! action's operation on the records. Synchronous and free of I/O; `server` puts it on HTTP.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use actionspec_engine::spec::{EncodingStyle, InputType, KeyPlacement, PaginationStyle, Placement};
use bytes::{BufMut, Bytes, BytesMut};
use hyper::HeaderMap;
use serde_json::{Map, Value};

use crate::model::{Model, Op, Route, Seg, typed};
use crate::query::{self, Filter};
use crate::rng::{Rng, hash};
use crate::seed::{looks_like_time, timestamp};
use crate::store::{Record, Store, merge_patch};

/// The JSON content type of every body the sandbox sends.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// A response, before it goes on the wire.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    /// JSON text, or empty.
    pub body: Bytes,
}

impl Reply {
    fn json(status: u16, body: Bytes) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), JSON.into())],
            body,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub(crate) fn value(status: u16, body: &Value) -> Reply {
        Reply::json(
            status,
            Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        )
    }
}

/// The state behind a running sandbox.
#[derive(Debug)]
pub(crate) struct Shared {
    pub model: Model,
    pub store: Mutex<Store>,
    pub seed: u64,
    pub api_key: String,
    /// The value each tenant credential has (by credential name).
    pub tenant_values: Vec<(String, String)>,
    /// Records created so far, to derive new ids.
    pub creates: AtomicU64,
    /// The OAuth 2.0 token endpoint, when the connector has an OAuth auth method.
    pub oauth: Option<crate::oauth::OAuth>,
}

impl Shared {
    /// An error reply with the connector's error body.
    pub(crate) fn error(&self, status: u16, message: &str) -> Reply {
        Reply::value(status, &self.model.error_body(status, message))
    }

    /// Answers one request. `path` is the URL path as received (percent-encoded), `query` the
    /// raw query string.
    pub(crate) fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Reply {
        let query: Vec<(String, String)> = query
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
                "POST" => oauth.token(headers, body),
                _ => self.error(405, "the token endpoint takes POST"),
            };
        }
        if let Err(reply) = self.authenticate(headers, &query) {
            return reply;
        }

        let Some(rest) = strip_base(path, &self.model.base_path) else {
            return self.error(
                404,
                &format!(
                    "no API at {path}: the base path is {}",
                    self.model.base_path
                ),
            );
        };
        let mut segments = Vec::new();
        for raw in rest.trim_matches('/').split('/').filter(|s| !s.is_empty()) {
            match percent_encoding::percent_decode_str(raw).decode_utf8() {
                Ok(s) => segments.push(s.into_owned()),
                Err(_) => return self.error(400, "the path is not valid UTF-8 once decoded"),
            }
        }
        let (route, params) = match self.model.route(method, &segments) {
            Ok(found) => found,
            Err(true) => {
                return self.error(405, &format!("{method} is not allowed on {path}"));
            }
            Err(false) => return self.error(404, &format!("no operation at {path}")),
        };

        tracing::trace!(action = %route.action, "sandbox route");
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
                return self.error(
                    403,
                    &format!(
                        "the `{}` header names `{sent}`, which this API key cannot access (the sandbox's is `{ours}`)",
                        tenant.header
                    ),
                );
            }
        }

        let body: Option<Value> = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => Some(v),
                Err(e) => return self.error(400, &format!("the body is not valid JSON: {e}")),
            }
        };
        if let Err(message) = validate(route, &params, &query, headers, body.as_ref()) {
            return self.error(400, &message);
        }

        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(parent) = route.parent
            && parent.len >= 1
            && parent.len <= params.len()
        {
            let id = &params[parent.len - 1];
            if store
                .get(parent.resource, &params[..parent.len - 1], id)
                .is_none()
            {
                return self.not_found(parent.resource, id);
            }
        }
        for (input, r) in &route.references {
            for id in referenced_ids(route, input, &params, body.as_ref()) {
                if store.get(*r, &[], &id).is_none() {
                    return self.not_found(*r, &id);
                }
            }
        }

        let Some(r) = route.resource else {
            return respond(route);
        };
        let id_field = self.model.resources[r].id_field.clone();
        let (key, id) = if route.op.is_item() {
            let n = params.len().saturating_sub(1);
            (
                params[..n].to_vec(),
                params.get(n).cloned().unwrap_or_default(),
            )
        } else {
            (params.clone(), String::new())
        };
        match route.op {
            Op::List => self.list(&store, route, r, &key, &query),
            Op::Get => match store.get(r, &key, &id) {
                None => self.not_found(r, &id),
                Some(record) => {
                    let fields = values(&query, route.fields.as_deref());
                    if fields.is_empty() {
                        self.record_reply(route, record.json.clone())
                    } else {
                        let fields = query::parse_fields(fields.into_iter());
                        let projected = query::project(&record.value, &fields, &id_field);
                        self.record_reply(
                            route,
                            Bytes::from(serde_json::to_vec(&projected).unwrap_or_default()),
                        )
                    }
                }
            },
            Op::Create => {
                let members = members(route, body.as_ref(), &id_field);
                let mut record = Map::new();
                let new_id = self.new_id(&store, r);
                record.insert(id_field.clone(), Value::String(new_id.clone()));
                let now = now_text();
                for (k, v) in &route.defaults {
                    if *k == id_field {
                        continue;
                    }
                    let v = match v {
                        Value::String(s) if looks_like_time(s) => Value::String(now.clone()),
                        other => other.clone(),
                    };
                    record.insert(k.clone(), v);
                }
                for (k, v) in members {
                    record.insert(k, v);
                }
                let record = Record::new(record);
                let json = record.json.clone();
                store.insert(r, key, new_id, record);
                self.record_reply(route, json)
            }
            Op::Update { merge } => {
                let Some(old) = store.get(r, &key, &id) else {
                    return self.not_found(r, &id);
                };
                let members = members(route, body.as_ref(), &id_field);
                let mut value = old.value.clone();
                if merge {
                    merge_patch(&mut value, &members);
                } else {
                    let writable: Vec<&str> =
                        route.body_inputs.iter().map(|b| b.wire.as_str()).collect();
                    value.retain(|k, _| {
                        *k == id_field
                            || members.contains_key(k)
                            || !(writable.is_empty() || writable.contains(&k.as_str()))
                    });
                    for (k, v) in members {
                        value.insert(k, v);
                    }
                }
                value.insert(id_field, Value::String(id.clone()));
                let record = Record::new(value);
                let json = record.json.clone();
                store.insert(r, key, id, record);
                self.record_reply(route, json)
            }
            Op::Delete => match store.remove(r, &key, &id) {
                None => self.not_found(r, &id),
                Some(old) => self.record_reply(route, old.json),
            },
            Op::Respond => respond(route),
        }
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
                None if self.model.key_slots.is_empty() => {
                    return Err(
                        self.error(401, "missing bearer token: get one from the token endpoint")
                    );
                }
                None => {}
            }
        }
        if self.model.key_slots.is_empty() {
            return Ok(());
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
            Some(key) if key == self.api_key => Ok(()),
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

    fn not_found(&self, resource: usize, id: &str) -> Reply {
        let name = self
            .model
            .resources
            .get(resource)
            .map_or("records", |r| r.name.as_str());
        self.error(404, &format!("no record `{id}` in {name}"))
    }

    /// The record as the action's success answer: with the body, or none (204, or an action
    /// documented without one).
    fn record_reply(&self, route: &Route, json: Bytes) -> Reply {
        if route.with_body {
            Reply::json(route.status, json)
        } else {
            Reply::empty(route.status)
        }
    }

    /// A fresh 24-hex id for a created record, unique in the resource.
    fn new_id(&self, store: &Store, resource: usize) -> String {
        loop {
            let n = self.creates.fetch_add(1, Ordering::Relaxed);
            let id = Rng::of(&[self.seed, hash("create"), n]).object_id();
            if !store.contains_anywhere(resource, &id) {
                return id;
            }
        }
    }

    /// One page of a list.
    fn list(
        &self,
        store: &Store,
        route: &Route,
        r: usize,
        key: &[String],
        query: &[(String, String)],
    ) -> Reply {
        let Some(style) = &route.style else {
            return respond(route);
        };
        let wire = |input: &str| {
            route
                .inputs
                .get(input)
                .map_or(input, |spec| spec.wire_name(input))
                .to_owned()
        };
        let number = |name: &str| -> Result<Option<u64>, String> {
            match values(query, Some(name)).last() {
                None => Ok(None),
                Some(v) => v
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| format!("`{name}` must be a non-negative integer, not `{v}`")),
            }
        };
        let limit_name = wire(&style.limit_input);
        let limit = match number(&limit_name) {
            Err(m) => return self.error(400, &m),
            Ok(Some(l)) => l,
            Ok(None) => route
                .inputs
                .get(&style.limit_input)
                .and_then(|i| i.default.as_ref())
                .and_then(Value::as_u64)
                .unwrap_or(style.max_page_size),
        };
        if limit > style.max_page_size {
            return self.error(
                400,
                &format!(
                    "`{limit_name}` must be at most {} (got {limit})",
                    style.max_page_size
                ),
            );
        }
        let offset_input = style.offset_input.as_deref().unwrap_or_default();
        let skip = match number(&wire(offset_input)) {
            Err(m) => return self.error(400, &m),
            Ok(s) => s.unwrap_or(0),
        };
        let mut filters: Vec<Filter> = Vec::new();
        for f in values(query, route.filter.as_deref()) {
            match query::parse_filter(f) {
                Ok(f) => filters.push(f),
                Err(m) => return self.error(400, &m),
            }
        }
        let sort = query::parse_sort(values(query, route.sort.as_deref()).into_iter());
        let fields = query::parse_fields(values(query, route.fields.as_deref()).into_iter());
        let id_field = &self.model.resources[r].id_field;

        let empty = crate::store::Partition::default();
        let partition = store.partition(r, key).unwrap_or(&empty);
        let records = &partition.records;
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let (total, page): (usize, Vec<&Record>) = if filters.is_empty() && sort.is_empty() {
            let end = skip.saturating_add(limit).min(records.len());
            let page = (skip.min(end)..end)
                .filter_map(|i| records.get_index(i).map(|(_, rec)| rec))
                .collect();
            (records.len(), page)
        } else {
            let mut hits: Vec<&Record> = records
                .values()
                .filter(|rec| filters.iter().all(|f| f.matches(&rec.value)))
                .collect();
            if !sort.is_empty() {
                hits.sort_by(|a, b| query::compare(&a.value, &b.value, &sort));
            }
            let total = hits.len();
            (total, hits.into_iter().skip(skip).take(limit).collect())
        };
        let chunks: Vec<Bytes> = if fields.is_empty() {
            page.iter().map(|rec| rec.json.clone()).collect()
        } else {
            page.iter()
                .map(|rec| {
                    let projected = query::project(&rec.value, &fields, id_field);
                    Bytes::from(serde_json::to_vec(&projected).unwrap_or_default())
                })
                .collect()
        };
        let mut reply = Reply::json(route.status, envelope(style, total as u64, &chunks));
        if let Some(header) = style.total.as_ref().and_then(|t| t.header.as_ref()) {
            reply
                .headers
                .push((header.to_ascii_lowercase(), total.to_string()));
        }
        reply
    }
}

/// The declared answer of an action that changes nothing.
fn respond(route: &Route) -> Reply {
    let Some(response) = &route.response else {
        return Reply::empty(route.status);
    };
    let mut reply = match &response.body {
        Some(body) if response.status != 204 => Reply::value(response.status, body),
        _ => Reply::empty(response.status),
    };
    for (k, v) in &response.headers {
        reply.headers.push((k.to_ascii_lowercase(), v.clone()));
    }
    reply
}

/// The values of query parameter `name` (none when the action does not declare it).
fn values<'a>(query: &'a [(String, String)], name: Option<&str>) -> Vec<&'a str> {
    let Some(name) = name else {
        return Vec::new();
    };
    query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
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
    obj.iter()
        .filter(|(k, _)| *k != id_field)
        .filter(|(k, _)| {
            route.body_inputs.is_empty()
                || route
                    .body_inputs
                    .iter()
                    .any(|b| b.wire == **k && !b.sensitive)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
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
        Placement::Path => route
            .segs
            .iter()
            .filter(|s| matches!(s, Seg::Param(_)))
            .zip(params)
            .filter(|(s, _)| **s == Seg::Param(input.to_owned()))
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
    if !route.templated_body && !route.body_inputs.is_empty() {
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
        if !missing.is_empty() {
            return Err(format!(
                "missing required body field{}: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
    }
    let Some(validator) = &route.validator else {
        return Ok(());
    };
    let mut input = Map::new();
    let mut path_values = params.iter();
    for seg in &route.segs {
        if let Seg::Param(id) = seg
            && let Some(v) = path_values.next()
        {
            let kind = route.inputs.get(id).map_or(InputType::String, |i| i.kind);
            input.insert(id.clone(), typed(kind, v));
        }
    }
    for (id, spec) in &route.inputs {
        let wire = spec.wire_name(id);
        match spec.placement {
            Placement::Path => {}
            Placement::Query => {
                let raw = values(query, Some(wire));
                let Some(last) = raw.last() else { continue };
                if spec.kind == InputType::Array {
                    let item_kind = spec
                        .items
                        .as_ref()
                        .and_then(|i| i.get("type"))
                        .and_then(|t| serde_json::from_value::<InputType>(t.clone()).ok())
                        .unwrap_or(InputType::String);
                    let sep = spec.style.and_then(EncodingStyle::separator);
                    let items: Vec<Value> = raw
                        .iter()
                        .flat_map(|v| match sep {
                            Some(c) => v.split(c).collect::<Vec<_>>(),
                            None => vec![*v],
                        })
                        .map(|v| typed(item_kind, v))
                        .collect();
                    input.insert(id.clone(), Value::Array(items));
                } else {
                    input.insert(id.clone(), typed(spec.kind, last));
                }
            }
            Placement::Header => {
                if let Some(v) = headers.get(wire).and_then(|v| v.to_str().ok()) {
                    input.insert(id.clone(), typed(spec.kind, v));
                }
            }
            Placement::Body => {
                if !route.templated_body
                    && let Some(v) = body.and_then(|b| b.get(wire))
                {
                    input.insert(id.clone(), v.clone());
                }
            }
        }
    }
    let violations =
        actionspec_engine::input::violations(validator, &route.inputs, &Value::Object(input));
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

/// A list body in the pagination style's shape: the records at `records` (a bare array when it
/// is `""`), and the total at its body pointer, if any.
fn envelope(style: &PaginationStyle, total: u64, records: &[Bytes]) -> Bytes {
    const MARKER: &str = "\u{1}records\u{1}";
    let size: usize = records.iter().map(Bytes::len).sum::<usize>() + records.len() + 64;
    let mut out = BytesMut::with_capacity(size);
    let (prefix, suffix) = if style.records.is_empty() {
        (String::new(), String::new())
    } else {
        let mut env = Value::Object(Map::new());
        if let Some(pointer) = style.total.as_ref().and_then(|t| t.body.as_ref()) {
            set_pointer(&mut env, pointer, Value::from(total));
        }
        set_pointer(&mut env, &style.records, Value::from(MARKER));
        let text = env.to_string();
        let quoted = Value::from(MARKER).to_string();
        match text.split_once(&quoted) {
            Some((a, b)) => (a.to_owned(), b.to_owned()),
            None => (String::new(), String::new()),
        }
    };
    out.put_slice(prefix.as_bytes());
    out.put_u8(b'[');
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(r);
    }
    out.put_u8(b']');
    out.put_slice(suffix.as_bytes());
    out.freeze()
}

/// Sets the value at a JSON pointer, creating objects on the way.
fn set_pointer(root: &mut Value, pointer: &str, value: Value) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut slot = root;
    for t in tokens {
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(map) = slot else { return };
        slot = map.entry(t).or_insert(Value::Null);
    }
    *slot = value;
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
    use actionspec_engine::spec::ResponseValue;

    fn style(records: &str, total: Option<ResponseValue>) -> PaginationStyle {
        serde_json::from_value(serde_json::json!({
            "type": "offset", "limit_input": "limit", "offset_input": "skip",
            "max_page_size": 100, "records": records, "total": total,
        }))
        .unwrap()
    }

    #[test]
    fn envelopes_follow_the_pagination_style() {
        let recs = [
            Bytes::from_static(b"{\"a\":1}"),
            Bytes::from_static(b"{\"a\":2}"),
        ];
        let v1 = style(
            "/results",
            Some(ResponseValue {
                body: Some("/totalCount".into()),
                header: None,
            }),
        );
        assert_eq!(
            &envelope(&v1, 7, &recs)[..],
            br#"{"totalCount":7,"results":[{"a":1},{"a":2}]}"#
        );
        let v2 = style("", None);
        assert_eq!(&envelope(&v2, 7, &recs)[..], br#"[{"a":1},{"a":2}]"#);
        let nested = style(
            "/data/items",
            Some(ResponseValue {
                body: Some("/meta/total".into()),
                header: None,
            }),
        );
        assert_eq!(
            &envelope(&nested, 0, &[])[..],
            br#"{"meta":{"total":0},"data":{"items":[]}}"#
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
