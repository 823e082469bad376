//! `--version`: the version, the git commit the binary was built from (`build.rs`), and the
//! connectors built in with their versions.

use crate::registry::{Registry, Source};

/// `cmd` with the long version text when `--version` or `-V` is on the command line (loading
/// the built-in connectors only then).
pub(crate) fn with_version(cmd: clap::Command) -> clap::Command {
    let asked = std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V");
    if !asked {
        return cmd;
    }
    cmd.version(text())
}

/// `0.1.0 (commit 1a2b3c4)` and one `connector version` line per built-in connector.
fn text() -> String {
    let mut text = format!(
        "{} (commit {})\nbuilt-in connectors:",
        env!("CARGO_PKG_VERSION"),
        env!("ACTIONSPEC_GIT_COMMIT")
    );
    if let Ok(registry) = Registry::load(None)
        && let Ok(all) = registry.all()
    {
        for (c, source) in all {
            if matches!(source, Source::Embedded) {
                text.push_str(&format!("\n  {} {}", c.spec.key, c.spec.version));
            }
        }
    }
    text
}
