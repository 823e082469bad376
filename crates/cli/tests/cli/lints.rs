//! Lints of `validate`: a corpus in `tests/fixtures/lints/`, one file per lint named after its
//! code (`L002_….yaml`), one snapshot each; `--deny-warnings` makes them errors (exit 3); a lint
//! allowed with a reason (`lints: { allow: { L003: … } }`) is silent; the shipped connectors
//! pass with `--deny-warnings`, as CI runs it.

use crate::common::{actionspec, root, snapshot};

fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("tests/fixtures/lints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem.clone(), format!("tests/fixtures/lints/{stem}.yaml"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn each_lint_of_the_corpus_warns_with_its_code() {
    let mut seen = Vec::new();
    for (stem, file) in corpus() {
        let Some(code) = stem.split('_').next().filter(|c| c.starts_with('L')) else {
            continue;
        };
        let out = actionspec(["validate", file.as_str()]).run();
        snapshot(&format!("lint_{stem}"), &out);
        assert_eq!(out.code, 0, "{}", out.render());
        assert!(out.stdout.starts_with("ok: "), "{}", out.render());
        let codes: Vec<&str> = out
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("warning["))
            .filter_map(|l| l.split(']').next())
            .collect();
        assert!(!codes.is_empty(), "{file}: no lint\n{}", out.render());
        assert!(codes.iter().all(|c| *c == code), "{file}: {codes:?}");
        let denied = actionspec(["validate", "--deny-warnings", file.as_str()]).run();
        assert_eq!(denied.code, 3, "{}", denied.render());
        assert!(denied.stderr.contains(&format!("error[{code}]")));
        seen.push(code.to_owned());
    }
    // Every lint the loader does not preempt has a case (L005: tool names over 64 characters
    // are also a load error, so the lint is tested on a spec in the author crate).
    for code in actionspec_author::lint::Code::ALL {
        let id = code.id();
        assert!(
            id == "L005" || seen.iter().any(|s| s == id),
            "no case for {id}"
        );
    }
}

#[test]
fn allowed_lints_are_silent_even_when_denied() {
    let out = actionspec([
        "validate",
        "--deny-warnings",
        "tests/fixtures/lints/allowed.yaml",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

/// `--output json` with `--deny-warnings`: each lint is a diagnostic, its code first.
#[test]
fn denied_lints_as_json() {
    let file = "tests/fixtures/lints/L002_delete_not_destructive.yaml";
    let out = actionspec(["validate", "--deny-warnings", "--output", "json", file]).run();
    assert_eq!(out.code, 3, "{}", out.render());
    let json = out.json();
    let d = &json["error"]["diagnostics"][0];
    assert_eq!(d["pointer"], "/actions/delete_user/destructive");
    assert!(d["message"].as_str().unwrap().starts_with("L002: "), "{d}");
}

/// The command CI runs (`.ci/run`): every shipped connector, lints denied.
#[test]
fn shipped_connectors_pass_with_warnings_denied() {
    let mut cli = actionspec(["validate", "--deny-warnings"]);
    for key in crate::common::shipped_connectors() {
        cli = cli.arg(&format!("connectors/{key}.yaml"));
    }
    let out = cli.run();
    assert_eq!(out.code, 0, "{}", out.render());
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}
