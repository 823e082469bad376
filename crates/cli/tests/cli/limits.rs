//! Bounded loading through the real binary: connector files that aborted the process (stack
//! overflow), ran for minutes or took gigabytes are refused with located diagnostics and exit 3,
//! and in `--connectors DIR` they are skipped without breaking the other connectors. The files
//! are generated into a folder of the test target directory; its path is shown as `[DIR]`.

use std::path::{Path, PathBuf};

use crate::common::{Output, actionspec, snapshot_text};

/// A small connector whose `create_note` action has `body` (YAML, indented 4 spaces).
fn with_body(body: &str) -> String {
    format!(
        r#"spec_version: 1
key: notes
name: Notes
version: 1.0.0
servers:
  prod: {{ url: "https://api.example.com/v1" }}
default_server: prod
actions:
  create_note:
    name: Create Note
    description: Create a note.
    method: POST
    path: /notes
    body:
{body}
    examples:
      - input: {{}}
"#
    )
}

/// The generated files: (file stem, text).
fn oversized_files() -> Vec<(&'static str, String)> {
    let huge: String = (0..30)
        .map(|i| format!("      m{i}: \"{{{{ 'x' * 99999999 }}}}\"\n"))
        .collect();
    vec![
        ("deep_block", format!("{}a\n", "- ".repeat(10_500))),
        (
            "deep_flow",
            format!(
                "key: x\ntags: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "long_template",
            with_body(&format!(
                "      title: \"{{{{ {} }}}}\"",
                vec!["1"; 20_000].join("+")
            )),
        ),
        (
            "recursive_macro",
            with_body(
                "      title: \"{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(1) }}\"",
            ),
        ),
        ("huge_render", with_body(huge.trim_end())),
    ]
}

/// A fresh folder `name` in the test target directory, holding `files` (stem → text).
fn folder(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-limits-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (stem, text) in files {
        std::fs::write(dir.join(format!("{stem}.yaml")), text).unwrap();
    }
    dir
}

/// Snapshots `out` with the folder's path shown as `[DIR]`.
fn snapshot_in(name: &str, out: &Output, dir: &Path) {
    snapshot_text(
        name,
        &out.render().replace(&dir.display().to_string(), "[DIR]"),
    );
}

/// Regression: `validate` aborted with a stack overflow (deep YAML, a 20,000-term template),
/// ran for minutes (a recursive macro) or took 3 GB (30 members of `'x' * 99999999`).
#[test]
fn validate_refuses_files_that_crashed_or_stalled_the_cli() {
    let files = oversized_files();
    let dir = folder("validate", &files);
    for (stem, _) in &files {
        let file = dir.join(format!("{stem}.yaml")).display().to_string();
        let out = actionspec(["validate", file.as_str()]).run();
        snapshot_in(&format!("validate_oversized@{stem}"), &out, &dir);
        assert_eq!(out.code, 3, "{}", out.render());
        assert!(
            out.stderr.contains(&format!("--> {file}:")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains('^'), "no caret: {}", out.stderr);
    }
}

/// The 30-member file is refused within a 256 MB address space (it took 3 GB).
#[test]
fn validate_of_huge_renders_stays_bounded_in_memory() {
    let files = oversized_files();
    let huge: Vec<_> = files
        .into_iter()
        .filter(|(s, _)| *s == "huge_render")
        .collect();
    let dir = folder("memory", &huge);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 262144 && exec \"$0\" validate \"$1\"")
        .arg(env!("CARGO_BIN_EXE_actionspec"))
        .arg(dir.join("huge_render.yaml"))
        .env_clear()
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ran out of fuel"), "{stderr}");
}

/// Regression: one of these files in `--connectors DIR` aborted every command; now each is
/// skipped with a warning, and the built-in connectors and the good user file still work.
#[test]
fn broken_files_beside_good_ones_are_skipped() {
    let mut files = oversized_files();
    let petstore = crate::common::root().join("tests/fixtures/cli/connectors/petstore.yaml");
    files.push(("petstore", std::fs::read_to_string(petstore).unwrap()));
    let dir = folder("connectors", &files);
    let dir_arg = dir.display().to_string();

    let out = actionspec(["--connectors", dir_arg.as_str(), "connectors", "--json"]).run();
    assert_eq!(out.code, 0, "{}", out.render());
    let keys: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, crate::common::shipped_connectors_and("petstore"));
    snapshot_text(
        "oversized_connectors_skipped",
        &format!("--- stderr\n{}", out.stderr.replace(&dir_arg, "[DIR]")),
    );
    for (stem, _) in oversized_files() {
        assert!(
            out.stderr
                .contains(&format!("warning: skipping {dir_arg}/{stem}.yaml")),
            "{}",
            out.stderr
        );
    }

    let dry_run = ["run", "jumpcloud", "list_system_users", "--dry-run"];
    let out = actionspec(
        ["--connectors", dir_arg.as_str()]
            .into_iter()
            .chain(dry_run),
    )
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert_eq!(out.json()["method"], "GET");

    let out = actionspec(["--connectors", dir_arg.as_str(), "actions", "deep_block"]).run();
    assert_eq!(out.code, 3, "{}", out.render());
    assert!(out.stderr.contains("nesting too deep"), "{}", out.stderr);
}
