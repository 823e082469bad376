//! Pagination over real HTTP: 250 seeded records listed with `run_all` come back exactly once
//! each, in pages of 100, 100 and 50, for a JumpCloud v1 resource (`{totalCount, results}`) and a
//! v2 one (bare array + `x-total-count`).

use std::collections::HashSet;

use actionspec_engine::Client;
use serde_json::json;

use crate::common::{jumpcloud, records, run, start};

async fn list_all(action: &str, resource: &str, id_field: &str) {
    let c = jumpcloud();
    let sandbox = start(&c, &records(&[(resource, 250)])).await;
    assert_eq!(
        sandbox
            .sandbox()
            .resources()
            .iter()
            .find(|r| r.name == resource)
            .unwrap()
            .records,
        250
    );
    let client = Client::new().unwrap();
    let mut pages = Vec::new();
    let mut ids = Vec::new();
    let summary = c
        .run_all(
            &client,
            c.action(action).unwrap(),
            &json!({}),
            &sandbox.config(),
            |page| {
                pages.push(page.records.len());
                ids.extend(
                    page.records
                        .iter()
                        .map(|r| r.value()[id_field].as_str().unwrap().to_owned()),
                );
                Ok(())
            },
        )
        .await
        .unwrap();
    assert_eq!(pages, [100, 100, 50], "{action}");
    assert_eq!(summary.pages, 3);
    assert_eq!(summary.records, 250);
    assert_eq!(summary.total, Some(250));
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 250, "{action}: every record exactly once");
}

#[tokio::test]
async fn v1_users_come_back_once_each_in_three_pages() {
    list_all("list_system_users", "systemusers", "_id").await;
}

#[tokio::test]
async fn v2_user_groups_come_back_once_each_in_three_pages() {
    list_all("list_user_groups", "usergroups", "id").await;
}

#[tokio::test]
async fn pages_follow_limit_and_skip_and_report_the_next_input() {
    let c = jumpcloud();
    let sandbox = start(&c, &records(&[("systemgroups", 7)])).await;
    let first = run(&c, &sandbox, "list_system_groups", json!({"limit": 5}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(first.records.len(), 5);
    assert_eq!(first.total, Some(7));
    let next = first.next_input.unwrap();
    assert_eq!(next["skip"], 5);
    let second = run(&c, &sandbox, "list_system_groups", json!(next))
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(second.records.len(), 2);
    assert!(second.next_input.is_none());
    let past = run(&c, &sandbox, "list_system_groups", json!({"skip": 50}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert!(past.records.is_empty());
    assert_eq!(past.total, Some(7));
}

#[tokio::test]
async fn a_list_without_a_total_ends_on_an_empty_page() {
    // GET /commands/{id}/results is a bare array with no total: `run_all` ends on the empty page
    // after the short one (a short page alone may be one the API capped).
    let c = jumpcloud();
    let sandbox = start(&c, &records(&[("commands", 1), ("commands/results", 120)])).await;
    let command = run(&c, &sandbox, "list_commands", json!({}))
        .await
        .unwrap()
        .page
        .unwrap()
        .records[0]
        .value()["_id"]
        .clone();
    let client = Client::new().unwrap();
    let mut pages = Vec::new();
    let summary = c
        .run_all(
            &client,
            c.action("get_command_results").unwrap(),
            &json!({"id": command}),
            &sandbox.config(),
            |page| {
                pages.push(page.records.len());
                Ok(())
            },
        )
        .await
        .unwrap();
    // 119: the 120th result is the example's, kept under the example's command id (which
    // `commands=1` did not keep).
    assert_eq!(pages, [100, 19, 0]);
    assert_eq!(summary.total, None);
    assert_eq!(summary.end, Some(actionspec_engine::End::EmptyPage));
}
