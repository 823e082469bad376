//! The sandbox from the command line: `run … --sandbox` against an in-process sandbox (the
//! README's first command), and `actionspec sandbox` serving until it is stopped, driven by the
//! CLI itself as a client.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::common::{actionspec, root};

fn is_object_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The README's quick start: three real user records, no credentials needed.
#[test]
fn run_sandbox_prints_real_records() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        r#"{"limit": 3}"#,
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let v = out.json();
    assert_eq!(v["status"], 200);
    assert_eq!(v["total"], 25);
    let records = v["records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    for r in records {
        assert!(is_object_id(&r["_id"]), "{r}");
        assert!(r["email"].as_str().unwrap().contains('@'), "{r}");
        assert!(!r["username"].as_str().unwrap().is_empty(), "{r}");
    }
    assert_eq!(v["next_input"], serde_json::json!({"limit": 3, "skip": 3}));
}

/// Issue 4's "done when": OAuth 2.0 end to end through the sandbox's token endpoint.
#[test]
fn run_sandbox_with_oauth2() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--auth",
        "oauth2",
        "--all",
    ])
    .env("ACTIONSPEC_LOG", "debug")
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(out.ndjson().len(), 25);
    assert!(
        out.stderr.contains("requesting an OAuth token"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("sandbox-secret-"),
        "no client secret in the logs: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("sandbox-token-"),
        "no token in the logs: {}",
        out.stderr
    );
}

#[test]
fn run_sandbox_all_streams_every_record() {
    let out = actionspec(["run", "jumpcloud", "list_user_groups", "--sandbox", "--all"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(out.ndjson().len(), 25);
    assert_eq!(out.stderr, "25 records in 1 page (total reported: 25)\n");
}

/// The sandbox's answers map to the usual exit codes, and a sandbox is no reason to skip the
/// confirmation of a destructive action.
#[test]
fn run_sandbox_errors_and_confirmation() {
    let missing = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--sandbox",
        r#"{"id": "0123456789abcdef01234567"}"#,
    ])
    .run();
    assert_eq!(missing.code, 7, "{}", missing.render());
    assert!(
        missing.stderr.contains("0123456789abcdef01234567"),
        "{}",
        missing.stderr
    );

    let unconfirmed = actionspec([
        "run",
        "jumpcloud",
        "delete_system_user",
        "--sandbox",
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .run();
    assert_eq!(unconfirmed.code, 2, "{}", unconfirmed.render());
    let confirmed = actionspec([
        "run",
        "jumpcloud",
        "delete_system_user",
        "--sandbox",
        "--yes",
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .run();
    assert_eq!(confirmed.code, 0, "{}", confirmed.render());
    assert_eq!(confirmed.json()["body"]["_id"], "5f1b2c3d4e5f6a7b8c9d0e1f");

    // State lives for one command: the user deleted above is back.
    let again = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--sandbox",
        r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
    ])
    .run();
    assert_eq!(again.code, 0, "{}", again.render());

    let conflicting = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--sandbox",
        "--base-url",
        "http://127.0.0.1:9/api",
    ])
    .run();
    assert_eq!(conflicting.code, 2, "{}", conflicting.render());
}

/// A running `actionspec sandbox`, stopped (by its own pid) when dropped.
struct Served {
    child: Child,
    base_url: String,
    key: String,
    stderr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("actionspec"))
        .env_clear()
        .current_dir(root())
        .arg("sandbox")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (etx, erx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if etx.send(line).is_err() {
                break;
            }
        }
    });
    let mut served = Served {
        child,
        base_url: String::new(),
        key: String::new(),
        stderr: String::new(),
    };
    let wait = Duration::from_secs(60);
    served.base_url = rx.recv_timeout(wait).expect("the base URL on stdout");
    served.key = rx.recv_timeout(wait).expect("the API key on stdout");
    while let Ok(line) = erx.recv_timeout(Duration::from_millis(500)) {
        served.stderr.push_str(&line);
        served.stderr.push('\n');
    }
    served
}

#[test]
fn sandbox_serves_until_stopped_and_keeps_state() {
    let served = serve(&[
        "jumpcloud",
        "--seed",
        "3",
        "--records",
        "systemusers=40,usergroups=2",
    ]);
    assert!(
        served.base_url.starts_with("http://127.0.0.1:") && served.base_url.ends_with("/api"),
        "{}",
        served.base_url
    );
    assert!(served.key.starts_with("sandbox-"), "{}", served.key);
    assert!(
        served.stderr.contains("systemusers (40)"),
        "{}",
        served.stderr
    );
    assert!(
        served.stderr.contains("JUMPCLOUD_ORG_ID="),
        "{}",
        served.stderr
    );

    let run = |args: &[&str]| {
        let mut cli = actionspec(["run", "jumpcloud"]);
        for a in args {
            cli = cli.arg(a);
        }
        cli.arg("--base-url")
            .arg(&served.base_url)
            .env("JUMPCLOUD_API_KEY", &served.key)
            .run()
    };
    let list = run(&["list_system_users", r#"{"limit": 2}"#]);
    assert_eq!(list.code, 0, "{}", list.render());
    assert_eq!(list.json()["total"], 40);

    let created = run(&[
        "create_system_user",
        r#"{"username": "cli.tester", "email": "cli.tester@example.com"}"#,
    ]);
    assert_eq!(created.code, 0, "{}", created.render());
    let id = created.json()["body"]["_id"].as_str().unwrap().to_owned();
    // State is kept between commands for the server's lifetime.
    let got = run(&["get_system_user", &format!(r#"{{"id": "{id}"}}"#)]);
    assert_eq!(got.code, 0, "{}", got.render());
    assert_eq!(got.json()["body"]["username"], "cli.tester");
    let updated = run(&[
        "update_system_user",
        &format!(r#"{{"id": "{id}", "department": "Finance"}}"#),
    ]);
    assert_eq!(updated.json()["body"]["department"], "Finance");
    let found = run(&[
        "list_system_users",
        r#"{"filter": "username:$eq:cli.tester"}"#,
    ]);
    assert_eq!(found.json()["total"], 1);
    assert_eq!(found.json()["records"][0]["department"], "Finance");
    let deleted = run(&[
        "delete_system_user",
        "--yes",
        &format!(r#"{{"id": "{id}"}}"#),
    ]);
    assert_eq!(deleted.code, 0, "{}", deleted.render());
    let gone = run(&["get_system_user", &format!(r#"{{"id": "{id}"}}"#)]);
    assert_eq!(gone.code, 7, "{}", gone.render());
    let groups = run(&["list_user_groups", "--all"]);
    assert_eq!(groups.ndjson().len(), 2);

    let wrong_key = actionspec(["run", "jumpcloud", "list_system_users", "--base-url"])
        .arg(&served.base_url)
        .env("JUMPCLOUD_API_KEY", "sandbox-wrong")
        .run();
    assert_eq!(wrong_key.code, 5, "{}", wrong_key.render());
    let other_org = actionspec(["run", "jumpcloud", "list_system_users", "--base-url"])
        .arg(&served.base_url)
        .env("JUMPCLOUD_API_KEY", &served.key)
        .env("JUMPCLOUD_ORG_ID", "5a1b2c3d4e5f60718293a4ff")
        .run();
    assert_eq!(other_org.code, 6, "{}", other_org.render());
}

#[test]
fn sandbox_refuses_unknown_resources() {
    let out = actionspec(["sandbox", "jumpcloud", "--records", "sytemusers=3"]).run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(out.stderr.contains("systemusers"), "{}", out.stderr);
    let out = actionspec(["sandbox", "jumpcloud", "--fail-rate", "2"]).run();
    assert_eq!(out.code, 2, "{}", out.render());
}
