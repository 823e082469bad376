//! Shell completions (`actionspec completions SHELL`), the man page (`actionspec man`) and the
//! names completed at run time.
//!
//! The completion scripts are clap_complete's dynamic ones: the shell calls `actionspec` back
//! with `COMPLETE=<shell>` set, so connector and action names (including those of a
//! `--connectors` folder given by `ACTIONSPEC_CONNECTORS`) are completed from the registry.

use std::ffi::OsStr;
use std::io::{self, Write};

use actionspec_engine::{Error, ErrorKind, Result};
use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;

use crate::cli_args::Cli;
use crate::output::io_error;
use crate::registry::Registry;

/// A shell `actionspec completions` writes a script for.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shell {
    // Plain comments: doc comments would turn `--help` into the long form.
    // Bash 4.4 or later.
    Bash,
    // Zsh.
    Zsh,
    // Fish.
    Fish,
    // PowerShell.
    Powershell,
}

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
        }
    }
}

/// The variable the completion scripts set when they call the binary back.
pub(crate) const VAR: &str = "COMPLETE";

/// Answers a completion request of a shell (when `COMPLETE` is set) and exits; returns at once
/// otherwise.
pub(crate) fn answer_shell() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .complete();
}

/// `actionspec completions SHELL`: the script that registers the completions, on stdout.
pub(crate) fn completions(shell: Shell) -> Result<()> {
    let shells = clap_complete::env::Shells::builtins();
    let Some(completer) = shells.completer(shell.name()) else {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("no completions for {}", shell.name()),
        ));
    };
    // The script calls this very binary back, wherever it is installed.
    let bin = std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_owned))
        .unwrap_or_else(|| "actionspec".to_owned());
    let mut script = Vec::new();
    completer
        .write_registration(VAR, "actionspec", "actionspec", &bin, &mut script)
        .map_err(io_error)?;
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .map_err(io_error)
}

/// `actionspec man`: the man page (roff, section 1) on stdout, subcommands included.
pub(crate) fn man() -> Result<()> {
    let cmd = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .map_err(io_error)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub = sub.clone().name(format!("actionspec {}", sub.get_name()));
        let man = clap_mangen::Man::new(sub);
        let _ = writeln!(page, ".SH \"{}\"", man_title(&man));
        man.render_description_section(&mut page)
            .map_err(io_error)?;
        man.render_options_section(&mut page).map_err(io_error)?;
        man.render_extra_section(&mut page).map_err(io_error)?;
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&page)
        .and_then(|()| stdout.flush())
        .map_err(io_error)
}

fn man_title(man: &clap_mangen::Man) -> String {
    man.get_filename()
        .trim_end_matches(".1")
        .replace('-', " ")
        .to_uppercase()
}

/// The registry the completions read: built-in connectors and `ACTIONSPEC_CONNECTORS`.
fn registry() -> Option<Registry> {
    let dir = crate::env_var("ACTIONSPEC_CONNECTORS").map(std::path::PathBuf::from);
    Registry::load(dir.as_deref()).ok()
}

/// Connector keys starting with what is typed.
pub(crate) fn connectors(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Some(registry) = registry() else {
        return Vec::new();
    };
    let Ok(all) = registry.all() else {
        return Vec::new();
    };
    all.into_iter()
        .filter(|(c, _)| c.spec.key.starts_with(typed.as_ref()))
        .map(|(c, _)| CompletionCandidate::new(&c.spec.key).help(Some(c.spec.name.clone().into())))
        .collect()
}

/// Action ids of the connector named earlier on the command line, starting with what is typed.
pub(crate) fn actions(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Some(registry) = registry() else {
        return Vec::new();
    };
    // The shell passes the words of the line being completed as arguments.
    let words: Vec<String> = std::env::args().collect();
    let Some(c) = words.iter().find_map(|w| registry.get(w).ok()) else {
        return Vec::new();
    };
    c.actions
        .values()
        .filter(|a| a.id.starts_with(typed.as_ref()))
        .map(|a| CompletionCandidate::new(&a.id).help(Some(a.spec.name.clone().into())))
        .collect()
}
