//! A first draft of a connector from the vendor's OpenAPI 3.0, 3.1 or Swagger 2.0 documents
//! (`actionspec import openapi`): servers, credentials and auth methods from the security
//! schemes, one action per selected operation with its inputs, success statuses, scopes, body
//! media type, an example and a guessed pagination style. Whatever cannot be expressed is a YAML
//! comment where it belongs. The draft is meant to load and to conform to the same documents.

mod action;
mod auth;
mod input;
mod paginate;
mod schema;
pub mod yaml;

use std::collections::BTreeSet;

use actionspec_conform::DocumentSet;
use actionspec_conform::operations::{Index, Operation, split_url};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// Which operations to import; an empty selection imports every operation.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `operationId`s (or their snake_case action ids).
    pub operations: Vec<String>,
    /// Tags: every operation with one of them.
    pub tags: Vec<String>,
    /// Path globs (`*` matches any characters, `/` included): `/users*`.
    pub paths: Vec<String>,
}

impl Selection {
    fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.tags.is_empty() && self.paths.is_empty()
    }

    fn selects(&self, op: &Operation<'_>) -> bool {
        if self.is_empty() {
            return true;
        }
        let id = op.op.get("operationId").and_then(Value::as_str);
        let by_id = self
            .operations
            .iter()
            .any(|o| Some(o.as_str()) == id || *o == action::action_id(op));
        let tags: Vec<&str> = op
            .op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let by_tag = self.tags.iter().any(|t| tags.contains(&t.as_str()));
        let by_path = self.paths.iter().any(|g| glob(g, op.path));
        by_id || by_tag || by_path
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// What to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The connector's key (snake_case).
    pub key: String,
    /// The operations.
    pub selection: Selection,
}

/// An imported draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The connector file.
    pub yaml: String,
    /// How many actions it has.
    pub actions: usize,
}

/// What the parts of the import share.
pub struct Context<'a> {
    /// The documents.
    pub set: &'a DocumentSet,
    /// Parameters the auth methods send, as (`in`, name): not inputs.
    pub auth_params: Vec<(String, String)>,
}

/// `listUsers`, `list-users`, `List users` → `list_users`.
pub fn snake(text: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Imports the selected operations of `set` as a connector.
///
/// # Errors
/// A document that is not OpenAPI, a key that is not snake_case, or a selection that selects no
/// operation.
pub fn import(set: &DocumentSet, options: &Options) -> Result<Draft, String> {
    crate::skeleton::skeleton(&options.key).map_err(|e| e.to_string())?;
    let index = Index::new(set)?;
    let mut seen = BTreeSet::new();
    let ops: Vec<&Operation<'_>> = index
        .operations
        .iter()
        .filter(|op| seen.insert(op.location.clone()) && options.selection.selects(op))
        .collect();
    if ops.is_empty() {
        return Err("the selection matches no operation of the documents".to_owned());
    }
    let docs: BTreeSet<usize> = ops.iter().map(|op| op.doc).collect();
    let mut servers = auth::servers(set, &docs, &options.key);
    let security = auth::security(set, &ops, &options.key, &mut servers);
    let ctx = Context {
        set,
        auth_params: security.params.clone(),
    };
    let mut root = header(set, &docs, &options.key);
    root.map("servers", servers.notes.clone(), servers.map());
    root.value("default_server", servers.default.as_str());
    if !security.credentials.is_empty() {
        root.map("credentials", Vec::new(), security.credentials.clone());
    }
    if !security.auth.is_empty() || !security.notes.is_empty() {
        root.map("auth", security.notes.clone(), security.auth.clone());
    }
    let (actions, styles, skipped) = actions(&ctx, &ops, &servers.prefix, &options.key);
    if !styles.is_empty() {
        let mut map = yaml::Map::new();
        for (name, (style, comment)) in &styles {
            map.value_with(name, vec![comment.clone()], style.clone());
        }
        root.map("pagination", Vec::new(), map);
    }
    let count = actions.len();
    let mut all = yaml::Map::new();
    for a in actions {
        all.map(&a.id, a.notes.clone(), a.map);
    }
    root.map("actions", skipped, all);
    Ok(Draft {
        yaml: root.render(0),
        actions: count,
    })
}

/// The top of the file: the schema line, what was imported, and the connector's own keys.
fn header(set: &DocumentSet, docs: &BTreeSet<usize>, key: &str) -> yaml::Map {
    let first = docs
        .iter()
        .next()
        .map_or(&Value::Null, |d| &set.documents[*d].value);
    let info = first.get("info");
    let title = info
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .unwrap_or(key);
    let names: Vec<&str> = docs
        .iter()
        .map(|d| set.documents[*d].name.as_str())
        .collect();
    let mut root = yaml::Map::new();
    let comments = vec![
        "yaml-language-server: $schema=connector.schema.json".to_owned(),
        String::new(),
        format!(
            "A first draft imported by `actionspec import openapi` from {}. Review every action, the guessed pagination and the comments, then run `actionspec validate --deny-warnings` and `actionspec conform` (docs/writing-a-connector.md).",
            names.join(", ")
        ),
    ];
    root.value_with("spec_version", comments, json!(1));
    root.value("key", key);
    root.value("name", title);
    root.value("version", "0.1.0");
    let description = info
        .and_then(|i| i.get("description"))
        .and_then(Value::as_str)
        .and_then(first_paragraph);
    if let Some(d) = description {
        root.value("description", d);
    }
    let docs_url = first
        .pointer("/externalDocs/url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    if let Some(u) = docs_url {
        root.value("docs_url", u);
    }
    root
}

/// The first paragraph of Markdown text that is not a heading.
fn first_paragraph(text: &str) -> Option<String> {
    text.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
}

type Styles = IndexMap<String, (Value, String)>;

/// Every selected operation as an action, the pagination styles they use, and the comments for
/// the operations left out.
fn actions(
    ctx: &Context<'_>,
    ops: &[&Operation<'_>],
    prefix: &str,
    key: &str,
) -> (Vec<action::Action>, Styles, Vec<String>) {
    let mut out: Vec<action::Action> = Vec::new();
    let mut styles = Styles::new();
    let mut skipped = Vec::new();
    let max = crate::lint::MAX_TOOL_NAME - key.len() - 1;
    for op in ops {
        if !matches!(op.method, "get" | "post" | "put" | "patch" | "delete") {
            skipped.push(format!(
                "{} {} left out: an action is GET, POST, PUT, PATCH or DELETE",
                op.method.to_ascii_uppercase(),
                op.path
            ));
            continue;
        }
        let path = op.full_path.strip_prefix(prefix).unwrap_or(&op.full_path);
        let path = if path.is_empty() { "/" } else { path };
        let mut id: String = action::action_id(op).chars().take(max).collect();
        id = id.trim_end_matches('_').to_owned();
        if id.is_empty() || !id.starts_with(|c: char| c.is_ascii_lowercase()) {
            id = format!("op_{id}").chars().take(max).collect();
        }
        let base = id.clone();
        let mut n = 2;
        while out.iter().any(|a| a.id == id) {
            let suffix = format!("_{n}");
            id = format!("{}{suffix}", &base[..base.len().min(max - suffix.len())]);
            n += 1;
        }
        let mut a = action::build(ctx, op, id, path);
        let name = a
            .pagination
            .as_ref()
            .map(|(style, comment)| style_name(&mut styles, style, comment));
        action::finish(&mut a, name.as_deref());
        out.push(a);
    }
    (out, styles, skipped)
}

/// The name of a pagination style: an equal one already named, else a new name.
fn style_name(styles: &mut Styles, style: &Value, comment: &str) -> String {
    if let Some((name, _)) = styles.iter().find(|(_, (s, _))| s == style) {
        return name.clone();
    }
    let kind = style.get("type").and_then(Value::as_str).unwrap_or("pages");
    let records = style
        .get("records")
        .and_then(Value::as_str)
        .map(|r| snake(r.rsplit('/').next().unwrap_or("")))
        .filter(|r| !r.is_empty());
    let base = match records {
        Some(r) => format!("{r}_{kind}"),
        None => kind.to_owned(),
    };
    let mut name = base.clone();
    let mut n = 2;
    while styles.contains_key(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    styles.insert(name.clone(), (style.clone(), comment.to_owned()));
    name
}

/// The path part of a URL, as the connector's servers take it (see [`split_url`]).
fn url_path(url: &str) -> &str {
    split_url(url).1
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_ids() {
        assert_eq!(snake("listUsers"), "list_users");
        assert_eq!(snake("conversations.list"), "conversations_list");
        assert_eq!(snake("get /users/{id}"), "get_users_id");
        assert_eq!(snake("getV2Users"), "get_v2_users");
        assert_eq!(snake("X-Org-Id"), "x_org_id");
    }

    #[test]
    fn globs() {
        assert!(glob("/users*", "/users/{id}"));
        assert!(glob("*/members", "/groups/{id}/members"));
        assert!(glob("/a/*/c", "/a/b/c"));
        assert!(!glob("/users", "/users/{id}"));
    }
}
