//! `actionspec mcp`: real MCP sessions with the official SDK's client, over the stdio of the
//! built binary (a child process this test starts, ended by closing its stdin): initialize,
//! tools/list, tools/call against the sandbox and against loopback mock servers; what is
//! hidden; the bounds of a result; stdout carrying nothing but JSON-RPC; and the secret
//! canaries of `secrets.rs` over MCP results and errors.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RunningService, ServiceError};
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::common::{self, KEY_VAR, Slices, base_url, root, server, shipped_actions};
use crate::secrets::{self, CANARY, Echo, PASSWORD_CANARY};

/// A running `actionspec mcp` and the SDK's client connected to it.
struct Session {
    client: RunningService<RoleClient, ()>,
    stderr: tokio::task::JoinHandle<String>,
}

/// Starts `actionspec mcp ARGS` in a scrubbed environment with `env`, and initializes.
async fn start(args: &[&str], env: &[(&str, &str)]) -> Session {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_actionspec"));
    cmd.env_clear().current_dir(root()).arg("mcp").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = stderr.unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let client = ().serve(transport).await.unwrap();
    Session { client, stderr }
}

impl Session {
    /// tools/list, each tool as JSON.
    async fn tools(&self) -> Vec<Value> {
        self.client
            .list_all_tools()
            .await
            .unwrap()
            .iter()
            .map(|t| serde_json::to_value(t).unwrap())
            .collect()
    }

    /// tools/call.
    async fn call(&self, name: &str, arguments: Value) -> Result<CallToolResult, ServiceError> {
        let Value::Object(arguments) = arguments else {
            panic!("arguments must be an object");
        };
        self.client
            .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(arguments))
            .await
    }

    /// tools/call of a tool that must run: its `structuredContent`, checked against its text.
    async fn ok(&self, name: &str, arguments: Value) -> Value {
        let result = self.call(name, arguments).await.unwrap();
        assert_eq!(result.is_error, Some(false), "{result:?}");
        structured(&result)
    }

    /// tools/call of an action that must fail: its `structuredContent` `error`.
    async fn failed(&self, name: &str, arguments: Value) -> Value {
        let result = self.call(name, arguments).await.unwrap();
        assert_eq!(result.is_error, Some(true), "{result:?}");
        structured(&result)["error"].clone()
    }

    /// Ends the session (the server exits when its stdin closes) and gives its stderr.
    async fn close(self) -> String {
        self.client.cancel().await.unwrap();
        tokio::time::timeout(Duration::from_secs(20), self.stderr)
            .await
            .expect("the server did not exit")
            .unwrap()
    }
}

/// A result's `structuredContent`, which its one text content repeats as JSON.
fn structured(result: &CallToolResult) -> Value {
    let value = result
        .structured_content
        .clone()
        .expect("structuredContent");
    let text = &result.content[0].as_text().expect("text content").text;
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), value);
    value
}

fn names(tools: &[Value]) -> Vec<&str> {
    tools.iter().map(|t| t["name"].as_str().unwrap()).collect()
}

/// The issue's "done when": list the tools of the JumpCloud sandbox, page through
/// `list_system_users` by `next_input`, create a user, see a failed call as an error result,
/// and find no destructive tool without `--allow-destructive`.
#[tokio::test(flavor = "multi_thread")]
async fn session_against_the_sandbox() {
    let s = start(&["jumpcloud", "--sandbox"], &[]).await;
    let info = s.client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "actionspec");
    assert!(info.capabilities.tools.is_some());

    let tools = s.tools().await;
    let listing: String = tools
        .iter()
        .map(|t| format!("{} {}\n", t["name"].as_str().unwrap(), t["annotations"]))
        .collect();
    common::snapshot_text("mcp_tools_list_jumpcloud", &listing);
    assert!(names(&tools).contains(&"jumpcloud_list_system_users"));
    assert!(!names(&tools).contains(&"jumpcloud_delete_system_user"));
    assert!(
        tools
            .iter()
            .all(|t| t["annotations"]["destructiveHint"] == false)
    );

    let page = s
        .ok("jumpcloud_list_system_users", json!({"limit": 3}))
        .await;
    assert_eq!(page["status"], 200);
    assert_eq!(page["records"].as_array().unwrap().len(), 3);
    assert_eq!(page["next_input"], json!({"limit": 3, "skip": 3}));
    assert!(
        page["note"].as_str().unwrap().contains("next_input"),
        "{page}"
    );
    let next = s
        .ok("jumpcloud_list_system_users", page["next_input"].clone())
        .await;
    assert_eq!(next["records"].as_array().unwrap().len(), 3);
    assert_ne!(next["records"][0]["_id"], page["records"][0]["_id"]);

    let created = s
        .ok(
            "jumpcloud_create_system_user",
            json!({"email": "new.user@example.com", "username": "newuser"}),
        )
        .await;
    let id = created["body"]["_id"].as_str().unwrap().to_owned();
    let fetched = s.ok("jumpcloud_get_system_user", json!({ "id": id })).await;
    assert_eq!(fetched["body"]["username"], "newuser");

    let missing = s
        .failed(
            "jumpcloud_get_system_user",
            json!({"id": "000000000000000000000000"}),
        )
        .await;
    assert_eq!(missing["kind"], "not_found");
    assert_eq!(missing["status"], 404);
    assert!(
        missing["api_message"]
            .as_str()
            .unwrap()
            .contains("no record")
    );
    assert!(missing["hint"].is_string(), "{missing}");
    assert!(missing.get("exit_code").is_none(), "{missing}");

    let invalid = s
        .failed("jumpcloud_list_system_users", json!({"limit": "five"}))
        .await;
    assert_eq!(invalid["kind"], "input");
    assert_eq!(invalid["violations"][0]["pointer"], "/limit");
    assert!(
        !invalid["hint"].as_str().unwrap().contains("--"),
        "{invalid}"
    );

    // A tool that is not listed is a protocol error, and the API never sees the call.
    let hidden = s
        .call("jumpcloud_delete_system_user", json!({"id": id}))
        .await
        .unwrap_err();
    assert!(hidden.to_string().contains("destructive"), "{hidden}");
    let unknown = s
        .call("jumpcloud_no_such_tool", json!({}))
        .await
        .unwrap_err();
    assert!(unknown.to_string().contains("unknown tool"), "{unknown}");
    s.ok("jumpcloud_get_system_user", json!({ "id": id })).await;

    let stderr = s.close().await;
    assert!(stderr.contains("destructive tools hidden"), "{stderr}");
}

/// Every shipped connector serves one tool per action with `--allow-destructive`, each with
/// every annotation set, a self-contained object input schema and a valid name.
#[tokio::test(flavor = "multi_thread")]
async fn every_shipped_connector_lists_every_action() {
    let name_ok = |n: &str| {
        (1..=64).contains(&n.len())
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    for key in common::shipped_connectors() {
        let s = start(&[&key, "--sandbox", "--allow-destructive"], &[]).await;
        let tools = s.tools().await;
        assert_eq!(tools.len(), shipped_actions(&key), "{key}");
        // `tools --format mcp` prints what the server lists.
        let export = common::actionspec(["tools", &key, "--format", "mcp"]).run();
        assert_eq!(export.json()["tools"], json!(tools), "{key}");
        for t in &tools {
            let name = t["name"].as_str().unwrap();
            assert!(name_ok(name), "{name}");
            assert!(name.starts_with(&format!("{key}_")), "{name}");
            assert!(t["title"].is_string(), "{name}");
            for hint in [
                "readOnlyHint",
                "destructiveHint",
                "idempotentHint",
                "openWorldHint",
            ] {
                assert!(t["annotations"][hint].is_boolean(), "{name}: {hint}");
            }
            let schema = &t["inputSchema"];
            assert_eq!(schema["type"], "object", "{name}");
            assert!(schema.get("oneOf").is_none() && schema.get("anyOf").is_none());
            assert!(!schema.to_string().contains("\"$ref\""), "{name}");
        }
        s.close().await;
    }
}

/// `--read-only` lists only read-only tools, `--actions` only those its globs match, and
/// `--allow-destructive` the destructive ones too, marked so.
#[tokio::test(flavor = "multi_thread")]
async fn flags_choose_the_tools() {
    let s = start(&["jumpcloud", "--sandbox", "--read-only"], &[]).await;
    let tools = s.tools().await;
    assert!(!tools.is_empty());
    assert!(
        tools
            .iter()
            .all(|t| t["annotations"]["readOnlyHint"] == true)
    );
    s.close().await;

    let s = start(
        &[
            "jumpcloud",
            "--sandbox",
            "--actions",
            "list_*",
            "jumpcloud_get_system_user",
        ],
        &[],
    )
    .await;
    let tools = s.tools().await;
    let listed = names(&tools);
    assert!(listed.contains(&"jumpcloud_get_system_user"), "{listed:?}");
    assert!(
        listed
            .iter()
            .all(|n| n.starts_with("jumpcloud_list_") || *n == "jumpcloud_get_system_user")
    );
    s.close().await;

    let s = start(&["jumpcloud", "--sandbox", "--allow-destructive"], &[]).await;
    let tools = s.tools().await;
    let delete = tools
        .iter()
        .find(|t| t["name"] == "jumpcloud_delete_system_user")
        .expect("listed with --allow-destructive");
    assert_eq!(delete["annotations"]["destructiveHint"], true);
    assert_eq!(delete["annotations"]["readOnlyHint"], false);
    s.close().await;
}

/// A list call returns at most `--max-records` records and `--max-bytes` bytes, and its
/// `next_input` goes on from the first record left out.
#[tokio::test(flavor = "multi_thread")]
async fn results_are_bounded() {
    let s = start(&["jumpcloud", "--sandbox", "--max-records", "4"], &[]).await;
    let page = s
        .ok("jumpcloud_list_system_users", json!({"limit": 20}))
        .await;
    assert_eq!(page["records"].as_array().unwrap().len(), 4);
    assert_eq!(page["next_input"], json!({"limit": 4, "skip": 4}));
    assert!(
        page["note"]
            .as_str()
            .unwrap()
            .contains("lowered from 20 to 4"),
        "{page}"
    );
    // No limit given: the page is bounded all the same.
    let page = s.ok("jumpcloud_list_system_users", json!({})).await;
    assert_eq!(page["records"].as_array().unwrap().len(), 4);
    s.close().await;

    let s = start(&["jumpcloud", "--sandbox", "--max-bytes", "4096"], &[]).await;
    let page = s
        .ok("jumpcloud_list_system_users", json!({"limit": 10}))
        .await;
    let kept = page["records"].as_array().unwrap().len();
    assert!((1..10).contains(&kept), "{kept} records kept");
    assert!(
        page.to_string().len() <= 4096,
        "{} bytes",
        page.to_string().len()
    );
    assert_eq!(page["next_input"], json!({"limit": 10, "skip": kept}));
    assert!(
        page["note"].as_str().unwrap().contains("left out"),
        "{page}"
    );
    s.close().await;
}

/// Every line the server writes on stdout is a JSON-RPC message, at every log level.
#[test]
fn stdout_carries_only_json_rpc() {
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "jumpcloud_list_system_users", "arguments": {"limit": 2}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "jumpcloud_get_system_user", "arguments": {"id": "nope"}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
            "name": "jumpcloud_nothing", "arguments": {}}}),
    ];
    for log in [None, Some("trace")] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_actionspec"));
        cmd.env_clear()
            .current_dir(root())
            .args(["mcp", "jumpcloud", "--sandbox"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(level) = log {
            cmd.env("ACTIONSPEC_LOG", level);
        }
        let mut child = cmd.spawn().unwrap();
        // Read stderr as it comes, so that trace logs never fill the pipe.
        let mut stderr = child.stderr.take().unwrap();
        let logs = std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
            text
        });
        let mut stdin = child.stdin.take().unwrap();
        for r in &requests {
            writeln!(stdin, "{r}").unwrap();
        }
        let mut answered = std::collections::BTreeSet::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while answered.len() < 5 {
            let line = lines.next().expect("the server closed stdout").unwrap();
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("log {log:?}: not JSON ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            answered.insert(message["id"].as_u64().expect("a response"));
        }
        drop(stdin);
        for line in lines {
            let line = line.unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
        }
        let status = child.wait().unwrap();
        let stderr = logs.join().unwrap();
        assert!(status.success(), "{status:?}\n{stderr}");
        if log.is_some() {
            assert!(stderr.contains("TRACE"), "{stderr}");
        }
    }
}

/// The secret canaries over MCP: the API key and a `sensitive` password, echoed by the API in
/// every encoding in successes and in errors, never reach a result, an error or stderr, at any
/// log level.
#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_mcp_results() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 30,
            v2: false,
            fail_at_skip: None,
        })
        .mount(&server)
        .await;
    for (id, status) in [
        (secrets::OK_ID, 200),
        (secrets::UNAUTHORIZED_ID, 401),
        (secrets::NOT_FOUND_ID, 404),
    ] {
        let echo = Echo {
            status,
            group: None,
            password: false,
        };
        secrets::mount(&server, id, echo).await;
    }
    let groups = secrets::echo_groups(CANARY).len();
    for i in 0..groups {
        let echo = Echo {
            status: 500,
            group: Some(i),
            password: false,
        };
        secrets::mount(&server, &format!("html500-{i}"), echo).await;
    }
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(Echo {
            status: 400,
            group: None,
            password: true,
        })
        .mount(&server)
        .await;
    let forms: Vec<String> = [CANARY, PASSWORD_CANARY]
        .iter()
        .flat_map(|s| secrets::leaked_forms(s))
        .collect();
    let base = base_url(&server);
    for log in ["warn", "trace"] {
        let env = [(KEY_VAR, CANARY), ("ACTIONSPEC_LOG", log)];
        let s = start(&["jumpcloud", "--base-url", &base], &env).await;
        let mut seen = Vec::new();
        let list = s
            .ok("jumpcloud_list_system_users", json!({"limit": 5}))
            .await;
        assert_eq!(list["records"].as_array().unwrap().len(), 5);
        seen.push(list);
        // 200 with the key echoed in the body: a result, scrubbed.
        seen.push(
            s.ok("jumpcloud_get_system_user", json!({"id": secrets::OK_ID}))
                .await,
        );
        for id in [secrets::UNAUTHORIZED_ID, secrets::NOT_FOUND_ID] {
            seen.push(
                s.failed("jumpcloud_get_system_user", json!({ "id": id }))
                    .await,
            );
        }
        for i in 0..groups {
            let id = format!("html500-{i}");
            seen.push(
                s.failed("jumpcloud_get_system_user", json!({ "id": id }))
                    .await,
            );
        }
        // The key pasted into an input, echoed by the input error.
        seen.push(
            s.failed("jumpcloud_get_system_user", json!({ "id": CANARY, "x": 1 }))
                .await,
        );
        let create =
            json!({"email": "a@example.com", "username": "a", "password": PASSWORD_CANARY});
        let refused = s.failed("jumpcloud_create_system_user", create).await;
        assert_eq!(refused["status"], 400);
        seen.push(refused);
        let stderr = s.close().await;
        for form in &forms {
            for v in &seen {
                assert!(
                    !v.to_string().contains(form.as_str()),
                    "log {log}: {form:?} in {v}"
                );
            }
            assert!(
                !stderr.contains(form.as_str()),
                "log {log}: {form:?} on stderr:\n{stderr}"
            );
        }
    }
    let requests = common::received(&server).await;
    assert!(
        requests
            .iter()
            .all(|r| common::header(r, "x-api-key").as_deref() == Some(CANARY))
    );
}

/// A line the server cannot read is answered with its JSON-RPC error, never dropped: the client
/// is not left waiting, and the session goes on.
#[test]
fn unreadable_requests_are_answered_not_dropped() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        "{not json".to_owned(),
        format!(
            r#"{{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{{"name":"jumpcloud_list_system_users","arguments":{{"filter":{deep}}}}}}}"#
        ),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
            "name": "jumpcloud_list_system_users", "arguments": [1, 2]}})
        .to_string(),
        json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}).to_string(),
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_actionspec"))
        .env_clear()
        .current_dir(root())
        .args(["mcp", "jumpcloud", "--sandbox"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in &lines {
        writeln!(stdin, "{line}").unwrap();
    }
    // Stdin stays open until the last answer is read (closing it ends the session); after 30 s
    // it is closed anyway, so that a missing answer fails the test instead of hanging it.
    let (done, closing) = std::sync::mpsc::channel::<()>();
    let keeper = std::thread::spawn(move || {
        let _ = closing.recv_timeout(Duration::from_secs(30));
        drop(stdin);
    });
    let mut answers: Vec<Value> = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        answers.push(serde_json::from_str(&line.unwrap()).unwrap());
        let errors = answers.iter().filter(|a| a.get("error").is_some()).count();
        if errors == 3 && answers.iter().any(|a| a["id"] == 9) {
            break;
        }
    }
    let _ = done.send(());
    keeper.join().unwrap();
    child.wait().unwrap();
    let errors: Vec<(Value, i64)> = answers
        .iter()
        .filter_map(|a| Some((a["id"].clone(), a["error"]["code"].as_i64()?)))
        .collect();
    assert_eq!(
        errors,
        [
            (Value::Null, -32700),
            (Value::Null, -32700),
            (json!(5), -32602)
        ]
    );
    assert!(
        answers
            .iter()
            .any(|a| a["id"] == 9 && a["result"].is_object())
    );
}
