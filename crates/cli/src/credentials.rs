//! Credentials files: `--credentials FILE`, TOML or YAML, one table per connector.
//!
//! ```toml
//! [jumpcloud]
//! client_id = "…"
//! client_secret = "…"
//! ```
//!
//! Keys are the connector's credential names. The file must not be readable by group or others
//! (like `~/.ssh` keys): a readable one is refused before it is read.

use std::path::Path;

use actionspec_engine::{Connector, Credentials, Error, ErrorKind, Result};
use secrecy::SecretString;
use serde_json::Value;

/// Reads `file` and sets every credential it gives for connector `c` (file values win over
/// environment variables).
///
/// # Errors
/// [`ErrorKind::Usage`] when the file is unreadable, too widely readable, malformed, or names
/// a credential the connector does not declare.
pub fn merge_file(c: &Connector, file: &Path, credentials: &mut Credentials) -> Result<()> {
    let display = file.display().to_string();
    check_private(file, &display)?;
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            format!("cannot read credentials file {display}: {e}"),
        )
    })?;
    let is_toml = file.extension().is_some_and(|e| e == "toml");
    let doc: Value = if is_toml {
        toml::from_str::<toml::Table>(&text)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Usage,
                    format!(
                        "credentials file {display} is not valid TOML: {}",
                        e.message()
                    ),
                )
            })
            .and_then(|t| {
                serde_json::to_value(t).map_err(|e| Error::new(ErrorKind::Usage, e.to_string()))
            })?
    } else {
        actionspec_engine::yaml::parse(&text)
            .map(|d| d.value)
            .map_err(|issues| {
                let first = issues
                    .first()
                    .map(|i| format!("line {}: {}", i.span.start.line, i.message))
                    .unwrap_or_default();
                Error::new(
                    ErrorKind::Usage,
                    format!("credentials file {display} is not valid YAML ({first})"),
                )
            })?
    };
    let Some(section) = doc.get(&c.spec.key) else {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("credentials file {display} has no `{}` section", c.spec.key),
        )
        .with_hint(format!(
            "add a `[{}]` table (TOML) or a `{}:` mapping (YAML) with the credentials",
            c.spec.key, c.spec.key
        )));
    };
    let Some(values) = section.as_object() else {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "`{}` in {display} must be a table of credential = value",
                c.spec.key
            ),
        ));
    };
    for (name, value) in values {
        let Some(declared) = c.spec.credentials.get(name) else {
            return Err(Error::new(ErrorKind::Usage, format!("credentials file {display} sets `{name}`, which connector `{}` does not declare", c.spec.key))
                .with_hint(actionspec_engine::unknown_name_hint(name, "credential", c.spec.credentials.keys().map(String::as_str))));
        };
        let Some(text) = value.as_str() else {
            // Never echo the value: it may be a secret typed in the wrong place.
            return Err(Error::new(
                ErrorKind::Usage,
                format!("credential `{name}` in {display} must be a string"),
            ));
        };
        if !text.is_empty() {
            credentials.insert(
                name.clone(),
                SecretString::from(text.to_owned()),
                declared.secret,
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn check_private(file: &Path, display: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            format!("cannot read credentials file {display}: {e}"),
        )
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::new(ErrorKind::Usage, format!("credentials file {display} is readable by group or others (mode {mode:03o}); refusing to use it"))
            .with_hint(format!("chmod 600 {display}")));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &Path, _display: &str) -> Result<()> {
    Ok(())
}
