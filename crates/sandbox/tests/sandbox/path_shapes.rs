//! The sandbox routes every path shape the engine plans, by the engine's own path parser: a
//! placeholder with a suffix (`/files/{id}.json`), two placeholders in one segment
//! (`/lines/{from}-{to}`), and a `%2F` inside a segment.

use actionspec_engine::{Connector, ErrorKind};
use actionspec_sandbox::Options;
use serde_json::json;

use crate::common::{http, load, run, start};

fn shapes() -> Connector {
    load("tests/fixtures/sandbox/path_shapes.yaml")
}

#[tokio::test]
async fn a_placeholder_with_a_suffix_routes_to_the_record() {
    let c = shapes();
    let sandbox = start(&c, &Options::default()).await;
    let created = run(&c, &sandbox, "create_file", json!({"name": "notes"}))
        .await
        .unwrap()
        .body
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let got = run(&c, &sandbox, "get_file", json!({ "id": id }))
        .await
        .unwrap();
    assert_eq!(
        (got.status, got.body.unwrap()["name"].clone()),
        (200, json!("notes"))
    );

    let bare = http()
        .get(format!("{}/files/{id}", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bare.status(),
        404,
        "without the suffix no operation matches"
    );
}

/// The engine never plans a value holding `/` (it is an input error); a request whose segment
/// holds `%2F` is still one segment to the sandbox, never two.
#[tokio::test]
async fn an_encoded_slash_stays_inside_its_segment() {
    let c = shapes();
    let sandbox = start(&c, &Options::default()).await;
    let got = run(&c, &sandbox, "get_file", json!({"id": "r2024"}))
        .await
        .unwrap();
    assert_eq!(got.body.unwrap()["name"], "yearly", "the example's record");
    let e = run(&c, &sandbox, "get_file", json!({"id": "r/2024"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Input, "{e}");

    let get = |path: &'static str| {
        let url = format!("{}{path}", sandbox.base_url());
        async move {
            let r = http().get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, encoded) = get("/files/r%2F2024.json").await;
    assert_eq!(status, 404);
    assert!(
        !encoded.contains("no operation"),
        "routed to get_file: {encoded}"
    );
    let (status, split) = get("/files/r/2024.json").await;
    assert_eq!(status, 404);
    assert!(
        split.contains("no operation"),
        "two segments match nothing: {split}"
    );
}

#[tokio::test]
async fn two_placeholders_in_one_segment_each_get_their_value() {
    let c = shapes();
    let sandbox = start(&c, &Options::default()).await;
    let input = json!({"id": "r2024", "from": 3, "to": 9});
    let lines = run(&c, &sandbox, "get_lines", input).await.unwrap();
    assert_eq!(lines.body.unwrap()["lines"], json!(["a", "b"]));

    let missing = json!({"id": "nope", "from": 3, "to": 9});
    let e = run(&c, &sandbox, "get_lines", missing).await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::NotFound,
        "the file the prefix names must exist"
    );

    let wrong = http()
        .get(format!("{}/files/r2024/lines/3to9", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404, "`3to9` does not fit `{{from}}-{{to}}`");
}
