//! `actionspec import openapi FILE… --key KEY`: a first draft of a connector from the vendor's
//! OpenAPI documents, on stdout or in a file. The draft is checked as it is written: it must load
//! (as `validate` loads it) and conform to the same documents (as `conform` checks it); a draft
//! that does not is still written, with the problems on stderr and exit 3.

use std::io::Write as _;
use std::path::PathBuf;

use actionspec_author::import::{Options, Selection, import};
use actionspec_conform::DocumentSet;
use actionspec_engine::{Connector, Error, ErrorKind, Result};

/// The arguments of `actionspec import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    from: From,
}

#[derive(clap::Subcommand, Debug)]
enum From {
    /// From OpenAPI 3.0/3.1 or Swagger 2.0 documents (YAML or JSON).
    #[command(after_help = "\
Examples:
  actionspec import openapi v2.yaml --key acme > acme.yaml
  actionspec import openapi v1.yaml v2.yaml --key acme --tag users -o acme.yaml")]
    Openapi(OpenapiArgs),
}

#[derive(clap::Args, Debug)]
struct OpenapiArgs {
    /// The documents (every document of the API; files their `$ref`s name are read too).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The new connector's key (snake_case), e.g. `acme`.
    #[arg(long)]
    key: String,
    /// Import the operation with this operationId (repeatable).
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
    /// Import the operations with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Import the operations whose path matches (`*` matches anything; repeatable).
    #[arg(long = "path", value_name = "GLOB")]
    paths: Vec<String>,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Imports, writes the draft, then checks it.
///
/// # Errors
/// A document that cannot be read or is not OpenAPI, a bad key or an empty selection (usage);
/// a draft that does not load or conform (spec, after it is written).
pub fn run(args: &ImportArgs) -> Result<()> {
    let From::Openapi(args) = &args.from;
    let documents = DocumentSet::load(&args.files).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            format!("cannot load the OpenAPI document {e}"),
        )
    })?;
    let options = Options {
        key: args.key.clone(),
        selection: Selection {
            operations: args.operations.clone(),
            tags: args.tags.clone(),
            paths: args.paths.clone(),
        },
    };
    let draft = import(&documents, &options).map_err(|e| Error::new(ErrorKind::Usage, e))?;
    crate::docs::write_out(args.out.as_deref(), &draft.yaml)?;
    let file = args
        .out
        .as_ref()
        .map_or_else(|| format!("{}.yaml", args.key), |p| p.display().to_string());
    check(&file, &draft.yaml, &documents)?;
    let saved = args.out.as_ref().map_or_else(
        || "FILE (where you saved the draft)".to_owned(),
        |p| p.display().to_string(),
    );
    let _ = writeln!(
        std::io::stderr(),
        "next: read the draft's TODO comments, then `actionspec validate {saved}`: its lints are \
         the rest of the to-do list (fix or allow each, then add --deny-warnings)"
    );
    Ok(())
}

/// The draft loads and conforms, or the problems are printed and it is a spec error.
fn check(file: &str, yaml: &str, documents: &DocumentSet) -> Result<()> {
    let connector = match Connector::from_yaml(file, yaml) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(std::io::stderr(), "{}", e.render());
            return Err(Error::new(
                ErrorKind::Spec,
                "the imported draft does not load (a bug of the importer: please report it)",
            ));
        }
    };
    let report = actionspec_conform::check(
        &connector.spec,
        documents,
        &actionspec_conform::Options::default(),
    )
    .map_err(|e| Error::new(ErrorKind::Usage, e))?;
    if !report.passed() {
        let _ = write!(std::io::stderr(), "{}", report.to_text(false));
        return Err(Error::new(
            ErrorKind::Spec,
            "the imported draft does not conform to the documents (a bug of the importer: please report it)",
        ));
    }
    let _ = writeln!(
        std::io::stderr(),
        "imported {} actions into connector `{}`; it loads and conforms to the documents",
        connector.actions.len(),
        connector.spec.key
    );
    Ok(())
}
