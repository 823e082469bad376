//! A connector that is not JumpCloud (`tests/fixtures/sandbox/taskboard.yaml`) gets a working
//! sandbox with no Rust change: the key in the query string, records at `/data/items` with the
//! total at `/meta/total`, ids in `key`, nested tasks, its own error body, a tenant header.

use actionspec_engine::{Connector, ErrorKind, Record};
use actionspec_sandbox::{Options, Sandbox};
use serde_json::{Value, json};

use crate::common::{http, is_object_id, load, run, start};

fn taskboard() -> Connector {
    load("tests/fixtures/sandbox/taskboard.yaml")
}

#[tokio::test]
async fn projects_and_nested_tasks_through_the_engine() {
    let c = taskboard();
    let sandbox = start(&c, &Options::default()).await;
    let names: Vec<String> = sandbox
        .sandbox()
        .resources()
        .into_iter()
        .map(|r| format!("{} {} {}", r.name, r.id_field, r.records))
        .collect();
    assert_eq!(names, ["projects key 25", "projects/tasks key 25"]);
    assert!(sandbox.base_url().ends_with("/v3"));

    let page = run(&c, &sandbox, "list_projects", json!({"per_page": 3}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(page.total, Some(25));
    assert_eq!(page.records.len(), 3);
    assert_eq!(page.records[0].value()["title"], "Website relaunch");

    let created = run(
        &c,
        &sandbox,
        "create_project",
        json!({"title": "Payroll", "budget": 900, "status": "active"}),
    )
    .await
    .unwrap();
    assert_eq!(created.status, 201);
    let project = created.body.unwrap();
    let id = project["key"].as_str().unwrap().to_owned();
    assert!(is_object_id(&id));
    assert_eq!(project["archived"], false, "a member the API adds itself");

    let patched = run(
        &c,
        &sandbox,
        "update_project",
        json!({"project": id, "status": "done"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    assert_eq!(patched["status"], "done");
    assert_eq!(patched["budget"], 900, "PATCH merges");

    let found = run(
        &c,
        &sandbox,
        "list_projects",
        json!({"filter": ["status:eq:done", "budget:lt:1000"]}),
    )
    .await
    .unwrap()
    .page
    .unwrap();
    assert!(
        found
            .records
            .iter()
            .any(|p| p.value()["key"] == id.as_str())
    );
    assert!(found.records.iter().all(|p| p.value()["status"] == "done"));

    // Tasks live under their project.
    let tasks = run(&c, &sandbox, "list_tasks", json!({"project": id}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(tasks.total, Some(0));
    let task = run(
        &c,
        &sandbox,
        "create_task",
        json!({"project": id, "title": "Pick a vendor"}),
    )
    .await
    .unwrap()
    .body
    .unwrap();
    let tasks = run(&c, &sandbox, "list_tasks", json!({"project": id}))
        .await
        .unwrap()
        .page
        .unwrap();
    assert_eq!(tasks.records, vec![Record::from_value(&task)]);
    let completed = run(
        &c,
        &sandbox,
        "complete_task",
        json!({"project": id, "task": task["key"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        (completed.status, completed.body),
        (202, Some(json!({"queued": true})))
    );
    let e = run(
        &c,
        &sandbox,
        "complete_task",
        json!({"project": id, "task": "0123456789abcdef01234567"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);

    let deleted = run(&c, &sandbox, "delete_project", json!({"project": id}))
        .await
        .unwrap();
    assert_eq!((deleted.status, deleted.body), (204, None));
    let e = run(&c, &sandbox, "get_project", json!({"project": id}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.contains(&id),
        "the API's message reaches the user: {}",
        e.message
    );
}

#[tokio::test]
async fn its_own_wire_shapes_and_errors() {
    let c = taskboard();
    let sandbox = start(&c, &Options::default()).await;
    let key = sandbox.sandbox().api_key().to_owned();
    let url = |path: &str| format!("{}{path}", sandbox.base_url());

    let body: Value = http()
        .get(url("/projects"))
        .query(&[("access_token", key.as_str()), ("per_page", "2")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["meta"]["total"], 25);
    assert_eq!(body["data"]["items"].as_array().unwrap().len(), 2);

    let r = http()
        .get(url("/projects"))
        .query(&[("access_token", key.as_str()), ("per_page", "51")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 400);
    assert_eq!(body["error"], "Bad Request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("per_page")
    );

    let r = http().get(url("/projects")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("access_token"),
        "{body}"
    );

    let r = http()
        .get(url("/projects"))
        .query(&[("access_token", key.as_str())])
        .header("x-workspace", "someone-else")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let workspace = &sandbox.sandbox().credential_values()[1];
    assert_eq!(workspace.env, "TASKBOARD_WORKSPACE");
    let r = http()
        .get(url("/projects"))
        .query(&[("access_token", key.as_str())])
        .header("x-workspace", workspace.value.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn every_taskboard_example_gets_its_documented_status() {
    let c = taskboard();
    for action in c.actions.values() {
        let sandbox = start(&c, &Options::default()).await;
        for example in &action.spec.examples {
            let outcome = run(
                &c,
                &sandbox,
                &action.id,
                Value::Object(example.input.clone()),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", action.id));
            assert_eq!(
                Some(outcome.status),
                example.response.as_ref().map(|r| r.status),
                "{}",
                action.id
            );
        }
    }
}

#[test]
fn hints_that_name_unknown_things_are_refused() {
    let text = std::fs::read_to_string(
        crate::common::root().join("tests/fixtures/sandbox/taskboard.yaml"),
    )
    .unwrap()
    .replace(
        "    success: [202]\n",
        "    success: [202]\n    sandbox: { references: { task: tickets } }\n",
    );
    let c = Connector::from_yaml("taskboard.yaml", &text).unwrap();
    let e = Sandbox::new(&c, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("tickets"), "{e}");
    let text = text.replace(
        "sandbox: { references: { task: tickets } }",
        "sandbox: { operation: get }",
    );
    let c = Connector::from_yaml("taskboard.yaml", &text).unwrap();
    let e = Sandbox::new(&c, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("complete_task"), "{e}");
}
