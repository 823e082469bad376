//! The Okta connector against a local server: the exact requests representative actions send
//! (`Authorization: SSWS <token>`, `/api/v1` paths, query and JSON bodies), every record once
//! through `Link` headers with `after` cursors, rate-limit headers kept in the outcome, a 429
//! retried at `X-Rate-Limit-Reset`, and Okta's error bodies reaching the error.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actionspec_engine::{Client, Config, Connector, ErrorKind};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common;

const TOKEN: &str = "00okta-test-token-Xy9";

fn okta() -> Connector {
    let text = std::fs::read_to_string(common::root().join("connectors/okta.yaml")).unwrap();
    Connector::from_yaml("connectors/okta.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Okta's paths carry their own `/api/v1`: the base URL is the bare server.
fn config(server: &MockServer) -> Config {
    let mut config = Config {
        base_url: Some(server.uri()),
        ..Config::default()
    };
    config
        .credentials
        .insert("api_token", SecretString::from(TOKEN), true);
    config
}

fn body_of(r: &Request) -> Option<Value> {
    (!r.body.is_empty()).then(|| serde_json::from_slice(&r.body).expect("a JSON body"))
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// Hand-written expectations, independent of any snapshot.
#[tokio::test]
async fn exact_requests_for_representative_actions() {
    let c = okta();
    let server = MockServer::start().await;
    let client = Client::new().unwrap();
    let config = config(&server);
    let profile = json!({"firstName": "Isaac", "lastName": "Brock", "email": "isaac.brock@example.com", "login": "isaac.brock@example.com"});
    let cases = [
        (
            "list_users",
            json!({"search": "profile.department eq \"R&D\"", "limit": 2}),
            "GET",
            "/api/v1/users",
            Some("search=profile.department+eq+%22R%26D%22&limit=2"),
            None,
            200,
        ),
        (
            "get_user",
            json!({"id": "isaac.brock@example.com"}),
            "GET",
            "/api/v1/users/isaac.brock%40example.com",
            None,
            None,
            200,
        ),
        (
            "create_user",
            json!({"activate": false, "profile": profile, "groupIds": ["00g1emaKYZTWRYYRRTSK"]}),
            "POST",
            "/api/v1/users",
            Some("activate=false"),
            Some(json!({"profile": profile, "groupIds": ["00g1emaKYZTWRYYRRTSK"]})),
            200,
        ),
        (
            "update_user",
            json!({"id": "00ub0oNGTSWTBKOLGLNR", "strict": true, "profile": {"title": "Director"}}),
            "POST",
            "/api/v1/users/00ub0oNGTSWTBKOLGLNR",
            Some("strict=true"),
            Some(json!({"profile": {"title": "Director"}})),
            200,
        ),
        (
            "deactivate_user",
            json!({"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": true}),
            "POST",
            "/api/v1/users/00ub0oNGTSWTBKOLGLNR/lifecycle/deactivate",
            Some("sendEmail=true"),
            None,
            200,
        ),
        (
            "replace_group",
            json!({"groupId": "00g1emaKYZTWRYYRRTSK", "profile": {"name": "West", "description": ""}}),
            "PUT",
            "/api/v1/groups/00g1emaKYZTWRYYRRTSK",
            None,
            Some(json!({"profile": {"name": "West", "description": ""}})),
            200,
        ),
        (
            "add_user_to_group",
            json!({"groupId": "00g1emaKYZTWRYYRRTSK", "userId": "00ub0oNGTSWTBKOLGLNR"}),
            "PUT",
            "/api/v1/groups/00g1emaKYZTWRYYRRTSK/users/00ub0oNGTSWTBKOLGLNR",
            None,
            None,
            204,
        ),
        (
            "delete_user",
            json!({"id": "00ub0oNGTSWTBKOLGLNR"}),
            "DELETE",
            "/api/v1/users/00ub0oNGTSWTBKOLGLNR",
            None,
            None,
            204,
        ),
        (
            "list_applications",
            json!({"filter": "status eq \"ACTIVE\"", "limit": 200}),
            "GET",
            "/api/v1/apps",
            Some("limit=200&filter=status+eq+%22ACTIVE%22"),
            None,
            200,
        ),
    ];
    for (action, input, method, path, query, body, status) in cases {
        server.reset().await;
        let reply = if status == 204 {
            ResponseTemplate::new(204)
        } else if path.ends_with("/users") && method == "GET" || path.ends_with("/apps") {
            ResponseTemplate::new(200).set_body_json(json!([]))
        } else if action == "deactivate_user" {
            ResponseTemplate::new(200)
        } else {
            ResponseTemplate::new(200).set_body_json(json!({"id": "x"}))
        };
        Mock::given(any())
            .respond_with(reply)
            .expect(1)
            .mount(&server)
            .await;
        let outcome = c
            .run(&client, c.action(action).unwrap(), &input, &config)
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(outcome.status, status, "{action}");
        let reqs = server.received_requests().await.unwrap();
        let r = &reqs[0];
        assert_eq!(r.method.as_str(), method, "{action}");
        assert_eq!(r.url.path(), path, "{action}");
        assert_eq!(r.url.query(), query, "{action}");
        assert_eq!(body_of(r), body, "{action}");
        assert_eq!(
            header(r, "authorization"),
            Some(format!("SSWS {TOKEN}").as_str()),
            "{action}"
        );
        assert_eq!(
            header(r, "content-type"),
            body.as_ref().map(|_| "application/json"),
            "{action}: a JSON body says so, no body has no content type"
        );
        assert_eq!(header(r, "accept"), Some("application/json"), "{action}");
    }
}

/// `If-Match` and `Prefer` are header inputs, sent as given.
#[tokio::test]
async fn conditional_and_asynchronous_headers_are_sent_as_given() {
    let c = okta();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "00ub0oNGTSWTBKOLGLNR"})),
        )
        .mount(&server)
        .await;
    let client = Client::new().unwrap();
    let config = config(&server);
    let etag = "W/\"1234567890abcdef\"";
    for action in ["update_user", "replace_user"] {
        let input =
            json!({"id": "00ub0oNGTSWTBKOLGLNR", "if_match": etag, "profile": {"title": "CTO"}});
        c.run(&client, c.action(action).unwrap(), &input, &config)
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
    }
    let input = json!({"id": "00ub0oNGTSWTBKOLGLNR", "prefer": "respond-async"});
    c.run(
        &client,
        c.action("deactivate_user").unwrap(),
        &input,
        &config,
    )
    .await
    .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(header(&reqs[0], "if-match"), Some(etag));
    assert_eq!(header(&reqs[1], "if-match"), Some(etag));
    assert_eq!(reqs[1].method.as_str(), "PUT");
    assert_eq!(header(&reqs[2], "prefer"), Some("respond-async"));
    assert_eq!(header(&reqs[2], "if-match"), None);
}

/// The ETag of `get_user` and the rate-limit headers of every response are kept in the
/// outcome, under lower-case names.
#[tokio::test]
async fn etag_and_rate_limit_headers_are_kept_in_the_outcome() {
    let c = okta();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "W/\"3a9f\"")
                .insert_header("X-Rate-Limit-Limit", "600")
                .insert_header("X-Rate-Limit-Remaining", "599")
                .insert_header("X-Rate-Limit-Reset", "1767225660")
                .insert_header("X-Okta-Request-Id", "not-kept")
                .set_body_json(json!({"id": "00ub0oNGTSWTBKOLGLNR", "status": "ACTIVE"})),
        )
        .mount(&server)
        .await;
    let client = Client::new().unwrap();
    let config = config(&server);
    let input = json!({"id": "00ub0oNGTSWTBKOLGLNR"});
    let outcome = c
        .run(&client, c.action("get_user").unwrap(), &input, &config)
        .await
        .unwrap();
    let shown = serde_json::to_value(&outcome).unwrap();
    assert_eq!(
        shown["headers"],
        json!({
            "etag": "W/\"3a9f\"",
            "x-rate-limit-limit": "600",
            "x-rate-limit-remaining": "599",
            "x-rate-limit-reset": "1767225660",
        })
    );
    // Only get_user keeps the ETag.
    let outcome = c
        .run(
            &client,
            c.action("get_group").unwrap(),
            &json!({"groupId": "00g1"}),
            &config,
        )
        .await
        .unwrap();
    let shown = serde_json::to_value(&outcome).unwrap();
    assert!(shown["headers"].get("etag").is_none(), "{shown}");
    assert_eq!(shown["headers"]["x-rate-limit-remaining"], "599");
}

/// Okta lists page through `Link: <…?after=…&limit=…>; rel="next"`; the last page has only a
/// `self` link.
struct LinkPages {
    users: usize,
    /// The server's own origin, which the links name.
    origin: String,
}

fn okta_user(i: usize) -> Value {
    json!({ "id": format!("00u{i:017}"), "status": "ACTIVE", "profile": { "login": format!("user{i:03}@example.com") } })
}

impl Respond for LinkPages {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            r.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let limit: usize = q("limit").and_then(|s| s.parse().ok()).unwrap_or(200);
        let at: usize = q("after")
            .map(|a| a.trim_start_matches("00u").parse::<usize>().unwrap() + 1)
            .unwrap_or(0);
        let end = (at + limit).min(self.users);
        let page: Vec<Value> = (at..end).map(okta_user).collect();
        let origin = &self.origin;
        let mut link = format!("<{origin}/api/v1/users?limit={limit}>; rel=\"self\"");
        if end < self.users {
            let after = format!("00u{:017}", end - 1);
            link.push_str(&format!(
                ", <{origin}/api/v1/users?after={after}&limit={limit}>; rel=\"next\""
            ));
        }
        ResponseTemplate::new(200)
            .insert_header("link", link.as_str())
            .insert_header("x-rate-limit-remaining", "42")
            .set_body_json(page)
    }
}

#[tokio::test]
async fn every_user_once_through_link_headers() {
    let c = okta();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(LinkPages {
            users: 7,
            origin: server.uri(),
        })
        .mount(&server)
        .await;
    let mut pages = Vec::new();
    let summary = c
        .run_all(
            &Client::new().unwrap(),
            c.action("list_users").unwrap(),
            &json!({"limit": 3, "search": "status eq \"ACTIVE\""}),
            &config(&server),
            |p| {
                pages.push(p.clone());
                Ok(())
            },
        )
        .await
        .unwrap();
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.records.iter())
        .map(|r| r.value()["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..7).map(|i| format!("00u{i:017}")).collect();
    assert_eq!(ids, expected, "every record once, in order");
    assert_eq!(summary.records, 7);
    assert_eq!(pages.len(), 3);
    // Each page says how to fetch the next: the `after` cursor of its next link.
    assert_eq!(
        pages[0].next_input.as_ref().unwrap()["after"],
        format!("00u{:017}", 2)
    );
    assert!(pages[2].next_input.is_none() && pages[2].next_url.is_none());

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3, "no request past the last page");
    let afters: Vec<Option<String>> = reqs
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(
        afters,
        [
            None,
            Some(format!("00u{:017}", 2)),
            Some(format!("00u{:017}", 5))
        ]
    );
    for r in &reqs {
        assert_eq!(r.url.path(), "/api/v1/users");
        assert_eq!(
            header(r, "authorization"),
            Some(format!("SSWS {TOKEN}").as_str())
        );
    }
}

/// A 429 that says when the window resets (UTC epoch seconds, no `Retry-After`) is waited out
/// and retried; the retry succeeds.
struct RateLimitedOnce {
    reset: u64,
}

impl Respond for RateLimitedOnce {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let _ = r;
        ResponseTemplate::new(429)
            .insert_header("X-Rate-Limit-Limit", "600")
            .insert_header("X-Rate-Limit-Remaining", "0")
            .insert_header("X-Rate-Limit-Reset", self.reset.to_string().as_str())
            .set_body_json(json!({
                "errorCode": "E0000047",
                "errorSummary": "API call exceeded rate limit due to too many requests.",
                "errorLink": "E0000047",
                "errorId": "sampleQPivGUj_ND5v78vbYWW",
                "errorCauses": []
            }))
    }
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn a_429_is_retried_when_the_rate_limit_window_resets() {
    let c = okta();
    let server = MockServer::start().await;
    let reset = epoch_now() + 2;
    Mock::given(any())
        .respond_with(RateLimitedOnce { reset })
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "00g1", "type": "OKTA_GROUP"})),
        )
        .mount(&server)
        .await;
    let started = Instant::now();
    let outcome = c
        .run(
            &Client::new().unwrap(),
            c.action("get_group").unwrap(),
            &json!({"groupId": "00g1"}),
            &config(&server),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let waited = started.elapsed();
    assert_eq!(outcome.status, 200);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // The reset is 1 to 2 s ahead (whole seconds): the retry waited for it, not a short backoff.
    assert!(
        waited >= Duration::from_millis(900),
        "retried after {waited:?}, before the window reset"
    );
    assert!(epoch_now() + 1 >= reset, "retried before the reset second");
}

/// Okta's error body: `errorSummary` is the message; the status decides the kind.
#[tokio::test]
async fn okta_error_bodies_reach_the_error() {
    let c = okta();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "errorCode": "E0000007",
            "errorSummary": "Not found: Resource not found: 00unope (User)",
            "errorLink": "E0000007",
            "errorId": "oaeZGaYoJvWQkyS7oKGEhsXvw",
            "errorCauses": []
        })))
        .mount(&server)
        .await;
    let err = c
        .run(
            &Client::new().unwrap(),
            c.action("get_user").unwrap(),
            &json!({"id": "00unope"}),
            &config(&server),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(
        err.api_message.as_deref(),
        Some("Not found: Resource not found: 00unope (User)")
    );
    let shown = format!("{err}");
    assert!(
        shown.contains("Not found: Resource not found: 00unope (User)"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN));
}
