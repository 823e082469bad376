//! `actionspec docs <connector>`: the connector's Markdown catalogue, generated from its YAML
//! (`docs/connectors/<key>.md` is this output for each shipped connector).

use std::path::{Path, PathBuf};

use actionspec_engine::{Connector, Error, ErrorKind, Result};

use crate::registry::Registry;

/// The arguments of `actionspec docs`.
#[derive(clap::Args, Debug)]
pub struct DocsArgs {
    /// Connector key (e.g. `jumpcloud`), or a connector YAML file.
    connector: String,
    /// Only this action's section.
    #[arg(long, value_name = "ACTION")]
    action: Option<String>,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Prints (or writes) the catalogue.
///
/// # Errors
/// An unknown connector or action (usage), an invalid connector file (spec), a file that
/// cannot be written (io).
pub fn run(registry: &Registry, args: &DocsArgs) -> Result<()> {
    let owned;
    let c: &Connector = if crate::conform::looks_like_file(&args.connector) {
        owned = crate::conform::load_file(registry, Path::new(&args.connector))?;
        &owned
    } else {
        registry.get(&args.connector)?
    };
    let text = match &args.action {
        Some(id) => actionspec_author::docs::action_section(c, c.action(id)?),
        None => actionspec_author::docs::catalogue(c),
    };
    write_out(args.out.as_deref(), &text)
}

/// Writes `text` to `file`, or to stdout without one.
pub(crate) fn write_out(file: Option<&Path>, text: &str) -> Result<()> {
    match file {
        None => crate::output::out(text),
        Some(path) => std::fs::write(path, text).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot write {}: {e}", path.display()),
            )
        }),
    }
}
