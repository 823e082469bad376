//! Writing results: stdout (a closed pipe ends the run quietly, a failed write is an `io`
//! error), and a result in each `--output` format: pretty JSON (coloured on a terminal), NDJSON,
//! YAML, and tables (aligned text, or bordered with `--output table`).

use std::io::{self, Write};

use actionspec_engine::{Error, Result};
use serde_json::Value;

use crate::cli_args::OutputFormat;
use crate::color::{self, Stream};

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly.
pub(crate) fn out(text: &str) -> Result<()> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(io_error)
}

/// A failed write to stdout, an `io` error (exit 13), never a usage error. The cause is kept,
/// so [`crate::report`] tells a closed pipe (`| head`: the reader has what it wanted, a
/// success) from a full disk.
pub(crate) fn io_error(e: io::Error) -> Error {
    let full = e.kind() != io::ErrorKind::BrokenPipe;
    let error = Error::io("cannot write the output", e);
    if full {
        error.with_hint("check that the output's disk has room and the file is writable")
    } else {
        error
    }
}

pub(crate) fn pretty(v: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `value` as the `format` asks, ending in a newline: pretty JSON for `text` and `json`
/// (coloured when stdout is coloured), one compact line a value for `ndjson` (an array: one
/// line an item), YAML, or a table ([`value_table`]).
pub(crate) fn render(value: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Text | OutputFormat::Json => {
            let text = pretty(value);
            if color::enabled(Stream::Stdout) {
                color::json(&text)
            } else {
                text
            }
        }
        OutputFormat::Ndjson => match value {
            Value::Array(items) => items.iter().map(|v| format!("{v}\n")).collect(),
            v => format!("{v}\n"),
        },
        OutputFormat::Yaml => crate::yaml::to_yaml(value),
        OutputFormat::Table => value_table(value),
    }
}

/// A result as a table: the records of a list (`records`, or a `body` that is an array), one
/// row each and one column per field; any other object as field/value rows. Nested values are
/// compact JSON.
pub(crate) fn value_table(value: &Value) -> String {
    let rows = value
        .get("records")
        .or_else(|| value.get("body").filter(|b| b.is_array()))
        .unwrap_or(value);
    match rows {
        Value::Array(items) => records_table(items),
        Value::Object(map) if map.contains_key("body") && map["body"].is_object() => {
            fields_table(&map["body"])
        }
        other => fields_table(other),
    }
}

/// Records as a table with the union of their fields as columns, in first-seen order.
pub(crate) fn records_table(items: &[Value]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
    }
    let mut t = new_table();
    if columns.is_empty() {
        t.set_header(vec!["VALUE"]);
        for item in items {
            t.add_row(vec![cell(item)]);
        }
    } else {
        t.set_header(columns.iter().map(|c| c.to_uppercase()));
        for item in items {
            t.add_row(
                columns
                    .iter()
                    .map(|c| item.get(c).map(cell).unwrap_or_default()),
            );
        }
    }
    format!("{t}\n")
}

/// Rows whose first is the header as a bordered table (`--output table` of a list).
pub(crate) fn rows_table(rows: &[Vec<String>]) -> String {
    let mut t = new_table();
    if let Some((header, body)) = rows.split_first() {
        t.set_header(header.clone());
        for row in body {
            t.add_row(row.clone());
        }
    }
    format!("{t}\n")
}

fn fields_table(value: &Value) -> String {
    let mut t = new_table();
    t.set_header(vec!["FIELD", "VALUE"]);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                t.add_row(vec![k.clone(), cell(v)]);
            }
        }
        v => {
            t.add_row(vec![String::new(), cell(v)]);
        }
    }
    format!("{t}\n")
}

fn new_table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}

/// A value as one table cell: strings as they are, anything else as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// Aligned text columns, two spaces apart; widths count terminal columns (`unicode-width`).
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| unicode_width::UnicodeWidthStr::width(c.as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad =
                    widths[i].saturating_sub(unicode_width::UnicodeWidthStr::width(c.as_str()));
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

/// `text` quoted for a POSIX shell: in single quotes, each `'` written as `'\''`.
pub(crate) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
