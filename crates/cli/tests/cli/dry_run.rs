//! `run --dry-run`: the request that would be sent, secrets redacted, nothing sent; and the ways
//! of passing input (argument, `--input JSON`, `--input @file`, `--input -`).

use crate::common::{TEST_KEY, actionspec, check};

#[test]
fn dry_run_list_action() {
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        r#"{"limit": 5}"#,
    ])
    .key();
    let out = check("dry_run_list_system_users", &cli, 0);
    let v = out.json();
    assert_eq!(v["method"], "GET");
    assert_eq!(
        v["url"],
        "https://console.jumpcloud.com/api/systemusers?limit=5"
    );
    assert_eq!(v["headers"]["x-api-key"], "[redacted]");
    assert!(!out.stdout.contains(TEST_KEY) && !out.stderr.contains(TEST_KEY));
}

#[test]
fn dry_run_without_credentials_still_shows_the_request() {
    let out = check(
        "dry_run_without_key",
        &actionspec([
            "run",
            "jumpcloud",
            "get_system_user",
            "--dry-run",
            r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
        ]),
        0,
    );
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers/5f1b2c3d4e5f6a7b8c9d0e1f"
    );
}

#[test]
fn dry_run_create_redacts_the_sensitive_password() {
    let input = r#"{"email": "jdoe@example.com", "username": "jdoe", "firstname": "Jane", "password": "Hunter2-sensitive-value!"}"#;
    let cli = actionspec(["run", "jumpcloud", "create_system_user", "--dry-run", input]).key();
    let out = check("dry_run_create_system_user", &cli, 0);
    let v = out.json();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["headers"]["content-type"], "application/json");
    assert_eq!(v["body"]["password"], "[redacted]");
    assert_eq!(v["body"]["username"], "jdoe");
    assert!(!out.stdout.contains("Hunter2") && !out.stderr.contains("Hunter2"));
}

#[test]
fn dry_run_all_uses_the_largest_page_size() {
    let out = check(
        "dry_run_all_list_system_users",
        &actionspec([
            "run",
            "jumpcloud",
            "list_system_users",
            "--dry-run",
            "--all",
        ])
        .key(),
        0,
    );
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers?limit=100"
    );
}

#[test]
fn dry_run_all_keeps_an_explicit_page_size() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        "--all",
        r#"{"limit": 20}"#,
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers?limit=20"
    );
}

#[test]
fn dry_run_named_server_and_org_header() {
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_user_groups",
        "--dry-run",
        "--server",
        "eu",
        r#"{"filter": ["name:eq:Engineering"], "fields": ["name", "type"]}"#,
    ])
    .key()
    .env("JUMPCLOUD_ORG_ID", "5a1b2c3d4e5f607182930a4b");
    let out = check("dry_run_server_eu_with_org_id", &cli, 0);
    let v = out.json();
    assert!(
        v["url"]
            .as_str()
            .unwrap()
            .starts_with("https://console.eu.jumpcloud.com/api/v2/usergroups?"),
        "{v}"
    );
    assert_eq!(v["headers"]["x-org-id"], "5a1b2c3d4e5f607182930a4b");
}

#[test]
fn dry_run_server_from_environment() {
    let out = actionspec(["run", "jumpcloud", "list_systems", "--dry-run"])
        .env("ACTIONSPEC_SERVER", "in")
        .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(
        out.json()["url"],
        "https://console.in.jumpcloud.com/api/systems"
    );
}

#[test]
fn input_from_file() {
    let cli = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        "--input",
        "@tests/fixtures/cli/inputs/list_users.json",
    ]);
    let out = check("input_from_file", &cli, 0);
    let url = out.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.contains("limit=7") && url.contains("sort=username"),
        "{url}"
    );
}

#[test]
fn input_from_stdin() {
    let cli = actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--dry-run",
        "--input",
        "-",
    ])
    .stdin("{\"id\": \"5f1b2c3d4e5f6a7b8c9d0e1f\", \"fields\": \"email username\"}\n");
    let out = check("input_from_stdin", &cli, 0);
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers/5f1b2c3d4e5f6a7b8c9d0e1f?fields=email+username"
    );
}

#[test]
fn input_as_option_text() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        "-i",
        r#"{"limit": 3}"#,
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers?limit=3"
    );
}

#[test]
fn no_input_means_an_empty_object() {
    let out = actionspec(["run", "jumpcloud", "list_system_users", "--dry-run"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(
        out.json()["url"],
        "https://console.jumpcloud.com/api/systemusers"
    );
}

#[test]
fn query_values_are_encoded_once() {
    let out = actionspec([
        "run",
        "jumpcloud",
        "list_system_users",
        "--dry-run",
        r#"{"filter": "email:$eq:a+b@example.com"}"#,
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    let url = out.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.ends_with("?filter=email%3A%24eq%3Aa%2Bb%40example.com"),
        "{url}"
    );
}
