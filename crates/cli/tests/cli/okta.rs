//! The Okta connector from the command line: the org host from `OKTA_DOMAIN`, the API token as
//! `Authorization: SSWS …` (never printed), and `--all` through `Link` headers against a local
//! server.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{Cli, actionspec, check, header, query, received, server};

const TOKEN: &str = "00okta-cli-canary-Tk9";
const DOMAIN: &str = "dev-123456.okta.com";

fn okta(args: &[&str]) -> Cli {
    actionspec(["run", "okta"].iter().chain(args))
        .env("OKTA_API_TOKEN", TOKEN)
        .env("OKTA_DOMAIN", DOMAIN)
}

#[track_caller]
fn assert_no_token(out: &crate::common::Output) {
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "the token was printed:\n{}",
        out.render()
    );
}

/// The server URL is filled from `OKTA_DOMAIN`; the token and the password are redacted.
#[test]
fn dry_run_fills_the_org_host_and_redacts_the_token_and_password() {
    let input = r#"{"activate": false, "profile": {"login": "isaac.brock@example.com", "email": "isaac.brock@example.com"}, "credentials": {"password": {"value": "tlpWENT2m"}}}"#;
    let out = check(
        "okta_dry_run_create_user",
        &okta(&["create_user", "--dry-run", input]),
        0,
    );
    let shown = out.json();
    assert_eq!(
        shown["url"],
        format!("https://{DOMAIN}/api/v1/users?activate=false")
    );
    assert_eq!(shown["headers"]["authorization"], "SSWS [redacted]");
    assert_eq!(shown["body"]["credentials"], "[redacted]");
    assert!(!out.stdout.contains("tlpWENT2m"));
    assert_no_token(&out);
}

/// Without `OKTA_DOMAIN` (and no `--base-url`) there is no server to send to: an error that
/// names the variable, and nothing sent.
#[test]
fn a_run_without_the_domain_names_the_variable() {
    let cli =
        actionspec(["run", "okta", "get_user", r#"{"id": "me"}"#]).env("OKTA_API_TOKEN", TOKEN);
    let out = check("okta_without_domain", &cli, 5);
    assert!(out.stderr.contains("OKTA_DOMAIN"), "{}", out.stderr);
    assert_no_token(&out);
}

/// A domain that is not a bare host cannot smuggle a path or another host into the URL.
#[test]
fn a_domain_that_is_not_a_host_name_is_refused() {
    let cli = actionspec(["run", "okta", "get_user", r#"{"id": "me"}"#])
        .env("OKTA_API_TOKEN", TOKEN)
        .env("OKTA_DOMAIN", "evil.example/steal?x=");
    let out = cli.run();
    assert_ne!(out.code, 0, "{}", out.render());
    assert!(out.stderr.contains("OKTA_DOMAIN"), "{}", out.stderr);
    assert_no_token(&out);
}

/// Pages of `users` generated users, `Link: <…?after=…&limit=…>; rel="next"` on every page but
/// the last, which has only its `self` link.
struct LinkPages {
    users: usize,
    origin: String,
}

fn user_id(i: usize) -> String {
    format!("00u{i:017}")
}

impl Respond for LinkPages {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let q = query(r);
        let limit: usize = q.get("limit").map_or(200, |l| l.parse().unwrap());
        let at = q.get("after").map_or(0, |a| {
            a.trim_start_matches("00u").parse::<usize>().unwrap() + 1
        });
        let end = (at + limit).min(self.users);
        let page: Vec<Value> = (at..end)
            .map(|i| json!({"id": user_id(i), "status": "ACTIVE", "profile": {"login": format!("user{i}@example.com")}}))
            .collect();
        let origin = &self.origin;
        let mut link = format!("<{origin}/api/v1/users?limit={limit}>; rel=\"self\"");
        if end < self.users {
            let after = user_id(end - 1);
            link.push_str(&format!(
                ", <{origin}/api/v1/users?after={after}&limit={limit}>; rel=\"next\""
            ));
        }
        ResponseTemplate::new(200)
            .insert_header("link", link.as_str())
            .set_body_json(page)
    }
}

async fn link_server(users: usize) -> MockServer {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(LinkPages {
            users,
            origin: server.uri(),
        })
        .mount(&server)
        .await;
    server
}

/// `--all` follows each page's `rel="next"` link until a page has none: three pages, every
/// user once, in order, as NDJSON; each request carries the `after` cursor of the link and the
/// token.
#[tokio::test(flavor = "multi_thread")]
async fn all_follows_link_headers_to_the_last_page() {
    let server = link_server(7).await;
    let cli = okta(&[
        "list_users",
        r#"{"limit": 3}"#,
        "--all",
        "--base-url",
        &server.uri(),
    ]);
    let out = check("okta_all_users", &cli, 0);
    let ids: Vec<String> = out
        .ndjson()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, (0..7).map(user_id).collect::<Vec<_>>());
    assert_no_token(&out);

    let reqs = received(&server).await;
    assert_eq!(
        reqs.len(),
        3,
        "no request after the page without a next link"
    );
    let afters: Vec<Option<String>> = reqs.iter().map(|r| query(r).remove("after")).collect();
    assert_eq!(afters, [None, Some(user_id(2)), Some(user_id(5))]);
    for r in &reqs {
        assert_eq!(query(r)["limit"], "3");
        assert_eq!(header(r, "authorization").unwrap(), format!("SSWS {TOKEN}"));
    }
}

/// An API that echoes the token back in a successful body (a user, or one page of users) never
/// gets it printed: a call's result is scrubbed of the run's credentials like every other output.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_echoed_in_a_successful_body_is_not_printed() {
    let server = server().await;
    let echo = json!({"id": "00u1", "note": format!("SSWS {TOKEN}")});
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&echo))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([echo])))
        .mount(&server)
        .await;
    let base = server.uri();
    for args in [
        vec!["get_user", r#"{"id": "00u1"}"#, "--base-url", base.as_str()],
        vec!["list_users", "--base-url", base.as_str()],
    ] {
        let out = okta(&args).run();
        assert_eq!(out.code, 0, "{}", out.render());
        assert!(out.stdout.contains("SSWS [redacted]"), "{}", out.render());
        assert_no_token(&out);
    }
}
