//! Completions, the man page, `--version` and the examples in `--help`.

use crate::common::{actionspec, shipped_connectors};

fn has(program: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completion_scripts_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = actionspec(["completions", shell]).run();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("COMPLETE"), "{shell}:\n{}", out.stdout);
        assert!(out.stdout.contains("actionspec"), "{shell}");
    }
}

#[test]
fn the_bash_script_sources_without_error() {
    if !has("bash") {
        return;
    }
    let script = actionspec(["completions", "bash"]).run().stdout;
    let out = std::process::Command::new("bash")
        .args(["-c", "source /dev/stdin && complete -p actionspec"])
        .env_clear()
        .stdin_text(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("actionspec"));
}

/// Runs a command with `text` on its stdin.
trait StdinText {
    fn stdin_text(&mut self, text: &str) -> std::process::Output;
}

impl StdinText for std::process::Command {
    fn stdin_text(&mut self, text: &str) -> std::process::Output {
        use std::io::Write;
        let mut child = self
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

/// What the shell's completion request gets back: the binary answers with `COMPLETE` set.
fn complete(words: &[&str]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("actionspec");
    let index = (words.len() - 1).to_string();
    let out = std::process::Command::new(&bin)
        .env_clear()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", &index)
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn connector_and_action_names_are_completed() {
    let connectors = complete(&["actionspec", "run", ""]);
    for key in shipped_connectors() {
        assert!(
            connectors.lines().any(|l| l == key),
            "{key} in:\n{connectors}"
        );
    }
    let actions = complete(&["actionspec", "run", "jumpcloud", "list_sys"]);
    assert!(
        actions.lines().any(|l| l == "list_system_users"),
        "{actions}"
    );
    assert!(
        actions.lines().all(|l| l.starts_with("list_sys")),
        "{actions}"
    );
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = actionspec(["man"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = &out.stdout;
    assert!(
        page.starts_with(".ie") || page.contains(".TH actionspec"),
        "{page}"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        "ACTIONSPEC RUN",
        "\\-\\-jq",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    if has("man") {
        let dir = std::env::temp_dir().join(format!("actionspec-man-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("actionspec.1");
        std::fs::write(&file, page).unwrap();
        let rendered = std::process::Command::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(
            rendered.status.success(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        assert!(text.contains("actionspec"), "{text}");
    }
}

#[test]
fn version_names_the_commit_and_the_built_in_connectors() {
    let out = actionspec(["--version"]).run();
    assert_eq!(out.code, 0);
    let first = out.stdout.lines().next().unwrap();
    assert!(first.starts_with(&format!(
        "actionspec {} (commit ",
        env!("CARGO_PKG_VERSION")
    )));
    for key in shipped_connectors() {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.trim().starts_with(&format!("{key} "))),
            "{key}:\n{}",
            out.stdout
        );
    }
}

/// Every command's help ends with examples, and no help line is longer than 100 characters.
#[test]
fn every_help_has_examples_and_short_lines() {
    let out = actionspec(["--help"]).run();
    let commands: Vec<String> = out
        .stdout
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        // A command's line starts with two spaces; its wrapped description with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() > 5, "{commands:?}");
    let mut helps = vec![(String::from("actionspec"), out.stdout.clone())];
    for c in &commands {
        helps.push((c.clone(), actionspec([c.as_str(), "--help"]).run().stdout));
    }
    for nested in [["auth", "check"], ["import", "openapi"]] {
        let help = actionspec([nested[0], nested[1], "--help"]).run().stdout;
        helps.push((nested.join(" "), help));
    }
    for (name, help) in helps {
        assert!(
            help.contains("Examples:\n  "),
            "{name} has no examples:\n{help}"
        );
        let examples = help.split("Examples:\n").nth(1).unwrap();
        assert!(
            examples.lines().filter(|l| l.starts_with("  ")).count() >= 2,
            "{name}"
        );
        for line in help.lines() {
            assert!(
                line.chars().count() <= 100,
                "{name}: {} chars: {line}",
                line.len()
            );
        }
    }
}
