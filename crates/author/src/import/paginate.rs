//! Pagination guessed from a `GET` operation's parameter names and its response: an offset
//! (`limit` + `offset`/`skip`), a page number (`page` + `per_page`), a cursor sent back from the
//! body (`cursor` + `next_cursor`), or a `Link` header (`after` + `Link`). The guess is a
//! pagination style with a comment saying what it was guessed from.

use actionspec_conform::operations::{Flavor, Operation};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::Context;
use super::action::{Input, kind};
use super::schema::Converter;

const LIMITS: &[&str] = &[
    "limit",
    "per_page",
    "perpage",
    "page_size",
    "pagesize",
    "max_results",
    "maxresults",
    "count",
    "size",
    "top",
    "$top",
];
const OFFSETS: &[&str] = &["offset", "skip", "start", "startindex", "$skip"];
const PAGES: &[&str] = &["page", "page_number", "pagenumber", "pageindex"];
const CURSORS: &[&str] = &[
    "cursor",
    "after",
    "page_token",
    "pagetoken",
    "next_token",
    "nexttoken",
    "starting_after",
    "continuation",
    "marker",
    "next",
];
const NEXT_CURSORS: &[&str] = &[
    "next_cursor",
    "nextcursor",
    "next_page_token",
    "nextpagetoken",
    "next_token",
    "nexttoken",
    "cursor",
    "after",
    "continuation_token",
];
const TOTALS: &[&str] = &[
    "total",
    "totalcount",
    "total_count",
    "totalresults",
    "total_results",
    "totalitems",
    "total_items",
];
const RECORDS: &[&str] = &[
    "items",
    "data",
    "results",
    "records",
    "entries",
    "values",
    "elements",
    "resources",
];

/// The style guessed for `op` and the comment that says from what, if any.
pub fn guess(
    ctx: &Context<'_>,
    op: &Operation<'_>,
    conv: &mut Converter<'_>,
    inputs: &IndexMap<String, Input>,
) -> Option<(Value, String)> {
    let find = |names: &[&str], want: &str| {
        inputs.iter().find(|(_, i)| {
            i.placement == "query"
                && names.contains(&i.wire.to_ascii_lowercase().as_str())
                && kind(&i.schema) == want
        })
    };
    let (limit_id, limit) = find(LIMITS, "integer")?;
    let response = response(ctx, op, conv);
    let records = records(&response)?;
    let max = limit
        .schema
        .get("maximum")
        .and_then(Value::as_u64)
        .or_else(|| {
            let default = limit.schema.get("default").and_then(Value::as_u64)?;
            Some(default.max(100))
        });
    let mut style = Map::new();
    let mut from = vec![format!("the page size `{}`", limit.wire)];
    let total = total(&response, op);
    if let Some((cursor_id, cursor)) = find(CURSORS, "string") {
        from.push(format!("the cursor `{}`", cursor.wire));
        if let Some(pointer) = next_cursor(&response) {
            style.insert("type".into(), "cursor".into());
            style.insert("limit_input".into(), limit_id.as_str().into());
            style.insert("cursor_input".into(), cursor_id.as_str().into());
            style.insert("next_cursor".into(), json!({ "body": pointer }));
            from.push(format!("the response member `{pointer}`"));
        } else {
            style.insert("type".into(), "link_header".into());
            style.insert("limit_input".into(), limit_id.as_str().into());
            style.insert("cursor_input".into(), cursor_id.as_str().into());
            from.push(
                "no next cursor in the body, so a `Link: <…>; rel=\"next\"` header".to_owned(),
            );
        }
    } else if let Some((offset_id, offset)) = find(OFFSETS, "integer") {
        style.insert("type".into(), "offset".into());
        style.insert("limit_input".into(), limit_id.as_str().into());
        style.insert("offset_input".into(), offset_id.as_str().into());
        from.push(format!("the offset `{}`", offset.wire));
    } else if let Some((page_id, page)) = find(PAGES, "integer") {
        style.insert("type".into(), "page_number".into());
        style.insert("limit_input".into(), limit_id.as_str().into());
        style.insert("page_input".into(), page_id.as_str().into());
        from.push(format!("the page number `{}` (counted from 1)", page.wire));
    } else {
        return None;
    }
    style.insert("max_page_size".into(), json!(max.unwrap_or(100)));
    if max.is_none() {
        from.push("a largest page size of 100 (the document gives no maximum)".to_owned());
    } else if limit.schema.get("maximum").is_none() {
        from.push("a largest page size of the default (the document gives no maximum)".to_owned());
    }
    from.push(if records.is_empty() {
        "the records in the body (an array)".to_owned()
    } else {
        format!("the records at `{records}`")
    });
    style.insert("records".into(), records.into());
    let kind = style.get("type").and_then(Value::as_str).unwrap_or("");
    if let (Some((t, why)), true) = (total, kind != "cursor" && kind != "link_header") {
        style.insert("total".into(), t);
        from.push(why);
    }
    let comment = format!(
        "Guessed from {}: check it against the API's documentation.",
        from.join(", ")
    );
    Some((Value::Object(style), comment))
}

/// The converted schema of the first 2xx JSON response.
fn response(ctx: &Context<'_>, op: &Operation<'_>, conv: &mut Converter<'_>) -> Value {
    let responses = op.op.get("responses").and_then(Value::as_object);
    let first = responses
        .into_iter()
        .flatten()
        .find(|(k, _)| k.starts_with('2'))
        .map(|(_, r)| ctx.set.resolve_or_self(op.doc, r));
    let Some((doc, r)) = first else {
        return json!({});
    };
    let schema = match op.flavor {
        Flavor::Swagger2 => r.get("schema"),
        Flavor::OpenApi3 => r
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().find(|(m, _)| m.contains("json")).map(|(_, m)| m))
            .and_then(|m| m.get("schema")),
    };
    schema.map_or(json!({}), |s| conv.convert(doc, s))
}

/// The JSON pointer of the record array: `""` for a bare array, else the member named like
/// records, or the only array member.
fn records(response: &Value) -> Option<String> {
    if kind(response) == "array" {
        return Some(String::new());
    }
    let props = response.get("properties")?.as_object()?;
    let arrays: Vec<&String> = props
        .iter()
        .filter(|(_, s)| kind(s) == "array")
        .map(|(k, _)| k)
        .collect();
    let named = arrays
        .iter()
        .find(|k| RECORDS.contains(&k.to_ascii_lowercase().as_str()));
    match (named, arrays.as_slice()) {
        (Some(k), _) => Some(format!("/{k}")),
        (None, [only]) => Some(format!("/{only}")),
        _ => None,
    }
}

/// The pointer of a next-cursor member, at the top or one level down (`/response_metadata/…`).
fn next_cursor(response: &Value) -> Option<String> {
    let props = response.get("properties")?.as_object()?;
    let named = |p: &Map<String, Value>| {
        p.iter()
            .find(|(k, s)| {
                NEXT_CURSORS.contains(&k.to_ascii_lowercase().as_str()) && kind(s) == "string"
            })
            .map(|(k, _)| k.clone())
    };
    if let Some(k) = named(props) {
        return Some(format!("/{k}"));
    }
    props.iter().find_map(|(outer, s)| {
        let inner = s.get("properties")?.as_object()?;
        named(inner).map(|k| format!("/{outer}/{k}"))
    })
}

/// Where the total is: a body member named like a total, or an `X-Total-Count` header.
fn total(response: &Value, op: &Operation<'_>) -> Option<(Value, String)> {
    let props = response.get("properties").and_then(Value::as_object);
    if let Some(k) = props
        .into_iter()
        .flatten()
        .find(|(k, s)| TOTALS.contains(&k.to_ascii_lowercase().as_str()) && kind(s) == "integer")
        .map(|(k, _)| k)
    {
        return Some((
            json!({ "body": format!("/{k}") }),
            format!("the total at `/{k}`"),
        ));
    }
    let headers = op
        .op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with('2'))
        .filter_map(|(_, r)| r.get("headers").and_then(Value::as_object))
        .flat_map(|h| h.keys());
    let mut found = None;
    for h in headers {
        if h.eq_ignore_ascii_case("x-total-count") {
            found = Some(h.clone());
        }
    }
    found.map(|h| {
        (
            json!({ "header": h.to_ascii_lowercase() }),
            format!("the total in the `{h}` header"),
        )
    })
}
