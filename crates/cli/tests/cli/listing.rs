//! `--help`, `--version`, `connectors`, `actions` and `describe`: what a user reads first.

use crate::common::{actionspec, check, shipped_actions, shipped_connectors};

#[test]
fn help() {
    let out = check("help", &actionspec(["--help"]), 0);
    for command in ["connectors", "actions", "describe", "run", "validate"] {
        assert!(
            out.stdout.contains(&format!("  {command}")),
            "--help does not list `{command}`"
        );
    }
}

#[test]
fn run_help() {
    let out = check("run_help", &actionspec(["run", "--help"]), 0);
    for flag in [
        "--dry-run",
        "--all",
        "--input",
        "--base-url",
        "--server",
        "--yes",
    ] {
        assert!(
            out.stdout.contains(flag),
            "`run --help` does not mention {flag}"
        );
    }
}

#[test]
fn no_arguments_is_a_usage_error() {
    let out = check("no_arguments", &actionspec::<&str>([]), 2);
    assert!(out.stdout.is_empty());
}

#[test]
fn version() {
    let out = actionspec(["--version"]).run();
    assert_eq!(out.code, 0);
    // The commit changes with every commit: the snapshot shows where it goes.
    let first = out.stdout.lines().next().unwrap();
    let commit = first
        .split("(commit ")
        .nth(1)
        .unwrap()
        .trim_end_matches(')');
    assert!(commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()));
    crate::common::snapshot_text("version", &out.render().replace(commit, "[commit]"));
}

#[test]
fn connectors() {
    let out = check("connectors", &actionspec(["connectors"]), 0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("jumpcloud ") && l.contains("built-in"))
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn connectors_json() {
    let out = check("connectors_json", &actionspec(["connectors", "--json"]), 0);
    let list = out.json();
    let list = list.as_array().unwrap();
    let keys: Vec<&str> = list.iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(keys, shipped_connectors());
    for c in list {
        let key = c["key"].as_str().unwrap();
        assert_eq!(c["actions"], shipped_actions(key), "{key}");
        assert_eq!(c["source"], "built-in", "{key}");
    }
}

#[test]
fn actions_jumpcloud_lists_every_action() {
    let out = check(
        "actions_jumpcloud",
        &actionspec(["actions", "jumpcloud"]),
        0,
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("ACTION "), "header row: {}", lines[0]);
    let n = shipped_actions("jumpcloud");
    assert_eq!(
        lines.last().copied(),
        Some(format!("{n} actions in connector `jumpcloud`").as_str())
    );
    // Header + one row per action + the count line.
    assert_eq!(lines.len(), n + 2);
    assert!(out.stderr.is_empty());
}

#[test]
fn actions_jumpcloud_json() {
    let out = actionspec(["actions", "jumpcloud", "--json"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let list = out.json();
    let list = list.as_array().unwrap();
    let n = shipped_actions("jumpcloud");
    assert_eq!(list.len(), n);
    let ids: std::collections::HashSet<&str> =
        list.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), n, "action ids are unique");
    for a in list {
        let tool = a["tool_name"].as_str().unwrap();
        assert_eq!(tool, format!("jumpcloud_{}", a["action"].as_str().unwrap()));
        assert!(tool.len() <= 64, "{tool} is longer than 64 characters");
    }
    let delete = list
        .iter()
        .find(|a| a["action"] == "delete_system_user")
        .unwrap();
    assert_eq!(delete["destructive"], true);
    assert_eq!(delete["method"], "DELETE");
}

#[test]
fn describe_paginated_action() {
    let out = check(
        "describe_list_system_users",
        &actionspec(["describe", "jumpcloud", "list_system_users"]),
        0,
    );
    assert!(out.stdout.contains("paginated"));
    assert!(out.stdout.contains("--all"));
}

#[test]
fn describe_destructive_action() {
    let out = check(
        "describe_delete_system_user",
        &actionspec(["describe", "jumpcloud", "delete_system_user"]),
        0,
    );
    assert!(out.stdout.contains("destructive"));
    // The example must be copy-pasteable, so it carries --yes.
    assert!(
        out.stdout
            .contains("actionspec run jumpcloud delete_system_user '")
            && out.stdout.contains("' --yes")
    );
}

#[test]
fn describe_sensitive_input() {
    let out = actionspec(["describe", "jumpcloud", "create_system_user"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let password = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("password "))
        .unwrap();
    assert!(password.contains("body"), "{password}");
}

#[test]
fn describe_json() {
    let out = check(
        "describe_get_system_user_json",
        &actionspec(["describe", "jumpcloud", "get_system_user", "--json"]),
        0,
    );
    let v = out.json();
    assert_eq!(v["action"], "get_system_user");
    assert_eq!(v["tool_name"], "jumpcloud_get_system_user");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["path"], "/systemusers/{id}");
    assert_eq!(v["read_only"], true);
    assert_eq!(v["destructive"], false);
    let schema = &v["input_schema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], serde_json::json!(["id"]));
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["id"]["type"], "string");
    assert!(!v["examples"].as_array().unwrap().is_empty());
}

#[test]
fn describe_json_of_paginated_action_names_the_style() {
    let out = actionspec(["describe", "jumpcloud", "list_user_groups", "--json"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let v = out.json();
    assert_eq!(v["pagination"], "v2_offset");
    assert_eq!(v["input_schema"]["properties"]["limit"]["maximum"], 100);
}

/// An input allowed one value shows it as a constant of its type, not as if it were a type.
#[test]
fn describe_shows_a_one_value_enum_as_a_constant() {
    let out = actionspec(["describe", "jumpcloud", "manage_user_group_members"]).run();
    let text = out.stdout;
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("type "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("string = user"), "{row}");
}
