//! The life of a record over real HTTP, through the engine: create it, get it, update it, find
//! it in a filtered list, delete it, and get 404. For a JumpCloud v1 resource (users: PUT merges,
//! 200 on create) and a v2 one (user groups: PUT replaces, 201 on create).

use actionspec_engine::{ErrorKind, Record};
use actionspec_sandbox::Options;
use serde_json::json;

use crate::common::{is_object_id, jumpcloud, run, start};

#[tokio::test]
async fn system_user_create_get_update_list_delete_then_404() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;

    let created = run(
        &c,
        &sandbox,
        "create_system_user",
        json!({"username": "etester", "email": "edith.tester@example.com", "firstname": "Edith",
               "lastname": "Tester", "department": "QA", "password": "Secret-123456"}),
    )
    .await
    .unwrap();
    assert_eq!(created.status, 200, "JumpCloud answers 200 to a create");
    let user = created.body.unwrap();
    let id = user["_id"].as_str().unwrap().to_owned();
    assert!(is_object_id(&id), "{id}");
    assert_eq!(user["username"], "etester");
    assert_eq!(user["email"], "edith.tester@example.com");
    assert!(
        user.get("password").is_none(),
        "a password is never stored: {user}"
    );
    // Members the API adds itself (from the create example) are there too.
    assert!(user.get("activated").is_some(), "{user}");

    let got = run(&c, &sandbox, "get_system_user", json!({"id": id}))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body.unwrap(), user);

    let updated = run(
        &c,
        &sandbox,
        "update_system_user",
        json!({"id": id, "department": "Quality", "jobTitle": "QA Lead"}),
    )
    .await
    .unwrap();
    assert_eq!(updated.status, 200);
    let updated = updated.body.unwrap();
    assert_eq!(updated["department"], "Quality");
    assert_eq!(updated["jobTitle"], "QA Lead");
    assert_eq!(
        updated["username"], "etester",
        "PUT merges for users (sandbox hint)"
    );

    let found = run(
        &c,
        &sandbox,
        "list_system_users",
        json!({"filter": "department:$eq:Quality", "limit": 10}),
    )
    .await
    .unwrap();
    let page = found.page.unwrap();
    assert_eq!(page.total, Some(1));
    assert_eq!(page.records, vec![Record::from_value(&updated)]);
    let by_name = run(
        &c,
        &sandbox,
        "list_system_users",
        json!({"filter": "username:$sw:etest"}),
    )
    .await
    .unwrap();
    assert_eq!(by_name.page.unwrap().records[0].value()["_id"], id.as_str());

    let deleted = run(&c, &sandbox, "delete_system_user", json!({"id": id}))
        .await
        .unwrap();
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body.unwrap()["_id"],
        id.as_str(),
        "JumpCloud returns the deleted user"
    );

    let gone = run(&c, &sandbox, "get_system_user", json!({"id": id}))
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(gone.status, Some(404));
    assert!(gone.message.contains(&id), "{}", gone.message);
    let empty = run(
        &c,
        &sandbox,
        "list_system_users",
        json!({"filter": "department:$eq:Quality"}),
    )
    .await
    .unwrap();
    assert_eq!(empty.page.unwrap().total, Some(0));
    let again = run(&c, &sandbox, "delete_system_user", json!({"id": id}))
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn user_group_create_get_replace_list_delete_then_404() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;

    let created = run(
        &c,
        &sandbox,
        "create_user_group",
        json!({"name": "Release Managers", "description": "People who ship"}),
    )
    .await
    .unwrap();
    assert_eq!(created.status, 201);
    let group = created.body.unwrap();
    let id = group["id"].as_str().unwrap().to_owned();
    assert!(is_object_id(&id));
    assert_eq!(
        group["type"], "user_group",
        "added by the API, as in the example"
    );

    let got = run(&c, &sandbox, "get_user_group", json!({"id": id}))
        .await
        .unwrap();
    assert_eq!(got.body.unwrap(), group);

    // PUT replaces the writable members: the description, not sent, is gone; `type`, which no
    // input writes, stays.
    let replaced = run(
        &c,
        &sandbox,
        "update_user_group",
        json!({"id": id, "name": "Release Captains"}),
    )
    .await
    .unwrap();
    let replaced = replaced.body.unwrap();
    assert_eq!(replaced["name"], "Release Captains");
    assert!(replaced.get("description").is_none(), "{replaced}");
    assert_eq!(replaced["type"], "user_group");

    let found = run(
        &c,
        &sandbox,
        "list_user_groups",
        json!({"filter": ["name:eq:Release Captains"]}),
    )
    .await
    .unwrap();
    let page = found.page.unwrap();
    assert_eq!(page.total, Some(1), "v2 reports the total in x-total-count");
    assert_eq!(page.records[0].value()["id"], id.as_str());

    let deleted = run(&c, &sandbox, "delete_user_group", json!({"id": id}))
        .await
        .unwrap();
    assert_eq!(deleted.status, 200);
    let gone = run(&c, &sandbox, "get_user_group", json!({"id": id}))
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn patch_merges_and_204_has_no_body() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;
    let before = run(
        &c,
        &sandbox,
        "get_ip_list",
        json!({"id": "64b2c1d0e9f8a7b6c5d4e3f2"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    let after = run(
        &c,
        &sandbox,
        "update_ip_list",
        json!({"id": "64b2c1d0e9f8a7b6c5d4e3f2", "name": "HQ only"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(after["name"], "HQ only");
    assert_eq!(
        after["ips"], before["ips"],
        "PATCH keeps what it does not send"
    );

    let deleted = run(
        &c,
        &sandbox,
        "delete_policy",
        json!({"id": "63f1a2b3c4d5e6f708192a3c"}),
    )
    .await
    .unwrap();
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_none());
}

#[tokio::test]
async fn actions_on_a_missing_parent_or_reference_get_404() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;
    let missing = "0123456789abcdef01234567";
    // The device a builtin command addresses must exist.
    let e = run(
        &c,
        &sandbox,
        "restart_system",
        json!({"system_id": missing}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    // So must the group, and (a `references` hint) the user added to it.
    let e = run(
        &c,
        &sandbox,
        "manage_user_group_members",
        json!({"group_id": missing, "op": "add", "type": "user", "id": "5f1b2c3d4e5f6a7b8c9d0e1f"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = run(
        &c,
        &sandbox,
        "manage_user_group_members",
        json!({"group_id": "5e9a1b2c3d4e5f6071829304", "op": "add", "type": "user", "id": missing}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains(missing), "{}", e.message);
    // A nested list of a missing command.
    let e = run(&c, &sandbox, "get_command_results", json!({"id": missing}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}
