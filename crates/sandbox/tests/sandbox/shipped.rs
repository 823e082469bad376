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
