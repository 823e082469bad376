//! `import openapi`: a first draft of a connector from OpenAPI documents. The YAML of each
//! fixture document (OpenAPI 3.0, 3.1, Swagger 2.0, in `tests/fixtures/import/`) is snapshotted;
//! every draft, of the fixtures and of selections of the vendors' documents in `../shared`,
//! validates and conforms to the documents it came from.

use std::path::PathBuf;

use crate::common::{actionspec, root, snapshot_text};

/// A scratch folder of this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("import")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Imports `documents` (and `selection`) as `key`, then checks the draft with `validate` and
/// `conform` against the same documents; returns the YAML.
fn import_and_check(key: &str, documents: &[String], selection: &[&str]) -> String {
    let mut args = vec!["import".to_owned(), "openapi".to_owned()];
    args.extend(documents.iter().cloned());
    args.extend(["--key".to_owned(), key.to_owned()]);
    args.extend(selection.iter().map(|s| (*s).to_owned()));
    let out = actionspec(&args).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let file = scratch(key).join(format!("{key}.yaml"));
    std::fs::write(&file, &out.stdout).unwrap();
    let file = file.display().to_string();
    let validated = actionspec(["validate", file.as_str()]).run();
    assert_eq!(validated.code, 0, "{}", validated.render());
    let mut conform = vec!["conform".to_owned(), file.clone()];
    for d in documents {
        conform.extend(["--openapi".to_owned(), d.clone()]);
    }
    let conformed = actionspec(&conform).run();
    assert_eq!(conformed.code, 0, "{}", conformed.render());
    out.stdout
}

#[test]
fn fixture_documents_import_as_snapshotted_drafts_that_validate_and_conform() {
    for stem in ["openapi30", "openapi31", "swagger2"] {
        let doc = format!("tests/fixtures/import/{stem}.yaml");
        let yaml = import_and_check(&format!("fx_{stem}"), &[doc], &[]);
        snapshot_text(&format!("import_{stem}"), &yaml);
    }
}

/// The guide's import, of the example API's document.
#[test]
fn the_guides_example_document_imports() {
    let yaml = import_and_check(
        "bookshelf",
        &["docs/examples/openapi/bookshelf.yaml".to_owned()],
        &[],
    );
    assert!(yaml.contains("pagination: books_cursor"), "{yaml}");
}

#[test]
fn selections_choose_operations_by_id_tag_and_path() {
    let doc = "tests/fixtures/import/openapi30.yaml".to_owned();
    let yaml = import_and_check(
        "fx_pick",
        std::slice::from_ref(&doc),
        &["--operation", "deleteTask", "--path", "/tasks/*/notes"],
    );
    let connector = actionspec_engine::Connector::from_yaml("fx_pick.yaml", &yaml).unwrap();
    let ids: Vec<&str> = connector.actions.keys().map(String::as_str).collect();
    assert_eq!(ids, ["delete_task", "add_note"]);
    let out = actionspec([
        "import",
        "openapi",
        doc.as_str(),
        "--key",
        "fx_none",
        "--tag",
        "Nope",
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(
        out.stderr.contains("matches no operation"),
        "{}",
        out.stderr
    );
}

fn shared(file: &str) -> String {
    root().join("../shared").join(file).display().to_string()
}

/// The vendors' documents: Okta's user operations, a JumpCloud selection over its v1 and v2
/// documents, and Slack's conversation methods.
#[test]
#[cfg_attr(
    not(shared_documents),
    ignore = "../shared (the vendors' OpenAPI documents) is absent"
)]
fn vendor_selections_import_validate_and_conform() {
    import_and_check(
        "okta_draft",
        &[shared("okta-openapi/management.yaml")],
        &["--tag", "User"],
    );
    let jumpcloud = [
        shared("jumpcloud-openapi/v1.yaml"),
        shared("jumpcloud-openapi/v2.yaml"),
    ];
    import_and_check(
        "jumpcloud_draft",
        &jumpcloud,
        &["--path", "/systemusers*", "--path", "/usergroups*"],
    );
    import_and_check(
        "slack_draft",
        &[shared("slack-openapi/slack_web_openapi_v2.json")],
        &["--path", "/conversations.*"],
    );
}
