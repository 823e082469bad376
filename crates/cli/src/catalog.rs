//! What the CLI shows about connectors and actions: the lists (`connectors`, `actions`) and
//! `describe`, as text tables or JSON.

use actionspec_engine::{Action, Connector, Result};
use serde_json::{Value, json};

use crate::cli_args::OutputFormat;
use crate::output::{out, render, rows_table, shell_quote, table};
use crate::registry::{Registry, Source};

/// `actionspec connectors`: a text table, or the list in `format`.
pub(crate) fn list_connectors(registry: &Registry, format: OutputFormat) -> Result<()> {
    if !matches!(format, OutputFormat::Text | OutputFormat::Table) {
        let list: Vec<Value> = registry
            .all()?
            .into_iter()
            .map(|(c, src)| json!({
                "key": c.spec.key, "name": c.spec.name, "version": c.spec.version,
                "description": c.spec.description, "actions": c.actions.len(),
                "source": match src { Source::Embedded => "built-in".to_owned(), Source::File(f) => f.clone() },
            }))
            .collect();
        return out(&render(&Value::Array(list), format));
    }
    let mut rows = vec![vec![
        "CONNECTOR".into(),
        "NAME".into(),
        "VERSION".into(),
        "ACTIONS".into(),
        "SOURCE".into(),
    ]];
    for (c, src) in registry.all()? {
        rows.push(vec![
            c.spec.key.clone(),
            c.spec.name.clone(),
            c.spec.version.clone(),
            c.actions.len().to_string(),
            match src {
                Source::Embedded => "built-in".into(),
                Source::File(f) => f.clone(),
            },
        ]);
    }
    if format == OutputFormat::Table {
        return out(&rows_table(&rows));
    }
    out(&table(&rows))
}

fn markers(a: &Action) -> Vec<&'static str> {
    let mut m = Vec::new();
    if a.read_only {
        m.push("read-only");
    }
    if a.destructive {
        m.push("destructive");
    }
    if a.idempotent {
        m.push("idempotent");
    }
    if a.pagination.is_some() {
        m.push("paginated");
    }
    m
}

fn action_json(c: &Connector, a: &Action) -> Value {
    json!({
        "action": a.id, "tool_name": format!("{}_{}", c.spec.key, a.id), "name": a.spec.name,
        "description": a.spec.description, "method": a.spec.method.as_str(), "path": a.spec.path,
        "scopes": a.spec.scopes, "success": a.spec.success, "read_only": a.read_only,
        "destructive": a.destructive, "idempotent": a.idempotent, "pagination": a.spec.pagination,
    })
}

/// `actionspec actions`: a text table, or the list in `format`.
pub(crate) fn list_actions(c: &Connector, format: OutputFormat) -> Result<()> {
    if !matches!(format, OutputFormat::Text | OutputFormat::Table) {
        let list: Vec<Value> = c.actions.values().map(|a| action_json(c, a)).collect();
        return out(&render(&Value::Array(list), format));
    }
    let mut rows = vec![vec![
        "ACTION".into(),
        "METHOD".into(),
        "PATH".into(),
        "MARKERS".into(),
    ]];
    for a in c.actions.values() {
        rows.push(vec![
            a.id.clone(),
            a.spec.method.as_str().into(),
            a.spec.path.clone(),
            markers(a).join(", "),
        ]);
    }
    if format == OutputFormat::Table {
        return out(&rows_table(&rows));
    }
    out(&format!(
        "{}{} actions in connector `{}`\n",
        table(&rows),
        c.actions.len(),
        c.spec.key
    ))
}

/// `actionspec describe`: text, or the action (with its input JSON Schema) in `format`.
pub(crate) fn describe(c: &Connector, action: &str, format: OutputFormat) -> Result<()> {
    let a = c.action(action)?;
    if format != OutputFormat::Text {
        let mut v = action_json(c, a);
        v["input_schema"] = a.input_schema().clone();
        v["examples"] = serde_json::to_value(&a.spec.examples).unwrap_or_default();
        return out(&render(&v, format));
    }
    let mut s = format!(
        "{} {} — {}\n{}\n\n",
        c.spec.key, a.id, a.spec.name, a.spec.description
    );
    s.push_str(&facts(a));
    s.push_str("\nInputs:\n");
    if a.spec.inputs.is_empty() {
        s.push_str("  (none)\n");
    } else {
        s.push_str(&table(&input_rows(a)));
    }
    s.push_str(&examples(c, a));
    out(&s)
}

/// The method and path, scopes, markers, success statuses and pagination, one per line.
fn facts(a: &Action) -> String {
    let mut s = format!("  {} {}\n", a.spec.method.as_str(), a.spec.path);
    if !a.spec.scopes.is_empty() {
        s.push_str(&format!("  scopes:     {}\n", a.spec.scopes.join(", ")));
    }
    let m = markers(a);
    if !m.is_empty() {
        s.push_str(&format!("  markers:    {}\n", m.join(", ")));
    }
    if !a.spec.success.is_empty() {
        let statuses: Vec<String> = a.spec.success.iter().map(u16::to_string).collect();
        s.push_str(&format!("  success:    {}\n", statuses.join(", ")));
    }
    if let (Some(name), Some(p)) = (&a.spec.pagination, &a.pagination) {
        let inputs: Vec<&str> = actionspec_engine::pagination_inputs(p)
            .into_iter()
            .map(|(_, id, _)| id)
            .collect();
        s.push_str(&format!(
            "  pagination: {name} ({}: {}, up to {} per page; --all follows it)\n",
            p.kind.as_str(),
            inputs.join(" / "),
            p.max_page_size
        ));
    }
    s
}

/// One table row per input: id, type (or its allowed values), placement, required, notes.
fn input_rows(a: &Action) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (id, i) in &a.spec.inputs {
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        // One allowed value reads as a constant of its type, never as a type name.
        let kind = match i.allowed.as_deref() {
            Some([only]) => format!("{} = {}", i.kind.as_str(), text(only)),
            Some(values) => values.iter().map(text).collect::<Vec<_>>().join("|"),
            None => i.kind.as_str().to_owned(),
        };
        let placement = match i.name.as_deref() {
            Some(wire) => format!("{} {wire}", placement(i.placement)),
            None => placement(i.placement).to_owned(),
        };
        let mut notes = i.description.clone().unwrap_or_default();
        if let Some(d) = &i.default {
            notes.push_str(&format!(" (API default: {d})"));
        }
        let required = if i.required { "required" } else { "" };
        rows.push(vec![
            format!("  {id}"),
            kind,
            placement,
            required.to_owned(),
            notes.trim().to_owned(),
        ]);
    }
    rows
}

/// Each example as the command that runs it.
fn examples(c: &Connector, a: &Action) -> String {
    let mut s = String::new();
    for ex in &a.spec.examples {
        s.push_str(&format!(
            "\nExample{}:\n  actionspec run {} {} {}{}\n",
            ex.description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            c.spec.key,
            a.id,
            shell_quote(&Value::Object(ex.input.clone()).to_string()),
            if a.destructive { " --yes" } else { "" }
        ));
    }
    s
}

fn placement(p: actionspec_engine::spec::Placement) -> &'static str {
    use actionspec_engine::spec::Placement;
    match p {
        Placement::Path => "path",
        Placement::Query => "query",
        Placement::Header => "header",
        Placement::Body => "body",
    }
}
