//! Shared helpers for the engine tests.
use std::path::PathBuf;

use actionspec_engine::Connector;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every connector file shipped in `connectors/`, as (display path, text).
pub fn connector_files() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("connectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = format!("connectors/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The JumpCloud connector, loaded.
pub fn jumpcloud() -> Connector {
    let text = std::fs::read_to_string(root().join("connectors/jumpcloud.yaml")).unwrap();
    Connector::from_yaml("connectors/jumpcloud.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
}
