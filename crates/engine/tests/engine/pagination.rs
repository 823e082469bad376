//! Offset pagination against local servers that slice a generated record set by `limit`/`skip`,
//! in JumpCloud's two shapes: v1 `{totalCount, results}` and v2 bare array + `x-total-count`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actionspec_engine::{Client, ErrorKind, Page};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common;

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `{totalCount, results}`.
    V1,
    /// Bare array with `x-total-count` (header name in the case given).
    V2 { header: Option<&'static str> },
}

/// Serves `total` records, sliced by `skip`/`limit`; fails with `fail_status` on request
/// number `fail_on` (1-based) if set.
struct Slicer {
    total: usize,
    shape: Shape,
    fail_on: Option<(usize, u16)>,
    calls: Arc<AtomicUsize>,
}

impl Respond for Slicer {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((n, status)) = self.fail_on
            && call == n
        {
            return ResponseTemplate::new(status)
                .set_body_string("<html><body>Bad Gateway</body></html>")
                .insert_header("content-type", "text/html");
        }
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let limit = q("limit").unwrap_or(10);
        let skip = q("skip").unwrap_or(0);
        let id_field = if self.shape == Shape::V1 { "_id" } else { "id" };
        let records: Vec<Value> = (skip..self.total.min(skip + limit))
            .map(|i| json!({ id_field: format!("{i:024x}"), "name": format!("record {i}") }))
            .collect();
        match self.shape {
            Shape::V1 => ResponseTemplate::new(200)
                .set_body_json(json!({"totalCount": self.total, "results": records})),
            Shape::V2 { header } => {
                let t = ResponseTemplate::new(200).set_body_json(records);
                match header {
                    Some(h) => t.insert_header(h, self.total.to_string().as_str()),
                    None => t,
                }
            }
        }
    }
}

struct Run {
    pages: Vec<Page>,
    result: actionspec_engine::Result<actionspec_engine::Summary>,
    requests: Vec<(Option<usize>, Option<usize>)>,
}

async fn run_all(
    action: &str,
    total: usize,
    shape: Shape,
    fail_on: Option<(usize, u16)>,
    input: Value,
) -> Run {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(any())
        .respond_with(Slicer {
            total,
            shape,
            fail_on,
            calls,
        })
        .mount(&server)
        .await;
    let c = common::jumpcloud();
    let config = common::api_key_config(&server.uri());
    let client = Client::new().unwrap();
    let mut pages = Vec::new();
    let result = c
        .run_all(&client, c.action(action).unwrap(), &input, &config, |p| {
            pages.push(p.clone());
            Ok(())
        })
        .await;
    let requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let q = |k: &str| {
                r.url
                    .query_pairs()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| v.parse().ok())
            };
            (q("limit"), q("skip"))
        })
        .collect::<Vec<_>>();
    // Pages after the first go concurrently: compare them in offset order.
    let mut requests = requests;
    requests.sort_by_key(|(_, skip)| skip.unwrap_or(0));
    Run {
        pages,
        result,
        requests,
    }
}

fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.records.iter())
        .map(|r| {
            let r = r.value();
            r.get("_id")
                .or_else(|| r.get("id"))
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn assert_each_once(pages: &[Page], total: usize) {
    let ids = ids(pages);
    let expected: Vec<String> = (0..total).map(|i| format!("{i:024x}")).collect();
    assert_eq!(ids, expected, "every record exactly once, in order");
}

#[tokio::test]
async fn v1_all_pages_use_the_largest_page_size() {
    let run = run_all("list_system_users", 250, Shape::V1, None, json!({})).await;
    let summary = run.result.unwrap();
    assert_eq!(
        (summary.pages, summary.records, summary.total),
        (3, 250, Some(250))
    );
    assert_eq!(
        run.requests,
        vec![
            (Some(100), None),
            (Some(100), Some(100)),
            (Some(100), Some(200))
        ]
    );
    assert_each_once(&run.pages, 250);
    assert_eq!(
        run.pages
            .iter()
            .map(|p| p.records.len())
            .collect::<Vec<_>>(),
        vec![100, 100, 50]
    );
}

#[tokio::test]
async fn v2_total_from_the_header_any_case() {
    let run = run_all(
        "list_user_groups",
        250,
        Shape::V2 {
            header: Some("X-Total-Count"),
        },
        None,
        json!({}),
    )
    .await;
    assert_eq!(run.result.unwrap().total, Some(250));
    assert_eq!(run.requests.len(), 3);
    assert_each_once(&run.pages, 250);
}

#[tokio::test]
async fn exact_multiple_of_the_page_size_makes_no_extra_request() {
    for (action, shape) in [
        ("list_systems", Shape::V1),
        (
            "list_policies",
            Shape::V2 {
                header: Some("x-total-count"),
            },
        ),
    ] {
        let run = run_all(action, 200, shape, None, json!({})).await;
        assert_eq!(run.result.unwrap().records, 200, "{action}");
        assert_eq!(
            run.requests,
            vec![(Some(100), None), (Some(100), Some(100))],
            "{action}: no request past the total"
        );
        assert_each_once(&run.pages, 200);
    }
}

#[tokio::test]
async fn missing_total_header_stops_on_the_empty_page_after_a_short_one() {
    let run = run_all(
        "list_ldap_servers",
        150,
        Shape::V2 { header: None },
        None,
        json!({}),
    )
    .await;
    let summary = run.result.unwrap();
    assert_eq!((summary.records, summary.total), (150, None));
    // Without a total, a short page may be a page the API capped: only an empty one ends it.
    assert_eq!(
        run.requests,
        vec![
            (Some(100), None),
            (Some(100), Some(100)),
            (Some(100), Some(200))
        ]
    );
    assert_each_once(&run.pages, 150);
}

#[tokio::test]
async fn missing_total_and_exact_multiple_stops_on_the_empty_page() {
    let run = run_all(
        "list_ldap_servers",
        200,
        Shape::V2 { header: None },
        None,
        json!({}),
    )
    .await;
    assert_eq!(run.result.unwrap().records, 200);
    assert_eq!(
        run.requests.len(),
        3,
        "the only way to know: one empty page"
    );
    assert_each_once(&run.pages, 200);
}

#[tokio::test]
async fn an_empty_collection_is_one_request() {
    let run = run_all("list_system_users", 0, Shape::V1, None, json!({})).await;
    assert_eq!(run.result.unwrap().records, 0);
    assert_eq!(run.requests.len(), 1);
}

#[tokio::test]
async fn the_callers_offset_and_page_size_are_kept() {
    let run = run_all(
        "list_system_users",
        25,
        Shape::V1,
        None,
        json!({"limit": 10, "skip": 5}),
    )
    .await;
    assert_eq!(run.result.unwrap().records, 20);
    assert_eq!(
        run.requests,
        vec![(Some(10), Some(5)), (Some(10), Some(15))]
    );
}

#[tokio::test]
async fn a_failure_on_page_3_keeps_pages_1_and_2_and_says_how_to_resume() {
    // 500 is not retried (502, 503 and 504 are: see the next test).
    let run = run_all(
        "list_system_users",
        250,
        Shape::V1,
        Some((3, 500)),
        json!({}),
    )
    .await;
    assert_eq!(
        run.pages.len(),
        2,
        "pages delivered before the failure are kept"
    );
    let err = run.result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Upstream);
    assert_eq!(err.status, Some(500));
    assert!(
        err.message
            .contains("page 3 failed; 200 records from 2 pages were delivered"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("Bad Gateway</body>"),
        "the body excerpt is shown: {}",
        err.message
    );
    assert!(
        err.hint.as_deref().unwrap().contains("resume input"),
        "{:?}",
        err.hint
    );
    assert_eq!(
        err.resume_input,
        json!({"limit": 100, "skip": 200})
            .as_object()
            .cloned()
            .map(Box::new)
    );
}

#[tokio::test]
async fn a_transient_502_on_page_3_is_retried_and_the_list_completes() {
    let run = run_all(
        "list_system_users",
        250,
        Shape::V1,
        Some((3, 502)),
        json!({}),
    )
    .await;
    assert_eq!(run.result.unwrap().records, 250);
    assert_each_once(&run.pages, 250);
    assert_eq!(
        run.requests,
        vec![
            (Some(100), None),
            (Some(100), Some(100)),
            (Some(100), Some(200)),
            (Some(100), Some(200))
        ],
        "page 3 asked twice"
    );
}

#[tokio::test]
async fn one_page_reports_the_next_input() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(any())
        .respond_with(Slicer {
            total: 12,
            shape: Shape::V1,
            fail_on: None,
            calls,
        })
        .mount(&server)
        .await;
    let c = common::jumpcloud();
    let config = common::api_key_config(&server.uri());
    let client = Client::new().unwrap();
    let a = c.action("list_system_users").unwrap();
    let first = c
        .run(&client, a, &json!({"limit": 5, "sort": "_id"}), &config)
        .await
        .unwrap();
    let page = first.page.unwrap();
    assert_eq!((page.records.len(), page.total), (5, Some(12)));
    assert_eq!(
        page.next_input,
        Some(
            json!({"limit": 5, "sort": "_id", "skip": 5})
                .as_object()
                .unwrap()
                .clone()
        )
    );
    let last = c
        .run(&client, a, &json!({"limit": 5, "skip": 10}), &config)
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!((last.records.len(), last.next_input), (2, None));
}

/// Regression guard: an API that ignores `skip` would otherwise be paged forever.
#[tokio::test]
async fn an_api_that_ignores_the_offset_is_stopped() {
    let server = MockServer::start().await;
    let same: Vec<Value> = (0..100).map(|i| json!({"id": format!("{i}")})).collect();
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(&same))
        .mount(&server)
        .await;
    let c = common::jumpcloud();
    let config = common::api_key_config(&server.uri());
    let mut pages = 0;
    let err = c
        .run_all(
            &Client::new().unwrap(),
            c.action("list_ldap_servers").unwrap(),
            &json!({}),
            &config,
            |_| {
                pages += 1;
                Ok(())
            },
        )
        .await
        .unwrap_err();
    assert_eq!(pages, 1);
    assert!(err.message.contains("returned before"), "{}", err.message);
}
