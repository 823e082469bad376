//! `docs`: the Markdown catalogue generated from a connector's YAML. `docs/connectors/<key>.md`
//! is committed for every file of `connectors/`, and must be what `docs` prints for it today.

use crate::common::{actionspec, check, root};

/// Every shipped connector's committed catalogue is in sync with its YAML.
#[test]
fn committed_catalogues_are_in_sync_with_the_yaml() {
    let mut stale = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("connectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let file = format!("connectors/{}", path.file_name().unwrap().to_string_lossy());
        let out = actionspec(["docs", file.as_str()]).run();
        assert_eq!(out.code, 0, "{}", out.render());
        let key = actionspec_engine::Connector::from_yaml(
            &file,
            &std::fs::read_to_string(&path).unwrap(),
        )
        .unwrap()
        .spec
        .key;
        let doc = format!("docs/connectors/{key}.md");
        let committed = std::fs::read_to_string(root().join(&doc)).unwrap_or_default();
        if committed != out.stdout {
            stale.push(format!(
                "{doc} is out of date with {file}: run `cargo run -q -p actionspec -- docs {file} -o {doc}`"
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// One action's section: what it does, its facts, inputs, the example call and response.
#[test]
fn one_action_section() {
    check(
        "docs_action_section",
        &actionspec([
            "docs",
            "tests/fixtures/cli/connectors/petstore.yaml",
            "--action",
            "create_pet",
        ]),
        0,
    );
}

#[test]
fn an_unknown_action_is_a_usage_error() {
    let out = actionspec([
        "docs",
        "tests/fixtures/cli/connectors/petstore.yaml",
        "--action",
        "create_pets",
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(
        out.stderr.contains("did you mean `create_pet`?"),
        "{}",
        out.stderr
    );
}
