//! Every pagination kind, served from a connector's YAML alone: `run_all` lists every seeded
//! record exactly once at any page size, for offset (JumpCloud, in `pagination.rs`), page
//! numbers from 1 and from 0 with and without counts, cursors in the body or a header (also
//! sent in a POST body), `Link` headers with an `after` cursor, and next URLs in the body.

use std::collections::HashSet;

use actionspec_engine::{Client, Connector};
use serde_json::{Value, json};

use crate::common::{http, load, records, start};

/// Lists `action` with `run_all` at page size `limit` (input member `limit_input`) and returns
/// the page sizes and the ids (member `id`) in order.
async fn list_all(
    c: &Connector,
    resource: &str,
    count: usize,
    action: &str,
    limit_input: &str,
    limit: u64,
    id: &str,
) -> (Vec<usize>, Vec<String>) {
    let sandbox = start(c, &records(&[(resource, count)])).await;
    let client = Client::new().unwrap();
    let mut pages = Vec::new();
    let mut ids = Vec::new();
    let summary = c
        .run_all(
            &client,
            c.action(action).unwrap(),
            &json!({ limit_input: limit }),
            &sandbox.config(),
            |page| {
                pages.push(page.records.len());
                ids.extend(page.records.iter().map(|r| match &r.value()[id] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }));
                Ok(())
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{action} at {limit}: {e}"));
    assert_eq!(summary.records, count as u64, "{action} at {limit}");
    (pages, ids)
}

/// Every record once, at several page sizes.
async fn exactly_once(c: &Connector, resource: &str, action: &str, limit_input: &str, id: &str) {
    let count = 53;
    for limit in [1, 7, 25, 53, 100] {
        let max = c
            .action(action)
            .unwrap()
            .pagination
            .as_ref()
            .unwrap()
            .max_page_size;
        let limit = limit.min(max);
        let (pages, ids) = list_all(c, resource, count, action, limit_input, limit, id).await;
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), count, "{action} at {limit}: {pages:?}");
        assert_eq!(
            unique.len(),
            count,
            "{action} at {limit}: every record once"
        );
        assert!(
            pages.iter().all(|p| *p as u64 <= limit),
            "{action} at {limit}: {pages:?}"
        );
    }
}

#[tokio::test]
async fn page_numbers_from_one_with_a_page_count_header() {
    let c = load("tests/fixtures/sandbox/pagebook.yaml");
    exactly_once(&c, "books", "list_books", "per_page", "book_id").await;
}

#[tokio::test]
async fn page_numbers_from_zero_with_a_total_header_and_a_bare_array() {
    let c = load("tests/fixtures/sandbox/pagebook.yaml");
    exactly_once(&c, "shelves", "list_shelves", "size", "id").await;
}

#[tokio::test]
async fn page_numbers_without_a_count_end_on_an_empty_page() {
    let c = load("tests/fixtures/sandbox/pagebook.yaml");
    exactly_once(&c, "notes", "list_notes", "per_page", "id").await;
    let (pages, _) = list_all(&c, "notes", 20, "list_notes", "per_page", 10, "id").await;
    assert_eq!(pages, [10, 10, 0]);
}

#[tokio::test]
async fn cursors_in_the_body_of_the_response() {
    let c = load("tests/fixtures/sandbox/chat.yaml");
    exactly_once(&c, "conversations", "list_channels", "limit", "id").await;
}

#[tokio::test]
async fn cursors_in_a_header_sent_back_in_a_post_body() {
    let c = load("tests/fixtures/sandbox/chat.yaml");
    exactly_once(&c, "users", "list_users", "limit", "id").await;
}

#[tokio::test]
async fn link_headers_with_an_after_cursor() {
    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    exactly_once(&c, "members", "list_members", "limit", "id").await;
}

#[tokio::test]
async fn next_urls_in_the_body() {
    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    exactly_once(&c, "events", "list_events", "limit", "uuid").await;
}

#[tokio::test]
async fn the_wire_of_each_kind() {
    let c = load("tests/fixtures/sandbox/chat.yaml");
    let sandbox = start(&c, &records(&[("conversations", 3), ("users", 3)])).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let url = |p: &str| format!("{}{p}", sandbox.base_url());
    let get = |u: String| http().get(u).bearer_auth(key.as_str());

    let first: Value = get(url("/conversations.list?limit=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["ok"], true);
    assert_eq!(first["channels"].as_array().unwrap().len(), 2);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap();
    assert!(
        !cursor.is_empty() && cursor.parse::<u64>().is_err(),
        "opaque: {cursor}"
    );
    let last: Value = get(url(&format!("/conversations.list?limit=2&cursor={cursor}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(last["channels"].as_array().unwrap().len(), 1);
    assert_eq!(last["response_metadata"]["next_cursor"], "");
    let bad = get(url("/conversations.list?cursor=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 200, "errors answer 200 here");
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["error"], "invalid_arguments");

    let users = http()
        .post(url("/users.list"))
        .bearer_auth(key.as_str())
        .json(&json!({"limit": 2}))
        .send()
        .await
        .unwrap();
    let next = users.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = users.json().await.unwrap();
    assert_eq!(
        (body["has_more"].clone(), body["ok"].clone()),
        (json!(true), json!(true))
    );
    let users = http()
        .post(url("/users.list"))
        .bearer_auth(key.as_str())
        .json(&json!({"limit": 2, "cursor": next}))
        .send()
        .await
        .unwrap();
    assert!(users.headers().get("x-next-cursor").is_none());
    let body: Value = users.json().await.unwrap();
    assert_eq!(body["has_more"], false);
    assert_eq!(body["members"].as_array().unwrap().len(), 1);

    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    let sandbox = start(&c, &records(&[("members", 3), ("events", 3)])).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let r = http()
        .get(format!(
            "{}/members?limit=2&filter=status:ne:GONE",
            sandbox.base_url()
        ))
        .header("x-api-token", key.as_str())
        .send()
        .await
        .unwrap();
    let link = r.headers()["link"].to_str().unwrap().to_owned();
    let origin = format!("http://{}", sandbox.addr());
    assert!(
        link.starts_with(&format!(
            "<{origin}/api/v1/members?filter=status%3Ane%3AGONE&after="
        )),
        "{link}"
    );
    assert!(link.ends_with("&limit=2>; rel=\"next\""), "{link}");
    let next = link[1..link.find('>').unwrap()].to_owned();
    let r = http()
        .get(next)
        .header("x-api-token", key.as_str())
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("link").is_none(),
        "no next link on the last page"
    );
    assert_eq!(
        r.json::<Value>().await.unwrap().as_array().unwrap().len(),
        1
    );

    let events: Value = http()
        .get(format!("{}/events?limit=2", sandbox.base_url()))
        .header("x-api-token", key.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = events["links"]["next"].as_str().unwrap();
    assert!(
        next.starts_with("/api/v1/events?cursor="),
        "relative, as the examples show: {next}"
    );
    assert_eq!(
        events["links"]["self"], "/api/v1/events?limit=1",
        "other members as documented"
    );

    let c = load("tests/fixtures/sandbox/pagebook.yaml");
    let sandbox = start(&c, &records(&[("books", 5)])).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let r = http()
        .get(format!(
            "{}/books?per_page=2&page=3&api_key={key}",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-total-pages"], "3");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["total"], 5);
    assert_eq!(body["books"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_record_id_as_the_cursor_starts_after_that_record() {
    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    let sandbox = start(&c, &records(&[("members", 10)])).await;
    let run = |input: Value| crate::common::run(&c, &sandbox, "list_members", input);
    let all = run(json!({"limit": 10}))
        .await
        .unwrap()
        .page
        .unwrap()
        .records;
    let third = all[2].value()["id"].as_str().unwrap().to_owned();
    let after = run(json!({"limit": 3, "after": third}))
        .await
        .unwrap()
        .page
        .unwrap();
    let id = |r: &actionspec_engine::Record| r.value()["id"].clone();
    let ids: Vec<Value> = after.records.iter().map(id).collect();
    assert_eq!(ids, [id(&all[3]), id(&all[4]), id(&all[5])]);
    let e = run(json!({"after": "00mNOSUCHMEMBER00000"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, actionspec_engine::ErrorKind::Validation, "{e}");
}
