//! `actionspec init <key>`: a commented connector skeleton that validates and whose one action
//! runs against the sandbox, on stdout or in a new file.

use std::path::PathBuf;

use actionspec_engine::{Error, ErrorKind, Result};

/// The arguments of `actionspec init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The new connector's key (snake_case), e.g. `my_api`.
    key: String,
    /// Write to FILE (which must not exist) instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Prints or writes the skeleton.
///
/// # Errors
/// A key that is not snake_case (usage), an existing or unwritable file.
pub fn run(args: &InitArgs) -> Result<()> {
    let text = actionspec_author::skeleton::skeleton(&args.key)
        .map_err(|e| Error::new(ErrorKind::Usage, e.to_string()))?;
    if let Some(path) = &args.out
        && path.exists()
    {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("{} exists; init never overwrites a file", path.display()),
        )
        .with_hint("choose another file, or leave out -o to print the skeleton"));
    }
    crate::docs::write_out(args.out.as_deref(), &text)
}
