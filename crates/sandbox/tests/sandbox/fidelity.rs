//! Issue 12, part 3: the sandbox as a faithful stand-in. Each test is a regression test of one
//! infidelity that a check of its answers against JumpCloud's response schemas found.

use actionspec_sandbox::Options;
use serde_json::{Value, json};

use crate::common::{http, jumpcloud, run, start};

/// A 405 said no method the path supports: now the `Allow` header lists them (RFC 9110
/// §15.5.6), in the connector's order.
#[tokio::test]
async fn a_405_carries_an_allow_header() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let r = http()
        .patch(format!("{}/systemusers", sandbox.base_url()))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let allow = r.headers()["allow"].to_str().unwrap().to_owned();
    let methods: Vec<&str> = allow.split(", ").collect();
    assert!(
        methods.contains(&"GET") && methods.contains(&"POST"),
        "{allow}"
    );
    assert!(!methods.contains(&"PATCH"), "{allow}");
}

/// A nested body member is checked as the input's `properties` declare it: `mfa.exclusionDays`
/// below its minimum, `delegatedAuthority.name` other than its `const`, get 400 naming them.
#[tokio::test]
async fn nested_body_members_are_validated() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let body = json!({
        "username": "nested", "email": "nested@example.com",
        "mfa": { "exclusion": true, "exclusionDays": 0, "exclusionUntil": "soon" },
        "delegatedAuthority": { "name": "LDAP" }
    });
    let r = http()
        .post(format!("{}/systemusers", sandbox.base_url()))
        .header("x-api-key", sandbox.sandbox().api_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    for member in [
        "mfa/exclusionDays",
        "mfa/exclusionUntil",
        "delegatedAuthority/name",
    ] {
        assert!(text.contains(member), "{member} not reported: {text}");
    }
}

/// `create_application` dropped the `config` it was sent (a `sensitive` input, so never
/// stored): a sensitive member that the action's example response shows is an API-returned
/// member, stored and returned like any other, in the answer and in later reads.
#[tokio::test]
async fn a_create_keeps_the_fields_it_was_sent() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;
    let config = json!({ "acsUrl": { "value": "https://app.example.com/acs" } });
    let input = json!({ "name": "app", "ssoUrl": "https://sso.example.com/app", "config": config });
    let created = run(&c, &sandbox, "create_application", input)
        .await
        .unwrap();
    let body = created.body.unwrap();
    assert_eq!(body["config"], config);
    let id = body["_id"].as_str().unwrap().to_owned();
    let read = run(&c, &sandbox, "get_application", json!({ "id": id }))
        .await
        .unwrap();
    assert_eq!(read.body.unwrap()["config"], config);
    // A password (shown by no example response) is still never stored.
    let user = json!({ "username": "pw", "email": "pw@example.com", "password": "S3cret!pass" });
    let user = run(&c, &sandbox, "create_system_user", user).await.unwrap();
    assert!(user.body.unwrap().get("password").is_none());
}

/// Seeded users carried `mfa.exclusionUntil: ""`, `exclusionDays: 0` and a
/// `delegatedAuthority` with an empty name: generated members now keep to the `format`,
/// `minimum` and `const` of the input that writes them, and to the values the examples show.
#[tokio::test]
async fn seeds_stay_within_the_declared_schemas() {
    let c = jumpcloud();
    let sandbox = start(&c, &Options::default()).await;
    let page = run(&c, &sandbox, "list_system_users", json!({ "limit": 100 }))
        .await
        .unwrap()
        .page
        .unwrap();
    assert!(page.records.len() > 2);
    for record in &page.records {
        let user = record.value();
        let mfa = &user["mfa"];
        if let Some(days) = mfa.get("exclusionDays") {
            assert!(days.as_i64().unwrap() >= 1, "{mfa}");
        }
        if let Some(Value::String(until)) = mfa.get("exclusionUntil") {
            assert!(until.len() >= 20 && until.contains('T'), "{mfa}");
        }
        if let Some(name) = user["delegatedAuthority"].get("name") {
            assert_eq!(name, "ActiveDirectory");
        }
    }
    let org = run(&c, &sandbox, "list_organizations", json!({}))
        .await
        .unwrap()
        .page
        .unwrap();
    for record in &org.records {
        let account = record.value()["accountType"].clone();
        assert!(account.is_null() || account == "Customer", "{account}");
    }
}
