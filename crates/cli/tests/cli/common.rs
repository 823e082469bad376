//! Running the binary, rendering its output for snapshots, and mock JumpCloud servers.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The API key used by runs that need one (not a real key).
pub const TEST_KEY: &str = "test-key-canary-123";

/// The environment variable the JumpCloud connector reads its API key from.
pub const KEY_VAR: &str = "JUMPCLOUD_API_KEY";

/// The workspace root: the binary runs from here, so paths in its output are relative.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A command line to run.
#[derive(Debug, Clone)]
pub struct Cli {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
}

/// The number of actions `connectors/{key}.yaml` declares, read from the file (no test knows
/// how many actions a connector has).
pub fn shipped_actions(key: &str) -> usize {
    let file = format!("connectors/{key}.yaml");
    let text = std::fs::read_to_string(root().join(&file)).unwrap();
    actionspec_engine::Connector::from_yaml(&file, &text)
        .unwrap_or_else(|e| panic!("{e}"))
        .actions
        .len()
}

/// The keys of the connectors shipped in `connectors/`, sorted as `actionspec connectors` lists
/// the built-in ones (no test knows which connectors ship).
pub fn shipped_connectors() -> Vec<String> {
    let mut keys: Vec<String> = std::fs::read_dir(root().join("connectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let file = format!("connectors/{}", p.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&p).unwrap();
            actionspec_engine::Connector::from_yaml(&file, &text)
                .unwrap_or_else(|e| panic!("{e}"))
                .spec
                .key
        })
        .collect();
    keys.sort();
    keys
}

/// The built-in connectors' keys, then `user` (what `connectors --json` lists with a user
/// folder).
pub fn shipped_connectors_and(user: &str) -> Vec<String> {
    let mut keys = shipped_connectors();
    keys.push(user.to_owned());
    keys
}

/// `actionspec <args>`, with an empty environment.
pub fn actionspec<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Cli {
    Cli {
        args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
        env: Vec::new(),
        stdin: None,
    }
}

impl Cli {
    /// Appends an argument.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets `JUMPCLOUD_API_KEY` to [`TEST_KEY`].
    pub fn key(self) -> Self {
        self.env(KEY_VAR, TEST_KEY)
    }

    /// Feeds `text` to standard input.
    pub fn stdin(self, text: &str) -> Self {
        self.stdin_bytes(text.as_bytes())
    }

    /// Feeds `bytes` (not necessarily UTF-8) to standard input.
    pub fn stdin_bytes(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Runs the binary to completion (at most 60 s).
    pub fn run(&self) -> Output {
        let mut cmd = assert_cmd::Command::cargo_bin("actionspec").unwrap();
        cmd.env_clear()
            .current_dir(root())
            .args(&self.args)
            .timeout(Duration::from_secs(60));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        // Always give a stdin, so no test ever reads the terminal of whoever runs the tests.
        cmd.write_stdin(self.stdin.clone().unwrap_or_default());
        let out = cmd.output().unwrap();
        Output {
            command: self.display(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// The command as a shell line; secret values (`*_KEY`, `*_TOKEN`, `*SECRET*`) are shown as
    /// `***`.
    fn display(&self) -> String {
        let mut line = String::from("$ ");
        for (k, v) in &self.env {
            let v = if k.ends_with("_KEY") || k.ends_with("_TOKEN") || k.contains("SECRET") {
                "***"
            } else {
                v.as_str()
            };
            let _ = write!(line, "{k}={} ", quote(v));
        }
        line.push_str("actionspec");
        for a in &self.args {
            line.push(' ');
            line.push_str(&quote(a));
        }
        if let Some(s) = &self.stdin {
            let s = String::from_utf8_lossy(s);
            let _ = write!(line, " <<< {}", quote(s.trim_end()));
        }
        line
    }
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What a run printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The snapshot text: command, exit code, stdout, stderr.
    pub fn render(&self) -> String {
        self.render_with(&self.stdout)
    }

    /// As [`Output::render`], with long stdout shortened to its first `head` lines and its last
    /// line (for NDJSON streams of hundreds of records; the tests check every line).
    pub fn render_summarized(&self, head: usize) -> String {
        let lines: Vec<&str> = self.stdout.lines().collect();
        if lines.len() <= head + 1 {
            return self.render();
        }
        let mut s = lines[..head].join("\n");
        let _ = write!(
            s,
            "\n… ({} more lines)\n{}\n",
            lines.len() - head - 1,
            lines[lines.len() - 1]
        );
        self.render_with(&s)
    }

    fn render_with(&self, stdout: &str) -> String {
        let section = |s: &str| {
            if s.is_empty() {
                "(empty)\n".to_owned()
            } else {
                s.to_owned()
            }
        };
        format!(
            "{}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.command,
            self.code,
            section(stdout),
            section(&self.stderr)
        )
    }

    /// stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout parsed as NDJSON: one JSON value a line.
    pub fn ndjson(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }
}

/// Filters that make snapshots deterministic: the mock server's port, log timestamps and
/// colours, and the platform's errno.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        // Any port, except the example port 8080 of `run --help` (kept aside, then restored).
        (r"127\.0\.0\.1:8080\b", "127.0.0.1:{8080}"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"127\.0\.0\.1:\{8080\}", "127.0.0.1:8080"),
        (r"\x1b\[[0-9;]*m", ""),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]"),
        (r"\(os error \d+\)", "(os error [N])"),
        // An HTTP date (RFC 9110 §5.6.7), as in "wait 120 s (until …)".
        (
            r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
            "[HTTP-DATE]",
        ),
    ]
}

/// Snapshots `text` as `tests/snapshots/cli/<name>.snap`.
pub fn snapshot_text(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => root().join("tests/snapshots/cli"),
        prepend_module_to_snapshot => false,
        filters => filters(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Snapshots a run (command, exit code, stdout, stderr).
pub fn snapshot(name: &str, out: &Output) {
    snapshot_text(name, &out.render());
}

/// Runs `cli`, checks its exit code, and snapshots it.
#[track_caller]
pub fn check(name: &str, cli: &Cli, code: i32) -> Output {
    let out = cli.run();
    snapshot(name, &out);
    assert_eq!(
        out.code,
        code,
        "exit code of `{}`\n{}",
        out.command,
        out.render()
    );
    out
}

/// A mock server on 127.0.0.1 (only), with a fresh port.
pub async fn server() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    MockServer::builder().listener(listener).start().await
}

/// The `--base-url` for a mock server: JumpCloud's paths start after `/api`.
pub fn base_url(server: &MockServer) -> String {
    format!("{}/api", server.uri())
}

/// A base URL on which nothing listens: a port just released by the OS.
pub fn closed_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api")
}

/// The requests a mock server received.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// A request's query parameters.
pub fn query(r: &Request) -> HashMap<String, String> {
    r.url.query_pairs().into_owned().collect()
}

/// A request header's value.
pub fn header(r: &Request, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// The `i`-th generated system user.
pub fn user(i: usize) -> Value {
    json!({ "_id": format!("{i:024x}"), "username": format!("user{i:03}"), "email": format!("user{i:03}@example.com") })
}

/// The `i`-th generated user group.
pub fn group(i: usize) -> Value {
    json!({ "id": format!("{:024x}", 0x1000 + i), "name": format!("group{i:02}"), "type": "user_group" })
}

/// Serves slices of `total` generated records by `skip`/`limit` (defaults 0 and 10), like
/// JumpCloud: v1 as `{totalCount, results}`, v2 as a bare array with `x-total-count`.
pub struct Slices {
    pub total: usize,
    pub v2: bool,
    /// Answer this `skip` with a 503 (a failure part-way through `--all`).
    pub fail_at_skip: Option<usize>,
}

impl Respond for Slices {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = query(request);
        let skip: usize = q.get("skip").map_or(0, |s| s.parse().unwrap());
        let limit: usize = q.get("limit").map_or(10, |s| s.parse().unwrap());
        if self.fail_at_skip == Some(skip) {
            return ResponseTemplate::new(503).set_body_raw("upstream connect error", "text/plain");
        }
        let range = skip.min(self.total)..(skip + limit).min(self.total);
        if self.v2 {
            let body: Vec<Value> = range.map(group).collect();
            ResponseTemplate::new(200)
                .insert_header("x-total-count", self.total.to_string())
                .set_body_json(body)
        } else {
            let results: Vec<Value> = range.map(user).collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({ "totalCount": self.total, "results": results }))
        }
    }
}
