//! `actionspec validate`: each connector file loaded and checked (located diagnostics, exit 3 on
//! any error), then linted (`warning[L001]: …` on stderr; errors with `--deny-warnings`).

use std::io::{self, Write};
use std::path::PathBuf;

use actionspec_engine::plural;
use actionspec_engine::{Diagnostic, Error, ErrorKind, Result, SpecError};

use crate::output::out;
use crate::registry::Registry;

/// The arguments of `actionspec validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Connector YAML files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Lints are errors (exit 3) instead of warnings; allow one per action with
    /// `lints: { allow: { L003: "reason" } }`.
    #[arg(long)]
    deny_warnings: bool,
}

/// Checks each file, printing its diagnostics and lints on stderr as it goes; the invalid ones
/// are kept in `invalid` (for the JSON error).
///
/// # Errors
/// A spec error when a file is invalid (or has lints, with `--deny-warnings`); a usage error
/// when a file cannot be read.
pub fn run(args: &ValidateArgs, invalid: &mut Vec<SpecError>) -> Result<()> {
    // Each file is also checked against the built-in connectors, as `--connectors` would.
    let builtin = Registry::load(None)?;
    let (mut failed, mut unreadable) = (0, 0);
    for file in &args.files {
        let display = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(io::stderr(), "error: cannot read {display}: {e}");
                unreadable += 1;
                continue;
            }
        };
        let c = match builtin.check(&display, &text) {
            Ok(c) => c,
            Err(e) => {
                let _ = write!(io::stderr(), "{}", crate::color::diagnostic(&e.render()));
                invalid.push(e);
                failed += 1;
                continue;
            }
        };
        let lints = actionspec_author::lint::check(&c.spec, &text);
        let note = match lints.len() {
            0 => String::new(),
            n => format!(
                " ({})",
                plural(
                    n as u64,
                    if args.deny_warnings {
                        "lint error"
                    } else {
                        "warning"
                    }
                )
            ),
        };
        if !lints.is_empty() {
            let rendered =
                actionspec_author::lint::render(&display, &text, &lints, args.deny_warnings);
            let _ = write!(io::stderr(), "{}", crate::color::diagnostic(&rendered));
        }
        if args.deny_warnings && !lints.is_empty() {
            let _ = writeln!(
                io::stderr(),
                "error: {display} has{note}; --deny-warnings makes them errors\n"
            );
            invalid.push(lint_error(&display, &text, &lints));
            failed += 1;
            continue;
        }
        out(&format!(
            "ok: {display}: connector `{}` with {} actions{note}\n",
            c.spec.key,
            c.actions.len()
        ))?;
    }
    if failed > 0 {
        Err(Error::new(
            ErrorKind::Spec,
            format!(
                "{failed} of {} connector files are invalid",
                args.files.len()
            ),
        ))
    } else if unreadable > 0 {
        Err(Error::new(
            ErrorKind::Usage,
            format!(
                "{unreadable} of {} files could not be read",
                args.files.len()
            ),
        ))
    } else {
        Ok(())
    }
}

/// The lints of a file as a spec error (for `--output json`), each title led by its code.
fn lint_error(file: &str, text: &str, lints: &[actionspec_author::lint::Lint]) -> SpecError {
    let diagnostics: Vec<Diagnostic> = lints
        .iter()
        .map(|l| Diagnostic {
            title: format!("{}: {}", l.code.id(), l.diagnostic.title),
            ..l.diagnostic.clone()
        })
        .collect();
    SpecError {
        file: file.to_owned(),
        source_text: text.into(),
        diagnostics,
    }
}
