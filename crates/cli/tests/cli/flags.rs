//! The global flags users of curl, xh and `gh api` expect: `-v`/`-vv`/`-q`, `--color`,
//! `--curl`, `--jq`, every `--output` format, and `--profile`.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::auth::credentials_file;
use crate::common::{KEY_VAR, TEST_KEY, actionspec, base_url, received, server, user};
use crate::secrets::{CANARY, leaked_forms};

const ID: &str = "5f1b2c3d4e5f6a7b8c9d0e01";

async fn user_server() -> MockServer {
    let s = server().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"_id": ID, "email": "a@example.com", "echo": CANARY})),
        )
        .mount(&s)
        .await;
    s
}

fn get_user(base: &str) -> crate::common::Cli {
    actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        base,
        &json!({ "id": ID }).to_string(),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_the_exchange_without_the_secret() {
    let s = user_server().await;
    let base = base_url(&s);
    for level in ["-v", "-vv"] {
        let out = get_user(&base).arg(level).env(KEY_VAR, CANARY).run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stderr.contains("> GET http://127.0.0.1"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("> x-api-key: [redacted]"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("status=200"), "{}", out.stderr);
        assert!(out.stderr.contains("elapsed_ms="), "{}", out.stderr);
        assert_eq!(out.stderr.contains("response body"), level == "-vv");
        for form in leaked_forms(CANARY) {
            assert!(
                !out.stderr.contains(&form),
                "{level}: {form:?} in\n{}",
                out.stderr
            );
            assert!(
                !out.stdout.contains(&form),
                "{level}: {form:?} in\n{}",
                out.stdout
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_prints_only_the_result() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--all",
        "-q",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert!(!out.stdout.is_empty());
    let dry = actionspec(["-q", "run", "jumpcloud", "list_system_users", "--dry-run"]).run();
    assert_eq!(dry.stderr, "", "the note of a dry run is not printed");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let esc = |s: &str| s.contains('\x1b');
    let describe = [
        "describe",
        "jumpcloud",
        "get_system_user",
        "--output",
        "json",
    ];
    let always = actionspec(describe).arg("--color").arg("always").run();
    assert!(esc(&always.stdout), "--color always colours JSON");
    let never = actionspec(describe).arg("--color").arg("never").run();
    assert!(!esc(&never.stdout));
    // A pipe is never coloured in auto, unless CLICOLOR_FORCE.
    assert!(!esc(&actionspec(describe).run().stdout));
    let forced = actionspec(describe).env("CLICOLOR_FORCE", "1").run();
    assert!(esc(&forced.stdout));
    let no_color = actionspec(describe)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .run();
    assert!(!esc(&no_color.stdout), "NO_COLOR wins over a forced auto");
    let error = actionspec(["run", "jumpcloud", "nope", "--color", "always"]).run();
    assert!(
        error.stderr.starts_with("\x1b[1;31merror"),
        "{:?}",
        error.stderr
    );
    let plain = actionspec(["run", "jumpcloud", "nope", "--color", "never"]).run();
    assert!(plain.stderr.starts_with("error"), "{:?}", plain.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_curl_command_sends_the_same_request() {
    if !std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return;
    }
    let s = server().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"_id": ID})))
        .mount(&s)
        .await;
    let base = base_url(&s);
    let input = json!({
        "id": ID, "fullValidationDetails": "password a&b",
        "firstname": "Ada \"The\" $HOME", "lastname": "O'Neil",
    });
    let run = |extra: &[&str]| {
        let mut cli = actionspec([
            "run",
            "jumpcloud",
            "update_system_user",
            "--base-url",
            &base,
        ])
        .arg(&input.to_string())
        .env(KEY_VAR, TEST_KEY);
        for a in extra {
            cli = cli.arg(a);
        }
        cli.run()
    };
    let shown = run(&["--curl"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown.stdout.contains("${JUMPCLOUD_API_KEY}"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains(TEST_KEY));
    assert!(received(&s).await.is_empty(), "--curl sends nothing");
    let sent = run(&[]);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let curl = std::process::Command::new("bash")
        .args(["-c", &shown.stdout])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(KEY_VAR, TEST_KEY)
        .output()
        .unwrap();
    assert!(
        curl.status.success(),
        "{}",
        String::from_utf8_lossy(&curl.stderr)
    );
    let requests = received(&s).await;
    assert_eq!(requests.len(), 2);
    let (cli, by_curl) = (&requests[0], &requests[1]);
    assert_eq!(cli.method, by_curl.method);
    assert_eq!(cli.url.path(), by_curl.url.path());
    assert_eq!(cli.url.query(), by_curl.url.query());
    for name in ["x-api-key", "content-type", "accept"] {
        assert_eq!(cli.headers.get(name), by_curl.headers.get(name), "{name}");
    }
    let body = |r: &wiremock::Request| serde_json::from_slice::<Value>(&r.body).unwrap();
    assert_eq!(body(cli), body(by_curl));
}

#[test]
fn jq_filters_each_record_of_all() {
    let all = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--all",
    ])
    .run();
    let records: Vec<Value> = all
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let emails = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--all",
        "--jq",
        ".email",
    ])
    .run();
    assert_eq!(emails.code, 0, "{}", emails.stderr);
    let expected: Vec<&str> = records
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.stdout.lines().collect::<Vec<_>>(), expected);
    let as_json = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--all",
        "--jq",
        ".email",
        "--output",
        "json",
    ])
    .run();
    assert_eq!(
        as_json.stdout.lines().next().unwrap(),
        format!("\"{}\"", expected[0])
    );
}

#[test]
fn a_bad_jq_expression_is_a_usage_error() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--jq",
        ".a |",
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid --jq expression `.a |`"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn every_output_format() {
    let list = |format: &str| {
        actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--sandbox",
            "--output",
            format,
        ])
        .run()
    };
    let json = list("json");
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let first = value["records"][0]["email"].as_str().unwrap().to_owned();
    let ndjson = list("ndjson");
    assert_eq!(ndjson.stdout.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&ndjson.stdout).unwrap(),
        value
    );
    let yaml = list("yaml");
    let parsed = actionspec_engine::yaml::parse(&yaml.stdout).unwrap().value;
    assert_eq!(
        parsed, value,
        "YAML reads back as the JSON:\n{}",
        yaml.stdout
    );
    let table = list("table");
    assert!(table.stdout.contains("EMAIL"), "{}", table.stdout);
    assert!(table.stdout.contains(&first));
    let connectors = actionspec(["connectors", "--output", "ndjson"]).run();
    for line in connectors.stdout.lines() {
        assert!(serde_json::from_str::<Value>(line).unwrap()["key"].is_string());
    }
    let table = actionspec(["actions", "jumpcloud", "--output", "table"]).run();
    assert!(
        table.stdout.contains("list_system_users"),
        "{}",
        table.stdout
    );
    // `--output json` still means JSON errors too.
    let error = actionspec(["run", "jumpcloud", "nope", "--output", "json"]).run();
    assert_eq!(
        serde_json::from_str::<Value>(&error.stdout).unwrap()["error"]["kind"],
        "usage"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_select_different_accounts() {
    let (acme, globex) = (server().await, server().await);
    for s in [&acme, &globex] {
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"results": [user(1)], "totalCount": 1})),
            )
            .mount(s)
            .await;
    }
    let file = credentials_file(
        "profiles.toml",
        "[jumpcloud.acme]\napi_key = \"key-acme\"\n\n[jumpcloud.globex]\napi_key = \"key-globex\"\n",
        0o600,
    );
    let file = file.to_str().unwrap();
    for (profile, s, key) in [
        ("acme", &acme, "key-acme"),
        ("globex", &globex, "key-globex"),
    ] {
        let out = actionspec(["auth", "check", "jumpcloud", "--credentials", file])
            .arg("--base-url")
            .arg(&base_url(s))
            .arg("--profile")
            .arg(profile)
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.json()["profile"], profile);
        let requests = received(s).await;
        let sent = requests.last().unwrap().headers.get("x-api-key").unwrap();
        assert_eq!(sent.to_str().unwrap(), key);
        assert!(!out.stdout.contains(key) && !out.stderr.contains(key));
    }
    let env = actionspec(["auth", "check", "jumpcloud", "--credentials", file])
        .arg("--base-url")
        .arg(&base_url(&globex))
        .env("ACTIONSPEC_PROFILE", "globex")
        .run();
    assert_eq!(env.json()["profile"], "globex");
    let all = actionspec([
        "auth",
        "check",
        "jumpcloud",
        "--credentials",
        file,
        "--all-profiles",
    ])
    .arg("--base-url")
    .arg(&base_url(&acme))
    .run();
    assert_eq!(all.code, 0, "{}", all.stderr);
    let reports = all.json();
    let names: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme", "globex"]);
    let missing = actionspec(["auth", "check", "jumpcloud", "--credentials", file])
        .arg("--profile")
        .arg("initech")
        .run();
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("acme, globex"),
        "{}",
        missing.stderr
    );
    let none = actionspec(["auth", "check", "jumpcloud", "--credentials", file]).run();
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("only profiles"), "{}", none.stderr);
}
