//! Pagination, kind by kind: pure functions that, given the input of one page and what its
//! response said, give the input of the next page or say why the list ends. The executor
//! ([`crate::Connector::run_all`]) drives them and adds what applies to every kind: the loop
//! guard (`Fingerprints`), dropping repeated records (`RecentIds`) and the bounds.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::record::Record;
use crate::spec::{InputType, PaginationStyle, PaginationType, StopRule};

/// Why a list ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum End {
    /// The offset reached the total the API reported.
    Total,
    /// A page came back with no record.
    EmptyPage,
    /// A page came back shorter than the page size asked for (stop rule `short_page`).
    ShortPage,
    /// The response named no next page: no cursor, `has_more` false, no next link or URL, or
    /// the last of the pages it counted.
    LastPage,
    /// The run's `max_pages` or `max_records` was reached; the summary's `next_input` resumes.
    Bound,
}

/// Offset pagination (`limit` + `skip`): the offset advances by the page size the API honours
/// (the largest page it returned in this run, at most the size asked for), not by the records a
/// page happened to hold. So a short page in the middle of a list with a total (some APIs return
/// these when associations point at deleted objects) neither ends the list nor repeats records,
/// and an API that caps pages below the size asked for (50 of 100) is followed 50 at a time.
pub(crate) struct Offsets<'a> {
    pub style: &'a PaginationStyle,
    /// The page size when the input sets none (the limit input's default).
    pub default_limit: Option<u64>,
}

impl Offsets<'_> {
    /// The offset input's name (the loader makes sure an `offset` style has one).
    fn offset_key(&self) -> &str {
        self.style.offset_input.as_deref().unwrap_or_default()
    }

    /// The page size `input` asks for.
    pub fn requested(&self, input: &Map<String, Value>) -> u64 {
        input
            .get(&self.style.limit_input)
            .and_then(Value::as_u64)
            .or(self.default_limit)
            .unwrap_or(self.style.max_page_size)
            .max(1)
    }

    /// The offset of `input`'s page.
    pub fn offset(&self, input: &Map<String, Value>) -> u64 {
        input
            .get(self.offset_key())
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    /// The input of the page after a page of `n` records fetched with `input`; `honoured` is the
    /// largest page the API returned so far (0 when none was seen).
    pub fn next(
        &self,
        input: &Map<String, Value>,
        n: u64,
        total: Option<u64>,
        honoured: u64,
    ) -> Result<Map<String, Value>, End> {
        let requested = self.requested(input);
        let step = if honoured == 0 {
            requested
        } else {
            honoured.min(requested)
        };
        let next = self.offset(input).saturating_add(step);
        match total {
            Some(t) if next >= t => return Err(End::Total),
            Some(_) => {}
            None if n == 0 => return Err(End::EmptyPage),
            None if n < requested && self.style.stop == Some(StopRule::ShortPage) => {
                return Err(End::ShortPage);
            }
            None => {}
        }
        Ok(self.at(input, next))
    }

    /// `input` with its offset set to `offset`.
    pub fn at(&self, input: &Map<String, Value>, offset: u64) -> Map<String, Value> {
        let mut out = input.clone();
        out.insert(self.offset_key().to_owned(), Value::from(offset));
        out
    }

    /// The inputs of every page after `input`, `step` records apart, up to `total`.
    pub fn remaining(
        &self,
        input: &Map<String, Value>,
        step: u64,
        total: u64,
    ) -> Vec<Map<String, Value>> {
        let step = step.max(1);
        let mut out = Vec::new();
        let mut offset = self.offset(input).saturating_add(step);
        while offset < total {
            out.push(self.at(input, offset));
            offset = offset.saturating_add(step);
        }
        out
    }
}

/// What a page's response said that pagination needs, read by the executor from the places
/// the style declares (so the executor need not know the kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Records on the page.
    pub records: u64,
    /// The total record count, where reported.
    pub total: Option<u64>,
    /// The number of pages, where reported (`page_count`).
    pub page_count: Option<u64>,
    /// The next page's cursor (`next_cursor`); `None` when absent, `null` or empty.
    pub cursor: Option<String>,
    /// The `has_more` flag, where declared and present.
    pub has_more: Option<bool>,
    /// The next page's absolute URL (`Link: <…>; rel="next"`, or `next_url` resolved against
    /// the request URL); `None` when absent or empty.
    pub next_url: Option<String>,
}

/// The request for the next page: an input, and for the URL kinds the URL to fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct NextPage {
    /// The input (for URL kinds: the input with the URL's `cursor_input` parameter, if any).
    pub input: Map<String, Value>,
    /// `link_header`, `next_url`: the URL to fetch, as the API gave it.
    pub url: Option<String>,
}

/// The pure next-page rule of every kind.
pub(crate) struct Pager<'a> {
    pub offsets: Offsets<'a>,
}

impl<'a> Pager<'a> {
    /// The pager of `style`; `default_limit` is the page size when the input sets none.
    pub fn new(style: &'a PaginationStyle, default_limit: Option<u64>) -> Pager<'a> {
        Pager {
            offsets: Offsets {
                style,
                default_limit,
            },
        }
    }

    fn style(&self) -> &'a PaginationStyle {
        self.offsets.style
    }

    /// The page after one fetched with `input` whose response said `facts`; `honoured` is the
    /// largest page the API returned so far (0 when none was seen).
    pub fn next(
        &self,
        input: &Map<String, Value>,
        facts: &Facts,
        honoured: u64,
    ) -> Result<NextPage, End> {
        let style = self.style();
        let plain = |input: Map<String, Value>| NextPage { input, url: None };
        match style.kind {
            PaginationType::Offset => self
                .offsets
                .next(input, facts.records, facts.total, honoured)
                .map(plain),
            PaginationType::PageNumber => self.next_page_number(input, facts, honoured).map(plain),
            PaginationType::Cursor => {
                if facts.has_more == Some(false) {
                    return Err(End::LastPage);
                }
                let cursor = facts.cursor.as_ref().ok_or(End::LastPage)?;
                let mut next = input.clone();
                let key = style.cursor_input.clone().unwrap_or_default();
                next.insert(key, Value::String(cursor.clone()));
                Ok(plain(next))
            }
            PaginationType::LinkHeader | PaginationType::NextUrl => {
                let url = facts.next_url.as_ref().ok_or(End::LastPage)?;
                Ok(NextPage {
                    input: self.input_of_url(input, url),
                    url: Some(url.clone()),
                })
            }
        }
    }

    /// `page_number`: the next page number, unless the total, the page count or the stop rule
    /// says this was the last page.
    fn next_page_number(
        &self,
        input: &Map<String, Value>,
        facts: &Facts,
        honoured: u64,
    ) -> Result<Map<String, Value>, End> {
        let page = self.page(input);
        let first = self.first_page();
        let requested = self.offsets.requested(input);
        let size = if honoured == 0 {
            requested
        } else {
            honoured.min(requested)
        };
        let seen = (page - first + 1).saturating_mul(size);
        match (facts.total, facts.page_count) {
            (Some(t), _) if seen >= t => return Err(End::Total),
            (_, Some(c)) if page - first + 1 >= c => return Err(End::Total),
            (Some(_), _) | (_, Some(_)) => {}
            (None, None) if facts.records == 0 => return Err(End::EmptyPage),
            (None, None)
                if facts.records < requested && self.style().stop == Some(StopRule::ShortPage) =>
            {
                return Err(End::ShortPage);
            }
            (None, None) => {}
        }
        Ok(self.at_page(input, page + 1))
    }

    fn first_page(&self) -> u64 {
        self.style().first_page.unwrap_or(1)
    }

    /// The page number `input` asks for.
    pub fn page(&self, input: &Map<String, Value>) -> u64 {
        let key = self.style().page_input.as_deref().unwrap_or_default();
        input
            .get(key)
            .and_then(Value::as_u64)
            .unwrap_or_else(|| self.first_page())
            .max(self.first_page())
    }

    fn at_page(&self, input: &Map<String, Value>, page: u64) -> Map<String, Value> {
        let mut out = input.clone();
        let key = self.style().page_input.clone().unwrap_or_default();
        out.insert(key, Value::from(page));
        out
    }

    /// For URL kinds: `input` with the `cursor_input` query parameter of `url`, if declared
    /// and present.
    fn input_of_url(&self, input: &Map<String, Value>, url: &str) -> Map<String, Value> {
        let mut out = input.clone();
        if let (Some(key), Ok(u)) = (&self.style().cursor_input, url::Url::parse(url))
            && let Some((_, v)) = u.query_pairs().find(|(k, _)| k == key)
        {
            out.insert(key.clone(), Value::String(v.into_owned()));
        }
        out
    }

    /// Where to resume after delivering only the first `room` records of the page fetched as
    /// `this` says: for `offset`, the record after them; for the other kinds, the same page
    /// again (its first `room` records come again).
    pub fn cut(&self, this: &NextPage, room: u64) -> NextPage {
        match self.style().kind {
            PaginationType::Offset => NextPage {
                input: self
                    .offsets
                    .at(&this.input, self.offsets.offset(&this.input) + room),
                url: None,
            },
            _ => this.clone(),
        }
    }

    /// Whether a page's `next_input` resumes the list exactly: for URL kinds only when the
    /// style names the URL's `cursor_input`.
    pub fn resumable(&self) -> bool {
        !matches!(
            self.style().kind,
            PaginationType::LinkHeader | PaginationType::NextUrl
        ) || self.style().cursor_input.is_some()
    }

    /// Once the first page (fetched with `input`) reported a total or page count: the inputs of
    /// every other page, which may then be fetched at once. `None` for the kinds whose next
    /// page depends on the previous response.
    pub fn remaining(
        &self,
        input: &Map<String, Value>,
        facts: &Facts,
        honoured: u64,
    ) -> Option<Vec<Map<String, Value>>> {
        let step = honoured.min(self.offsets.requested(input)).max(1);
        match self.style().kind {
            PaginationType::Offset => Some(self.offsets.remaining(input, step, facts.total?)),
            PaginationType::PageNumber => {
                let pages = match (facts.page_count, facts.total) {
                    (Some(c), _) => c,
                    (None, Some(t)) => t.div_ceil(step),
                    (None, None) => return None,
                };
                let (page, last) = (self.page(input), self.first_page() + pages);
                Some(((page + 1)..last).map(|p| self.at_page(input, p)).collect())
            }
            _ => None,
        }
    }

    /// Where `input` (or `url`) is in the list, for messages: `skip = 200`, `cursor = "dXNl"`.
    pub fn position(&self, input: &Map<String, Value>, url: Option<&str>) -> String {
        if let Some(url) = url {
            return url.to_owned();
        }
        let style = self.style();
        let key = match style.kind {
            PaginationType::Offset => style.offset_input.as_deref(),
            PaginationType::PageNumber => style.page_input.as_deref(),
            _ => style.cursor_input.as_deref(),
        }
        .unwrap_or_default();
        let at = input.get(key).cloned().unwrap_or(Value::Null);
        format!("{key} = {at}")
    }
}

/// The keys each kind needs and allows, beyond `type`, `limit_input`, `max_page_size`,
/// `records`, `total` and `record_id` (which every kind takes).
fn kind_keys(kind: PaginationType) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        PaginationType::Offset => (&["offset_input"], &["stop"]),
        PaginationType::PageNumber => (&["page_input"], &["first_page", "page_count", "stop"]),
        PaginationType::Cursor => (&["cursor_input", "next_cursor"], &["has_more"]),
        PaginationType::LinkHeader => (&[], &["cursor_input"]),
        PaginationType::NextUrl => (&["next_url"], &["cursor_input"]),
    }
}

/// What is wrong with a pagination style on its own: `(key, message)` for each key its kind
/// needs but lacks, or has but does not use, and for a `first_page` other than 0 or 1.
pub fn style_problems(style: &PaginationStyle) -> Vec<(&'static str, String)> {
    let kind = style.kind.as_str();
    let (needs, allows) = kind_keys(style.kind);
    let present: [(&'static str, bool); 8] = [
        ("offset_input", style.offset_input.is_some()),
        ("page_input", style.page_input.is_some()),
        ("first_page", style.first_page.is_some()),
        ("page_count", style.page_count.is_some()),
        ("cursor_input", style.cursor_input.is_some()),
        ("next_cursor", style.next_cursor.is_some()),
        ("has_more", style.has_more.is_some()),
        ("next_url", style.next_url.is_some()),
    ];
    let mut out = Vec::new();
    for (key, is_set) in present.into_iter().chain([("stop", style.stop.is_some())]) {
        if needs.contains(&key) && !is_set {
            out.push((key, format!("`{kind}` pagination needs `{key}`")));
        } else if is_set && !needs.contains(&key) && !allows.contains(&key) {
            let users: Vec<&str> = ALL_KINDS
                .iter()
                .filter(|k| {
                    let (n, a) = kind_keys(**k);
                    n.contains(&key) || a.contains(&key)
                })
                .map(|k| k.as_str())
                .collect();
            out.push((
                key,
                format!(
                    "`{key}` applies to {} pagination, not `{kind}`",
                    users.join(" and ")
                ),
            ));
        }
    }
    if style.first_page.is_some_and(|p| p > 1) {
        out.push(("first_page", "`first_page` is 0 or 1".to_owned()));
    }
    out
}

const ALL_KINDS: [PaginationType; 5] = [
    PaginationType::Offset,
    PaginationType::PageNumber,
    PaginationType::Cursor,
    PaginationType::LinkHeader,
    PaginationType::NextUrl,
];

/// The action inputs a style drives, with their role and the input type each needs: the page
/// size, and the offset, page number or cursor.
pub fn style_inputs(style: &PaginationStyle) -> Vec<(&'static str, &str, InputType)> {
    let mut out = vec![(
        "limit_input",
        style.limit_input.as_str(),
        InputType::Integer,
    )];
    let more = [
        (
            "offset_input",
            style.offset_input.as_deref(),
            InputType::Integer,
        ),
        (
            "page_input",
            style.page_input.as_deref(),
            InputType::Integer,
        ),
        (
            "cursor_input",
            style.cursor_input.as_deref(),
            InputType::String,
        ),
    ];
    out.extend(
        more.into_iter()
            .filter_map(|(role, id, t)| id.map(|id| (role, id, t))),
    );
    out
}

/// The `rel="next"` target of a `Link` header (RFC 8288 §3), resolved against `base`: `None`
/// when there is none. Parameters are matched case-insensitively and `rel` may list several
/// relation types (`rel="next last"`).
pub fn next_link(header: &str, base: &url::Url) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find(",").map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let Some((name, value)) = p.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return base.join(target.trim()).ok().map(String::from);
        }
        rest = &rest[params_end..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    None
}

/// The pages seen in a run, by a fingerprint of their records (count, first and last record), so
/// that a page seen before anywhere in the run — not only the one just before — is caught.
#[derive(Default)]
pub(crate) struct Fingerprints(HashSet<u64>);

impl Fingerprints {
    /// Records `records`; `false` when the same page was seen before. Empty pages always pass.
    pub fn first_time(&mut self, records: &[Record]) -> bool {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return true;
        };
        let mut h = DefaultHasher::new();
        records.len().hash(&mut h);
        first.json().hash(&mut h);
        last.json().hash(&mut h);
        self.0.insert(h.finish())
    }
}

/// The ids of the previous page's records (memory stays one page, whatever the list's length):
/// a record inserted between two requests shifts the window by a few records, so a repeat shows
/// up at the start of the next page.
pub(crate) struct RecentIds {
    pointer: String,
    previous: HashSet<String>,
}

impl RecentIds {
    /// For a style's `record_id` (a member name, or a JSON pointer starting with `/`).
    pub fn new(record_id: &str) -> RecentIds {
        let pointer = if record_id.starts_with('/') {
            record_id.to_owned()
        } else {
            format!("/{}", crate::yaml::escape_token(record_id))
        };
        RecentIds {
            pointer,
            previous: HashSet::new(),
        }
    }

    /// Drops the records whose id the previous page (or this one, earlier) delivered; returns
    /// how many were dropped. Records without an id are kept.
    pub fn drop_repeats(&mut self, records: &mut Vec<Record>) -> u64 {
        let mut this_page = HashSet::with_capacity(records.len());
        let before = records.len();
        records.retain(|r| match r.id_at(&self.pointer) {
            Some(id) => !self.previous.contains(&id) && this_page.insert(id),
            None => true,
        });
        self.previous = this_page;
        (before - records.len()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn style(stop: Option<StopRule>) -> PaginationStyle {
        serde_json::from_value(json!({
            "type": "offset", "limit_input": "limit", "offset_input": "skip",
            "max_page_size": 100, "records": "/results", "stop": stop
        }))
        .unwrap()
    }

    fn input(limit: u64, skip: u64) -> Map<String, Value> {
        json!({"limit": limit, "skip": skip})
            .as_object()
            .cloned()
            .unwrap()
    }

    fn skip(m: &Map<String, Value>) -> u64 {
        m["skip"].as_u64().unwrap()
    }

    #[test]
    fn a_short_page_mid_list_advances_by_the_page_size() {
        let s = style(None);
        let o = Offsets {
            style: &s,
            default_limit: None,
        };
        let next = o.next(&input(100, 100), 98, Some(300), 100).unwrap();
        assert_eq!(skip(&next), 200);
    }

    #[test]
    fn a_capping_api_is_followed_at_its_own_page_size() {
        let s = style(None);
        let o = Offsets {
            style: &s,
            default_limit: None,
        };
        assert_eq!(
            skip(&o.next(&input(100, 0), 50, Some(200), 50).unwrap()),
            50
        );
        assert_eq!(skip(&o.next(&input(100, 50), 50, None, 50).unwrap()), 100);
    }

    #[test]
    fn without_a_total_the_stop_rule_decides() {
        let empty = style(None);
        let o = Offsets {
            style: &empty,
            default_limit: None,
        };
        assert!(
            o.next(&input(100, 0), 40, None, 40).is_ok(),
            "a short page is not the end"
        );
        assert_eq!(o.next(&input(100, 40), 0, None, 40), Err(End::EmptyPage));
        let short = style(Some(StopRule::ShortPage));
        let o = Offsets {
            style: &short,
            default_limit: None,
        };
        assert_eq!(o.next(&input(100, 0), 40, None, 40), Err(End::ShortPage));
    }

    #[test]
    fn the_total_ends_the_list_with_no_request_past_it() {
        let s = style(None);
        let o = Offsets {
            style: &s,
            default_limit: None,
        };
        assert_eq!(
            o.next(&input(100, 200), 50, Some(250), 100),
            Err(End::Total)
        );
        let rest: Vec<u64> = o
            .remaining(&input(100, 0), 100, 250)
            .iter()
            .map(skip)
            .collect();
        assert_eq!(rest, [100, 200]);
    }

    fn records(values: &[Value]) -> Vec<Record> {
        values.iter().map(Record::from_value).collect()
    }

    #[test]
    fn a_page_seen_before_anywhere_is_caught() {
        let mut f = Fingerprints::default();
        let a = records(&[json!({"id": 1}), json!({"id": 2})]);
        let b = records(&[json!({"id": 3}), json!({"id": 4})]);
        assert!(f.first_time(&a) && f.first_time(&b));
        assert!(!f.first_time(&a), "A, B, A");
        assert!(f.first_time(&[]), "empty pages pass");
    }

    #[test]
    fn repeats_from_the_previous_page_are_dropped() {
        let mut ids = RecentIds::new("_id");
        let mut p1 = records(&[json!({"_id": "a"}), json!({"_id": "b"})]);
        assert_eq!(ids.drop_repeats(&mut p1), 0);
        let mut p2 = records(&[json!({"_id": "b"}), json!({"_id": "c"}), json!({"x": 1})]);
        assert_eq!(ids.drop_repeats(&mut p2), 1);
        assert_eq!(p2, records(&[json!({"_id": "c"}), json!({"x": 1})]));
        let mut nested = RecentIds::new("/meta/id");
        let mut p = records(&[json!({"meta": {"id": 7}}), json!({"meta": {"id": 7}})]);
        assert_eq!(nested.drop_repeats(&mut p), 1);
    }
}
