//! Shared helpers for the conformance tests.
use std::path::PathBuf;

use actionspec_engine::Connector;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The fixtures folder, `tests/fixtures/conform`.
pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures/conform")
}

/// A connector file, loaded (the path is relative to the workspace root).
pub fn connector(path: &str) -> Connector {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    Connector::from_yaml(path, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The report as text with the workspace root removed from document names.
pub fn text(report: &actionspec_conform::Report) -> String {
    let root = format!("{}/", root().display());
    report.to_text(true).replace(&root, "")
}
