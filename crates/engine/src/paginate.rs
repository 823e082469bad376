//! Pagination, kind by kind: pure functions that, given the input of one page and what its
//! response said, give the input of the next page or say why the list ends. The executor
//! ([`crate::Connector::run_all`]) drives them and adds what applies to every kind: the loop
//! guard ([`Fingerprints`]), dropping repeated records ([`RecentIds`]) and the bounds.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::record::Record;
use crate::spec::{PaginationStyle, StopRule};

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
            .get(&self.style.offset_input)
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
        out.insert(self.style.offset_input.clone(), Value::from(offset));
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
        records.retain(|r| match r.pointer(&self.pointer).as_ref().map(id_text) {
            Some(id) => !self.previous.contains(&id) && this_page.insert(id),
            None => true,
        });
        self.previous = this_page;
        (before - records.len()) as u64
    }
}

fn id_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
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
