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

/// A configuration that sends JumpCloud actions to a local server's `/api` with an API key.
pub fn api_key_config(server_uri: &str) -> actionspec_engine::Config {
    let mut config = actionspec_engine::Config {
        base_url: Some(format!("{server_uri}/api")),
        ..actionspec_engine::Config::default()
    };
    config
        .credentials
        .insert("api_key", secrecy::SecretString::from("k"), true);
    config
}

/// A configuration that sends JumpCloud actions to a local server's `/api` with OAuth 2.0,
/// tokens from `token_path` on the same server, client id `client_id` and secret `secret`.
pub fn oauth_config(
    server_uri: &str,
    token_path: &str,
    client_id: &str,
    secret: &str,
) -> actionspec_engine::Config {
    let mut config = actionspec_engine::Config {
        base_url: Some(format!("{server_uri}/api")),
        token_url: Some(format!("{server_uri}{token_path}")),
        auth: Some("oauth2".into()),
        ..actionspec_engine::Config::default()
    };
    config
        .credentials
        .insert("client_id", secrecy::SecretString::from(client_id), false);
    config
        .credentials
        .insert("client_secret", secrecy::SecretString::from(secret), true);
    config
}
