//! List pages, for every pagination kind: where the request says which page it wants (an
//! offset, a page number, a cursor, a cursor in a next link) and where the response says what
//! comes next (a total, a page count, a next cursor in the body or a header, `has_more`, a
//! `Link: <…>; rel="next"` header, a next URL in the body).
//!
//! Every kind is served from the same window over the records (`start`, page size): cursors
//! are opaque (`base64url("offset:N")`), so a client cannot mistake them for numbers, and a
//! cursor the sandbox did not make gets 400.

use actionspec_engine::spec::{PaginationStyle, PaginationType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use serde_json::Value;

use crate::model::Route;
use crate::query::{self, Filter};
use crate::reply::{Reply, set_pointer, splice};
use crate::state::{Req, Shared};
use crate::store::{Record, Store};

/// The query parameter of next links when the style names none (`cursor_input`).
const LINK_CURSOR: &str = "cursor";

/// Where a page starts, as the request says.
enum Start {
    /// At this record.
    At(usize),
    /// A cursor the sandbox did not make, sent in input (or parameter) `name`.
    Foreign { cursor: String, name: String },
}

/// What the response of one page says beyond its records.
struct Window {
    limit: usize,
    total: usize,
    /// The cursor of the page after this one, when there is one.
    next: Option<String>,
}

impl Shared {
    /// One page of a list, in the pagination style's shape.
    pub(crate) fn list(
        &self,
        store: &Store,
        route: &Route,
        r: usize,
        key: &[String],
        req: &Req,
    ) -> Reply {
        let Some(style) = &route.style else {
            return self.respond(route);
        };
        let (ref start, limit) = match self.window(route, style, req) {
            Ok(w) => w,
            Err(m) => return self.error(400, &m),
        };
        let mut filters: Vec<Filter> = Vec::new();
        for f in req.values(route.filter.as_deref()) {
            match query::parse_filter(f) {
                Ok(f) => filters.push(f),
                Err(m) => return self.error(400, &m),
            }
        }
        let sort = query::parse_sort(req.values(route.sort.as_deref()).into_iter());
        let fields = query::parse_fields(req.values(route.fields.as_deref()).into_iter());
        let id_field = &self.model.resources[r].id_field;

        let empty = crate::store::Partition::default();
        let records = &store.partition(r, key).unwrap_or(&empty).records;
        let (total, page, start): (usize, Vec<&Record>, usize) = if filters.is_empty()
            && sort.is_empty()
        {
            let start = match self.resolve(route, start, |c| records.get_index_of(c)) {
                Ok(s) => s,
                Err(m) => return self.error(400, &m),
            };
            let end = start.saturating_add(limit).min(records.len());
            let page = (start.min(end)..end)
                .filter_map(|i| records.get_index(i).map(|(_, rec)| rec))
                .collect();
            (records.len(), page, start)
        } else {
            let mut hits: Vec<(&String, &Record)> = records
                .iter()
                .filter(|(_, rec)| filters.iter().all(|f| f.matches(&rec.value)))
                .collect();
            if !sort.is_empty() {
                hits.sort_by(|a, b| query::compare(&a.1.value, &b.1.value, &sort));
            }
            let start = match self.resolve(route, start, |c| hits.iter().position(|h| h.0 == c)) {
                Ok(s) => s,
                Err(m) => return self.error(400, &m),
            };
            let total = hits.len();
            let page = hits.into_iter().skip(start).take(limit);
            (total, page.map(|(_, rec)| rec).collect(), start)
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
        let end = start.saturating_add(chunks.len());
        let window = Window {
            limit,
            total,
            next: (end < total && !chunks.is_empty()).then(|| encode_cursor(end)),
        };
        self.page_reply(route, style, &window, &chunks, req)
    }

    /// Where a page starts: an offset, or for a cursor the sandbox did not make, after the
    /// record whose id it is (`after=<id>` in APIs that page by record id); a cursor that the
    /// action's examples use starts at the first record, so that the examples run as
    /// documented. `find` gives a record id's index in the list.
    ///
    /// # Errors
    /// A message for the 400 answer for any other cursor.
    fn resolve(
        &self,
        route: &Route,
        start: &Start,
        find: impl Fn(&str) -> Option<usize>,
    ) -> Result<usize, String> {
        let (cursor, name) = match start {
            Start::At(n) => return Ok(*n),
            Start::Foreign { cursor, name } => (cursor, name),
        };
        if let Some(i) = find(cursor) {
            return Ok(i + 1);
        }
        let shown = route
            .examples
            .iter()
            .any(|e| e.input.get(name).and_then(Value::as_str) == Some(cursor.as_str()));
        if shown {
            return Ok(0);
        }
        Err(format!(
            "`{}`: `{cursor}` is not a cursor this API gave",
            wire(route, name)
        ))
    }

    /// The first record and the page size a request asks for.
    fn window(
        &self,
        route: &Route,
        style: &PaginationStyle,
        req: &Req,
    ) -> Result<(Start, usize), String> {
        let number = |input: &str| -> Result<Option<u64>, String> {
            match req.input_text(route, input) {
                None => Ok(None),
                Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                    format!(
                        "`{}` must be a non-negative integer, not `{v}`",
                        wire(route, input)
                    )
                }),
            }
        };
        let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let limit = match number(&style.limit_input)? {
            Some(l) => l,
            None => route
                .inputs
                .get(&style.limit_input)
                .and_then(|i| i.default.as_ref())
                .and_then(Value::as_u64)
                .unwrap_or(style.max_page_size),
        };
        if limit > style.max_page_size {
            return Err(format!(
                "`{}` must be at most {} (got {limit})",
                wire(route, &style.limit_input),
                style.max_page_size
            ));
        }
        let start = match style.kind {
            PaginationType::Offset => {
                number(style.offset_input.as_deref().unwrap_or_default())?.unwrap_or(0)
            }
            PaginationType::PageNumber => {
                let first = style.first_page.unwrap_or(1);
                let page = number(style.page_input.as_deref().unwrap_or_default())?
                    .unwrap_or(first)
                    .max(first);
                (page - first).saturating_mul(limit)
            }
            PaginationType::Cursor | PaginationType::LinkHeader | PaginationType::NextUrl => {
                let name = cursor_name(style);
                let sent = match style.kind {
                    PaginationType::Cursor => req.input_text(route, &name),
                    _ => req
                        .values(Some(&wire(route, &name)))
                        .last()
                        .map(|s| (*s).to_owned()),
                };
                match sent.filter(|c| !c.is_empty()) {
                    None => 0,
                    Some(c) => match decode_cursor(&c) {
                        Some(n) => n,
                        None => {
                            return Ok((Start::Foreign { cursor: c, name }, to_usize(limit)));
                        }
                    },
                }
            }
        };
        Ok((Start::At(to_usize(start)), to_usize(limit)))
    }

    /// The page's response: the body in the style's shape, and its headers.
    fn page_reply(
        &self,
        route: &Route,
        style: &PaginationStyle,
        w: &Window,
        chunks: &[Bytes],
        req: &Req,
    ) -> Reply {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut env = Value::Object(route.envelope.clone());
        let pages = w.total.div_ceil(w.limit.max(1));
        let link = w
            .next
            .as_ref()
            .map(|c| self.next_link(route, style, w, c, req));
        let mut put = |at: Option<&actionspec_engine::spec::ResponseValue>, v: Value| {
            let Some(at) = at else { return };
            if let Some(p) = &at.body {
                set_pointer(&mut env, p, v.clone());
            }
            if let Some(h) = &at.header {
                let text = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    headers.push((h.to_ascii_lowercase(), text));
                }
            }
        };
        put(style.total.as_ref(), Value::from(w.total));
        if style.kind == PaginationType::PageNumber {
            put(style.page_count.as_ref(), Value::from(pages));
        }
        if style.kind == PaginationType::Cursor {
            put(
                style.next_cursor.as_ref(),
                Value::from(w.next.clone().unwrap_or_default()),
            );
            if let Some(p) = &style.has_more {
                set_pointer(&mut env, p, Value::Bool(w.next.is_some()));
            }
        }
        if style.kind == PaginationType::NextUrl
            && let Some(p) = &style.next_url
        {
            set_pointer(&mut env, p, link.clone().map_or(Value::Null, Value::from));
        }
        if let (PaginationType::LinkHeader, Some(url)) = (style.kind, &link) {
            headers.push(("link".into(), format!("<{url}>; rel=\"next\"")));
        }
        if let Some(p) = &self.model.verdict {
            set_pointer(&mut env, p, Value::Bool(true));
        }
        let mut array = Vec::with_capacity(chunks.iter().map(Bytes::len).sum::<usize>() + 2);
        array.push(b'[');
        for (i, c) in chunks.iter().enumerate() {
            if i > 0 {
                array.push(b',');
            }
            array.extend_from_slice(c);
        }
        array.push(b']');
        let body = if style.records.is_empty() {
            Bytes::from(array)
        } else {
            splice(&env, &style.records, &array)
        };
        let mut reply = Reply::json(route.status, body);
        reply.headers.extend(headers);
        reply
    }

    /// The URL of the next page: the request's path and query with the cursor and page size
    /// set, on the sandbox's origin (or origin-relative, when the examples show relative next
    /// URLs). Credentials the request sent in the query are not echoed.
    fn next_link(
        &self,
        route: &Route,
        style: &PaginationStyle,
        w: &Window,
        cursor: &str,
        req: &Req,
    ) -> String {
        let cursor_param = wire(route, &cursor_name(style));
        let limit_param = wire(route, &style.limit_input);
        let keys: Vec<&str> = self
            .model
            .key_slots
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &req.query {
            if *k != cursor_param && *k != limit_param && !keys.contains(&k.as_str()) {
                query.append_pair(k, v);
            }
        }
        query.append_pair(&cursor_param, cursor);
        query.append_pair(&limit_param, &w.limit.to_string());
        let origin = if route.relative_next { "" } else { req.origin };
        format!("{origin}{}?{}", req.path, query.finish())
    }
}

/// The input (or, for link kinds, the query parameter) that carries the cursor.
fn cursor_name(style: &PaginationStyle) -> String {
    style
        .cursor_input
        .clone()
        .unwrap_or_else(|| LINK_CURSOR.to_owned())
}

/// An input's name on the wire.
fn wire(route: &Route, input: &str) -> String {
    route
        .inputs
        .get(input)
        .map_or(input, |spec| spec.wire_name(input))
        .to_owned()
}

/// The opaque cursor of the record at `offset`.
pub(crate) fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// The offset a cursor made by [`encode_cursor`] stands for.
pub(crate) fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_opaque_and_round_trip() {
        for n in [0, 1, 99, 123_456] {
            let c = encode_cursor(n);
            assert!(c.parse::<u64>().is_err(), "{c}");
            assert_eq!(decode_cursor(&c), Some(n as u64));
        }
        assert_eq!(decode_cursor("5"), None);
        assert_eq!(decode_cursor("not a cursor"), None);
    }

    #[test]
    fn envelopes_keep_what_the_examples_show_but_the_filled_values() {
        let style: PaginationStyle = serde_json::from_value(serde_json::json!({
            "type": "cursor", "limit_input": "limit", "cursor_input": "cursor",
            "next_cursor": { "body": "/response_metadata/next_cursor" },
            "max_page_size": 100, "records": "/channels",
        }))
        .unwrap();
        let examples: Vec<actionspec_engine::spec::Example> =
            serde_json::from_value(serde_json::json!([{
                "input": {},
                "response": { "status": 200, "body": {
                    "ok": true, "channels": [], "warning": "superfluous_charset",
                    "response_metadata": { "next_cursor": "dGVhbTpD", "warnings": ["x"] } } }
            }]))
            .unwrap();
        assert_eq!(
            Value::Object(crate::model::example_envelope(&style, &examples)),
            serde_json::json!({"ok": true, "warning": "superfluous_charset",
                "response_metadata": {"warnings": ["x"]}})
        );
    }
}
