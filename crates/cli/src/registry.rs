//! Finding connectors: the ones embedded in the binary, plus user files from `--connectors DIR`.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use actionspec_engine::{Connector, Diagnostic, Error, ErrorKind, Result, SpecError};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Where a connector came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Shipped in the binary.
    Embedded,
    /// A user file.
    File(String),
}

/// The connectors available to this run.
pub struct Registry {
    pub connectors: Vec<(Connector, Source)>,
    /// User files that failed to load, or were refused: reported when they are needed, and by
    /// `connectors`.
    pub broken: Vec<SpecError>,
    /// The keys of user files that loaded but were refused, with their index in `broken`.
    refused: Vec<(String, usize)>,
}

impl Registry {
    /// Loads the embedded connectors and, if given, every `*.yaml`/`*.yml` file of `dir`. A user
    /// file whose key matches an embedded connector replaces it (a note on stderr says so). A
    /// user file that cannot be loaded, or whose credentials conflict with another connector's
    /// (see [`env_conflicts`]), is kept aside in `broken`; the others are loaded regardless.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when `dir` cannot be read; [`ErrorKind::Spec`] if an embedded
    /// connector is invalid (a build that should not have passed its tests).
    pub fn load(dir: Option<&Path>) -> Result<Registry> {
        let mut registry = Registry {
            connectors: Vec::new(),
            broken: Vec::new(),
            refused: Vec::new(),
        };
        for (name, text) in EMBEDDED {
            let file = format!("connectors/{name}");
            // Checked in full by the tests (and by `validate`), so not again at every start.
            let c = Connector::from_trusted_yaml(&file, text)?;
            env_conflicts(&c, &file, text, &registry.connectors)?;
            registry.connectors.push((c, Source::Embedded));
        }
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Error::new(ErrorKind::Usage, format!("cannot read connector folder {}: {e}", dir.display()))
                    .with_hint("--connectors (or ACTIONSPEC_CONNECTORS) names a folder of connector YAML files")
            })?;
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
            paths.sort();
            for path in paths {
                registry.add_file(&path)?;
            }
        }
        Ok(registry)
    }

    /// Loads one user file: added, replacing a connector with the same key, or kept in `broken`.
    fn add_file(&mut self, path: &Path) -> Result<()> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(ErrorKind::Usage, format!("cannot read {display}: {e}")))?;
        let c = match Connector::from_yaml(&display, &text) {
            Ok(c) => c,
            Err(e) => {
                self.broken.push(e);
                return Ok(());
            }
        };
        let key = c.spec.key.clone();
        if let Err(e) = env_conflicts(&c, &display, &text, &self.connectors) {
            self.refused.push((key, self.broken.len()));
            self.broken.push(e);
            return Ok(());
        }
        let replaced = self.connectors.iter().find(|(e, _)| e.spec.key == key);
        let message = match replaced {
            Some((_, Source::File(other))) => Some(format!(
                "warning: {display} and {other} both define connector `{key}`; {display} is used"
            )),
            Some((_, Source::Embedded)) => Some(format!(
                "note: {display} replaces the built-in connector `{key}`"
            )),
            None => None,
        };
        if let Some(message) = message {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
        self.connectors
            .retain(|(existing, _)| existing.spec.key != key);
        self.connectors.push((c, Source::File(display)));
        Ok(())
    }

    /// The connector with key `key`.
    ///
    /// # Errors
    /// [`ErrorKind::Spec`] if a user file that failed to load may be it (its file stem or its
    /// key is `key`); else [`ErrorKind::Usage`] with the closest key.
    pub fn get(&self, key: &str) -> Result<&Connector> {
        if let Some((c, _)) = self.connectors.iter().find(|(c, _)| c.spec.key == key) {
            return Ok(c);
        }
        let refused = self
            .refused
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, i)| self.broken.get(*i));
        if let Some(e) = refused.or_else(|| {
            self.broken
                .iter()
                .find(|e| Path::new(&e.file).file_stem().is_some_and(|s| s == key))
        }) {
            return Err(e.clone().into());
        }
        let keys: Vec<&str> = self
            .connectors
            .iter()
            .map(|(c, _)| c.spec.key.as_str())
            .collect();
        Err(
            Error::new(ErrorKind::Usage, format!("unknown connector `{key}`")).with_hint(
                actionspec_engine::diagnostic::unknown_name_hint(
                    key,
                    "connector",
                    keys.iter().copied(),
                ),
            ),
        )
    }

    /// Checks a connector file as `actionspec validate` does: it loads, and its credentials do
    /// not conflict with the registry's other connectors (the one it would replace aside).
    ///
    /// # Errors
    /// Every problem found, located in `file`.
    pub fn check(&self, file: &str, text: &str) -> std::result::Result<Connector, SpecError> {
        let c = Connector::from_yaml(file, text)?;
        env_conflicts(&c, file, text, &self.connectors)?;
        Ok(c)
    }
}

/// Refuses `c` (loaded from `file`, whose text is `text`) when it reads an environment variable
/// as a plain credential that another connector of `others` reads as a secret, or the other way
/// round: a non-secret credential's value reaches templates, dry runs and output, so the
/// secret of one connector would be shown by the other. A connector with the same key is
/// skipped: `c` replaces it.
///
/// # Errors
/// A [`SpecError`] with one diagnostic per conflict, at the credential's `env` in `file`.
pub fn env_conflicts(
    c: &Connector,
    file: &str,
    text: &str,
    others: &[(Connector, Source)],
) -> std::result::Result<(), SpecError> {
    // Parsed again for the locations only when there is something to locate (not at each start).
    let mut map: Option<Option<actionspec_engine::yaml::SourceMap>> = None;
    let key = &c.spec.key;
    let mut diagnostics = Vec::new();
    for (other, source) in others.iter().filter(|(o, _)| o.spec.key != *key) {
        let theirs = match source {
            Source::Embedded => format!("the built-in connector `{}`", other.spec.key),
            Source::File(f) => format!("connector `{}` ({f})", other.spec.key),
        };
        for (name, mine) in &c.spec.credentials {
            let clash = other
                .spec
                .credentials
                .iter()
                .find(|(_, o)| o.env == mine.env && o.secret != mine.secret);
            let Some((their_name, _)) = clash else {
                continue;
            };
            let env = &mine.env;
            let (title, hint) = if mine.secret {
                (
                    format!(
                        "credential `{name}` of connector `{key}` reads `{env}` as a secret, but {theirs} reads it as a plain value (credential `{their_name}`)"
                    ),
                    format!(
                        "{theirs} would show the secret in templates and output: give `{name}` a variable of its own"
                    ),
                )
            } else {
                (
                    format!(
                        "credential `{name}` of connector `{key}` reads `{env}`, which {theirs} reads as a secret (credential `{their_name}`)"
                    ),
                    format!(
                        "non-secret credentials reach templates and output: give `{name}` a variable of its own, or mark it `secret: true`"
                    ),
                )
            };
            let pointer = format!(
                "/credentials/{}/env",
                actionspec_engine::yaml::escape_token(name)
            );
            let span = map
                .get_or_insert_with(|| actionspec_engine::yaml::parse(text).ok().map(|d| d.map))
                .as_ref()
                .and_then(|m| m.locate(&pointer))
                .map(|l| l.value);
            diagnostics.push(
                Diagnostic::new(title, format!("also read by `{}`", other.spec.key))
                    .at(span, Some(pointer))
                    .hint(hint),
            );
        }
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(SpecError {
            file: file.to_owned(),
            source_text: Arc::from(text),
            diagnostics,
        })
    }
}
