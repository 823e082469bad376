//! The tool server behind `actionspec mcp`, free of any protocol library: which tools are
//! exposed, running a call through the engine, and shaping its result for a model.
//!
//! A model is a careless caller: a list tool returns one page, never every page, of at most
//! `max_records` records and `max_bytes` bytes, with a note that says how to get more. A failed
//! action is a result like any other (the error's kind, status, the API's message and a hint),
//! never a protocol error. Every result is scrubbed of the credentials' secrets, every error
//! also of the call's `sensitive` inputs.

use actionspec_engine::spec::PaginationType;
use actionspec_engine::{Action, Client, Config, Connector, Error, ErrorKind, Outcome, Redactor};
use serde_json::{Map, Value, json};

use crate::tools::{self, Hidden, Selection};

/// How much one call may return.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Records per call of a list tool (the page size is lowered to it).
    pub max_records: u64,
    /// Bytes of one result's JSON text.
    pub max_bytes: usize,
}

/// A connector served, and the configuration its calls run with.
pub(crate) struct Target {
    /// The connector.
    pub connector: &'static Connector,
    /// Where its requests go and with which credentials.
    pub config: Config,
}

/// One exposed tool.
struct Tool {
    name: String,
    target: usize,
    action: &'static Action,
}

/// The result of a tool call: the JSON value (MCP's `structuredContent`), its text, and
/// whether the action failed.
#[derive(Debug, Clone)]
pub(crate) struct ToolResult {
    /// The action failed: the value is `{"error": {...}}`.
    pub is_error: bool,
    /// The outcome, or the error.
    pub value: Value,
}

/// The tools of some connectors, and what their calls need.
pub(crate) struct Server {
    targets: Vec<Target>,
    tools: Vec<Tool>,
    hidden: Vec<(String, Hidden)>,
    client: Client,
    limits: Limits,
    /// The secret credentials of every target.
    secrets: Vec<String>,
}

impl Server {
    /// The tools `selection` exposes from `targets`, called with `client` within `limits`.
    pub(crate) fn new(
        targets: Vec<Target>,
        selection: &Selection,
        client: Client,
        limits: Limits,
    ) -> Server {
        let mut tools = Vec::new();
        let mut hidden = Vec::new();
        let mut secrets = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            use secrecy::ExposeSecret;
            secrets.extend(
                t.config
                    .credentials
                    .secrets()
                    .map(|s| s.expose_secret().to_owned()),
            );
            for a in t.connector.actions.values() {
                let name = tools::tool_name(t.connector, a);
                match selection.check(t.connector, a) {
                    Ok(()) => tools.push(Tool {
                        name,
                        target: i,
                        action: a,
                    }),
                    Err(why) => hidden.push((name, why)),
                }
            }
        }
        Server {
            targets,
            tools,
            hidden,
            client,
            limits,
            secrets,
        }
    }

    /// The exposed tools, in MCP's shape.
    pub(crate) fn tools(&self) -> Vec<Value> {
        self.tools
            .iter()
            .map(|t| tools::mcp_tool(self.targets[t.target].connector, t.action))
            .collect()
    }

    /// The tools not exposed, and why.
    pub(crate) fn hidden(&self) -> &[(String, Hidden)] {
        &self.hidden
    }

    /// Runs tool `name` with `arguments` (none: `{}`).
    ///
    /// # Errors
    /// The message of a protocol error: `name` is not an exposed tool.
    pub(crate) async fn call(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
    ) -> std::result::Result<ToolResult, String> {
        let Some(tool) = self.tools.iter().find(|t| t.name == name) else {
            return Err(self.unknown(name));
        };
        let target = &self.targets[tool.target];
        let mut input = arguments.unwrap_or_default();
        let lowered = self.lower_limit(tool.action, &mut input);
        let input = Value::Object(input);
        let result = target
            .connector
            .run(&self.client, tool.action, &input, &target.config)
            .await;
        Ok(match result {
            Ok(outcome) => self.success(tool, &input, &outcome, lowered),
            Err(e) => self.failure(tool, &input, e),
        })
    }

    /// The message for a tool that is not exposed.
    fn unknown(&self, name: &str) -> String {
        match self.hidden.iter().find(|(n, _)| n == name) {
            Some((_, Hidden::Destructive)) => format!(
                "tool `{name}` is destructive and this server does not expose destructive tools"
            ),
            Some((_, Hidden::NotReadOnly)) => {
                format!("tool `{name}` writes and this server exposes read-only tools only")
            }
            Some((_, Hidden::NotSelected)) => {
                format!("tool `{name}` is not among the tools this server exposes")
            }
            None => format!("unknown tool `{name}`"),
        }
    }

    /// For a list tool: lowers the page size to `max_records` when the input asks for more, or
    /// asks for nothing and the API's default may be more. Returns the size asked for when it
    /// was lowered.
    fn lower_limit(&self, a: &Action, input: &mut Map<String, Value>) -> Option<u64> {
        let p = a.pagination.as_ref()?;
        let cap = self.limits.max_records.min(p.max_page_size).max(1);
        match input.get(&p.limit_input) {
            Some(v) => {
                let asked = v.as_u64().filter(|&n| n > cap)?;
                input.insert(p.limit_input.clone(), Value::from(cap));
                Some(asked)
            }
            None => {
                let default = a
                    .spec
                    .inputs
                    .get(&p.limit_input)
                    .and_then(|i| i.default.as_ref())
                    .and_then(Value::as_u64);
                if default.is_none_or(|d| d > cap) {
                    input.insert(p.limit_input.clone(), Value::from(cap));
                }
                None
            }
        }
    }

    fn success(
        &self,
        tool: &Tool,
        input: &Value,
        outcome: &Outcome,
        lowered: Option<u64>,
    ) -> ToolResult {
        let mut value = serde_json::to_value(outcome).unwrap_or(Value::Null);
        Redactor::new(&self.secrets).redact_json(&mut value);
        let mut notes = Vec::new();
        if let (Some(asked), Some(p)) = (lowered, &tool.action.pagination) {
            notes.push(format!(
                "`{}` was lowered from {asked} to {}: this server returns at most {} records per call.",
                p.limit_input, self.limits.max_records.min(p.max_page_size), self.limits.max_records
            ));
        }
        if tool.action.pagination.is_some() {
            self.bound_page(tool, input, &mut value, &mut notes);
        } else {
            self.bound_body(&mut value);
        }
        if let Some(obj) = value.as_object_mut() {
            if obj.get("next_input").is_some_and(|n| !n.is_null()) {
                notes.push(format!(
                    "More records: call `{}` again with `next_input` as its input.",
                    tool.name
                ));
            }
            if !notes.is_empty() {
                obj.insert("note".into(), Value::String(notes.join(" ")));
            }
        }
        ToolResult {
            is_error: false,
            value,
        }
    }

    /// Keeps the longest run of the page's first records within `max_records` and `max_bytes`,
    /// and makes `next_input` go on from the first record left out.
    fn bound_page(&self, tool: &Tool, input: &Value, value: &mut Value, notes: &mut Vec<String>) {
        let Some(records) = value.get("records").and_then(Value::as_array) else {
            return;
        };
        let sizes: Vec<usize> = records.iter().map(|r| r.to_string().len() + 1).collect();
        let mut empty = value.clone();
        empty["records"] = json!([]);
        // Room for the envelope, the notes and the next input.
        let mut room = self
            .limits
            .max_bytes
            .saturating_sub(empty.to_string().len() + 1024);
        let max = usize::try_from(self.limits.max_records).unwrap_or(usize::MAX);
        let mut keep = 0;
        for size in &sizes {
            if keep == max || *size > room {
                break;
            }
            room -= size;
            keep += 1;
        }
        let left_out = sizes.len() - keep;
        if left_out == 0 {
            return;
        }
        if let Some(records) = value.get_mut("records").and_then(Value::as_array_mut) {
            records.truncate(keep);
        }
        let Some(p) = &tool.action.pagination else {
            return;
        };
        let mut next = input.as_object().cloned().unwrap_or_default();
        if p.kind == PaginationType::Offset
            && let Some(key) = &p.offset_input
        {
            let offset = next.get(key).and_then(Value::as_u64).unwrap_or(0);
            next.insert(key.clone(), Value::from(offset + keep as u64));
            notes.push(format!(
                "{left_out} more records of this page were left out to keep the result within the server's limit of {} bytes; `next_input` goes on from the first of them.",
                self.limits.max_bytes
            ));
        } else {
            // A cursor cannot start inside a page: the page again, in smaller pages.
            next.insert(p.limit_input.clone(), Value::from(keep.max(1) as u64));
            notes.push(format!(
                "{left_out} more records of this page were left out to keep the result within the server's limit of {} bytes; `next_input` fetches this page again in pages of {} (its first {keep} records come again).",
                self.limits.max_bytes, keep.max(1)
            ));
        }
        value["next_input"] = Value::Object(next);
    }

    /// Replaces a body larger than `max_bytes` with the start of its JSON text and a note.
    fn bound_body(&self, value: &mut Value) {
        let Some(body) = value.get("body") else {
            return;
        };
        let text = body.to_string();
        if text.len() <= self.limits.max_bytes {
            return;
        }
        let mut end = self.limits.max_bytes.saturating_sub(1024).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if let Some(obj) = value.as_object_mut() {
            obj.remove("body");
            obj.insert("body_excerpt".into(), Value::String(text[..end].to_owned()));
            obj.insert(
                "note".into(),
                Value::String(format!(
                    "The response body is {} bytes, more than this server's limit of {} bytes per result: `body_excerpt` is its JSON text, cut. Ask for less if the tool's inputs allow it (fewer fields, a filter).",
                    text.len(),
                    self.limits.max_bytes
                )),
            );
        }
    }

    /// A failed action as a tool result: the engine's error as data, worded for a model, with
    /// the credentials and the call's sensitive inputs removed.
    fn failure(&self, tool: &Tool, input: &Value, error: Error) -> ToolResult {
        let mut error = error.with_action(&tool.action.id);
        if error.kind == ErrorKind::Input && !error.violations.is_empty() {
            error.hint = Some(format!(
                "fix each violation: the inputSchema of tool `{}` lists every input and its type",
                tool.name
            ));
        }
        let mut value = error.to_json();
        if let Some(e) = value.get_mut("error").and_then(Value::as_object_mut) {
            // A process exit code means nothing to a model.
            e.shift_remove("exit_code");
            e.insert("tool".into(), Value::String(tool.name.clone()));
        }
        let mut secrets = self.secrets.clone();
        secrets.extend(tool.action.sensitive_values(input));
        Redactor::new(&secrets).redact_json(&mut value);
        ToolResult {
            is_error: true,
            value,
        }
    }
}
