//! The engine's error type: a closed set of kinds with stable exit codes.

use std::fmt;

use crate::diagnostic::SpecError;

/// What kind of failure happened. Each kind has a stable process exit code (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Wrong usage: unknown connector, action or server, a destructive action without `--yes`.
    Usage,
    /// A connector file is invalid.
    Spec,
    /// The action input is invalid (caught before any request).
    Input,
    /// Credentials are missing, or the API answered 401.
    Auth,
    /// The API answered 403.
    Permission,
    /// The API answered 404.
    NotFound,
    /// The API answered 409.
    Conflict,
    /// The API rejected the request: 400, 422 and other 4xx.
    Validation,
    /// The API answered 429.
    RateLimited,
    /// The API failed: 5xx, or a body that is not the JSON it should be.
    Upstream,
    /// No HTTP response: connection refused, DNS, TLS, timeout.
    Transport,
    /// Writing the output failed.
    Io,
}

impl ErrorKind {
    /// The process exit code for this kind (documented in the README).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::Spec => 3,
            ErrorKind::Input => 4,
            ErrorKind::Auth => 5,
            ErrorKind::Permission => 6,
            ErrorKind::NotFound => 7,
            ErrorKind::Conflict => 8,
            ErrorKind::Validation => 9,
            ErrorKind::RateLimited => 10,
            ErrorKind::Upstream => 11,
            ErrorKind::Transport => 12,
            ErrorKind::Io => 13,
        }
    }

    /// The kind for an HTTP error status.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Auth,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::Validation,
            _ => ErrorKind::Upstream,
        }
    }

    /// A short name (`not_found`), as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::Spec => "spec",
            ErrorKind::Input => "input",
            ErrorKind::Auth => "auth",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Validation => "validation",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Upstream => "upstream",
            ErrorKind::Transport => "transport",
            ErrorKind::Io => "io",
        }
    }
}

/// One input violation, found before any request was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputViolation {
    /// JSON pointer into the input (`/limit`, `/attributes/0/name`; `""` for the whole input).
    pub pointer: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// An engine error: its kind, a message, and what the user can do about it.
#[derive(Debug, Clone)]
pub struct Error {
    /// The kind, which decides the exit code.
    pub kind: ErrorKind,
    /// What went wrong, in one line.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The HTTP status, when the API answered.
    pub status: Option<u16>,
    /// Every input violation, for [`ErrorKind::Input`].
    pub violations: Vec<InputViolation>,
    /// The rendered diagnostics, for [`ErrorKind::Spec`].
    pub spec: Option<Box<SpecError>>,
    /// For a failure part-way through `run_all`: the input that fetches the failed page again,
    /// so a caller can resume without repeating the pages already delivered.
    pub resume_input: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    /// The id of the action that failed, when the error belongs to one.
    pub action: Option<String>,
    /// The API's own error message, as it sent it (secrets removed), when it sent one.
    pub api_message: Option<String>,
    /// Whether the same request may succeed if sent again later, unchanged: no response, 429,
    /// 502, 503, 504. Says nothing about whether it is safe to repeat (see `may_be_applied`).
    pub retryable: bool,
    /// For [`ErrorKind::RateLimited`]: how long the API asked to wait, in whole seconds.
    pub retry_after: Option<u64>,
    /// A request that is not idempotent was sent and no answer came back (timeout, lost
    /// connection, 5xx): the API may have carried it out. It is never repeated automatically.
    pub may_be_applied: bool,
}

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            status: None,
            violations: Vec::new(),
            spec: None,
            resume_input: None,
            action: None,
            api_message: None,
            retryable: false,
            retry_after: None,
            may_be_applied: false,
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Records the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Names the action the error belongs to.
    #[must_use]
    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// An input error listing every violation.
    pub fn input(connector: &str, action: &str, violations: Vec<InputViolation>) -> Self {
        let n = violations.len();
        let mut e = Error::new(
            ErrorKind::Input,
            format!(
                "invalid input for action `{action}`: {n} problem{}",
                if n == 1 { "" } else { "s" }
            ),
        )
        .with_hint(format!(
            "`actionspec describe {connector} {action}` lists the inputs and their types"
        ));
        e.violations = violations;
        e
    }

    /// The exit code of this error's kind.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

impl From<SpecError> for Error {
    fn from(e: SpecError) -> Self {
        let mut err = Error::new(
            ErrorKind::Spec,
            format!("{} is not a valid connector file", e.file),
        );
        err.spec = Some(Box::new(e));
        err
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(spec) = &self.spec {
            return f.write_str(spec.render().trim_end());
        }
        write!(f, "error[{}]: {}", self.kind.as_str(), self.message)?;
        for v in &self.violations {
            let at = if v.pointer.is_empty() {
                "(input)"
            } else {
                v.pointer.as_str()
            };
            write!(f, "\n  - {at}: {}", v.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Results of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
