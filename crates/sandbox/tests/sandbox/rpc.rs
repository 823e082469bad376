//! RPC-style APIs (`tests/fixtures/sandbox/chat.yaml`): `collection`, `id_input`, `wrap` and
//! `set` hints, form bodies, failures answered 200 with `{"ok": false, "error": …}`, and ids that
//! follow the id input's declared pattern or type.

use actionspec_engine::ErrorKind;
use actionspec_sandbox::Options;
use serde_json::{Value, json};

use crate::common::{http, load, run, start};

#[tokio::test]
async fn create_by_form_then_read_rename_and_archive_through_the_engine() {
    let c = load("tests/fixtures/sandbox/chat.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let key = sandbox.sandbox().api_key().to_owned();
    // Sent by the engine as a form body, with a bearer token.
    let created = run(
        &c,
        &sandbox,
        "create_channel",
        json!({"name": "design-crit", "is_private": true}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(created["ok"], true, "{created}");
    let channel = &created["channel"];
    assert_eq!(channel["name"], "design-crit");
    assert_eq!(
        channel["is_private"], true,
        "a declared boolean is converted"
    );
    assert_eq!(
        channel["is_archived"], false,
        "a member the API adds itself"
    );
    let id = channel["id"].as_str().unwrap().to_owned();
    assert!(
        id.len() >= 9
            && id.starts_with('C')
            && id[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "the declared pattern ^C[A-Z0-9]{{8,}}$: {id}"
    );

    let read = run(&c, &sandbox, "get_channel", json!({"channel": id}))
        .await
        .unwrap();
    assert_eq!(read.body.as_ref().unwrap()["channel"], *channel);

    let renamed = run(
        &c,
        &sandbox,
        "rename_channel",
        json!({"channel": id, "name": "crit"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(renamed["channel"]["name"], "crit");
    assert!(
        renamed["channel"].get("channel").is_none(),
        "the id input is not a member"
    );
    let archived = run(&c, &sandbox, "archive_channel", json!({"channel": id}))
        .await
        .unwrap();
    assert_eq!(archived.body, Some(json!({"ok": true})));
    let read = run(&c, &sandbox, "get_channel", json!({"channel": id}))
        .await
        .unwrap();
    let channel = &read.body.unwrap()["channel"];
    assert_eq!(
        (channel["is_archived"].clone(), channel["name"].clone()),
        (json!(true), json!("crit"))
    );

    // A form body is validated like a JSON one.
    let r: Value = http()
        .post(format!("{}/conversations.rename", sandbox.base_url()))
        .bearer_auth(key.as_str())
        .form(&[("channel", id.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["ok"].clone(), r["error"].clone()),
        (json!(false), json!("invalid_arguments"))
    );
    assert!(r["detail"].as_str().unwrap().contains("name"), "{r}");
}

#[tokio::test]
async fn unknown_ids_answer_200_with_the_declared_code_and_the_engine_says_not_found() {
    let c = load("tests/fixtures/sandbox/chat.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let r = http()
        .get(format!(
            "{}/conversations.info?channel=CZZZZZZZZZ",
            sandbox.base_url()
        ))
        .bearer_auth(key.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["ok"], false);
    assert_eq!(
        body["error"], "channel_not_found",
        "the code that names the channel"
    );

    let e = run(
        &c,
        &sandbox,
        "get_channel",
        json!({"channel": "CZZZZZZZZZ"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = run(&c, &sandbox, "get_user", json!({"user": "UZZZZZZZZZ"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("user_not_found"), "{}", e.message);

    let r: Value = http()
        .get(format!(
            "{}/conversations.info?channel=C0123ABCD9",
            sandbox.base_url()
        ))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"], "not_authed");
    let mut config = sandbox.config();
    config.credentials = actionspec_engine::Credentials::default();
    config
        .credentials
        .insert("token".to_owned(), "wrong".to_owned().into(), true);
    let e = c
        .run(
            &actionspec_engine::Client::new().unwrap(),
            c.action("get_channel").unwrap(),
            &json!({"channel": "C0123ABCD9"}),
            &config,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
}

#[tokio::test]
async fn errors_described_only_by_errors_keep_their_status_and_shape() {
    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let r = http()
        .get(format!(
            "{}/members/00mAAAAAAAAAAAAAAAAA",
            sandbox.base_url()
        ))
        .header("x-api-token", key.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000007");
    assert!(
        body["errorSummary"]
            .as_str()
            .unwrap()
            .contains("00mAAAAAAAAAAAAAAAAA")
    );
    let e = run(
        &c,
        &sandbox,
        "get_member",
        json!({"memberId": "00mAAAAAAAAAAAAAAAAA"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn created_and_seeded_ids_follow_the_declared_pattern_type_and_format() {
    let c = load("tests/fixtures/sandbox/linkhub.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let member = run(
        &c,
        &sandbox,
        "create_member",
        json!({"profile": {"login": "x@example.com"}}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    let id = member["id"].as_str().unwrap();
    let ok = |id: &str| {
        id.len() == 20 && id.starts_with("00m") && id.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    assert!(ok(id), "{id}");
    assert_eq!(member["status"], "STAGED", "a member the API adds itself");
    let deactivated = run(&c, &sandbox, "deactivate_member", json!({"memberId": id}))
        .await
        .unwrap()
        .body
        .unwrap();
    assert_eq!(
        deactivated["status"], "DEPROVISIONED",
        "`set` on a lifecycle path"
    );
    let page = run(&c, &sandbox, "list_members", json!({"limit": 200}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert!(
        page.records
            .iter()
            .all(|r| ok(r.value()["id"].as_str().unwrap()))
    );
    let events = run(&c, &sandbox, "list_events", json!({"limit": 50}))
        .await
        .unwrap()
        .page
        .unwrap();
    for e in &events.records {
        let uuid = e.value()["uuid"].as_str().unwrap().to_owned();
        run(&c, &sandbox, "get_event", json!({"uuid": uuid}))
            .await
            .unwrap_or_else(|e| panic!("{uuid}: {e}"));
    }

    let c = load("tests/fixtures/sandbox/pagebook.yaml");
    let sandbox = start(&c, &Options::default()).await;
    let book = run(
        &c,
        &sandbox,
        "create_book",
        json!({"title": "Tide Tables", "pages": 90}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert!(book["book_id"].is_u64(), "integer ids: {book}");
    let read = run(
        &c,
        &sandbox,
        "get_book",
        json!({"book_id": book["book_id"]}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(read, book);
    let page = run(&c, &sandbox, "list_books", json!({"per_page": 100}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert!(page.records.iter().all(|r| r.value()["book_id"].is_u64()));
    assert_eq!(
        page.records[0].value()["book_id"],
        1_000_042,
        "the example's book"
    );
}

#[test]
fn rpc_hints_that_cannot_work_are_refused() {
    let text =
        std::fs::read_to_string(crate::common::root().join("tests/fixtures/sandbox/chat.yaml"))
            .unwrap();
    let broken = text.replace(
        "sandbox: { collection: users, id_input: user, wrap: user }",
        "sandbox: { collection: users, id_input: nope, wrap: user }",
    );
    let c = actionspec_engine::Connector::from_yaml("chat.yaml", &broken).unwrap();
    let e = actionspec_sandbox::Sandbox::new(&c, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("`nope`"), "{e}");
    let broken = text.replace(
        "sandbox: { collection: users, id_input: user, wrap: user }",
        "sandbox: { collection: users, wrap: user }",
    );
    let c = actionspec_engine::Connector::from_yaml("chat.yaml", &broken).unwrap();
    let e = actionspec_sandbox::Sandbox::new(&c, &Options::default()).unwrap_err();
    assert!(
        e.to_string().contains("get_user") && e.to_string().contains("id_input"),
        "{e}"
    );
}
