//! The engine's error type: a closed set of kinds with stable exit codes, usable as data
//! ([`Error::to_json`]) as well as text (`Display`).
//!
//! Errors say what happened and what to change in terms of the engine (an input, the base URL,
//! a credential), never in terms of one front end's options: the CLI, an MCP server or a library
//! caller each word that for their users.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::diagnostic::SpecError;

/// What kind of failure happened. Each kind has a stable process exit code (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Wrong usage: unknown connector, action or server, a destructive action run without
    /// confirmation, an unreadable file.
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

    /// Whether an HTTP status means the same request may succeed later, unchanged: 429 (rate
    /// limited), 502, 503 and 504 (a gateway or the API itself is temporarily unavailable).
    /// Other 5xx are not: an internal error usually repeats.
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 502 | 503 | 504)
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

/// Why no HTTP response arrived, for [`ErrorKind::Transport`]: told apart by the underlying
/// cause ([`std::error::Error::source`] of the [`Error`] holds it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransportFailure {
    /// The host name did not resolve.
    Dns,
    /// The host refused the connection (nothing listens on the port).
    Refused,
    /// The TLS handshake failed: an untrusted or wrong certificate, or no TLS at all.
    Tls,
    /// No answer within the time limit (connecting, or waiting for the response).
    Timeout,
    /// The connection broke, or another failure before or during the exchange.
    Connection,
}

impl TransportFailure {
    /// A short name (`dns`), as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportFailure::Dns => "dns",
            TransportFailure::Refused => "refused",
            TransportFailure::Tls => "tls",
            TransportFailure::Timeout => "timeout",
            TransportFailure::Connection => "connection",
        }
    }
}

/// One input violation, found before any request was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct InputViolation {
    /// JSON pointer into the input (`/limit`, `/attributes/0/name`; `""` for the whole input).
    pub pointer: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// An engine error: its kind, a message, and what the user can do about it.
///
/// The fields are read directly; new ones may be added, so the struct is built only through
/// [`Error::new`] and its `with_*` methods. [`std::error::Error::source`] gives the underlying
/// cause where there is one (the HTTP client's error for a transport failure, the
/// [`std::io::Error`] for an output failure).
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// For [`ErrorKind::Transport`]: which kind of failure kept the response from arriving.
    pub transport: Option<TransportFailure>,
    /// The underlying cause, returned by [`std::error::Error::source`].
    pub(crate) cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
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
            transport: None,
            cause: None,
        }
    }

    /// An [`ErrorKind::Io`] error for a failure writing output (`what`: e.g. "cannot write the
    /// output"), keeping `cause` as the source; see [`Error::io_kind`].
    pub fn io(what: &str, cause: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, format!("{what}: {cause}")).with_source(cause)
    }

    /// Keeps `cause` as the error's [`std::error::Error::source`].
    #[must_use]
    pub fn with_source(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// The kind of the underlying [`std::io::Error`], when the cause is one (e.g.
    /// [`std::io::ErrorKind::BrokenPipe`] for a reader that went away).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        let cause = self.cause.as_deref()?;
        cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
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

    /// An input error of `action` (of connector `connector`) listing every violation; the
    /// error names the action ([`Error::action`]).
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
            "the input schema of action `{action}` of connector `{connector}` lists every input and its type"
        ))
        .with_action(action);
        e.violations = violations;
        e
    }

    /// The exit code of this error's kind.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

impl Error {
    /// The error as one JSON object, for front ends that print errors as data:
    ///
    /// ```json
    /// {"error": {
    ///   "kind": "not_found",          // ErrorKind::as_str
    ///   "exit_code": 7,               // ErrorKind::exit_code
    ///   "message": "GET https://… failed with 404 Not Found: …",
    ///   "status": 404,                // the HTTP status, when the API answered
    ///   "api_message": "…",           // the API's own message
    ///   "action": "get_system_user",  // the action the error belongs to
    ///   "retryable": false,           // the same request may succeed later
    ///   "retry_after_seconds": 30,    // how long the API asked to wait
    ///   "transport": "dns",           // dns, refused, tls, timeout, connection (no response)
    ///   "may_be_applied": false,      // a request without answer may have been carried out
    ///   "hint": "…",                  // what to change
    ///   "violations": [{"pointer": "/limit", "message": "…"}],   // input errors
    ///   "resume_input": {"limit": 100, "skip": 200},              // run_all failing part-way
    ///   "diagnostics": [{"file": "c.yaml", "line": 12, "column": 5, "pointer": "/actions/x",
    ///                    "message": "…", "hint": "…"}]            // spec errors
    /// }}
    /// ```
    ///
    /// `kind`, `exit_code`, `message`, `retryable` and `may_be_applied` are always present; every
    /// other member is present only when it has a value: never `null`, never an empty array. The
    /// same rule holds inside `diagnostics` (`line` and `column` are 1-based and absent when the
    /// problem has no location). Secrets are removed from every message where the error is made;
    /// a front end may scrub again with [`crate::Redactor::redact_json`].
    pub fn to_json(&self) -> Value {
        let mut e = Map::new();
        e.insert("kind".into(), json!(self.kind.as_str()));
        e.insert("exit_code".into(), json!(self.exit_code()));
        e.insert("message".into(), json!(self.message));
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(v) = value {
                e.insert(key.into(), v);
            }
        };
        put("status", self.status.map(Value::from));
        put("api_message", self.api_message.as_deref().map(Value::from));
        put("action", self.action.as_deref().map(Value::from));
        put("retryable", Some(Value::Bool(self.retryable)));
        put("retry_after_seconds", self.retry_after.map(Value::from));
        put("transport", self.transport.map(|t| Value::from(t.as_str())));
        put("may_be_applied", Some(Value::Bool(self.may_be_applied)));
        put("hint", self.hint.as_deref().map(Value::from));
        put(
            "violations",
            (!self.violations.is_empty()).then(|| json!(self.violations)),
        );
        put(
            "resume_input",
            self.resume_input
                .as_ref()
                .map(|m| Value::Object(m.as_ref().clone())),
        );
        put(
            "diagnostics",
            self.spec
                .as_ref()
                .map(|s| Value::Array(diagnostics_json(s)))
                .filter(|d| d.as_array().is_some_and(|d| !d.is_empty())),
        );
        json!({ "error": e })
    }
}

/// Each diagnostic of a connector file as a JSON object: `file`, `line` and `column` (1-based,
/// where the problem starts; absent without a location), `pointer` (the JSON pointer of the
/// offending node, when it has one), `message` (the diagnostic's title) and `hint` (when there is
/// one). The members of [`Error::to_json`]'s `diagnostics`.
pub fn diagnostics_json(spec: &SpecError) -> Vec<Value> {
    spec.diagnostics
        .iter()
        .map(|d| {
            let mut o = Map::new();
            o.insert("file".into(), json!(spec.file));
            if let Some(span) = d.span {
                o.insert("line".into(), json!(span.start.line));
                o.insert("column".into(), json!(span.start.col));
            }
            if let Some(p) = &d.pointer {
                o.insert("pointer".into(), json!(p));
            }
            o.insert("message".into(), json!(d.title));
            if let Some(h) = &d.hint {
                o.insert("hint".into(), json!(h));
            }
            Value::Object(o)
        })
        .collect()
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// Results of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        let retryable: Vec<u16> = (400..600)
            .filter(|s| ErrorKind::is_retryable_status(*s))
            .collect();
        assert_eq!(retryable, [429, 502, 503, 504]);
    }

    #[test]
    fn json_omits_what_has_no_value() {
        let e = Error::new(ErrorKind::Transport, "GET http://x: timed out");
        assert_eq!(
            e.to_json(),
            json!({"error": {"kind": "transport", "exit_code": 12, "message": "GET http://x: timed out",
                             "retryable": false, "may_be_applied": false}})
        );
    }

    #[test]
    fn json_has_every_field_that_is_set() {
        let mut e = Error::input(
            "demo",
            "list",
            vec![InputViolation {
                pointer: "/limit".into(),
                message: "expected integer".into(),
            }],
        )
        .with_status(429);
        e.api_message = Some("slow down".into());
        e.retryable = true;
        e.retry_after = Some(30);
        e.resume_input = Some(Box::new(Map::from_iter([("skip".into(), json!(100))])));
        let v = e.to_json();
        let keys: Vec<&str> = v["error"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "kind",
                "exit_code",
                "message",
                "status",
                "api_message",
                "action",
                "retryable",
                "retry_after_seconds",
                "may_be_applied",
                "hint",
                "violations",
                "resume_input"
            ]
        );
        assert_eq!(
            v["error"]["violations"],
            json!([{"pointer": "/limit", "message": "expected integer"}])
        );
        assert_eq!(v["error"]["action"], "list");
    }
}
