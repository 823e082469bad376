//! Safety markers: what may run without asking. The loader refuses a health check that is not
//! read-only and a `read_only` write without a reason (fixtures in `tests/fixtures/invalid/`);
//! these tests cover what must load, and the markers of the shipped connectors.

use actionspec_engine::Connector;

use crate::common;

const SEARCH: &str = r#"
spec_version: 1
key: demo
name: Demo
version: 1.0.0
servers: { prod: { url: "https://api.example.com/v1" } }
default_server: prod
health_check: { action: search_users, input: { query: a } }
actions:
  search_users:
    name: Search Users
    description: Search users by a query in the body.
    method: POST
    path: /search/users
    read_only: true
    read_only_reason: the search endpoint takes its query as a body and changes nothing
    inputs:
      query: { type: string, in: body, required: true }
    examples:
      - input: { query: jdoe }
"#;

#[test]
fn a_read_only_post_with_a_reason_loads_and_can_be_the_health_check() {
    let c = Connector::from_yaml("demo.yaml", SEARCH).unwrap_or_else(|e| panic!("{e}"));
    let a = c.action("search_users").unwrap();
    assert!(a.read_only && !a.destructive);
}

/// Regression: `auth check` sent whatever `health_check` named, a DELETE included.
#[test]
fn a_health_check_that_writes_is_refused() {
    for (method, marker) in [("POST", ""), ("DELETE", ""), ("GET", "destructive: true")] {
        let text = SEARCH
            .replace("method: POST", &format!("method: {method}"))
            .replace("    read_only: true\n", &format!("    {marker}\n"))
            .replace("    read_only_reason: the search endpoint takes its query as a body and changes nothing\n", "")
            .replace("in: body", "in: query");
        let err = Connector::from_yaml("demo.yaml", &text).unwrap_err();
        let titles: Vec<&str> = err.diagnostics.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles.len(), 1, "{method}: {titles:?}");
        assert!(
            titles[0].starts_with("health check action `search_users` is"),
            "{titles:?}"
        );
    }
}

/// Regression: JumpCloud's `run_command` and `trigger_command` run scripts on devices, yet ran
/// without `--yes`.
#[test]
fn jumpcloud_actions_that_run_scripts_are_destructive() {
    let c = common::jumpcloud();
    for id in ["run_command", "trigger_command"] {
        let a = c.action(id).unwrap();
        assert!(a.destructive && !a.read_only, "{id}");
    }
}

#[test]
fn shipped_health_checks_are_read_only() {
    for (file, text) in common::connector_files() {
        let c = Connector::from_yaml(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        if let Some(check) = &c.spec.health_check {
            let a = c.action(&check.action).unwrap();
            assert!(a.read_only && !a.destructive, "{file}: {}", a.id);
        }
    }
}

/// An action belongs to the connector that loaded it: planned or run with another connector (or
/// another load of the same file), it fails loudly instead of rendering the other's templates.
#[tokio::test]
async fn an_action_of_another_connector_is_refused() {
    let first = crate::common::jumpcloud();
    let second = crate::common::jumpcloud();
    let action = first.action("get_system_user").unwrap();
    let input = serde_json::json!({"id": "5f1b2c3d4e5f6a7b8c9d0e1f"});
    let config = actionspec_engine::Config::default();
    assert!(
        first
            .plan(action, &input, &config, actionspec_engine::Mode::DryRun)
            .is_ok()
    );
    let e = second
        .plan(action, &input, &config, actionspec_engine::Mode::DryRun)
        .unwrap_err();
    assert_eq!(e.kind, actionspec_engine::ErrorKind::Usage);
    assert!(
        e.message
            .contains("does not belong to this load of connector `jumpcloud`"),
        "{e}"
    );
    let client = actionspec_engine::Client::new().unwrap();
    let e = second
        .run(&client, action, &input, &config)
        .await
        .unwrap_err();
    assert_eq!(e.kind, actionspec_engine::ErrorKind::Usage, "{e}");
}
