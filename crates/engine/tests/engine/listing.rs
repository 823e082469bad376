//! Listing every page exactly: nothing lost, nothing repeated, never led on forever, and the
//! same records in the same order whatever the concurrency. Against a local API of numbered
//! records (`u00000`, `u00001`, …) in JumpCloud's v1 list shape.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actionspec_engine::End;
use actionspec_engine::{Client, Error, ErrorKind, RunOptions, Summary};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

use crate::common;

/// A v1 list API: `GET ?limit=&skip=` over `count` records.
#[derive(Default)]
struct Api {
    count: usize,
    /// Report `totalCount` (else the API gives no total).
    total: bool,
    /// The most records a page holds, whatever the limit asked (0: no cap).
    cap: usize,
    /// Records missing from the page at this offset (deleted objects an association points at).
    short_at: Option<(usize, usize)>,
    /// After the first request, a record is inserted at the front of the list.
    insert_after_first: bool,
    /// Answer pages A and B in turn, whatever is asked.
    alternate: bool,
    /// Never end: every page is full of fresh records.
    endless: bool,
    /// This status for the first request at this offset.
    fail_once_at: Option<(usize, u16)>,
    calls: AtomicUsize,
    failed: Mutex<bool>,
}

fn id(i: usize) -> Value {
    json!({ "_id": format!("u{i:05}") })
}

impl Respond for Api {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let q = |k: &str| {
            r.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let (limit, skip) = (q("limit").unwrap_or(10), q("skip").unwrap_or(0));
        if let Some((at, status)) = self.fail_once_at {
            let mut failed = self.failed.lock().unwrap();
            if skip == at && !*failed {
                *failed = true;
                return ResponseTemplate::new(status);
            }
        }
        let size = if self.cap > 0 {
            limit.min(self.cap)
        } else {
            limit
        };
        let shift = usize::from(self.insert_after_first && call > 0);
        let results: Vec<Value> = if self.alternate {
            let base = if call.is_multiple_of(2) { 0 } else { 1000 };
            (base..base + limit).map(id).collect()
        } else if self.endless {
            (skip..skip + size).map(id).collect()
        } else {
            // With a record inserted at the front, what was at i is now at i + 1.
            let end = (skip + size).min(self.count + shift);
            (skip..end)
                .map(|i| {
                    if shift == 1 && i == 0 {
                        json!({"_id": "new"})
                    } else {
                        id(i - shift)
                    }
                })
                .collect()
        };
        let results = match self.short_at {
            Some((at, missing)) if skip == at => results[missing..].to_vec(),
            _ => results,
        };
        let mut body = json!({ "results": results });
        if self.total {
            body["totalCount"] = json!(self.count + shift);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

struct Listed {
    result: Result<Summary, Error>,
    ids: Vec<String>,
    asked: Vec<usize>,
}

async fn list(api: Api, input: Value, options: RunOptions) -> Listed {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(api).mount(&server).await;
    let c = common::jumpcloud();
    let mut config = common::api_key_config(&server.uri());
    config.options = options;
    let mut ids = Vec::new();
    let action = c.action("list_system_users").unwrap();
    let result = c
        .run_all(&Client::new().unwrap(), action, &input, &config, |p| {
            ids.extend(
                p.records
                    .iter()
                    .map(|r| r.value()["_id"].as_str().unwrap().to_owned()),
            );
            Ok(())
        })
        .await;
    let asked = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(n, _)| n == "skip")
                .map_or(0, |(_, v)| v.parse().unwrap())
        })
        .collect();
    Listed { result, ids, asked }
}

fn sequential() -> RunOptions {
    RunOptions {
        concurrency: Some(1),
        ..RunOptions::default()
    }
}

fn numbered(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("u{i:05}")).collect()
}

/// Broke: `{"skip": 250.0}` over 300 records printed 300 lines, 250 unique.
#[tokio::test]
async fn a_float_skip_is_an_integer_offset() {
    let api = Api {
        count: 300,
        total: true,
        ..Api::default()
    };
    let run = list(api, json!({"skip": 250.0}), sequential()).await;
    assert_eq!(run.ids, numbered(250..300));
}

/// Broke: a short page in the middle ended the list, or advanced by the records received and
/// repeated some.
#[tokio::test]
async fn a_short_page_mid_list_neither_ends_the_list_nor_repeats_records() {
    let api = Api {
        count: 300,
        total: true,
        short_at: Some((100, 2)),
        ..Api::default()
    };
    let run = list(api, json!({}), sequential()).await;
    let mut expected = numbered(0..100);
    expected.extend(numbered(102..300));
    assert_eq!(run.ids, expected);
    assert_eq!(run.asked, [0, 100, 200]);
}

/// Broke: a record inserted between two pages shifted the window and was delivered twice.
#[tokio::test]
async fn a_record_inserted_between_pages_is_not_delivered_twice() {
    let api = Api {
        count: 250,
        total: true,
        insert_after_first: true,
        ..Api::default()
    };
    let run = list(api, json!({}), sequential()).await;
    let summary = run.result.unwrap();
    assert_eq!(
        summary.duplicates, 1,
        "u00099 came again at the start of page 2"
    );
    let mut unique = run.ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), run.ids.len());
    assert_eq!(run.ids.len(), 250);
}

/// Broke: a server returning fresh full pages with no total was followed forever.
#[tokio::test]
async fn endless_fresh_pages_are_bounded_by_max_pages() {
    let api = Api {
        endless: true,
        ..Api::default()
    };
    let options = RunOptions {
        max_pages: Some(5),
        ..sequential()
    };
    let run = list(api, json!({}), options).await;
    let summary = run.result.unwrap();
    assert_eq!((summary.pages, summary.end), (5, Some(End::Bound)));
    assert_eq!(summary.next_input.unwrap()["skip"], 500);
    assert_eq!(run.asked.len(), 5);
}

#[tokio::test]
async fn max_records_delivers_exactly_that_many_and_says_where_to_go_on() {
    let api = Api {
        count: 1000,
        total: true,
        ..Api::default()
    };
    let options = RunOptions {
        max_records: Some(250),
        ..sequential()
    };
    let run = list(api, json!({}), options).await;
    let summary = run.result.unwrap();
    assert_eq!(run.ids, numbered(0..250));
    assert_eq!(summary.next_input.unwrap()["skip"], 250);
}

/// Broke: pages alternating A, B, A, B were followed for as long as the server answered.
#[tokio::test]
async fn alternating_pages_are_a_loop_error() {
    let api = Api {
        alternate: true,
        ..Api::default()
    };
    let run = list(api, json!({}), sequential()).await;
    let e = run.result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(e.message.contains("returned before"), "{}", e.message);
    assert_eq!(
        run.asked,
        [0, 100, 200],
        "stops at the first page seen before"
    );
    assert_eq!(run.ids.len(), 200);
}

/// Broke: a server capping pages at 50 of 100 yielded 50 of 200 records, exit 0.
#[tokio::test]
async fn an_api_that_caps_pages_below_the_size_asked_is_followed_to_the_end() {
    for total in [true, false] {
        let api = Api {
            count: 200,
            total,
            cap: 50,
            ..Api::default()
        };
        let run = list(api, json!({}), sequential()).await;
        assert_eq!(run.ids, numbered(0..200), "total reported: {total}");
        let expected: &[usize] = if total {
            &[0, 50, 100, 150]
        } else {
            &[0, 50, 100, 150, 200]
        };
        assert_eq!(run.asked, expected, "total reported: {total}");
    }
}

#[tokio::test]
async fn without_a_total_the_list_ends_on_an_empty_page() {
    let api = Api {
        count: 230,
        ..Api::default()
    };
    let run = list(api, json!({}), sequential()).await;
    assert_eq!(run.ids, numbered(0..230));
    assert_eq!(run.result.unwrap().end, Some(End::EmptyPage));
}

#[tokio::test]
async fn a_page_size_above_the_maximum_is_an_input_error_before_sending() {
    let api = Api {
        count: 10,
        total: true,
        ..Api::default()
    };
    let run = list(api, json!({"limit": 500}), sequential()).await;
    assert_eq!(run.result.unwrap_err().kind, ErrorKind::Input);
    assert!(run.asked.is_empty());
}

#[tokio::test]
async fn concurrent_pages_deliver_every_record_once_and_in_order() {
    for concurrency in [1, 4, 16] {
        let api = Api {
            count: 1000,
            total: true,
            ..Api::default()
        };
        let options = RunOptions {
            concurrency: Some(concurrency),
            ..RunOptions::default()
        };
        let run = list(api, json!({}), options).await;
        assert_eq!(run.ids, numbered(0..1000), "concurrency {concurrency}");
        let mut asked = run.asked.clone();
        asked.sort_unstable();
        assert_eq!(asked, (0..10).map(|p| p * 100).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_failure_on_page_3_of_10_keeps_pages_1_and_2_and_the_resume_fills_the_rest() {
    let api = Api {
        count: 1000,
        total: true,
        fail_once_at: Some((200, 500)),
        ..Api::default()
    };
    let options = RunOptions {
        concurrency: Some(4),
        ..RunOptions::default()
    };
    let run = list(api, json!({}), options.clone()).await;
    assert_eq!(
        run.ids,
        numbered(0..200),
        "everything before the first missing page"
    );
    let e = run.result.unwrap_err();
    let resume = Value::Object(*e.resume_input.unwrap());
    assert_eq!(resume["skip"], 200);
    let again = list(
        Api {
            count: 1000,
            total: true,
            ..Api::default()
        },
        resume,
        options,
    )
    .await;
    assert_eq!(again.ids, numbered(200..1000), "no gap, no repeat");
}
