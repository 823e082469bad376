//! Every pagination kind against a local API of numbered records (`r000`, `r001`, …): a normal
//! run, a last page exactly full, an empty first page, a cursor in a POST body, relative next
//! links, a next link to another origin (an error naming both, records kept, no credential
//! sent), a repeated cursor (a loop error) and a missing cursor field.

use actionspec_engine::End;
use actionspec_engine::{Client, Config, Connector, Error, ErrorKind, Page, RunOptions, Summary};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

const KEY: &str = "kinds-secret-key-42";

/// A connector with one list action `list` over `style` (YAML lines of the style, indented 4),
/// `method` GET or POST, inputs `size` (integer) and `at` (string; in the body for POST).
fn connector(style: &str, method: &str) -> Connector {
    let at_in = if method == "POST" { "body" } else { "query" };
    let yaml = format!(
        r#"spec_version: 1
key: kinds
name: Kinds
version: 1.0.0
servers:
  prod: {{ url: "https://api.example.com/v1" }}
default_server: prod
credentials:
  api_key: {{ secret: true, env: KINDS_KEY }}
auth:
  key: {{ type: api_key, in: header, name: x-api-key, credential: api_key }}
pagination:
  style:
{style}
    limit_input: size
    max_page_size: 10
    records: /items
actions:
  list:
    name: List
    description: List records.
    method: {method}
    path: /records
    pagination: style
    inputs:
      size: {{ type: integer, in: query }}
      at: {{ type: string, in: {at_in} }}
      page: {{ type: integer, in: query }}
      after: {{ type: string, in: query }}
    examples:
      - input: {{}}
"#
    );
    Connector::from_yaml("kinds.yaml", &yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// How the local API pages through `count` records.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `?page=N` from 1, `total_pages` in the body.
    Pages,
    /// `next_cursor` in the body (`response_metadata`), `""` on the last page.
    BodyCursor,
    /// `x-next-cursor` header, absent on the last page.
    HeaderCursor,
    /// `Link: <…?after=N>; rel="next"`, relative.
    Link,
    /// `next` URL in the body, relative.
    NextUrl,
}

struct Api {
    kind: Kind,
    count: usize,
    /// Hand out this cursor forever (a loop).
    stuck: bool,
    /// The next link points at this other origin.
    elsewhere: Option<String>,
}

impl Api {
    fn new(kind: Kind, count: usize) -> Api {
        Api {
            kind,
            count,
            stuck: false,
            elsewhere: None,
        }
    }
}

fn ids(from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|i| json!({ "id": format!("r{i:03}") }))
        .collect()
}

impl Respond for Api {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            r.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let size: usize = q("size").and_then(|s| s.parse().ok()).unwrap_or(10);
        let at: usize = match self.kind {
            Kind::Pages => (q("page").and_then(|p| p.parse().ok()).unwrap_or(1) - 1) * size,
            _ => q("at")
                .or_else(|| q("after"))
                .or_else(|| body["at"].as_str().map(str::to_owned))
                .and_then(|c| c.trim_start_matches('c').parse().ok())
                .unwrap_or(0),
        };
        let end = (at + size).min(self.count);
        let more = end < self.count;
        let next = if self.stuck {
            "c5".to_owned()
        } else {
            format!("c{end}")
        };
        let mut out = json!({ "items": ids(at.min(end), end) });
        let mut t = ResponseTemplate::new(200);
        match self.kind {
            Kind::Pages => out["total_pages"] = json!(self.count.div_ceil(size)),
            Kind::BodyCursor => {
                out["response_metadata"] =
                    json!({ "next_cursor": if more { next } else { String::new() } })
            }
            Kind::HeaderCursor if more => t = t.insert_header("x-next-cursor", next.as_str()),
            Kind::Link if more => {
                let base = self.elsewhere.clone().unwrap_or_default();
                let link = format!(
                    "<{base}/v1/records?size={size}&after={next}>; rel=\"next\", </v1/records>; rel=\"first\""
                );
                t = t.insert_header("link", link.as_str());
            }
            Kind::NextUrl if more => out["next"] = json!(format!("records?size={size}&at={next}")),
            _ => {}
        }
        t.set_body_json(out)
    }
}

async fn serve(api: Api) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(api).mount(&server).await;
    server
}

struct Run {
    pages: Vec<Page>,
    result: Result<Summary, Error>,
}

impl Run {
    fn ids(&self) -> Vec<String> {
        self.pages
            .iter()
            .flat_map(|p| p.records.iter())
            .map(|r| r.value()["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn run_all(c: &Connector, server: &MockServer, input: Value) -> Run {
    run_all_with(c, server, input, RunOptions::default()).await
}

async fn run_all_with(
    c: &Connector,
    server: &MockServer,
    input: Value,
    options: RunOptions,
) -> Run {
    let mut config = Config {
        base_url: Some(format!("{}/v1", server.uri())),
        options,
        ..Config::default()
    };
    config
        .credentials
        .insert("api_key", SecretString::from(KEY), true);
    let mut pages = Vec::new();
    let result = c
        .run_all(
            &Client::new().unwrap(),
            c.action("list").unwrap(),
            &input,
            &config,
            |p| {
                pages.push(p.clone());
                Ok(())
            },
        )
        .await;
    Run { pages, result }
}

fn expected(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("r{i:03}")).collect()
}

const PAGE_NUMBER: &str =
    "    type: page_number\n    page_input: page\n    page_count: { body: /total_pages }";
const BODY_CURSOR: &str = "    type: cursor\n    cursor_input: at\n    next_cursor: { body: /response_metadata/next_cursor }";
const HEADER_CURSOR: &str =
    "    type: cursor\n    cursor_input: at\n    next_cursor: { header: x-next-cursor }";
const LINK: &str = "    type: link_header\n    cursor_input: after";
const NEXT_URL: &str = "    type: next_url\n    next_url: /next";

fn cases() -> [(&'static str, &'static str, Kind, &'static str); 6] {
    [
        ("page_number", PAGE_NUMBER, Kind::Pages, "GET"),
        ("body cursor", BODY_CURSOR, Kind::BodyCursor, "GET"),
        ("body cursor, POST", BODY_CURSOR, Kind::BodyCursor, "POST"),
        ("header cursor", HEADER_CURSOR, Kind::HeaderCursor, "GET"),
        ("link header", LINK, Kind::Link, "GET"),
        ("next url", NEXT_URL, Kind::NextUrl, "GET"),
    ]
}

#[tokio::test]
async fn every_kind_lists_every_record_once_at_any_count() {
    for (name, style, kind, method) in cases() {
        let c = connector(style, method);
        // 25: a short last page; 30: the last page exactly full; 0: an empty first page.
        for count in [25, 30, 0] {
            let server = serve(Api::new(kind, count)).await;
            let run = run_all(&c, &server, json!({})).await;
            let summary = run
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("{name} {count}: {e}"));
            assert_eq!(run.ids(), expected(count), "{name} {count}");
            assert_eq!(summary.records, count as u64, "{name} {count}");
            let requests = server.received_requests().await.unwrap();
            // Page counts end without an extra request; cursors and links end on the last page.
            let pages = count.div_ceil(10).max(1);
            assert_eq!(requests.len(), pages, "{name} {count}: requests");
            assert!(
                requests
                    .iter()
                    .all(|r| r.headers.get("x-api-key").is_some_and(|v| v == KEY)),
                "{name}: every page is authorized"
            );
            if method == "POST" && count > 10 {
                let second: Value = serde_json::from_slice(&requests[1].body).unwrap();
                assert_eq!(second["at"], "c10", "{name}: the cursor goes in the body");
            }
        }
    }
}

#[tokio::test]
async fn every_page_carries_the_input_that_fetches_the_next() {
    for (name, style, kind, method) in cases() {
        let c = connector(style, method);
        let server = serve(Api::new(kind, 25)).await;
        let run = run_all(&c, &server, json!({})).await;
        let next: Vec<Option<Value>> = run
            .pages
            .iter()
            .map(|p| p.next_input.clone().map(Value::Object))
            .collect();
        let want = match kind {
            Kind::Pages => vec![
                Some(json!({"size": 10, "page": 2})),
                Some(json!({"size": 10, "page": 3})),
                None,
            ],
            Kind::NextUrl => vec![None, None, None],
            _ => vec![
                Some(json!({"size": 10, "at": "c10"})),
                Some(json!({"size": 10, "at": "c20"})),
                None,
            ],
        };
        let want: Vec<Option<Value>> = match kind {
            Kind::Link => vec![
                Some(json!({"size": 10, "after": "c10"})),
                Some(json!({"size": 10, "after": "c20"})),
                None,
            ],
            _ => want,
        };
        assert_eq!(next, want, "{name}");
        if kind == Kind::NextUrl {
            let url = run.pages[0].next_url.clone().unwrap();
            assert_eq!(
                url,
                format!("{}/v1/records?size=10&at=c10", server.uri()),
                "relative next URL resolved"
            );
        }
        // A resumed run from a page's next input goes on from there.
        if let Some(Some(resume)) = next.first() {
            let again = run_all(&c, &server, resume.clone()).await;
            assert_eq!(again.ids(), expected(25)[10..].to_vec(), "{name}: resume");
        }
    }
}

#[tokio::test]
async fn a_cursor_given_twice_is_a_loop_error_with_the_records_kept() {
    let c = connector(BODY_CURSOR, "GET");
    let server = serve(Api {
        stuck: true,
        ..Api::new(Kind::BodyCursor, 100)
    })
    .await;
    let run = run_all(&c, &server, json!({})).await;
    let e = run.result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(e.message.contains("a next page it had given before"), "{e}");
    assert!(e.message.contains("at = \"c5\""), "{e}");
    assert!(
        !run.pages.is_empty(),
        "pages before the loop were delivered"
    );
    assert!(server.received_requests().await.unwrap().len() <= 3);
}

#[tokio::test]
async fn a_bound_on_a_next_url_list_gives_the_url_not_an_input_that_would_start_again() {
    let c = connector(NEXT_URL, "GET");
    let server = serve(Api::new(Kind::NextUrl, 25)).await;
    let options = RunOptions {
        max_pages: Some(1),
        ..RunOptions::default()
    };
    let run = run_all_with(&c, &server, json!({}), options).await;
    assert_eq!(run.ids(), expected(10));
    let summary = run.result.unwrap();
    assert_eq!((summary.end, summary.records), (Some(End::Bound), 10));
    assert_eq!(summary.next_input, None);
    assert_eq!(
        summary.next_url,
        Some(format!("{}/v1/records?size=10&at=c10", server.uri()))
    );
}

#[tokio::test]
async fn a_missing_cursor_field_ends_the_list() {
    let c = connector(
        "    type: cursor\n    cursor_input: at\n    next_cursor: { body: /meta/next }",
        "GET",
    );
    let server = serve(Api::new(Kind::BodyCursor, 25)).await;
    let run = run_all(&c, &server, json!({})).await;
    let summary = run.result.as_ref().unwrap();
    assert_eq!(summary.end, Some(End::LastPage));
    assert_eq!(
        run.ids(),
        expected(10),
        "one page: the response names no next cursor there"
    );
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_an_error_and_gets_no_credential() {
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&other)
        .await;
    let c = connector(LINK, "GET");
    let server = serve(Api {
        elsewhere: Some(other.uri()),
        ..Api::new(Kind::Link, 25)
    })
    .await;
    let run = run_all(&c, &server, json!({})).await;
    let e = run.result.as_ref().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(e.message.contains("another origin"), "{e}");
    assert!(
        e.message.contains(&server.uri()) && e.message.contains(&other.uri()),
        "{e}"
    );
    assert!(
        e.message.contains("10 records from 1 page were delivered"),
        "{e}"
    );
    assert_eq!(run.ids(), expected(10));
    assert!(
        other.received_requests().await.unwrap().is_empty(),
        "nothing was sent there"
    );
}

#[test]
fn a_style_missing_what_its_kind_needs_or_with_keys_of_another_kind_is_a_load_error() {
    let load = |style: &str| {
        let yaml = format!(
            "spec_version: 1\nkey: k\nname: K\nversion: 1.0.0\nservers: {{ prod: {{ url: \"https://a.example.com\" }} }}\ndefault_server: prod\npagination:\n  s:\n{style}\n    limit_input: size\n    max_page_size: 10\n    records: /items\nactions: {{}}\n"
        );
        Connector::from_yaml("k.yaml", &yaml)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = load("    type: cursor\n    cursor_input: at");
    assert!(e.contains("`cursor` pagination needs `next_cursor`"), "{e}");
    let e = load("    type: link_header\n    offset_input: skip");
    assert!(
        e.contains("`offset_input` applies to offset pagination, not `link_header`"),
        "{e}"
    );
    let e = load("    type: page_number\n    page_input: page\n    first_page: 2");
    assert!(e.contains("`first_page` is 0 or 1"), "{e}");
    let fine = load(PAGE_NUMBER);
    assert!(!fine.contains("pagination style"), "{fine}");
}
