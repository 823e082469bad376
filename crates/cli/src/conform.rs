//! `actionspec conform`: a connector checked against the vendor's OpenAPI documents.
//!
//! Prints one line per finding (`error[success] create_user_group: … (v2.yaml#/paths/…)`) and
//! a summary (`65/65 actions conform`) on stdout, or with `--output json` the report as one
//! JSON object. A finding of severity error fails the command with exit 3 (`spec`, as
//! `validate`): the connector file is what is wrong. A document that cannot be read or is not
//! OpenAPI is a usage error (exit 2). With `--sandbox`, every example also runs against the
//! connector's sandbox and each response is validated against the vendor's response schema:
//! one `error[response] action example N: /pointer: what (document#location)` line per
//! failure and an `N/M example responses conform` summary; JSON adds a `responses` object.

use std::path::{Path, PathBuf};

use actionspec_conform::{DocumentSet, Options, Rule, Severity};
use actionspec_engine::{Connector, Error, ErrorKind, Result};

use crate::registry::Registry;

/// The arguments of `actionspec conform`.
#[derive(clap::Args, Debug)]
pub struct ConformArgs {
    /// Connector key (e.g. `jumpcloud`), or a connector YAML file.
    connector: String,
    /// An OpenAPI 3.0/3.1 or Swagger 2.0 document, YAML or JSON (repeatable: every document of
    /// the API; files their `$ref`s name are read too).
    #[arg(long = "openapi", value_name = "FILE", required = true)]
    openapi: Vec<PathBuf>,
    /// Report a rule's findings as information, not failing (repeatable), e.g. `scopes`.
    #[arg(long, value_name = "RULE", value_parser = rule)]
    allow: Vec<Rule>,
    /// Fail on a rule that only warns by default (repeatable), e.g. `default-header`.
    #[arg(long, value_name = "RULE", value_parser = rule)]
    deny: Vec<Rule>,
    /// A default header every operation accepts although the documents do not declare it
    /// (repeatable).
    #[arg(long, value_name = "NAME")]
    accept_header: Vec<String>,
    /// An operation member listing scopes beside `security` (repeatable) [default: x-scopes]
    #[arg(long, value_name = "KEY")]
    scope_key: Vec<String>,
    /// Also list, as text, the documents' operations no action covers (JSON always lists them).
    #[arg(long)]
    uncovered: bool,
    /// Also run every example of every action against an in-process sandbox of the connector
    /// (127.0.0.1, a fresh one per action) and validate each response against the operation's
    /// response schema for its status.
    #[arg(long)]
    sandbox: bool,
}

fn rule(id: &str) -> std::result::Result<Rule, String> {
    Rule::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        format!("unknown rule `{id}`; the rules are {}", ids.join(", "))
    })
}

/// Runs the command. `Ok(false)` when the connector does not conform (the report is printed).
///
/// # Errors
/// An unknown connector or an invalid connector file (usage, spec), a document that cannot be
/// read or is not OpenAPI (usage), a closed stdout.
pub fn run(registry: &Registry, args: &ConformArgs, json: bool) -> Result<bool> {
    let owned;
    let connector = if looks_like_file(&args.connector) {
        owned = load_file(registry, Path::new(&args.connector))?;
        &owned
    } else {
        registry.get(&args.connector)?
    };
    let documents = DocumentSet::load(&args.openapi).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            format!("cannot load the OpenAPI document {e}"),
        )
    })?;
    let report = actionspec_conform::check(&connector.spec, &documents, &options(args))
        .map_err(|e| Error::new(ErrorKind::Usage, e))?;
    let responses = if args.sandbox {
        let runtime = crate::runtime()?;
        let checked = runtime.block_on(actionspec_conform::check_responses(connector, &documents));
        Some(checked.map_err(|e| Error::new(ErrorKind::Spec, e))?)
    } else {
        None
    };
    let passed = report.passed() && responses.as_ref().is_none_or(|r| r.passed());
    if json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let Some(r) = &responses {
            value["responses"] = serde_json::to_value(r).unwrap_or_default();
        }
        value["passed"] = passed.into();
        crate::out(&format!("{value}\n"))?;
    } else {
        crate::out(&report.to_text(args.uncovered))?;
        if let Some(r) = &responses {
            crate::out(&r.to_text())?;
        }
    }
    Ok(passed)
}

fn options(args: &ConformArgs) -> Options {
    let mut options = Options {
        accepted_headers: args.accept_header.clone(),
        ..Options::default()
    };
    if !args.scope_key.is_empty() {
        options.scope_keys = args.scope_key.clone();
    }
    for rule in &args.allow {
        options.severities.insert(*rule, Severity::Info);
    }
    for rule in &args.deny {
        options.severities.insert(*rule, Severity::Error);
    }
    options
}

pub(crate) fn looks_like_file(arg: &str) -> bool {
    arg.ends_with(".yaml") || arg.ends_with(".yml") || arg.contains('/')
}

/// A connector file, checked as `validate` checks it.
pub(crate) fn load_file(registry: &Registry, path: &Path) -> Result<Connector> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(ErrorKind::Usage, format!("cannot read {display}: {e}")))?;
    registry.check(&display, &text).map_err(Into::into)
}
