//! A guard between stdio and the MCP server: every line the server could not read is answered
//! here with its JSON-RPC 2.0 error (§5.1) instead of being dropped, which would leave the
//! client waiting for an answer that never comes.
//!
//! - Not JSON, nested deeper than serde_json reads (128 levels), or longer than [`MAX_LINE`]:
//!   `-32700` (parse error), `id` null.
//! - JSON that is not a request object: `-32600` (invalid request), its `id` where it has one.
//! - `tools/call` whose `arguments` is not an object: `-32602` (invalid params), with its `id`.
//!
//! Everything else goes to the server unchanged. Answers and the server's messages are written
//! to stdout one whole line at a time, so they never interleave.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;

/// The longest line read, in bytes: a longer one is a parse error, read no further than this.
pub(crate) const MAX_LINE: usize = 8 * 1024 * 1024;

/// The server's side of the guarded stdio: what it reads, and where it writes.
pub(crate) fn stdio() -> (DuplexStream, DuplexStream) {
    guard(BufReader::new(tokio::io::stdin()), tokio::io::stdout())
}

/// Guards `input` and `output` (see the module docs); returns the server's reader and writer.
pub(crate) fn guard(
    input: impl AsyncBufRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> (DuplexStream, DuplexStream) {
    let (to_server, server_reads) = tokio::io::duplex(64 * 1024);
    let (server_writes, from_server) = tokio::io::duplex(64 * 1024);
    let (answers, answered) = mpsc::unbounded_channel();
    tokio::spawn(read_requests(input, to_server, answers));
    tokio::spawn(write_messages(from_server, answered, output));
    (server_reads, server_writes)
}

/// Forwards each readable request line to the server; answers the others.
async fn read_requests(
    mut input: impl AsyncBufRead + Unpin,
    mut to_server: DuplexStream,
    answers: mpsc::UnboundedSender<String>,
) {
    loop {
        let mut line = Vec::new();
        let read = (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await;
        match read {
            Ok(0) | Err(_) => return,
            Ok(_) if line.len() > MAX_LINE && !line.ends_with(b"\n") => {
                let _ = answers.send(error(&Value::Null, -32700, "the message is too long"));
                if skip_line(&mut input).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(_) => {}
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match check(&line) {
            Some(answer) => {
                let _ = answers.send(answer);
            }
            None if to_server.write_all(&line).await.is_err() => return,
            None => {}
        }
    }
}

/// Reads and drops the rest of an over-long line.
async fn skip_line(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(at) => {
                input.consume(at + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// The error answer for a line the server cannot read, or `None` to pass it on.
fn check(line: &[u8]) -> Option<String> {
    let message: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) if e.to_string().contains("recursion limit") => {
            return Some(error(
                &Value::Null,
                -32700,
                "the message is nested too deeply",
            ));
        }
        Err(_) => return Some(error(&Value::Null, -32700, "the message is not JSON")),
    };
    let Value::Object(m) = &message else {
        // A batch (an array) is left to the server, which says what it supports.
        return (!message.is_array())
            .then(|| error(&Value::Null, -32600, "a request is a JSON object"));
    };
    let id = m.get("id").cloned().unwrap_or(Value::Null);
    if !m.get("method").is_some_and(Value::is_string) && !m.contains_key("result") {
        if m.contains_key("error") {
            return None;
        }
        return Some(error(&id, -32600, "a request needs a string `method`"));
    }
    let arguments = m.get("params").and_then(|p| p.get("arguments"));
    let call = m.get("method").and_then(Value::as_str) == Some("tools/call");
    if call && arguments.is_some_and(|a| !a.is_object() && !a.is_null()) {
        return Some(error(
            &id,
            -32602,
            "`params.arguments` of tools/call must be an object of the tool's inputs",
        ));
    }
    None
}

fn error(id: &Value, code: i64, message: &str) -> String {
    let mut text = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string();
    text.push('\n');
    text
}

/// Writes the server's messages and the guard's answers to `output`, a whole line at a time.
async fn write_messages(
    from_server: DuplexStream,
    mut answered: mpsc::UnboundedReceiver<String>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut lines = BufReader::new(from_server).lines();
    let mut answers_open = true;
    loop {
        // The guard's answers first: each was queued before any later line reached the server.
        let text = tokio::select! {
            biased;
            answer = answered.recv(), if answers_open => match answer {
                Some(answer) => answer,
                None => { answers_open = false; continue; }
            },
            line = lines.next_line() => match line {
                Ok(Some(mut line)) => { line.push('\n'); line }
                _ => break,
            },
        };
        if output.write_all(text.as_bytes()).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    // The server is done: the answers still queued go out too.
    while let Ok(answer) = answered.try_recv() {
        let _ = output.write_all(answer.as_bytes()).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(line: &str) -> Option<(Value, i64)> {
        check(line.as_bytes()).map(|a| {
            let v: Value = serde_json::from_str(&a).unwrap();
            (v["id"].clone(), v["error"]["code"].as_i64().unwrap())
        })
    }

    #[test]
    fn unreadable_lines_get_their_error() {
        assert_eq!(code("{not json"), Some((Value::Null, -32700)));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(code(&deep), Some((Value::Null, -32700)));
        assert_eq!(code("7"), Some((Value::Null, -32600)));
        assert_eq!(code(r#"{"id": 3}"#), Some((json!(3), -32600)));
        let call = r#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":[1,2]}}"#;
        assert_eq!(code(call), Some((json!("a"), -32602)));
    }

    #[test]
    fn readable_messages_pass() {
        for line in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{}}}"#,
            r#"{"jsonrpc":"2.0","id":2,"result":{}}"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        ] {
            assert_eq!(code(line), None, "{line}");
        }
    }
}
