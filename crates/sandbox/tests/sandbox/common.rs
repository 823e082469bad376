//! Loading connectors, starting sandboxes and running actions against them.

use std::path::PathBuf;

use actionspec_engine::{Client, Connector, Outcome, Result};
use actionspec_sandbox::{Options, Running, Sandbox};
use serde_json::Value;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Loads a connector file, by path from the workspace root.
pub fn load(path: &str) -> Connector {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    Connector::from_yaml(path, &text).unwrap_or_else(|e| panic!("{}", e.render()))
}

/// The JumpCloud connector.
pub fn jumpcloud() -> Connector {
    load("connectors/jumpcloud.yaml")
}

/// Options with record counts.
pub fn records(counts: &[(&str, usize)]) -> Options {
    Options {
        records: counts.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
        ..Options::default()
    }
}

/// A sandbox of `connector`, serving on a fresh loopback port.
pub async fn start(connector: &Connector, options: &Options) -> Running {
    Sandbox::new(connector, options)
        .unwrap()
        .start(0)
        .await
        .unwrap()
}

/// Runs one action through the engine against a running sandbox.
pub async fn run(
    connector: &Connector,
    running: &Running,
    action: &str,
    input: Value,
) -> Result<Outcome> {
    let client = Client::new().unwrap();
    let action = connector.action(action).unwrap();
    connector
        .run(&client, action, &input, &running.config())
        .await
}

/// A plain HTTP client, to look at the wire.
pub fn http() -> reqwest::Client {
    actionspec_engine::install_tls_provider();
    reqwest::Client::new()
}

/// Whether `s` is a 24-hex-digit object id.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
