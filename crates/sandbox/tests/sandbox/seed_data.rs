//! Seed data: realistic, deterministic records for every resource, from the examples and the
//! seed; record counts per resource.

use std::collections::HashSet;

use actionspec_sandbox::{Error, Options, Sandbox};
use serde_json::{Value, json};

use crate::common::{is_object_id, jumpcloud, records, run, start};

async fn all(action: &str, options: &Options) -> Vec<Value> {
    let c = jumpcloud();
    let sandbox = start(&c, options).await;
    let mut out = Vec::new();
    let mut skip = 0;
    loop {
        let page = run(&c, &sandbox, action, json!({"limit": 100, "skip": skip}))
            .await
            .unwrap()
            .page
            .unwrap();
        if page.records.is_empty() {
            return out;
        }
        skip += page.records.len();
        out.extend(page.records.iter().map(actionspec_engine::Record::value));
    }
}

#[test]
fn every_resource_gets_the_default_count() {
    let sandbox = Sandbox::new(&jumpcloud(), &Options::default()).unwrap();
    let resources = sandbox.resources();
    let names: Vec<&str> = resources.iter().map(|r| r.name.as_str()).collect();
    for expected in [
        "systemusers",
        "usergroups",
        "policies",
        "systems",
        "systemgroups",
        "applications",
        "commands",
        "commands/results",
        "files/command",
        "organizations",
        "activedirectories",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for r in &resources {
        assert_eq!(r.records, 25, "{}", r.name);
        assert!(r.id_field == "_id" || r.id_field == "id", "{r:?}");
    }
    let users = resources.iter().find(|r| r.name == "systemusers").unwrap();
    assert_eq!(
        (users.path.as_str(), users.id_field.as_str()),
        ("/systemusers", "_id")
    );
    let groups = resources.iter().find(|r| r.name == "usergroups").unwrap();
    assert_eq!(
        (groups.path.as_str(), groups.id_field.as_str()),
        ("/v2/usergroups", "id")
    );
}

#[tokio::test]
async fn users_look_like_people() {
    let users = all("list_system_users", &records(&[("systemusers", 300)])).await;
    assert_eq!(users.len(), 300);
    let mut usernames = HashSet::new();
    let mut ids = HashSet::new();
    for u in &users {
        let id = u["_id"].as_str().unwrap();
        assert!(is_object_id(id), "{id}");
        assert!(ids.insert(id.to_owned()), "duplicate id {id}");
        let username = u["username"].as_str().unwrap();
        assert!(
            usernames.insert(username.to_owned()),
            "duplicate username {username}"
        );
        let email = u["email"].as_str().unwrap();
        assert!(email.contains('@'), "{email}");
        assert!(!u["firstname"].as_str().unwrap().is_empty());
        assert!(!u["lastname"].as_str().unwrap().is_empty());
        assert!(
            u.get("password").is_none(),
            "sensitive inputs are not record members"
        );
    }
    // JumpCloud-sized: every member the create and update actions accept.
    let size = serde_json::to_vec(&users[10]).unwrap().len();
    assert!(size > 1000, "a user record is {size} bytes");
    // The examples' users come first, as documented.
    assert_eq!(users[0]["_id"], "5f1b2c3d4e5f6a7b8c9d0e1f");
    assert_eq!(users[0]["username"], "adiaz");
}

#[tokio::test]
async fn devices_have_hostnames_and_operating_systems() {
    for s in all("list_systems", &Options::default()).await {
        assert!(!s["hostname"].as_str().unwrap().is_empty(), "{s}");
        assert!(!s["os"].as_str().unwrap().is_empty(), "{s}");
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_sandbox() {
    let seed = |seed| Options {
        seed,
        ..Options::default()
    };
    let a = all("list_system_users", &seed(9)).await;
    assert_eq!(a, all("list_system_users", &seed(9)).await);
    assert_ne!(a, all("list_system_users", &seed(10)).await);
    let c = jumpcloud();
    assert_eq!(
        Sandbox::new(&c, &seed(9)).unwrap().api_key(),
        Sandbox::new(&c, &seed(9)).unwrap().api_key()
    );
    assert_ne!(
        Sandbox::new(&c, &seed(9)).unwrap().api_key(),
        Sandbox::new(&c, &seed(10)).unwrap().api_key()
    );
}

#[test]
fn record_counts_are_checked() {
    assert_eq!(
        Options::parse_records("systemusers=25000, usergroups=3").unwrap(),
        [
            ("systemusers".to_owned(), 25000),
            ("usergroups".to_owned(), 3)
        ]
    );
    for bad in ["systemusers", "systemusers=x", "=3", "systemusers=2000000"] {
        assert!(
            matches!(Options::parse_records(bad), Err(Error::Records(_))),
            "{bad}"
        );
    }
    let e = Sandbox::new(&jumpcloud(), &records(&[("sytemusers", 3)])).unwrap_err();
    assert!(matches!(e, Error::UnknownResource { .. }));
    assert!(e.to_string().contains("systemusers"), "{e}");
    // A collection path names a resource too; zero empties it.
    let sandbox = Sandbox::new(&jumpcloud(), &records(&[("/v2/usergroups", 0)])).unwrap();
    let groups = sandbox
        .resources()
        .into_iter()
        .find(|r| r.name == "usergroups")
        .unwrap();
    assert_eq!(groups.records, 0);
}
