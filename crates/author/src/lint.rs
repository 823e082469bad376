//! Lints: what a connector file may do but usually should not, beyond what the meta-schema and
//! the loader refuse. `actionspec validate` prints them as warnings (errors with
//! `--deny-warnings`), each with a stable code, a location and a hint.
//!
//! A lint that does not apply is allowed with the reason, on the action or for the whole file:
//! `lints: { allow: { L003: "the API deduplicates on the name" } }`. The codes are documented in
//! `docs/connector-format.md#lints` and never change meaning.

use actionspec_engine::spec::{ActionSpec, ConnectorSpec, Method, Placement};
use actionspec_engine::yaml::{SourceMap, escape_token};
use actionspec_engine::{Diagnostic, LintLevel, render_lint};
use serde_json::Value;

/// The longest tool name agents accept (`{connector}_{action}`, `^[a-zA-Z0-9_-]{1,64}$`).
pub const MAX_TOOL_NAME: usize = 64;

/// A lint, by its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// L001: an action without an example, or whose examples show no response.
    Example,
    /// L002: a `DELETE` marked `destructive: false`.
    DeleteNotDestructive,
    /// L003: a `POST` marked `idempotent: true` (it will be retried) without a reason.
    PostIdempotent,
    /// L004: an input declared but never placed in the request nor used by a template.
    UnusedInput,
    /// L005: a tool name (`{connector}_{action}`) over 64 characters or outside `[a-zA-Z0-9_-]`.
    ToolName,
    /// L006: a description that is empty or repeats the name.
    Description,
    /// L007: a credential that looks secret (`*_KEY`, `*_SECRET`, `*_TOKEN`, `*PASSWORD*`) but
    /// is not marked `secret: true`.
    SecretCredential,
    /// L008: a list action (a `GET` `list_…` whose path does not end in a placeholder) without
    /// pagination.
    ListWithoutPagination,
    /// L009: a path input without a `pattern` where another input for the same ids has one.
    PathPattern,
}

impl Code {
    /// Every lint, in code order.
    pub const ALL: [Code; 9] = [
        Code::Example,
        Code::DeleteNotDestructive,
        Code::PostIdempotent,
        Code::UnusedInput,
        Code::ToolName,
        Code::Description,
        Code::SecretCredential,
        Code::ListWithoutPagination,
        Code::PathPattern,
    ];

    /// The stable code, `L001` to `L009`.
    pub fn id(self) -> &'static str {
        match self {
            Code::Example => "L001",
            Code::DeleteNotDestructive => "L002",
            Code::PostIdempotent => "L003",
            Code::UnusedInput => "L004",
            Code::ToolName => "L005",
            Code::Description => "L006",
            Code::SecretCredential => "L007",
            Code::ListWithoutPagination => "L008",
            Code::PathPattern => "L009",
        }
    }

    /// The lint with this code.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// One lint found in a connector file.
#[derive(Debug, Clone)]
pub struct Lint {
    /// Which lint.
    pub code: Code,
    /// The action it is about; `None` for the connector as a whole (credentials).
    pub action: Option<String>,
    /// What, where, and the hint.
    pub diagnostic: Diagnostic,
}

/// Every lint of `spec` (read from `source`, for the locations) that the file does not allow,
/// in file order: connector-wide lints first, then each action's.
pub fn check(spec: &ConnectorSpec, source: &str) -> Vec<Lint> {
    let map = actionspec_engine::yaml::parse(source)
        .map(|d| d.map)
        .unwrap_or_default();
    let mut found = Found {
        map: &map,
        lints: Vec::new(),
    };
    credentials(spec, &mut found);
    for (id, action) in &spec.actions {
        lint_action(spec, id, action, &mut found);
    }
    let allowed = |lint: &Lint| {
        let top = spec.lints.as_ref().map(|l| &l.allow);
        let own = lint
            .action
            .as_ref()
            .and_then(|a| spec.actions.get(a))
            .and_then(|a| a.lints.as_ref())
            .map(|l| &l.allow);
        [top, own]
            .into_iter()
            .flatten()
            .any(|allow| allow.contains_key(lint.code.id()))
    };
    found.lints.retain(|l| !allowed(l));
    found.lints
}

/// Renders the lints of `file` (whose text is `source`), rustc-style: `warning[L001]: …`, or
/// `error[L001]: …` when `deny` is set.
pub fn render(file: &str, source: &str, lints: &[Lint], deny: bool) -> String {
    let mut out = String::new();
    for lint in lints {
        let level = if deny {
            LintLevel::Error
        } else {
            LintLevel::Warning
        };
        out.push_str(&render_lint(
            file,
            source,
            &lint.diagnostic,
            lint.code.id(),
            level,
        ));
        out.push_str("\n\n");
    }
    out
}

/// The lints found so far, and where to locate them.
struct Found<'a> {
    map: &'a SourceMap,
    lints: Vec<Lint>,
}

impl Found<'_> {
    fn push(&mut self, code: Code, action: Option<&str>, at: &str, what: [String; 3]) {
        let [title, label, hint] = what;
        let span = self.map.key_or_value(at);
        self.lints.push(Lint {
            code,
            action: action.map(str::to_owned),
            diagnostic: Diagnostic::new(title, label)
                .at(span, Some(at.to_owned()))
                .hint(hint),
        });
    }
}

fn pointer(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", escape_token(t)))
        .collect()
}

/// L007.
fn credentials(spec: &ConnectorSpec, found: &mut Found<'_>) {
    for (name, credential) in &spec.credentials {
        let looks = looks_secret(&credential.env) || looks_secret(&name.to_ascii_uppercase());
        if credential.secret || !looks {
            continue;
        }
        let at = pointer(&["credentials", name]);
        found.push(
            Code::SecretCredential,
            None,
            &at,
            [
                format!(
                    "credential `{name}` ({}) looks secret but is not marked `secret: true`",
                    credential.env
                ),
                "not secret".to_owned(),
                "mark it `secret: true`: a plain credential reaches templates, dry runs and output; if it really is public, allow L007 at the top level with the reason".to_owned(),
            ],
        );
    }
}

/// `*_KEY`, `*_SECRET`, `*_TOKEN`, `*PASSWORD*` (upper case, as environment variables are).
fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["KEY", "SECRET", "TOKEN"]
        .iter()
        .any(|w| name == *w || name.ends_with(&format!("_{w}")))
        || name.contains("PASSWORD")
}

fn lint_action(spec: &ConnectorSpec, id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    example(id, action, found);
    markers(id, action, found);
    unused_inputs(id, action, found);
    tool_name(&spec.key, id, found);
    description(id, action, found);
    pagination(id, action, found);
    path_patterns(spec, id, action, found);
}

/// L001.
fn example(id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    let title = if action.examples.is_empty() {
        format!("action `{id}` has no example")
    } else if action.examples.iter().all(|e| e.response.is_none()) {
        format!("no example of action `{id}` shows a response")
    } else {
        return;
    };
    found.push(
        Code::Example,
        Some(id),
        &pointer(&["actions", id, "examples"]),
        [
            title,
            "no example response".to_owned(),
            "add `response: { status: …, body: … }` to an example: the docs show it, and the sandbox answers and seeds its records with it".to_owned(),
        ],
    );
}

/// L002 and L003.
fn markers(id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    if action.method == Method::Delete && action.destructive == Some(false) {
        found.push(
            Code::DeleteNotDestructive,
            Some(id),
            &pointer(&["actions", id, "destructive"]),
            [
                format!("DELETE action `{id}` is marked `destructive: false`"),
                "a delete that needs no confirmation".to_owned(),
                "remove `destructive: false` (a DELETE is destructive by default, so the CLI asks for --yes and agents are warned), or allow L002 with the reason the delete loses nothing".to_owned(),
            ],
        );
    }
    if action.method == Method::Post && action.idempotent == Some(true) {
        found.push(
            Code::PostIdempotent,
            Some(id),
            &pointer(&["actions", id, "idempotent"]),
            [
                format!("POST action `{id}` is marked `idempotent: true` without a reason"),
                "retried on timeouts and 5xx".to_owned(),
                "idempotent actions are sent again after a failure: say why twice is harmless with `lints: { allow: { L003: \"…\" } }`, or remove `idempotent: true`".to_owned(),
            ],
        );
    }
}

/// L004: with a `body` template, `in: body` inputs are placed only where a template uses them.
fn unused_inputs(id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    let Some(body) = &action.body else { return };
    let mut templates = Vec::new();
    strings(body, &mut templates);
    templates.extend(action.headers.values().map(String::as_str));
    templates.extend(action.query.values().map(String::as_str));
    for (input, spec) in &action.inputs {
        if spec.placement != Placement::Body || templates.iter().any(|t| uses(t, input)) {
            continue;
        }
        found.push(
            Code::UnusedInput,
            Some(id),
            &pointer(&["actions", id, "inputs", input]),
            [
                format!("input `{input}` of action `{id}` is never sent"),
                "declared, never used".to_owned(),
                format!(
                    "the action's `body` template replaces the automatic placement of `in: body` inputs: use `{{{{ input.{input} }}}}` in it, or remove the input"
                ),
            ],
        );
    }
}

/// Every string of a JSON value.
fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Whether a template uses `input.<id>` or `input["<id>"]`, or the whole `input` object.
fn uses(template: &str, id: &str) -> bool {
    let bytes = template.as_bytes();
    let mut from = 0;
    while let Some(i) = template[from..].find("input") {
        let start = from + i;
        let end = start + "input".len();
        from = end;
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if start > 0 && (word(bytes[start - 1]) || bytes[start - 1] == b'.') {
            continue;
        }
        if bytes.get(end).copied().is_some_and(word) {
            continue;
        }
        let rest = template[end..].trim_start();
        if let Some(member) = rest.strip_prefix('.') {
            let name: String = member
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name == id {
                return true;
            }
        } else if let Some(index) = rest.strip_prefix('[') {
            let index = index.trim_start();
            if [format!("'{id}'"), format!("\"{id}\"")]
                .iter()
                .any(|q| index.starts_with(q.as_str()))
            {
                return true;
            }
        } else {
            // The whole object (`input | tojson`, `input.items()` aside): anything may be used.
            return true;
        }
    }
    false
}

/// L005.
fn tool_name(key: &str, id: &str, found: &mut Found<'_>) {
    let tool = format!("{key}_{id}");
    let bad_chars = !tool
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if tool.len() <= MAX_TOOL_NAME && !bad_chars {
        return;
    }
    found.push(
        Code::ToolName,
        Some(id),
        &pointer(&["actions", id]),
        [
            format!("tool name `{tool}` does not fit `^[a-zA-Z0-9_-]{{1,64}}$`"),
            "the tool name agents see".to_owned(),
            "shorten the action id (or the connector key), in snake_case".to_owned(),
        ],
    );
}

/// L006.
fn description(id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    let normal = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let text = normal(&action.description);
    let title = if text.is_empty() {
        format!("action `{id}` has an empty description")
    } else if text == normal(&action.name) || text == normal(id) {
        format!("the description of action `{id}` repeats its name")
    } else {
        return;
    };
    found.push(
        Code::Description,
        Some(id),
        &pointer(&["actions", id, "description"]),
        [
            title,
            "says nothing the name does not".to_owned(),
            "say what the action does and returns, in a sentence: agents choose tools by it"
                .to_owned(),
        ],
    );
}

/// L008.
fn pagination(id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    // A `list_…` GET whose path ends in a placeholder reads one record (`/users/{id}`).
    let list = id.starts_with("list_") && !action.path.trim_end_matches('/').ends_with('}');
    if action.method != Method::Get || action.pagination.is_some() || !list {
        return;
    }
    found.push(
        Code::ListWithoutPagination,
        Some(id),
        &pointer(&["actions", id]),
        [
            format!("list action `{id}` has no pagination"),
            "a list without pagination".to_owned(),
            "declare a pagination style and `pagination: <style>` so that --all follows every page; if the API returns the whole list at once, allow L008 with that reason".to_owned(),
        ],
    );
}

/// L009.
fn path_patterns(spec: &ConnectorSpec, id: &str, action: &ActionSpec, found: &mut Found<'_>) {
    for (input, i) in &action.inputs {
        if i.placement != Placement::Path || i.pattern.is_some() {
            continue;
        }
        let wire = i.wire_name(input);
        let segment = segment_before(&action.path, wire);
        let evidence = spec.actions.iter().find_map(|(other_id, other)| {
            other.inputs.iter().find_map(|(other_input, o)| {
                let same = o.wire_name(other_input) == wire
                    && (o.placement != Placement::Path
                        || segment_before(&other.path, wire) == segment);
                o.pattern.as_ref().filter(|_| same).map(|p| (other_id, p))
            })
        });
        let Some((other, pattern)) = evidence else {
            continue;
        };
        found.push(
            Code::PathPattern,
            Some(id),
            &pointer(&["actions", id, "inputs", input]),
            [
                format!(
                    "path input `{input}` of action `{id}` has no pattern; action `{other}` declares `{pattern}` for `{wire}`"
                ),
                "any value is sent".to_owned(),
                format!(
                    "add `pattern: '{pattern}'`, so that a wrong id is an input error before anything is sent"
                ),
            ],
        );
    }
}

/// The literal path segment before `{name}`: `users` for `/api/users/{id}`.
fn segment_before<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let placeholder = format!("{{{name}}}");
    let mut previous = None;
    for segment in path.split('/') {
        if segment == placeholder {
            return previous;
        }
        if !segment.contains('{') && !segment.is_empty() {
            previous = Some(segment);
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_inputs_by_member_index_or_whole() {
        assert!(uses("{{ input.name }}", "name"));
        assert!(uses("{{ input['name'] }}", "name"));
        assert!(uses("{{ input | tojson }}", "name"));
        assert!(!uses("{{ input.names }}", "name"));
        assert!(!uses("{{ input.other }}", "name"));
        assert!(!uses("{{ my_input.name }}", "x"));
    }

    #[test]
    fn secret_looking_names() {
        for name in [
            "API_KEY",
            "CLIENT_SECRET",
            "TOKEN",
            "DB_PASSWORD_FILE",
            "CHAT_TOKEN",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["ORG_DOMAIN", "CLIENT_ID", "KEYRING", "ORG_ID"] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    /// L005: the loader refuses such a tool name too, so the lint is checked on a spec that
    /// was never loaded.
    #[test]
    fn a_tool_name_over_64_characters() {
        let long = "a".repeat(60);
        let spec = serde_json::json!({
            "spec_version": 1, "key": "demo", "name": "Demo", "version": "1.0.0",
            "servers": { "prod": { "url": "https://api.example.com" } }, "default_server": "prod",
            "actions": { long.clone(): {
                "name": "Get Thing", "description": "Fetch one thing.", "method": "GET",
                "path": "/things", "examples": [ { "input": {}, "response": { "status": 200 } } ]
            } }
        });
        let spec: ConnectorSpec = serde_json::from_value(spec).unwrap_or_else(|e| panic!("{e}"));
        let lints = check(&spec, "");
        let codes: Vec<Code> = lints.iter().map(|l| l.code).collect();
        assert_eq!(codes, [Code::ToolName]);
        assert_eq!(
            lints[0].diagnostic.title,
            format!("tool name `demo_{long}` does not fit `^[a-zA-Z0-9_-]{{1,64}}$`")
        );
    }

    /// L008 is for lists: a `list_…` GET of one record (`/users/{id}`) needs no pagination.
    #[test]
    fn a_list_named_get_of_one_record_is_not_a_list() {
        let action = |path: &str| {
            serde_json::json!({
                "name": "List a user", "description": "Fetch one user by id.", "method": "GET",
                "path": path, "inputs": { "id": { "type": "string", "in": "path", "required": true } },
                "examples": [ { "input": { "id": "u1" }, "response": { "status": 200 } } ]
            })
        };
        let spec = serde_json::json!({
            "spec_version": 1, "key": "demo", "name": "Demo", "version": "1.0.0",
            "servers": { "prod": { "url": "https://api.example.com" } }, "default_server": "prod",
            "actions": { "list_user": action("/users/{id}"), "list_users": action("/users/{id}/all") }
        });
        let spec: ConnectorSpec = serde_json::from_value(spec).unwrap_or_else(|e| panic!("{e}"));
        let flagged: Vec<String> = check(&spec, "")
            .iter()
            .filter(|l| l.code == Code::ListWithoutPagination)
            .map(|l| l.diagnostic.title.clone())
            .collect();
        assert_eq!(flagged, ["list action `list_users` has no pagination"]);
    }

    #[test]
    fn codes_round_trip() {
        for code in Code::ALL {
            assert_eq!(Code::from_id(code.id()), Some(code));
        }
    }
}
