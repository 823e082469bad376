//! Finding connectors: the ones embedded in the binary, plus user files from `--connectors DIR`.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use actionspec_engine::{Connector, Diagnostic, Error, ErrorKind, Result, SpecError};

/// One connector file shipped in the binary (the table is written by the build script).
pub struct Embedded {
    /// Its file name in `connectors/`.
    pub name: &'static str,
    /// Its `key` (the file stem, if it has none).
    pub key: &'static str,
    /// The file as JSON, converted at build time; `None` if it did not read as YAML.
    pub json: Option<&'static str>,
    /// The file as written.
    pub yaml: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Where a connector came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Shipped in the binary.
    Embedded,
    /// A user file.
    File(String),
}

/// A connector of the registry: a user file, loaded when found, or a built-in one, loaded when
/// first asked for.
struct Entry {
    key: String,
    source: Source,
    embedded: Option<&'static Embedded>,
    loaded: OnceLock<std::result::Result<Connector, SpecError>>,
}

impl Entry {
    fn connector(&self) -> std::result::Result<&Connector, &SpecError> {
        let loaded = self.loaded.get_or_init(|| match self.embedded {
            Some(e) => load_embedded(e),
            // User files are loaded when found: their entry never gets here.
            None => Err(SpecError {
                file: self.key.clone(),
                source_text: Arc::from(""),
                diagnostics: vec![Diagnostic::new(
                    format!("connector `{}` was not loaded", self.key),
                    "not loaded",
                )],
            }),
        });
        loaded.as_ref()
    }
}

/// Loads a built-in connector from its JSON, without the checks its tests make (see
/// [`Connector::from_trusted_json`]); from its YAML, fully checked, if the JSON is missing or
/// does not load, so that a problem is reported located in the file.
fn load_embedded(e: &Embedded) -> std::result::Result<Connector, SpecError> {
    let file = format!("connectors/{}", e.name);
    match e.json.map(|json| Connector::from_trusted_json(&file, json)) {
        Some(Ok(c)) => Ok(c),
        _ => Connector::from_yaml(&file, e.yaml),
    }
}

/// The connectors available to this run.
pub struct Registry {
    entries: Vec<Entry>,
    /// User files that failed to load, or were refused: reported when they are needed, and by
    /// `connectors`.
    pub broken: Vec<SpecError>,
    /// The keys of user files that loaded but were refused, with their index in `broken`.
    refused: Vec<(String, usize)>,
}

impl Registry {
    /// Lists the embedded connectors (each is loaded when first needed, so start-up does not
    /// grow with their number) and, if given, loads every `*.yaml`/`*.yml` file of `dir`. A user
    /// file whose key matches an embedded connector replaces it (a note on stderr says so). A
    /// user file that cannot be loaded, or whose credentials conflict with another connector's
    /// (see [`env_conflicts`]; this loads the built-in ones), is kept aside in `broken`; the
    /// others are loaded regardless.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when `dir` cannot be read; [`ErrorKind::Spec`] if a user file must be
    /// checked against an embedded connector that is invalid (a build that should not have
    /// passed its tests).
    pub fn load(dir: Option<&Path>) -> Result<Registry> {
        let mut registry = Registry {
            entries: EMBEDDED
                .iter()
                .map(|e| Entry {
                    key: e.key.to_owned(),
                    source: Source::Embedded,
                    embedded: Some(e),
                    loaded: OnceLock::new(),
                })
                .collect(),
            broken: Vec::new(),
            refused: Vec::new(),
        };
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

    /// Every connector with where it came from, in order (built-in ones first), each loaded.
    ///
    /// # Errors
    /// [`ErrorKind::Spec`] if an embedded connector is invalid.
    pub fn all(&self) -> Result<Vec<(&Connector, &Source)>> {
        self.entries
            .iter()
            .map(|e| match e.connector() {
                Ok(c) => Ok((c, &e.source)),
                Err(spec) => Err(spec.clone().into()),
            })
            .collect()
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
        if let Err(e) = env_conflicts(&c, &display, &text, &self.all()?) {
            self.refused.push((key, self.broken.len()));
            self.broken.push(e);
            return Ok(());
        }
        let replaced = self.entries.iter().find(|e| e.key == key);
        let message = match replaced.map(|e| &e.source) {
            Some(Source::File(other)) => Some(format!(
                "warning: {display} and {other} both define connector `{key}`; {display} is used"
            )),
            Some(Source::Embedded) => Some(format!(
                "note: {display} replaces the built-in connector `{key}`"
            )),
            None => None,
        };
        if let Some(message) = message {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
        self.entries.retain(|e| e.key != key);
        self.entries.push(Entry {
            key,
            source: Source::File(display),
            embedded: None,
            loaded: OnceLock::from(Ok(c)),
        });
        Ok(())
    }

    /// The connector with key `key`.
    ///
    /// # Errors
    /// [`ErrorKind::Spec`] if a user file that failed to load may be it (its file stem or its
    /// key is `key`); else [`ErrorKind::Usage`] with the closest key.
    pub fn get(&self, key: &str) -> Result<&Connector> {
        if let Some(entry) = self.entries.iter().find(|e| e.key == key) {
            return entry.connector().map_err(|e| e.clone().into());
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
        let keys: Vec<&str> = self.entries.iter().map(|e| e.key.as_str()).collect();
        Err(
            Error::new(ErrorKind::Usage, format!("unknown connector `{key}`")).with_hint(
                actionspec_engine::unknown_name_hint(key, "connector", keys.iter().copied()),
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
        let others = self.all().map_err(|e| SpecError {
            file: file.to_owned(),
            source_text: Arc::from(text),
            diagnostics: vec![Diagnostic::new(e.to_string(), "not checked")],
        })?;
        env_conflicts(&c, file, text, &others)?;
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
    others: &[(&Connector, &Source)],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Start-up loads the built-in connectors from their JSON without the full checks, and
    /// without checking them against each other: the checks are made here instead. Each one
    /// passes them from its YAML, converts, loads from its JSON with the same key and actions,
    /// and no two share a key or read one variable as a secret and as a plain value.
    #[test]
    fn embedded_connectors_pass_the_checks_start_up_skips() {
        let mut loaded: Vec<(Connector, Source)> = Vec::new();
        for e in EMBEDDED {
            let file = format!("connectors/{}", e.name);
            let full = Connector::from_yaml(&file, e.yaml).unwrap_or_else(|err| panic!("{err}"));
            let json = e
                .json
                .unwrap_or_else(|| panic!("{file} was not converted to JSON"));
            let trusted =
                Connector::from_trusted_json(&file, json).unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(e.key, full.spec.key, "{file}");
            assert_eq!(trusted.spec.key, full.spec.key, "{file}");
            let ids = |c: &Connector| c.actions.keys().cloned().collect::<Vec<_>>();
            assert_eq!(ids(&trusted), ids(&full), "{file}");
            assert!(
                loaded.iter().all(|(c, _)| c.spec.key != full.spec.key),
                "two built-in connectors have key `{}`",
                full.spec.key
            );
            let others: Vec<(&Connector, &Source)> = loaded.iter().map(|(c, s)| (c, s)).collect();
            if let Err(err) = env_conflicts(&full, &file, e.yaml, &others) {
                panic!("{}", err.render());
            }
            loaded.push((full, Source::Embedded));
        }
        assert!(!loaded.is_empty(), "no built-in connector");
    }

    /// Asking for one built-in connector loads that one only.
    #[test]
    fn get_loads_only_the_connector_asked_for() {
        let registry = Registry::load(None).unwrap_or_else(|e| panic!("{e}"));
        let first = EMBEDDED.first().map(|e| e.key).unwrap_or_default();
        assert!(registry.get(first).is_ok());
        let loaded: Vec<&str> = registry
            .entries
            .iter()
            .filter(|e| e.loaded.get().is_some())
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(loaded, [first]);
    }
}
