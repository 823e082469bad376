//! A connector's Markdown catalogue, generated from its YAML alone: the connector, how to link
//! an account (credentials, where to get them, their environment variables; the auth methods),
//! a table of actions, then each action's inputs and an example call. `docs/connectors/<key>.md`
//! is this output for every shipped connector, and a test keeps them in sync.

use std::fmt::Write as _;

use actionspec_engine::spec::{AuthMethod, AuthType, InputSpec, KeyPlacement, Placement};
use actionspec_engine::{Action, Connector};
use serde_json::Value;

/// The whole catalogue of `c`.
pub fn catalogue(c: &Connector) -> String {
    let spec = &c.spec;
    let mut s = format!("# {} (`{}`)\n\n", spec.name, spec.key);
    let _ = writeln!(
        s,
        "<!-- Generated from the connector's YAML by `actionspec docs {}`: edit the YAML, not this file. -->\n",
        spec.key
    );
    if let Some(d) = &spec.description {
        let _ = writeln!(s, "{}\n", d.trim());
    }
    let _ = writeln!(
        s,
        "Version {} · {} · API reference: {}\n",
        spec.version,
        count(c.actions.len(), "action"),
        spec.docs_url.as_deref().unwrap_or("not given")
    );
    s.push_str(&servers(c));
    s.push_str(&linking(c));
    s.push_str(&action_table(c));
    for a in c.actions.values() {
        s.push('\n');
        s.push_str(&action_section(c, a));
    }
    s
}

fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Text for one Markdown table cell: on one line, `|` escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|"))
}

fn servers(c: &Connector) -> String {
    let mut s = String::from("## Servers\n\n| server | URL | description |\n|---|---|---|\n");
    for (name, server) in &c.spec.servers {
        let default = if *name == c.spec.default_server {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "| `{name}`{default} | `{}` | {} |",
            server.url,
            cell(server.description.as_deref().unwrap_or(""))
        );
    }
    s.push_str(
        "\nChoose one with `--server NAME`; `--base-url URL` sends elsewhere (a local server).\n",
    );
    for (name, server) in &c.spec.servers {
        for (var, v) in &server.variables {
            let env = c
                .spec
                .credentials
                .get(&v.credential)
                .map(|c| c.env.as_str());
            let _ = writeln!(
                s,
                "\nIn `{name}`, `{{{var}}}` is the credential `{}`{}.",
                v.credential,
                env.map(|e| format!(" (`{e}`)")).unwrap_or_default()
            );
        }
    }
    s.push('\n');
    s
}

/// How to link an account: the credentials, then the auth methods.
fn linking(c: &Connector) -> String {
    let spec = &c.spec;
    let mut s = String::from("## Linking an account\n\n");
    if spec.credentials.is_empty() {
        s.push_str("The API needs no credentials.\n\n");
        return s;
    }
    s.push_str(
        "Credentials are read from environment variables (or a `--credentials` file), never from the command line.\n\n",
    );
    s.push_str("| credential | environment variable | secret | required | what it is, where to get it |\n|---|---|---|---|---|\n");
    for (name, cr) in &spec.credentials {
        let _ = writeln!(
            s,
            "| `{name}` | `{}` | {} | {} | {} |",
            cr.env,
            if cr.secret { "yes" } else { "no" },
            if cr.required { "yes" } else { "no" },
            cell(cr.description.as_deref().unwrap_or(""))
        );
    }
    if !spec.auth.is_empty() {
        s.push_str("\n| auth method | sends | credentials | notes |\n|---|---|---|---|\n");
        for (name, m) in &spec.auth {
            let envs: Vec<String> = m
                .credential_refs()
                .iter()
                .map(|(_, cred)| match spec.credentials.get(*cred) {
                    Some(cr) => format!("`{}`", cr.env),
                    None => format!("`{cred}`"),
                })
                .collect();
            let _ = writeln!(
                s,
                "| `{name}` | {} | {} | {} |",
                sends(m),
                envs.join(", "),
                cell(m.description.as_deref().unwrap_or(""))
            );
        }
        s.push_str("\nThe first auth method whose credentials are all set is used; `--auth NAME` chooses one. `actionspec auth check ");
        s.push_str(&spec.key);
        s.push_str("` proves they work");
        if let Some(h) = &spec.health_check {
            let _ = write!(s, " (it runs `{}`)", h.action);
        }
        s.push_str(".\n");
    }
    s.push('\n');
    s
}

/// What an auth method puts on the wire, secrets as `<…>`.
fn sends(m: &AuthMethod) -> String {
    match m.kind {
        AuthType::ApiKey => {
            let name = m.name.as_deref().unwrap_or("?");
            let prefix = m.prefix.as_deref().unwrap_or("");
            match m.placement {
                Some(KeyPlacement::Query) => format!("query `{name}={prefix}<key>`"),
                _ => format!("header `{name}: {prefix}<key>`"),
            }
        }
        AuthType::Bearer => "`Authorization: Bearer <token>`".to_owned(),
        AuthType::Basic => "`Authorization: Basic <user:password>`".to_owned(),
        AuthType::Oauth2ClientCredentials => {
            "OAuth 2.0 client credentials: `Authorization: Bearer <token>` from the server's token URL".to_owned()
        }
    }
}

fn markers(a: &Action) -> Vec<&'static str> {
    let mut m = Vec::new();
    for (on, name) in [
        (a.read_only, "read-only"),
        (a.destructive, "destructive"),
        (a.idempotent, "idempotent"),
        (a.pagination.is_some(), "paginated"),
    ] {
        if on {
            m.push(name);
        }
    }
    m
}

fn action_table(c: &Connector) -> String {
    let mut s = String::from(
        "## Actions\n\n| action | description | method and path | scopes | markers |\n|---|---|---|---|---|\n",
    );
    for a in c.actions.values() {
        let scopes: Vec<String> = a.spec.scopes.iter().map(|x| code(x)).collect();
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | **{}**: {} | `{} {}` | {} | {} |",
            a.id,
            a.id,
            cell(&a.spec.name),
            cell(first_sentence(&a.spec.description)),
            a.spec.method.as_str(),
            a.spec.path,
            scopes.join(", "),
            markers(a).join(", ")
        );
    }
    s
}

/// The description up to its first `. ` (the whole of it when it has none).
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    text.find(". ").map_or(text, |i| &text[..=i])
}

/// One action's section: what it does, its facts, its inputs and its example calls.
pub fn action_section(c: &Connector, a: &Action) -> String {
    let spec = &a.spec;
    let mut s = format!(
        "### `{}`\n\n**{}**. {}\n\n",
        a.id,
        spec.name,
        spec.description.trim()
    );
    let _ = writeln!(s, "- `{} {}`", spec.method.as_str(), spec.path);
    if !spec.scopes.is_empty() {
        let scopes: Vec<String> = spec.scopes.iter().map(|x| code(x)).collect();
        let _ = writeln!(s, "- scopes: {}", scopes.join(", "));
    }
    let m = markers(a);
    if !m.is_empty() {
        let _ = writeln!(s, "- markers: {}", m.join(", "));
    }
    if !spec.success.is_empty() {
        let statuses: Vec<String> = spec.success.iter().map(u16::to_string).collect();
        let _ = writeln!(s, "- success: {}", statuses.join(", "));
    }
    if let (Some(name), Some(p)) = (&spec.pagination, &a.pagination) {
        let _ = writeln!(
            s,
            "- pagination: `{name}` ({}, up to {} per page; `--all` follows every page)",
            p.kind.as_str(),
            p.max_page_size
        );
    }
    s.push_str("\nInputs:\n\n");
    if spec.inputs.is_empty() {
        s.push_str("none\n");
    } else {
        s.push_str("| input | type | in | required | description |\n|---|---|---|---|---|\n");
        for (id, i) in &spec.inputs {
            let _ = writeln!(
                s,
                "| `{id}` | {} | {} | {} | {} |",
                kind(i),
                placement(id, i),
                if i.required { "yes" } else { "" },
                notes(i)
            );
        }
    }
    s.push_str(&examples(c, a));
    s
}

/// An input's type, or its allowed values.
fn kind(i: &InputSpec) -> String {
    if let Some(values) = &i.allowed {
        let v: Vec<String> = values.iter().map(|v| code(&v.to_string())).collect();
        return v.join(" \\| ");
    }
    let item = i
        .items
        .as_ref()
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str);
    match item {
        Some(t) => format!("array of {t}"),
        None => i.kind.as_str().to_owned(),
    }
}

fn placement(id: &str, i: &InputSpec) -> String {
    let place = match i.placement {
        Placement::Path => "path",
        Placement::Query => "query",
        Placement::Header => "header",
        Placement::Body => "body",
    };
    match &i.name {
        Some(wire) if wire != id => format!("{place} `{wire}`"),
        _ => place.to_owned(),
    }
}

fn notes(i: &InputSpec) -> String {
    let mut n = cell(i.description.as_deref().unwrap_or(""));
    let mut facts = Vec::new();
    if let Some(d) = &i.default {
        facts.push(format!("API default {}", code(&d.to_string())));
    }
    if let Some(p) = &i.pattern {
        facts.push(format!("pattern {}", code(p)));
    }
    if let Some(f) = &i.format {
        facts.push(format!("format `{f}`"));
    }
    match (i.minimum, i.maximum) {
        (Some(lo), Some(hi)) => facts.push(format!("{lo} to {hi}")),
        (Some(lo), None) => facts.push(format!("at least {lo}")),
        (None, Some(hi)) => facts.push(format!("at most {hi}")),
        (None, None) => {}
    }
    if i.sensitive {
        facts.push("sensitive".to_owned());
    }
    if !facts.is_empty() {
        if !n.is_empty() {
            n.push(' ');
        }
        let _ = write!(n, "({})", facts.join("; "));
    }
    n
}

/// Each example as the command that runs it, and the response it documents.
fn examples(c: &Connector, a: &Action) -> String {
    let mut s = String::new();
    for ex in &a.spec.examples {
        let title = ex.description.as_deref().unwrap_or("Example");
        let input = Value::Object(ex.input.clone()).to_string();
        let _ = write!(
            s,
            "\n{}:\n\n```sh\nactionspec run {} {} {}{}\n```\n",
            cell(title),
            c.spec.key,
            a.id,
            shell_quote(&input),
            if a.destructive { " --yes" } else { "" }
        );
        if let Some(r) = &ex.response {
            let body = r
                .body
                .as_ref()
                .and_then(|b| serde_json::to_string_pretty(b).ok());
            match body {
                Some(body) => {
                    let _ = write!(s, "\nResponse {}:\n\n```json\n{body}\n```\n", r.status);
                }
                None => {
                    let _ = writeln!(s, "\nResponse {}, no body.", r.status);
                }
            }
        }
    }
    s
}

/// `text` quoted for a POSIX shell: in single quotes, each `'` written as `'\''`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
