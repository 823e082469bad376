//! The shipped RPC-style and REST connectors through their sandboxes, with no connector-specific
//! Rust in the sandbox: a record created with a form body (or JSON) is read back, changed, and
//! gone or changed as the API says; an unknown id is the API's own error shape and the engine's
//! `not_found`.

use actionspec_engine::ErrorKind;
use actionspec_sandbox::Options;
use serde_json::{Value, json};

use crate::common::{load, run, start};

#[tokio::test]
async fn a_conversation_created_by_form_is_read_renamed_and_archived() {
    let c = load("connectors/slack.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let created = run(
        &c,
        &sandbox,
        "create_conversation",
        json!({"name": "design-crit"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(created["ok"], true, "{created}");
    let id = created["channel"]["id"].as_str().unwrap().to_owned();
    let pattern = is_channel_id(&id);
    assert!(
        pattern,
        "a channel id in the declared form ^[CGD][A-Z0-9]{{8,}}$: {id}"
    );
    let channel = json!({"channel": id});
    let read = run(&c, &sandbox, "get_conversation", channel.clone())
        .await
        .unwrap();
    assert_eq!(read.body.unwrap()["channel"]["name"], "design-crit");
    run(
        &c,
        &sandbox,
        "rename_conversation",
        json!({"channel": id, "name": "crit"}),
    )
    .await
    .unwrap();
    let archived = run(&c, &sandbox, "archive_conversation", channel.clone())
        .await
        .unwrap();
    assert_eq!(archived.body, Some(json!({"ok": true})));
    let read: Value = run(&c, &sandbox, "get_conversation", channel)
        .await
        .unwrap()
        .body
        .unwrap();
    assert_eq!(
        (&read["channel"]["name"], &read["channel"]["is_archived"]),
        (&json!("crit"), &json!(true))
    );
    let e = run(
        &c,
        &sandbox,
        "get_conversation",
        json!({"channel": "CNOSUCH123"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("channel_not_found"), "{e}");
}

/// `^[CGD][A-Z0-9]{8,}$`, by hand.
fn is_channel_id(id: &str) -> bool {
    id.len() >= 9
        && id.starts_with(['C', 'G', 'D'])
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[tokio::test]
async fn a_user_created_is_deactivated_then_deleted() {
    let c = load("connectors/okta.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let profile = json!({
        "firstName": "Isaac", "lastName": "Brock",
        "email": "isaac.brock@example.com", "login": "isaac.brock@example.com"
    });
    let created = run(
        &c,
        &sandbox,
        "create_user",
        json!({"activate": false, "profile": profile}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["profile"]["login"], "isaac.brock@example.com");
    run(&c, &sandbox, "deactivate_user", json!({"id": id}))
        .await
        .unwrap();
    let read = run(&c, &sandbox, "get_user", json!({"id": id}))
        .await
        .unwrap();
    assert_eq!(read.body.unwrap()["status"], "DEPROVISIONED");
    run(&c, &sandbox, "delete_user", json!({"id": id}))
        .await
        .unwrap();
    let e = run(&c, &sandbox, "get_user", json!({"id": id}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

/// Every list action of every shipped connector that needs no input lists each seeded record
/// exactly once through its sandbox, at page sizes from 1 to the largest, whatever its
/// pagination kind: what `actionspec run <connector> <list> --sandbox --all` streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_of_every_connector_lists_each_record_once_at_any_page_size() {
    let client = actionspec_engine::Client::new().unwrap();
    let mut listed = 0;
    for file in crate::examples::yaml_files("connectors") {
        let c = load(&file);
        let sandbox = start(&c, &Options::default()).await;
        for action in c.actions.values() {
            let Some(style) = &action.pagination else {
                continue;
            };
            if action.spec.inputs.values().any(|i| i.required) {
                continue;
            }
            let mut counts = Vec::new();
            for size in [1, 7, style.max_page_size.min(100)] {
                let mut records = Vec::new();
                let input = json!({ style.limit_input.clone(): size });
                let summary = c
                    .run_all(&client, action, &input, &sandbox.config(), |page| {
                        records.extend(page.records.iter().map(|r| r.json().to_owned()));
                        Ok(())
                    })
                    .await
                    .unwrap_or_else(|e| panic!("{} {} at {size}: {e}", c.spec.key, action.id));
                let unique: std::collections::HashSet<&String> = records.iter().collect();
                assert_eq!(
                    unique.len(),
                    records.len(),
                    "{} {} at {size}: a record twice",
                    c.spec.key,
                    action.id
                );
                assert_eq!(
                    summary.duplicates, 0,
                    "{} {} at {size}",
                    c.spec.key, action.id
                );
                counts.push(records.len());
            }
            assert!(
                counts[0] > 0 && counts.iter().all(|n| *n == counts[0]),
                "{} {}: {counts:?}",
                c.spec.key,
                action.id
            );
            listed += 1;
        }
    }
    assert!(listed > 0, "no list action without required inputs");
}

/// A connector whose filter language is not the sandbox's (`list_conventions: false`) has its
/// filter accepted and ignored; one that follows the conventions has a bad filter refused.
#[tokio::test]
async fn list_conventions_apply_only_where_the_connector_follows_them() {
    let c = load("connectors/okta.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let all = run(&c, &sandbox, "list_users", json!({"limit": 200}))
        .await
        .unwrap();
    let filtered = run(
        &c,
        &sandbox,
        "list_users",
        json!({"limit": 200, "filter": "status eq \"ACTIVE\""}),
    )
    .await
    .unwrap();
    assert_eq!(
        filtered.page.unwrap().records.len(),
        all.page.unwrap().records.len()
    );
    let c = load("connectors/jumpcloud.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let e = run(
        &c,
        &sandbox,
        "list_system_users",
        json!({"filter": "status eq \"ACTIVE\""}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{e}");
}
