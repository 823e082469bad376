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
//!
//! Profiles keep several accounts of one connector side by side; `--profile acme` (or
//! `ACTIONSPEC_PROFILE`) picks one. Values directly in `[jumpcloud]` are shared by every profile,
//! and a profile's own values win:
//!
//! ```toml
//! [jumpcloud.acme]
//! api_key = "…"
//!
//! [jumpcloud.globex]
//! api_key = "…"
//! ```

use std::path::Path;

use actionspec_engine::{Connector, Credentials, Error, ErrorKind, Result};
use secrecy::SecretString;
use serde_json::Value;

/// Reads `file` and sets every credential it gives for connector `c`, with `profile`'s values
/// over the shared ones (file values win over environment variables).
///
/// # Errors
/// [`ErrorKind::Usage`] when the file is unreadable, too widely readable, malformed, names
/// a credential the connector does not declare, has no such profile, or has only profiles and
/// none was chosen.
pub fn merge_file(
    c: &Connector,
    file: &Path,
    profile: Option<&str>,
    credentials: &mut Credentials,
) -> Result<()> {
    let display = file.display().to_string();
    let section = read_section(c, file)?;
    let names = profile_names(&section);
    let mut values: Vec<(&String, &Value)> =
        section.iter().filter(|(_, v)| !v.is_object()).collect();
    match profile {
        Some(p) => {
            let Some(chosen) = section.get(p).and_then(Value::as_object) else {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "credentials file {display} has no profile `{p}` for `{}`",
                        c.spec.key
                    ),
                )
                .with_hint(profiles_hint(c, &names)));
            };
            values.extend(chosen.iter());
        }
        None if values.is_empty() && !names.is_empty() => {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "credentials file {display} has only profiles for `{}`; choose one",
                    c.spec.key
                ),
            )
            .with_hint(profiles_hint(c, &names)));
        }
        None => {}
    }
    for (name, value) in values {
        set(c, &display, name, value, credentials)?;
    }
    Ok(())
}

/// The profiles of connector `c` in `file`, in file order.
///
/// # Errors
/// As [`merge_file`], for the file itself.
pub fn profiles(c: &Connector, file: &Path) -> Result<Vec<String>> {
    Ok(profile_names(&read_section(c, file)?))
}

fn profile_names(section: &serde_json::Map<String, Value>) -> Vec<String> {
    section
        .iter()
        .filter(|(_, v)| v.is_object())
        .map(|(k, _)| k.clone())
        .collect()
}

fn profiles_hint(c: &Connector, names: &[String]) -> String {
    if names.is_empty() {
        format!(
            "add a `[{}.NAME]` table, or run without --profile",
            c.spec.key
        )
    } else {
        format!("pass --profile with one of: {}", names.join(", "))
    }
}

/// The `[connector]` table of `file`, checked to be private first.
fn read_section(c: &Connector, file: &Path) -> Result<serde_json::Map<String, Value>> {
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
    let Some(values) = section.as_object().cloned() else {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "`{}` in {display} must be a table of credential = value",
                c.spec.key
            ),
        ));
    };
    Ok(values)
}

/// Sets credential `name` of `c` from the file's `value`.
fn set(
    c: &Connector,
    display: &str,
    name: &str,
    value: &Value,
    credentials: &mut Credentials,
) -> Result<()> {
    {
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
                name.to_owned(),
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
