//! How much goes to stderr: `-q` (results and errors only), the default (notes and warnings),
//! `-v` (each request and response: method, URL, status, time, headers) and `-vv` (bodies too).
//!
//! Every log line passes through the run's secret scrubber ([`crate::scrub`]) before it is
//! written: logs never carry a credential or a sensitive input, whatever an event holds.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::color::{self, Stream};

/// How much this run says on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: results and errors only.
    Quiet = 0,
    /// Notes, summaries and warnings.
    Normal = 1,
    /// `-v`: requests and responses, with headers.
    Requests = 2,
    /// `-vv`: bodies too.
    Bodies = 3,
}

impl Verbosity {
    /// The verbosity of `-v` given `count` times, or `-q`.
    pub(crate) fn from_flags(count: u8, quiet: bool) -> Self {
        match (quiet, count) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Requests,
            _ => Verbosity::Bodies,
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// This run's verbosity.
pub(crate) fn level() -> Verbosity {
    match LEVEL.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        2 => Verbosity::Requests,
        _ => Verbosity::Bodies,
    }
}

/// Writes a note, summary or warning to stderr (coloured, scrubbed), unless `-q`.
pub(crate) fn note(text: &str) {
    if level() > Verbosity::Quiet {
        let _ = write!(io::stderr(), "{}", color::diagnostic(&crate::scrub(text)));
    }
}

/// Whether response bodies may be logged (`-vv`, or `ACTIONSPEC_LOG` at trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bodies {
    /// When the level asks for them.
    Logged,
    /// Never: the MCP server, whose calls carry inputs this process cannot list as secrets.
    Never,
}

/// Starts logging to stderr at `verbosity`. `ACTIONSPEC_LOG` (a `tracing` filter such as
/// `actionspec_engine=debug`) replaces the level the flags give.
pub(crate) fn init(verbosity: Verbosity, bodies: Bodies) {
    LEVEL.store(verbosity as u8, Ordering::Relaxed);
    let default = match verbosity {
        Verbosity::Quiet => "error",
        Verbosity::Normal => "warn",
        Verbosity::Requests => "warn,actionspec=debug,actionspec_engine=debug",
        Verbosity::Bodies => "warn,actionspec=trace,actionspec_engine=trace",
    };
    let mut filter = crate::env_var("ACTIONSPEC_LOG")
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    // The MCP SDK logs whole protocol messages at debug and trace: tool arguments and results,
    // which may hold sensitive inputs. Its logs stop at info, whatever the level asked for.
    if filter
        .max_level_hint()
        .is_none_or(|l| l > tracing_subscriber::filter::LevelFilter::INFO)
        && let Ok(cap) = "rmcp=info".parse()
    {
        filter = filter.add_directive(cap);
    }
    if bodies == Bodies::Never
        && let Ok(off) = "actionspec_engine::body=off".parse()
    {
        filter = filter.add_directive(off);
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| ScrubbedStderr(Vec::new()))
        .with_ansi(color::enabled(Stream::Stderr))
        .without_time()
        .with_target(false)
        .init();
}

/// One log event, buffered and written scrubbed when the event is complete.
struct ScrubbedStderr(Vec<u8>);

impl Write for ScrubbedStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ScrubbedStderr {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = io::stderr().write_all(crate::scrub(&text).as_bytes());
    }
}

/// With `-v`: the request about to be sent, as planned (secrets redacted): `> METHOD URL` and
/// one `> name: value` line a header; with `-vv` its body too.
pub(crate) fn log_request(request: &actionspec_engine::ShownRequest) {
    if level() < Verbosity::Requests {
        return;
    }
    let mut text = format!("> {} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        text.push_str(&format!("> {name}: {value}\n"));
    }
    if let (Verbosity::Bodies, Some(body)) = (level(), &request.body) {
        let body = body
            .as_str()
            .map_or_else(|| body.to_string(), str::to_owned);
        text.push_str(&format!(">\n> {body}\n"));
    }
    let _ = write!(io::stderr(), "{}", crate::scrub(&text));
}
