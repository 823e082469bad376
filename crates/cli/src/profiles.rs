//! `auth check` of one account, or of every profile of the credentials file
//! (`--all-profiles`). Profiles themselves are read by [`crate::credentials`].

use actionspec_engine::{Connector, Error, ErrorKind, plural};
use serde_json::{Value, json};

use crate::cli_args::TargetArgs;
use crate::output::{out, pretty};
use crate::{Failure, auth_check, credentials};

/// `actionspec auth check`: the report of the account `target` selects, or with `all` an array
/// with one report per profile (a failed one as `{"profile", "ok": false, "error"}`); the exit
/// code is the first failure's.
pub(crate) fn auth_check_command(
    c: &Connector,
    target: &TargetArgs,
    all: bool,
) -> std::result::Result<(), Failure> {
    if !all {
        let report = auth_check(c, target)?;
        return Ok(out(&pretty(&report))?);
    }
    let Some(file) = &target.credentials else {
        return Err(
            Error::new(ErrorKind::Usage, "--all-profiles needs a credentials file")
                .with_hint("pass --credentials FILE (or set ACTIONSPEC_CREDENTIALS)")
                .into(),
        );
    };
    let names = credentials::profiles(c, file)?;
    if names.is_empty() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "credentials file {} has no profiles for `{}`",
                file.display(),
                c.spec.key
            ),
        )
        .with_hint(format!(
            "add `[{}.NAME]` tables, one per account",
            c.spec.key
        ))
        .into());
    }
    let mut reports = Vec::new();
    let mut first_failure: Option<Failure> = None;
    for name in &names {
        let one = TargetArgs {
            profile: Some(name.clone()),
            ..target.clone()
        };
        match auth_check(c, &one) {
            Ok(report) => reports.push(report),
            Err(failure) => {
                let mut error = failure.error.to_json();
                crate::redact_json(&mut error);
                reports.push(json!({
                    "connector": c.spec.key, "profile": name, "ok": false,
                    "error": error.get("error").cloned().unwrap_or(Value::Null),
                }));
                first_failure.get_or_insert(failure);
            }
        }
    }
    out(&pretty(&reports))?;
    match first_failure {
        None => Ok(()),
        Some(failure) => {
            let failed = reports.iter().filter(|r| r["ok"] == json!(false)).count();
            let mut error = Error::new(
                failure.error.kind,
                format!(
                    "{} of {} failed the check",
                    plural(failed as u64, "profile"),
                    names.len()
                ),
            );
            error.hint = Some("each failed profile's report above says why".into());
            Err(error.into())
        }
    }
}
