//! Agent tool definitions generated from a connector: one tool per action, named
//! `{connector}_{action}`, with the action's input JSON Schema, a description an LLM can act on,
//! and safety annotations from the action's markers. The definitions are built here once, in
//! MCP's shape ([`mcp_tool`]); the other APIs' shapes and their lints are in [`formats`].
//!
//! Nothing here knows any protocol library: `mcp.rs` serves these values over MCP, and
//! `actionspec tools` prints them.

pub(crate) mod formats;

use actionspec_engine::{Action, Connector, Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

/// The tool name of an action: `{connector}_{action}` (the loader checks that it fits
/// `^[a-zA-Z0-9_-]{1,64}$`).
pub(crate) fn tool_name(c: &Connector, a: &Action) -> String {
    format!("{}_{}", c.spec.key, a.id)
}

/// What a tool tells its caller about itself, besides the action's own description: the
/// method and path, the scopes, and for a list how to get the next page.
pub(crate) fn description(a: &Action) -> String {
    let mut s = a.spec.description.trim().to_owned();
    s.push_str(&format!(
        "\n\nHTTP: {} {}.",
        a.spec.method.as_str(),
        a.spec.path
    ));
    if !a.spec.scopes.is_empty() {
        s.push_str(&format!(" Required scopes: {}.", a.spec.scopes.join(", ")));
    }
    if let Some(p) = &a.pagination {
        s.push_str(&format!(
            " Returns one page of records (`{}` sets the page size, at most {}). When more records remain, the result's `next_input` is the input of the next page: call this tool again with it; `next_input` is null on the last page.",
            p.limit_input, p.max_page_size
        ));
    }
    if a.destructive {
        s.push_str(" Destructive: it deletes or disrupts data or devices.");
    }
    s
}

/// MCP's tool annotations, each set explicitly: MCP counts a tool that is not read-only and
/// says nothing about `destructiveHint` as destructive. Every tool calls a remote API, so the
/// world is open.
pub(crate) fn annotations(a: &Action) -> Value {
    json!({
        "title": a.spec.name,
        "readOnlyHint": a.read_only,
        "destructiveHint": a.destructive,
        "idempotentHint": a.idempotent,
        "openWorldHint": true,
    })
}

/// What a list tool's result holds (see `agent.rs`): the connectors declare no record shape, so
/// the records are any JSON; the page around them is the engine's.
pub(crate) fn list_output_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "status": { "type": "integer", "description": "The HTTP status." },
            "records": { "type": "array", "items": {}, "description": "The records of this page, as the API sent them." },
            "total": { "type": "integer", "description": "The total number of records, where the API reports it." },
            "next_input": {
                "type": ["object", "null"],
                "description": "The input of the next page; null on the last page."
            },
            "next_url": { "type": "string", "description": "The next page's URL, for APIs that give one." },
            "note": { "type": "string", "description": "How the result was bounded, and how to get more." }
        },
        "required": ["status", "records", "next_input"]
    })
}

/// The tool of action `a` in MCP's shape (`tools/list`): name, title, description,
/// `inputSchema` (the action's input schema, as `describe --json` shows it), `outputSchema` for
/// lists, and annotations.
pub(crate) fn mcp_tool(c: &Connector, a: &Action) -> Value {
    let mut tool = Map::new();
    tool.insert("name".into(), Value::String(tool_name(c, a)));
    tool.insert("title".into(), Value::String(a.spec.name.clone()));
    tool.insert("description".into(), Value::String(description(a)));
    tool.insert("inputSchema".into(), a.input_schema().clone());
    if a.pagination.is_some() {
        tool.insert("outputSchema".into(), list_output_schema());
    }
    tool.insert("annotations".into(), annotations(a));
    Value::Object(tool)
}

/// Which of a connector's actions a server exposes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// List destructive tools too.
    pub allow_destructive: bool,
    /// List only read-only tools.
    pub read_only: bool,
    /// Only the actions whose id or tool name matches one of these globs (`*`, `?`); all when
    /// empty.
    pub globs: Vec<String>,
}

/// Why an action is not exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// It is destructive and destructive tools were not allowed.
    Destructive,
    /// It writes and only read-only tools were asked for.
    NotReadOnly,
    /// No glob matched it.
    NotSelected,
}

impl Selection {
    /// Whether `a` (of `c`) is exposed, and if not, why.
    pub(crate) fn check(&self, c: &Connector, a: &Action) -> std::result::Result<(), Hidden> {
        let name = tool_name(c, a);
        if !self.globs.is_empty()
            && !self
                .globs
                .iter()
                .any(|g| glob_match(g, &a.id) || glob_match(g, &name))
        {
            return Err(Hidden::NotSelected);
        }
        if self.read_only && !a.read_only {
            return Err(Hidden::NotReadOnly);
        }
        if a.destructive && !self.allow_destructive {
            return Err(Hidden::Destructive);
        }
        Ok(())
    }

    /// Checks that every glob matches an action of one of `connectors`.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] naming the first glob that matches nothing.
    pub(crate) fn check_globs(&self, connectors: &[&Connector]) -> Result<()> {
        for g in &self.globs {
            let matched = connectors.iter().any(|c| {
                c.actions
                    .values()
                    .any(|a| glob_match(g, &a.id) || glob_match(g, &tool_name(c, a)))
            });
            if !matched {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("--actions `{g}` matches no action"),
                )
                .with_hint(
                    "a glob matches action ids or tool names, e.g. `list_*` or `CONNECTOR_get_*`; `actionspec actions CONNECTOR` lists them",
                ));
            }
        }
        Ok(())
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters and `?` one.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen, and where in `text` it started matching.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("list_*", "list_system_users"));
        assert!(glob_match("*_users", "list_system_users"));
        assert!(glob_match("*", ""));
        assert!(glob_match("get_?ystem_user", "get_system_user"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(!glob_match("list_*", "get_system_user"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }
}
