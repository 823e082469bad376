//! The guide (`docs/writing-a-connector.md`) tested end to end: its example connector is
//! `docs/examples/bookshelf.yaml`, quoted whole and in parts by the guide, and every command the
//! guide shows runs and succeeds. `init`'s skeleton validates and runs against the sandbox.

use crate::common::{Cli, actionspec, root};

const GUIDE: &str = "docs/writing-a-connector.md";
const EXAMPLE: &str = "docs/examples/bookshelf.yaml";

fn read(file: &str) -> String {
    std::fs::read_to_string(root().join(file)).unwrap()
}

/// The guide's fenced blocks of one language, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let body = &rest[i + open.len()..];
        let end = body.find("```\n").unwrap();
        out.push(body[..end].to_owned());
        rest = &body[end..];
    }
    out
}

#[test]
fn the_guide_quotes_the_example_connector_exactly() {
    let guide = read(GUIDE);
    let example = read(EXAMPLE);
    let yaml = blocks(&guide, "yaml");
    assert_eq!(
        yaml.last(),
        Some(&example),
        "the last YAML block of {GUIDE} is not {EXAMPLE}"
    );
    for part in &yaml[..yaml.len() - 1] {
        assert!(
            example.contains(part.as_str()),
            "{GUIDE} quotes what {EXAMPLE} does not say:\n{part}"
        );
    }
}

/// The commands of the guide that are run here; each must appear in the guide as written.
fn commands() -> Vec<Cli> {
    let c = ["--connectors", "docs/examples", "run", "bookshelf"];
    let with = |rest: &[&str]| actionspec(c.iter().chain(rest));
    vec![
        actionspec([
            "import",
            "openapi",
            "docs/examples/openapi/bookshelf.yaml",
            "--key",
            "bookshelf",
        ]),
        actionspec(["validate", "--deny-warnings", EXAMPLE]),
        with(&["get_book", "--dry-run", r#"{"id": "bk_1"}"#]),
        with(&[
            "create_book",
            "--dry-run",
            r#"{"title": "Emma", "author": "Jane Austen"}"#,
        ]),
        with(&["list_books", "--sandbox", "--all"]),
        with(&["delete_book", "--sandbox", "--yes", r#"{"id": "bk_2"}"#]),
        actionspec([
            "conform",
            EXAMPLE,
            "--openapi",
            "docs/examples/openapi/bookshelf.yaml",
            "--sandbox",
        ]),
        actionspec(["docs", EXAMPLE]),
    ]
}

#[test]
fn every_command_of_the_guide_succeeds_on_its_example() {
    let shown: Vec<String> = blocks(&read(GUIDE), "sh")
        .iter()
        .flat_map(|b| b.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for cli in commands() {
        let out = cli.run();
        let line = out.command.trim_start_matches("$ ");
        assert!(
            shown.iter().any(|l| l == line),
            "{GUIDE} does not show `{line}`"
        );
        assert_eq!(out.code, 0, "{}", out.render());
    }
    // Listing every page against the sandbox delivers the example's records, one per line.
    let out = commands()[4].run();
    let records = out.ndjson();
    assert!(records.iter().any(|r| r["id"] == "bk_1"), "{}", out.stdout);
}

/// `init`: the skeleton validates with lints denied, and its action runs against the sandbox.
#[test]
fn the_init_skeleton_validates_and_runs_against_the_sandbox() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("init");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = actionspec(["init", "my_api"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let file = dir.join("my_api.yaml");
    std::fs::write(&file, &out.stdout).unwrap();
    let file = file.display().to_string();
    let dir = dir.display().to_string();
    let out = actionspec(["validate", "--deny-warnings", file.as_str()]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let run = [
        "--connectors",
        dir.as_str(),
        "run",
        "my_api",
        "list_items",
        "--sandbox",
    ];
    let out = actionspec(run).arg(r#"{"limit": 2}"#).run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(out.json()["records"].as_array().map(Vec::len), Some(2));
    // `-o` never overwrites a file.
    let out = actionspec(["init", "my_api", "-o", file.as_str()]).run();
    assert_eq!(out.code, 2, "{}", out.render());
}

#[test]
fn init_refuses_a_key_that_is_not_snake_case() {
    let out = actionspec(["init", "My-API"]).run();
    assert_eq!(out.code, 2, "{}", out.render());
    assert!(out.stderr.contains("snake_case"), "{}", out.stderr);
}
