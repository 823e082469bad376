//! The Slack connector from the command line against a local server: writes as form bodies,
//! `--all` through body cursors, Slack's `{"ok": false}` answers (HTTP 200) as the exit code of
//! the kind their code maps to with Slack's code on stderr, and the token on no output.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{Cli, Output, actionspec, check, header, query, received, server};

const TOKEN: &str = "xoxb-slack-cli-canary-7f3e";

fn slack(args: &[&str], server: &MockServer) -> Cli {
    let base = format!("{}/api", server.uri());
    actionspec(["run", "slack"].iter().chain(args))
        .arg("--base-url")
        .arg(&base)
        .env("SLACK_TOKEN", TOKEN)
}

#[track_caller]
fn assert_no_token(out: &Output) {
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "the token was printed:\n{}",
        out.render()
    );
}

async fn answering(body: Value) -> MockServer {
    let server = server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn form_body(r: &Request) -> &str {
    assert_eq!(
        header(r, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    std::str::from_utf8(&r.body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn post_message_sends_the_exact_form_body() {
    let server =
        answering(json!({"ok": true, "channel": "C1H9RESGL", "ts": "1503435956.000247"})).await;
    let input = r#"{"channel": "C1H9RESGL", "text": "Hi & bye", "blocks": [{"type": "divider"}], "mrkdwn": false}"#;
    let out = slack(&["post_message", input], &server).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(out.json()["body"]["ts"], "1503435956.000247");
    let reqs = received(&server).await;
    assert_eq!(reqs[0].url.path(), "/api/chat.postMessage");
    assert_eq!(
        form_body(&reqs[0]),
        "channel=C1H9RESGL&text=Hi+%26+bye&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D&mrkdwn=false"
    );
    assert_eq!(
        header(&reqs[0], "authorization").unwrap(),
        format!("Bearer {TOKEN}")
    );
    assert_no_token(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn invite_sends_the_user_ids_comma_joined() {
    let server = answering(json!({"ok": true, "channel": {"id": "C012AB3CD"}})).await;
    let input = r#"{"channel": "C012AB3CD", "users": ["U023BECGF", "W012A3CDE"]}"#;
    let out = slack(&["invite_to_conversation", input], &server).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let reqs = received(&server).await;
    assert_eq!(reqs[0].url.path(), "/api/conversations.invite");
    assert_eq!(
        form_body(&reqs[0]),
        "channel=C012AB3CD&users=U023BECGF%2CW012A3CDE"
    );
}

/// `users.list` pages: `response_metadata.next_cursor` names the next page, `""` ends the list.
struct CursorPages {
    users: usize,
}

fn user_id(i: usize) -> String {
    format!("U{i:08}")
}

impl Respond for CursorPages {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let q = query(r);
        let limit: usize = q.get("limit").map_or(100, |l| l.parse().unwrap());
        let at: usize = q
            .get("cursor")
            .map_or(0, |c| c.trim_start_matches("dXNlcj").parse().unwrap());
        let end = (at + limit).min(self.users);
        let members: Vec<Value> = (at..end)
            .map(|i| json!({"id": user_id(i), "name": format!("user{i}"), "deleted": false}))
            .collect();
        let next = if end < self.users {
            format!("dXNlcj{end}")
        } else {
            String::new()
        };
        ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "members": members,
            "cache_ts": 1498777272,
            "response_metadata": {"next_cursor": next},
        }))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn all_follows_body_cursors_until_the_empty_one() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/users.list"))
        .respond_with(CursorPages { users: 5 })
        .mount(&server)
        .await;
    let out = check(
        "slack_all_users",
        &slack(&["list_users", r#"{"limit": 2}"#, "--all"], &server),
        0,
    );
    let ids: Vec<String> = out
        .ndjson()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, (0..5).map(user_id).collect::<Vec<_>>());
    assert_no_token(&out);

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 3, "no request after the empty cursor");
    let cursors: Vec<Option<String>> = reqs.iter().map(|r| query(r).remove("cursor")).collect();
    assert_eq!(
        cursors,
        [None, Some("dXNlcj2".to_owned()), Some("dXNlcj4".to_owned())]
    );
    for r in &reqs {
        assert_eq!(r.method.as_str(), "GET");
        assert!(r.body.is_empty());
        assert!(!query(r).contains_key("token"), "no query token");
        assert_eq!(
            header(r, "authorization").unwrap(),
            format!("Bearer {TOKEN}")
        );
    }
}

/// Each code the connector maps, answered with HTTP 200 and `ok: false`: the exit code of its
/// kind (see `ErrorKind::exit_code`), Slack's code on stderr, nothing on stdout.
#[tokio::test(flavor = "multi_thread")]
async fn ok_false_codes_exit_with_the_code_of_their_kind() {
    let cases = [
        ("invalid_auth", 5),
        ("missing_scope", 6),
        ("channel_not_found", 7),
        ("ratelimited", 10),
    ];
    for (code, exit) in cases {
        let server = answering(json!({"ok": false, "error": code})).await;
        let cli = slack(
            &[
                "get_conversation",
                r#"{"channel": "C012AB3CD"}"#,
                "--attempts",
                "1",
            ],
            &server,
        );
        let out = check(&format!("slack_error_{code}"), &cli, exit);
        assert!(out.stdout.is_empty(), "{code}: {}", out.stdout);
        assert!(out.stderr.contains(code), "{code}: {}", out.stderr);
        assert_no_token(&out);
    }
}

/// The token is on no output stream whatever happens: a dry run, a success, an API error, a
/// refused destructive action and an input error, at the most verbose log level.
#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_never_printed() {
    let ok = answering(json!({"ok": true, "channel": {"id": "C012AB3CD"}})).await;
    let failing = answering(json!({"ok": false, "error": "invalid_auth"})).await;
    let channel = r#"{"channel": "C012AB3CD"}"#;
    let runs = [
        slack(&["get_conversation", channel, "--dry-run"], &ok),
        slack(&["get_conversation", channel], &ok),
        slack(&["get_conversation", channel], &failing),
        slack(
            &["delete_message", r#"{"channel": "C1", "ts": "1.2"}"#],
            &ok,
        ),
        slack(&["invite_to_conversation", r#"{"users": ["U1,U2"]}"#], &ok),
    ];
    for cli in runs {
        for log in ["info", "trace"] {
            let out = cli.clone().env("ACTIONSPEC_LOG", log).run();
            assert_no_token(&out);
        }
    }
}
