//! Finding connectors: the ones embedded in the binary, plus user files from `--connectors DIR`.

use std::io::Write as _;
use std::path::Path;

use actionspec_engine::{Connector, Error, ErrorKind, Result, SpecError};

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
    /// User files that failed to load: reported when they are needed, and by `connectors`.
    pub broken: Vec<SpecError>,
}

impl Registry {
    /// Loads the embedded connectors and, if given, every `*.yaml`/`*.yml` file of `dir`. A user
    /// file whose key matches an embedded connector replaces it.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when `dir` cannot be read; [`ErrorKind::Spec`] if an embedded
    /// connector is invalid (a build that should not have passed its tests).
    pub fn load(dir: Option<&Path>) -> Result<Registry> {
        let mut connectors = Vec::new();
        for (name, text) in EMBEDDED {
            let c = Connector::from_yaml(&format!("connectors/{name}"), text)?;
            connectors.push((c, Source::Embedded));
        }
        let mut broken = Vec::new();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Error::new(ErrorKind::Usage, format!("cannot read connector folder {}: {e}", dir.display()))
                    .with_hint("--connectors (or ACTIONSPEC_CONNECTORS) names a folder of connector YAML files")
            })?;
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
            paths.sort();
            for path in paths {
                let display = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::new(ErrorKind::Usage, format!("cannot read {display}: {e}"))
                })?;
                match Connector::from_yaml(&display, &text) {
                    Ok(c) => {
                        if let Some((_, Source::File(other))) =
                            connectors.iter().find(|(e, _)| e.spec.key == c.spec.key)
                        {
                            let key = &c.spec.key;
                            let _ = writeln!(
                                std::io::stderr(),
                                "warning: {display} and {other} both define connector `{key}`; {display} is used"
                            );
                        }
                        connectors.retain(|(existing, _)| existing.spec.key != c.spec.key);
                        connectors.push((c, Source::File(display)));
                    }
                    Err(e) => broken.push(e),
                }
            }
        }
        Ok(Registry { connectors, broken })
    }

    /// The connector with key `key`.
    ///
    /// # Errors
    /// [`ErrorKind::Spec`] if a user file that failed to load may be it (its file stem is
    /// `key`); else [`ErrorKind::Usage`] with the closest key.
    pub fn get(&self, key: &str) -> Result<&Connector> {
        if let Some((c, _)) = self.connectors.iter().find(|(c, _)| c.spec.key == key) {
            return Ok(c);
        }
        if let Some(e) = self
            .broken
            .iter()
            .find(|e| Path::new(&e.file).file_stem().is_some_and(|s| s == key))
        {
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
}
