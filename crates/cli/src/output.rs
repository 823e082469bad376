//! Writing results: stdout (a closed pipe ends the run quietly, a failed write is an `io`
//! error), pretty JSON, and aligned text tables.

use std::io::{self, Write};

use actionspec_engine::{Error, Result};

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

pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
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
