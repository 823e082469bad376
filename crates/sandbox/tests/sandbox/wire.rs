//! What the sandbox puts on the wire, seen with a plain HTTP client: list shapes per pagination
//! style, page-size limits, the API's error bodies for 400/401/403/404/405, and the list
//! conventions (`filter`, `sort`, `fields`).

use actionspec_sandbox::{Options, Running};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::common::{http, jumpcloud, start};

async fn get(sandbox: &Running, path_and_query: &str) -> Response {
    http()
        .get(format!("{}{path_and_query}", sandbox.base_url()))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap()
}

async fn json_of(r: Response) -> Value {
    r.json().await.unwrap()
}

/// JumpCloud's error body: `{code, message, status}`.
async fn error_of(r: Response, code: u16) -> String {
    assert_eq!(r.status().as_u16(), code);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body = json_of(r).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(
        body["status"],
        StatusCode::from_u16(code)
            .unwrap()
            .canonical_reason()
            .unwrap(),
        "{body}"
    );
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn v1_lists_are_total_count_and_results() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
    assert!(sandbox.base_url().ends_with("/api"));
    let r = get(&sandbox, "/systemusers?limit=2").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-total-count").is_none());
    let body = json_of(r).await;
    assert_eq!(body["totalCount"], 25);
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    assert_eq!(body.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn v2_lists_are_bare_arrays_with_x_total_count() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let r = get(&sandbox, "/v2/usergroups?limit=2").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-total-count"], "25");
    let body = json_of(r).await;
    assert_eq!(body.as_array().unwrap().len(), 2);
    // Without a limit, the action's documented default page size (10).
    let body = json_of(get(&sandbox, "/v2/usergroups").await).await;
    assert_eq!(body.as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn page_sizes_above_the_maximum_are_refused() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let message = error_of(get(&sandbox, "/systemusers?limit=101").await, 400).await;
    assert!(message.contains("limit"), "{message}");
    let message = error_of(get(&sandbox, "/v2/usergroups?limit=abc").await, 400).await;
    assert!(message.contains("limit"), "{message}");
    assert_eq!(get(&sandbox, "/systemusers?limit=100").await.status(), 200);
}

#[tokio::test]
async fn the_api_key_is_required() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let url = format!("{}/systemusers", sandbox.base_url());
    let r = http().get(&url).send().await.unwrap();
    let message = error_of(r, 401).await;
    assert!(message.contains("x-api-key"), "{message}");
    let r = http()
        .get(&url)
        .header("x-api-key", "not-the-key")
        .send()
        .await
        .unwrap();
    error_of(r, 401).await;
}

#[tokio::test]
async fn another_organization_is_forbidden() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let org = sandbox
        .sandbox()
        .credential_values()
        .iter()
        .find(|v| v.env == "JUMPCLOUD_ORG_ID")
        .unwrap()
        .value
        .clone();
    let send = |path: &str, org: &str| {
        http()
            .get(format!("{}{path}", sandbox.base_url()))
            .header("x-api-key", sandbox.sandbox().api_key())
            .header("x-org-id", org)
            .send()
    };
    let r = send("/systemusers", "5a1b2c3d4e5f60718293a4ff")
        .await
        .unwrap();
    let message = error_of(r, 403).await;
    assert!(message.contains("x-org-id"), "{message}");
    assert_eq!(send("/systemusers", &org).await.unwrap().status(), 200);
    // Operations that do not take x-org-id (omit_headers) ignore it.
    assert_eq!(
        send("/organizations", "5a1b2c3d4e5f60718293a4ff")
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn unknown_ids_paths_and_methods() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let message = error_of(
        get(&sandbox, "/systemusers/0123456789abcdef01234567").await,
        404,
    )
    .await;
    assert!(message.contains("0123456789abcdef01234567"), "{message}");
    error_of(get(&sandbox, "/nothing/here").await, 404).await;
    let r = http()
        .patch(format!("{}/systemusers", sandbox.base_url()))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap();
    error_of(r, 405).await;
    // Outside the base path.
    let root = sandbox.base_url().trim_end_matches("/api").to_owned();
    let r = http()
        .get(format!("{root}/systemusers"))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap();
    error_of(r, 404).await;
}

#[tokio::test]
async fn bodies_are_checked_against_the_inputs() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let post = |body: &'static str| {
        http()
            .post(format!("{}/systemusers", sandbox.base_url()))
            .header("x-api-key", sandbox.sandbox().api_key())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let message = error_of(post("{}").await.unwrap(), 400).await;
    assert!(
        message.contains("`email`") && message.contains("`username`"),
        "{message}"
    );
    let message = error_of(post(r#"{"username": "x"}"#).await.unwrap(), 400).await;
    assert!(
        message.contains("`email`") && !message.contains("`username`"),
        "{message}"
    );
    let message = error_of(post("{not json").await.unwrap(), 400).await;
    assert!(message.contains("not valid JSON"), "{message}");
    let message = error_of(post("[]").await.unwrap(), 400).await;
    assert!(message.contains("object"), "{message}");
    let message = error_of(
        post(r#"{"username": "x", "email": "x@example.com", "state": "GONE"}"#)
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(message.contains("`state`"), "{message}");
    let r = post(r#"{"username": "x", "email": "x@example.com"}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn filters_sort_and_fields() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    // v1: field:$op:value.
    let body = json_of(get(&sandbox, "/systemusers?filter=username:$eq:adiaz").await).await;
    assert_eq!(body["totalCount"], 1);
    assert_eq!(body["results"][0]["username"], "adiaz");
    let body = json_of(
        get(
            &sandbox,
            "/systemusers?filter=username:$in:adiaz|bkim&limit=100",
        )
        .await,
    )
    .await;
    assert_eq!(body["totalCount"], 2);
    // v2: field:op:value, repeated filters ANDed.
    let all = json_of(get(&sandbox, "/v2/usergroups?limit=100").await).await;
    let engineering = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["name"].as_str().unwrap().starts_with("Engineering"))
        .count();
    let r = get(
        &sandbox,
        "/v2/usergroups?filter=name:sw:Engineering&limit=100",
    )
    .await;
    assert_eq!(
        r.headers()["x-total-count"],
        engineering.to_string().as_str()
    );
    let r = get(
        &sandbox,
        "/v2/usergroups?filter=name:sw:Engineering&filter=name:eq:Engineering",
    )
    .await;
    assert_eq!(r.headers()["x-total-count"], "1");
    let message = error_of(
        get(&sandbox, "/v2/usergroups?filter=name:like:x").await,
        400,
    )
    .await;
    assert!(message.contains("like"), "{message}");

    // Sort, descending.
    let body = json_of(get(&sandbox, "/v2/usergroups?sort=-name&limit=100").await).await;
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);

    // Fields: only those, and the id.
    let body = json_of(get(&sandbox, "/systems?fields=hostname%20os&limit=1").await).await;
    let record = body["results"][0].as_object().unwrap();
    let keys: Vec<&str> = record.keys().map(String::as_str).collect();
    assert_eq!(keys, ["_id", "hostname", "os"]);
    let body = json_of(
        get(
            &sandbox,
            "/systemusers/5f1b2c3d4e5f6a7b8c9d0e1f?fields=email",
        )
        .await,
    )
    .await;
    assert_eq!(
        body,
        json!({"_id": "5f1b2c3d4e5f6a7b8c9d0e1f", "email": "adiaz@example.com"})
    );
}

#[tokio::test]
async fn documented_responses_answer_other_actions() {
    let sandbox = start(&jumpcloud(), &Options::default()).await;
    let r = http()
        .post(format!("{}/command/trigger/blockip", sandbox.base_url()))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        json_of(r).await,
        json!({"triggered": ["5c8d9e0f1a2b3c4d5e6f7ab3"]})
    );
    let r = http()
        .post(format!(
            "{}/systems/63a1f0c2d4e5b6a7c8d9e0f1/command/builtin/erase",
            sandbox.base_url()
        ))
        .header("x-api-key", sandbox.sandbox().api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.bytes().await.unwrap().is_empty());
}
