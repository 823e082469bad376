//! `run` against a mock JumpCloud on 127.0.0.1: one page, `--all` over v1 and v2 pagination, a
//! failure part-way through `--all`, and a confirmed destructive action.

use std::collections::HashSet;

use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{
    self, Slices, TEST_KEY, actionspec, base_url, check, received, server, snapshot_text,
};

#[tokio::test(flavor = "multi_thread")]
async fn run_list_one_page() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .and(header("x-api-key", TEST_KEY))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalCount": 2,
            "results": [common::user(1), common::user(2)],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--base-url",
        &base_url(&server),
        r#"{"limit": 5}"#,
    ])
    .key();
    let out = check("run_list_system_users", &cli, 0);

    let v = out.json();
    assert_eq!(v["status"], 200);
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    assert_eq!(v["total"], 2);
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(common::header(r, "x-api-key").as_deref(), Some(TEST_KEY));
    assert_eq!(
        common::header(r, "accept").as_deref(),
        Some("application/json")
    );
    assert!(
        common::header(r, "user-agent")
            .unwrap()
            .starts_with("actionspec/")
    );
    assert!(
        common::header(r, "x-org-id").is_none(),
        "x-org-id is sent only when JUMPCLOUD_ORG_ID is set"
    );
    assert_eq!(r.url.query(), Some("limit=5"));
}

#[tokio::test(flavor = "multi_thread")]
async fn run_list_page_that_has_more() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 12,
            v2: false,
            fail_at_skip: None,
        })
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--base-url",
        &base_url(&server),
        r#"{"limit": 3, "skip": 3}"#,
    ])
    .key();
    let out = check("run_list_system_users_next_input", &cli, 0);
    let v = out.json();
    assert_eq!(v["records"][0]["username"], "user003");
    assert_eq!(v["next_input"], json!({ "limit": 3, "skip": 6 }));
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_v1_streams_250_records_over_3_pages() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .and(header("x-api-key", TEST_KEY))
        .respond_with(Slices {
            total: 250,
            v2: false,
            fail_at_skip: None,
        })
        .expect(3)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--all",
        "--base-url",
        &base_url(&server),
    ])
    .key();
    let out = cli.run();
    snapshot_text("run_all_v1_250_records", &out.render_summarized(2));
    assert_eq!(out.code, 0, "{}", out.stderr);

    let records = out.ndjson();
    assert_eq!(records.len(), 250);
    assert!(records.iter().all(serde_json::Value::is_object));
    let ids: HashSet<&str> = records.iter().map(|r| r["_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 250, "every record exactly once");
    assert_eq!(records[0], common::user(0));
    assert_eq!(records[249], common::user(249));

    let requests = received(&server).await;
    let mut pages: Vec<(String, String)> = requests
        .iter()
        .map(|r| {
            (
                common::query(r)["limit"].clone(),
                common::query(r).get("skip").cloned().unwrap_or_default(),
            )
        })
        .collect();
    // Pages 2 and 3 go concurrently: compare them in offset order.
    pages.sort_by_key(|(_, skip)| skip.parse::<u64>().unwrap_or(0));
    assert_eq!(
        pages,
        [
            ("100".into(), String::new()),
            ("100".into(), "100".into()),
            ("100".into(), "200".into())
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_v2_reads_the_total_from_x_total_count() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/usergroups"))
        .and(header("x-api-key", TEST_KEY))
        .respond_with(Slices {
            total: 7,
            v2: true,
            fail_at_skip: None,
        })
        .expect(3)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_user_groups",
        "--all",
        "--base-url",
        &base_url(&server),
        r#"{"limit": 3}"#,
    ])
    .key();
    let out = check("run_all_v2_user_groups", &cli, 0);
    let records = out.ndjson();
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "group00", "group01", "group02", "group03", "group04", "group05", "group06"
        ]
    );
    // 3 + 3 + 1: the third page is short and the total is reached, so no fourth request. Pages
    // 2 and 3 go concurrently, so they may arrive in either order.
    let mut skips: Vec<Option<String>> = received(&server)
        .await
        .iter()
        .map(|r| common::query(r).get("skip").cloned())
        .collect();
    skips.sort();
    assert_eq!(skips, [None, Some("3".into()), Some("6".into())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_stops_at_the_total_without_an_extra_request() {
    // 200 records, pages of 100: the total says the second page is the last one.
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 200,
            v2: false,
            fail_at_skip: None,
        })
        .expect(2)
        .mount(&server)
        .await;
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--all",
        "--base-url",
        &base_url(&server),
    ])
    .key()
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.ndjson().len(), 200);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_empty_list() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/usergroups"))
        .respond_with(Slices {
            total: 0,
            v2: true,
            fail_at_skip: None,
        })
        .expect(1)
        .mount(&server)
        .await;
    let out = check(
        "run_all_empty",
        &actionspec([
            "run",
            "jumpcloud",
            "list_user_groups",
            "--all",
            "--base-url",
            &base_url(&server),
        ])
        .key(),
        0,
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_failure_part_way_keeps_what_was_delivered() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 250,
            v2: false,
            fail_at_skip: Some(100),
        })
        // Page 1, then page 2 three times: a 503 on a list is retried (3 attempts in all).
        .expect(4)
        .mount(&server)
        .await;
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--all",
        "--concurrency",
        "1",
        "--base-url",
        &base_url(&server),
    ])
    .key()
    .run();
    snapshot_text("run_all_fails_on_page_2", &out.render_summarized(1));
    assert_eq!(out.code, 11);
    assert_eq!(out.ndjson().len(), 100, "the first page was delivered");
    assert!(
        out.stderr
            .contains("--all --input '{\"limit\":100,\"skip\":100}'"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(r#""skip":100"#), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn run_get_record() {
    let server = server().await;
    let id = "5f1b2c3d4e5f6a7b8c9d0e1f";
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{id}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "_id": id, "username": "jdoe", "email": "jdoe@example.com" }),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        &base_url(&server),
        &format!(r#"{{"id": "{id}"}}"#),
    ])
    .key();
    let out = check("run_get_system_user", &cli, 0);
    assert_eq!(out.json()["body"]["username"], "jdoe");
}

#[tokio::test(flavor = "multi_thread")]
async fn run_create_sends_the_body() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "_id": "64b0c1d2e3f4a5b6c7d8e9f0", "username": "jdoe" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let input = r#"{"email": "jdoe@example.com", "username": "jdoe", "password": "Hunter2-sensitive-value!", "tags": ["eng"]}"#;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "create_system_user",
        "--base-url",
        &base_url(&server),
        input,
    ])
    .key();
    let out = check("run_create_system_user", &cli, 0);
    assert!(!out.stdout.contains("Hunter2") && !out.stderr.contains("Hunter2"));
    let requests = received(&server).await;
    let body: serde_json::Value = requests[0].body_json().unwrap();
    // The real password is sent (only shown redacted).
    assert_eq!(
        body,
        json!({ "email": "jdoe@example.com", "username": "jdoe", "password": "Hunter2-sensitive-value!", "tags": ["eng"] })
    );
    assert_eq!(
        common::header(&requests[0], "content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn destructive_action_with_yes_is_sent() {
    let server = server().await;
    let id = "60a7c9e2b4d1f3a5c6e8b901";
    Mock::given(method("DELETE"))
        .and(path(format!("/api/systemusers/{id}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "_id": id, "username": "bkim" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cli = actionspec([
        "run",
        "jumpcloud",
        "delete_system_user",
        "--yes",
        "--base-url",
        &base_url(&server),
        &format!(r#"{{"id": "{id}"}}"#),
    ])
    .key();
    let out = check("run_delete_system_user_yes", &cli, 0);
    assert_eq!(out.json()["body"]["_id"], id);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_content_response() {
    let server = server().await;
    let group = "5e9a1b2c3d4e5f6071829304";
    Mock::given(method("POST"))
        .and(path(format!("/api/v2/usergroups/{group}/members")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let input = format!(
        r#"{{"group_id": "{group}", "op": "add", "type": "user", "id": "5f1b2c3d4e5f6a7b8c9d0e1f"}}"#
    );
    let cli = actionspec([
        "run",
        "jumpcloud",
        "manage_user_group_members",
        "--base-url",
        &base_url(&server),
        &input,
    ])
    .key();
    let out = check("run_manage_user_group_members_204", &cli, 0);
    assert_eq!(out.json(), json!({ "status": 204 }));
    let body: serde_json::Value = received(&server).await[0].body_json().unwrap();
    assert_eq!(
        body,
        json!({ "op": "add", "type": "user", "id": "5f1b2c3d4e5f6a7b8c9d0e1f" })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn run_all_into_a_closed_pipe_ends_quietly() {
    // `actionspec run … --all | head -1`: once stdout is closed, stop fetching and exit 0 without
    // a panic or a "broken pipe" message. 5000 records are far more than a pipe buffer holds.
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};

    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 5000,
            v2: false,
            fail_at_skip: None,
        })
        .mount(&server)
        .await;
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("actionspec"))
        .env_clear()
        .env(common::KEY_VAR, TEST_KEY)
        .current_dir(common::root())
        .args([
            "run",
            "jumpcloud",
            "list_system_users",
            "--all",
            "--base-url",
            &base_url(&server),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and with it the pipe) is dropped here.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&first).unwrap(),
        common::user(0)
    );
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let pages = received(&server).await.len();
    assert!(
        pages < 50,
        "kept fetching after stdout was closed: {pages} of 50 pages"
    );
}

/// Broke: the printed resume command dropped `--auth`, `--credentials`, `--connectors`, so
/// resuming failed with exit 2 or 5.
#[tokio::test(flavor = "multi_thread")]
async fn the_resume_command_carries_every_option_of_the_run() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 250,
            v2: false,
            fail_at_skip: Some(100),
        })
        .mount(&server)
        .await;
    let creds = crate::auth::credentials_file(
        "resume.toml",
        &format!("[jumpcloud]\napi_key = \"{}\"\n", common::TEST_KEY),
        0o600,
    );
    let connectors = common::root().join("tests/fixtures/cli/connectors");
    let base = base_url(&server);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "jumpcloud",
            "list_system_users",
            "--all",
            "--concurrency",
            "1",
        ];
        args.extend_from_slice(extra);
        actionspec(args)
            .arg("--auth")
            .arg("api_key")
            .arg("--credentials")
            .arg(creds.to_str().unwrap())
            .arg("--connectors")
            .arg(connectors.to_str().unwrap())
            .arg("--base-url")
            .arg(&base)
            .run()
    };
    let failed = run(&[]);
    assert_eq!(failed.code, 11, "{}", failed.render());
    let bounded = run(&["--max-pages", "1"]);
    assert_eq!(bounded.code, 0, "{}", bounded.render());
    for out in [&failed, &bounded] {
        let line = out
            .stderr
            .lines()
            .find(|l| l.contains("actionspec run jumpcloud list_system_users"))
            .unwrap_or_else(|| panic!("{}", out.stderr));
        for expected in [
            "--auth 'api_key'".to_owned(),
            format!("--credentials '{}'", creds.display()),
            format!("--connectors '{}'", connectors.display()),
            format!("--base-url '{base}'"),
            r#"--all --input '{"limit":100,"skip":100}'"#.to_owned(),
        ] {
            assert!(line.contains(&expected), "{expected} missing from: {line}");
        }
    }
}
