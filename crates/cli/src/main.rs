//! `actionspec`: list, describe, dry-run and run the actions of YAML connectors.
//!
//! Results go to stdout (JSON, or NDJSON with `--all`); logs, progress and errors go to stderr,
//! or with `--output json` errors go to stdout as one JSON object ([`Error::to_json`]).
//! Exit codes are listed in the README and come from [`actionspec_engine::ErrorKind::exit_code`].

mod agent;
mod catalog;
mod conform;
mod credentials;
mod docs;
mod import;
mod init;
mod input_json;
mod mcp;
mod mcp_guard;
mod output;
mod registry;
mod schema;
mod tools;
mod validate;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use actionspec_engine::plural;
use actionspec_engine::{
    Client, Config, Connector, Credentials, Error, ErrorKind, Mode, Redactor, Result, SpecError,
};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde_json::{Value, json};

use catalog::{describe, list_actions, list_connectors};
use output::{out, pretty, shell_quote};
use registry::Registry;

/// Declarative actions engine: call SaaS APIs by action name with JSON input.
#[derive(Parser, Debug)]
#[command(
    name = "actionspec",
    version,
    about,
    long_about = None,
    after_help = "An ACTIONSPEC_* environment variable that is set but empty counts as unset."
)]
struct Cli {
    /// A folder of extra connector YAML files (a file with a built-in key replaces it)
    #[arg(long, global = true, value_name = "DIR", env = "ACTIONSPEC_CONNECTORS")]
    connectors: Option<PathBuf>,

    /// How errors are printed: `text` on stderr, or `json`: one JSON object on stdout (same exit
    /// code)
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = "ACTIONSPEC_OUTPUT",
        default_value_t = OutputFormat::Text
    )]
    output: OutputFormat,

    #[command(subcommand)]
    command: Command,
}

/// How errors are printed (`--output`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
enum OutputFormat {
    // Plain comments: doc comments would turn `--help` into the long, multi-line form.
    // rustc-style text on stderr.
    #[default]
    Text,
    // One JSON object on one line of stdout: `{"error": {...}}`.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the available connectors.
    Connectors {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List a connector's actions.
    #[command(visible_alias = "list")]
    Actions {
        /// Connector key, e.g. `jumpcloud`.
        connector: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show an action's inputs, method and path, scopes, markers and examples.
    Describe {
        /// Connector key.
        connector: String,
        /// Action id.
        action: String,
        /// Print JSON (with the input JSON Schema) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run an action with JSON input.
    Run(RunArgs),
    /// Check that credentials work.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Serve a local, stateful sandbox of a connector's API on 127.0.0.1 until interrupted.
    ///
    /// Prints the base URL and the sandbox's API key on stdout, one per line; a summary goes to
    /// stderr.
    Sandbox(SandboxArgs),
    /// Check a connector against the vendor's OpenAPI documents; exits 3 on any problem.
    ///
    /// One line per finding with the action and the document location, then a summary; e.g.
    /// `actionspec conform jumpcloud --openapi v1.yaml --openapi v2.yaml`.
    Conform(conform::ConformArgs),
    /// Check connector files; prints located diagnostics and lints, exits 3 on any error.
    Validate(validate::ValidateArgs),
    /// Write a connector's Markdown catalogue: how to link an account, its actions, inputs and
    /// examples.
    Docs(docs::DocsArgs),
    /// Write a first draft of a connector from the vendor's OpenAPI documents.
    Import(import::ImportArgs),
    /// Write a commented connector skeleton that validates and runs against the sandbox.
    Init(init::InitArgs),
    /// Print the meta-schema connector files are validated against (JSON Schema 2020-12).
    Schema,
    /// Serve connectors' actions as tools over the Model Context Protocol (stdio).
    ///
    /// One tool per action, named `{connector}_{action}`. Standard output carries the protocol
    /// only; logs go to standard error.
    Mcp(McpArgs),
    /// Print a connector's actions as tool definitions for an LLM API.
    ///
    /// Each format's lint runs first: a definition the API would refuse is reported on stderr
    /// with its action and the rule, nothing is printed, and the exit code is 3.
    Tools {
        /// Connector key.
        connector: String,
        /// The API: `mcp` (tools/list), `openai` (function tools, strict mode), `anthropic`
        /// (Messages API tools) or `gemini` (function declarations).
        #[arg(long, value_enum, default_value_t = tools::formats::Format::Mcp)]
        format: tools::formats::Format,
    },
}

#[derive(Subcommand, Debug)]
enum AuthCommand {
    /// Run the connector's health-check action and report which auth method and secret worked.
    Check {
        /// Connector key.
        connector: String,
        #[command(flatten)]
        target: TargetArgs,
    },
}

/// Where requests go and how they authenticate.
#[derive(clap::Args, Debug, Clone)]
struct TargetArgs {
    /// A named server of the connector (e.g. `eu`); it selects the API host and the OAuth token
    /// host together.
    #[arg(long, env = "ACTIONSPEC_SERVER")]
    server: Option<String>,
    /// Send requests to this base URL instead (e.g. http://127.0.0.1:8080/api).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The auth method to use (e.g. `api_key`, `oauth2`); default: the first whose credentials
    /// are all set.
    #[arg(long, env = "ACTIONSPEC_AUTH", value_name = "METHOD")]
    auth: Option<String>,
    /// OAuth 2.0 token endpoint, needed with --base-url (default: the server's token URL).
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// A TOML or YAML credentials file (`[connector]` table of credential = value); must not be
    /// readable by group or others. Its values take precedence over environment variables.
    #[arg(long, env = "ACTIONSPEC_CREDENTIALS", value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// Do not keep OAuth tokens in the user cache folder between runs.
    #[arg(long)]
    no_token_cache: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Overrides of the connector's `defaults:` (each falls back to the connector's value, then to
/// the engine's default).
#[derive(clap::Args, Debug, Clone, Default)]
struct LimitArgs {
    /// How long one attempt may take, sending to the last response byte, in seconds [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: Option<u64>,
    /// How long connecting may take, in seconds [default: 10]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    connect_timeout: Option<u64>,
    /// How long one action call may take in all, retries included, in seconds [default: 300]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    deadline: Option<u64>,
    /// Attempts in all for idempotent actions; 1 never retries [default: 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    attempts: Option<u32>,
    /// The longest wait before a retry, in seconds; a longer Retry-After stops the run [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    max_wait: Option<u64>,
    /// Follow HTTP redirects (credentials only within the same origin, never https to http)
    #[arg(long)]
    follow_redirects: bool,
    /// The largest response body accepted, in bytes [default: 67108864 (64 MiB)]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1024..))]
    max_response_bytes: Option<u64>,
}

impl LimitArgs {
    fn options(&self) -> actionspec_engine::RunOptions {
        let secs = |v: Option<u64>| v.map(std::time::Duration::from_secs);
        actionspec_engine::RunOptions {
            follow_redirects: self.follow_redirects.then_some(true),
            attempts: self.attempts,
            max_wait: secs(self.max_wait),
            connect_timeout: secs(self.connect_timeout),
            attempt_timeout: secs(self.timeout),
            deadline: secs(self.deadline),
            max_response_bytes: self.max_response_bytes,
            ..actionspec_engine::RunOptions::default()
        }
    }
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Connector key.
    connector: String,
    /// Action id.
    action: String,
    /// The input as a JSON object (default `{}`).
    #[arg(value_name = "JSON", conflicts_with = "input")]
    json: Option<String>,
    /// The input: JSON text, `@file.json`, or `-` for standard input.
    #[arg(long, short = 'i', value_name = "JSON|@FILE|-")]
    input: Option<String>,
    /// Print the HTTP request that would be sent (secrets redacted) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Follow pagination and stream every record to stdout as NDJSON.
    #[arg(long)]
    all: bool,
    /// With --all: pages in flight at once once the total is known; 1 fetches one after another [default: 4]
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..=64))]
    concurrency: Option<u64>,
    /// With --all: stop after N pages, and print how to go on
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..))]
    max_pages: Option<u64>,
    /// With --all: stop after N records, and print how to go on
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..))]
    max_records: Option<u64>,
    #[command(flatten)]
    target: TargetArgs,
    /// Confirm a destructive action (deletes, erase, lock, restart, shutdown, running commands).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Run against an in-process sandbox of the connector (seeded records, kept for this
    /// command only) instead of the real API.
    #[arg(long, conflicts_with_all = ["dry_run", "base_url", "server", "token_url"])]
    sandbox: bool,
}

#[derive(clap::Args, Debug)]
struct McpArgs {
    /// Connector keys, e.g. `jumpcloud okta`.
    #[arg(required = true, value_name = "CONNECTOR")]
    keys: Vec<String>,
    /// Also list destructive tools (deletes, erase, lock, restart, running commands).
    #[arg(long, conflicts_with = "read_only")]
    allow_destructive: bool,
    /// List only read-only tools.
    #[arg(long)]
    read_only: bool,
    /// Only the actions whose id or tool name matches one of these globs (`list_*`,
    /// `jumpcloud_get_*`).
    #[arg(long, value_name = "GLOB", num_args = 1..)]
    actions: Vec<String>,
    /// The most records one call of a list tool returns (the page size is lowered to it).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    max_records: u64,
    /// The most bytes of JSON one tool result holds; records past it are left out, with a
    /// note saying how to fetch them.
    #[arg(long, value_name = "N", default_value_t = 65_536, value_parser = clap::value_parser!(u64).range(4096..=67_108_864))]
    max_bytes: u64,
    /// Serve against in-process sandboxes of the connectors (seeded records, kept while the
    /// server runs) instead of the real APIs.
    #[arg(long, conflicts_with_all = ["base_url", "server", "token_url"])]
    sandbox: bool,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(clap::Args, Debug)]
struct SandboxArgs {
    /// Connector key.
    connector: String,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The seed of the generated records, ids and API key (same seed, same sandbox).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Records per resource, e.g. `systemusers=25000` (repeatable, or comma-separated); other
    /// resources get 25.
    #[arg(long, value_name = "RESOURCE=COUNT")]
    records: Vec<String>,
    /// Added to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// The probability (0 to 1) that a request fails with 429 (Retry-After: 1) or 503.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    fail_rate: f64,
    /// How long the bearer tokens of the sandbox's OAuth token endpoint last, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    token_lifetime: u64,
}

fn main() -> ExitCode {
    init_logging();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let output = output_from_args();
            if output == OutputFormat::Text {
                let _ = e.print();
                return ExitCode::from(ErrorKind::Usage.exit_code());
            }
            return report(usage_error(&e).into(), output, &[]);
        }
    };
    let output = cli.output;
    let mut invalid = Vec::new();
    let result = match &cli.command {
        Command::Validate(args) => validate::run(args, &mut invalid).map_err(Failure::from),
        Command::Schema => schema::run().map_err(Failure::from),
        Command::Init(args) => init::run(args).map_err(Failure::from),
        Command::Import(args) => import::run(args).map_err(Failure::from),
        _ => run(cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure, output, &invalid),
    }
}

/// Parses the arguments. clap reads a variable that is set but empty as an empty value
/// (`ACTIONSPEC_SERVER=` would select the server ``), while shells and CI systems commonly leave
/// variables empty to mean "not set". Removing those variables from the environment takes unsafe
/// code (forbidden in this workspace), so the command line forgets them instead.
fn parse() -> std::result::Result<Cli, clap::Error> {
    let mut matches = ignore_empty_env(Cli::command()).try_get_matches()?;
    Cli::from_arg_matches_mut(&mut matches)
}

/// `cmd` (and its subcommands) without the environment variables that are set but empty.
fn ignore_empty_env(mut cmd: clap::Command) -> clap::Command {
    let empty: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_env()
                .and_then(std::env::var_os)
                .is_some_and(|v| v.is_empty())
        })
        .map(|a| a.get_id().clone())
        .collect();
    for id in empty {
        cmd = cmd.mut_arg(id, |a| a.env(None::<&str>));
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, ignore_empty_env);
    }
    cmd
}

/// A variable's value; set but empty counts as unset (see [`parse`]).
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The `--output` format when the arguments could not be parsed: the last `--output FORMAT` (or
/// `--output=FORMAT`) given, else `ACTIONSPEC_OUTPUT`, else text.
fn output_from_args() -> OutputFormat {
    let args: Vec<String> = std::env::args().collect();
    let mut given = None;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--output" {
            given = args.get(i + 1).cloned();
        } else if let Some(v) = arg.strip_prefix("--output=") {
            given = Some(v.to_owned());
        }
    }
    match given.or_else(|| env_var("ACTIONSPEC_OUTPUT")).as_deref() {
        Some("json") => OutputFormat::Json,
        _ => OutputFormat::Text,
    }
}

/// A command-line parsing error as a usage error: clap's first line, and its tips as the hint.
fn usage_error(e: &clap::Error) -> Error {
    let rendered = e.render().to_string();
    let message = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_owned();
    let tips: Vec<&str> = rendered
        .lines()
        .filter_map(|l| l.trim().strip_prefix("tip: "))
        .collect();
    let error = Error::new(ErrorKind::Usage, message);
    if tips.is_empty() {
        error.with_hint("`actionspec --help` lists the commands and options")
    } else {
        error.with_hint(tips.join("; "))
    }
}

/// An error, and the help the CLI prints with it as text, worded with this CLI's commands and
/// options (the engine's own hint names none; the JSON output keeps that one).
struct Failure {
    error: Box<Error>,
    help: Option<String>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error: Box::new(error),
            help: None,
        }
    }
}

/// Set when the command already printed its result as its failure (a `conform` report): with
/// `--output json` nothing more goes to stdout, only the exit code of the error's kind.
static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints a failure and gives the exit code of its kind. Text goes to stderr; JSON is one line
/// on stdout, `{"error": {...}}`, with the diagnostics of every invalid file `validate` found.
/// A closed stdout (`| head`) is a success. Both are scrubbed of this run's secrets.
fn report(failure: Failure, output: OutputFormat, invalid: &[SpecError]) -> ExitCode {
    let Failure { mut error, help } = failure;
    if error.io_kind() == Some(io::ErrorKind::BrokenPipe) {
        return ExitCode::SUCCESS;
    }
    if REPORTED.load(std::sync::atomic::Ordering::Relaxed) && output == OutputFormat::Json {
        return ExitCode::from(error.exit_code());
    }
    match output {
        OutputFormat::Text => {
            if help.is_some() {
                error.hint = help;
            }
            let _ = writeln!(io::stderr(), "{}", scrub(&error.to_string()));
        }
        OutputFormat::Json => {
            let mut json = error.to_json();
            if !invalid.is_empty() {
                json["error"]["diagnostics"] = invalid
                    .iter()
                    .flat_map(actionspec_engine::diagnostics_json)
                    .collect();
            }
            scrubber().redact_json(&mut json);
            let _ = out(&format!("{json}\n"));
        }
    }
    ExitCode::from(error.exit_code())
}

/// Secret values of this run (secret credentials, `sensitive` inputs): removed from anything
/// printed about an error as a last line of defence (e.g. a key pasted into an input field and
/// echoed by an input error), in every form (see [`Redactor`]).
static SECRETS: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();

fn scrubber() -> &'static Redactor {
    SECRETS.get_or_init(Redactor::default)
}

fn scrub(text: &str) -> String {
    scrubber().redact(text)
}

/// The secret credentials of this run, hidden from results too (an API may echo a token back
/// in a body); unlike [`scrub`], not the values of `sensitive` inputs, which a result may hold
/// on purpose (a created record's configuration).
static CREDENTIALS: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();

fn scrub_result(text: &str) -> String {
    CREDENTIALS.get_or_init(Redactor::default).redact(text)
}

fn init_logging() {
    let mut filter = env_var("ACTIONSPEC_LOG")
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    // The MCP SDK logs whole protocol messages at debug and trace: tool arguments and results,
    // which may hold sensitive inputs. Its logs stop at info, whatever the level asked for.
    if filter
        .max_level_hint()
        .is_none_or(|l| l > tracing_subscriber::filter::LevelFilter::INFO)
        && let Ok(cap) = "rmcp=info".parse()
    {
        filter = filter.add_directive(cap);
    }
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .init();
}

fn run(cli: Cli) -> std::result::Result<(), Failure> {
    let _ = CONNECTORS_DIR.set(cli.connectors.clone());
    let registry = Registry::load(cli.connectors.as_deref())?;
    for broken in &registry.broken {
        let n = broken.diagnostics.len();
        let _ = writeln!(
            io::stderr(),
            "warning: skipping {}: {}; run `actionspec validate {}`",
            broken.file,
            plural(n as u64, "problem"),
            broken.file
        );
    }
    match cli.command {
        Command::Connectors { json } => Ok(list_connectors(&registry, json)?),
        Command::Actions { connector, json } => Ok(list_actions(registry.get(&connector)?, json)?),
        Command::Describe {
            connector,
            action,
            json,
        } => Ok(describe(registry.get(&connector)?, &action, json)?),
        Command::Run(args) => run_action(registry.get(&args.connector)?, &args),
        Command::Sandbox(args) => Ok(serve_sandbox(registry.get(&args.connector)?, &args)?),
        Command::Auth {
            command: AuthCommand::Check { connector, target },
        } => auth_check(registry.get(&connector)?, &target),
        Command::Conform(args) => conform_command(&registry, &args, cli.output),
        Command::Docs(args) => Ok(docs::run(&registry, &args)?),
        // The server lives as long as the process: so does the registry its tools borrow.
        Command::Mcp(args) => Ok(mcp_command(Box::leak(Box::new(registry)), &args)?),
        Command::Tools { connector, format } => {
            Ok(export_tools(registry.get(&connector)?, format)?)
        }
        // Handled by `main` before any connector is loaded.
        Command::Validate(_) | Command::Schema | Command::Init(_) | Command::Import(_) => Ok(()),
    }
}

/// `actionspec conform`: the report is printed; a connector that does not conform is a spec
/// error (exit 3), as an invalid file is for `validate`.
fn conform_command(
    registry: &Registry,
    args: &conform::ConformArgs,
    output: OutputFormat,
) -> std::result::Result<(), Failure> {
    if conform::run(registry, args, output == OutputFormat::Json)? {
        return Ok(());
    }
    REPORTED.store(true, std::sync::atomic::Ordering::Relaxed);
    Err(Failure::from(
        Error::new(ErrorKind::Spec, "the connector does not conform to the documents").with_hint(
            "fix each error above, or waive a deliberate difference with `conform: { RULE: reason }` on the action or input",
        ),
    ))
}

/// The `--connectors` folder of this run (flag or environment), for the commands it prints.
static CONNECTORS_DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// The command that runs `action` again with `input` and every option of this run that decides
/// where it goes and how it authenticates, quoted for a POSIX shell.
fn resume_command(
    c: &Connector,
    action: &str,
    args: &RunArgs,
    input: &serde_json::Map<String, Value>,
) -> String {
    let mut cmd = format!("actionspec run {} {action}", c.spec.key);
    let mut opt = |flag: &str, value: Option<String>| {
        if let Some(v) = value {
            cmd.push_str(&format!(" {flag} {}", shell_quote(&v)));
        }
    };
    let t = &args.target;
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    opt("--connectors", CONNECTORS_DIR.get().and_then(path));
    opt("--server", t.server.clone());
    opt("--base-url", t.base_url.clone());
    opt("--auth", t.auth.clone());
    opt("--token-url", t.token_url.clone());
    opt("--credentials", path(&t.credentials));
    if t.no_token_cache {
        cmd.push_str(" --no-token-cache");
    }
    if args.sandbox {
        cmd.push_str(" --sandbox");
    }
    format!(
        "{cmd} --all --input {}",
        shell_quote(&Value::Object(input.clone()).to_string())
    )
}

/// A single-threaded Tokio runtime: one command runs one action (or one sandbox) at a time.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                format!("cannot start the async runtime: {e}"),
            )
        })
}

/// The configuration for a run: target, auth method, and credentials from the environment and
/// the credentials file. The secret credentials and `sensitive` (the values of sensitive inputs)
/// become the values scrubbed from every printed error.
fn config_for(c: &Connector, target: &TargetArgs, sensitive: Vec<String>) -> Result<Config> {
    let config = target_config(c, target)?;
    use secrecy::ExposeSecret;
    let secret: Vec<String> = config
        .credentials
        .secrets()
        .map(|s| s.expose_secret().to_owned())
        .collect();
    let _ = CREDENTIALS.set(Redactor::new(&secret));
    let mut secrets = sensitive;
    secrets.extend(secret);
    let _ = SECRETS.set(Redactor::new(&secrets));
    Ok(config)
}

/// The configuration of `target` for connector `c`, with its credentials from the environment
/// and the credentials file.
fn target_config(c: &Connector, target: &TargetArgs) -> Result<Config> {
    let mut credentials = Credentials::from_env(c);
    if let Some(file) = &target.credentials {
        credentials::merge_file(c, file, &mut credentials)?;
    }
    Ok(Config {
        base_url: target.base_url.clone(),
        server: target.server.clone(),
        credentials,
        auth: target.auth.clone(),
        token_url: target.token_url.clone(),
        options: target.limits.options(),
    })
}

/// `actionspec mcp`: serves the tools of the connectors over stdio until the client closes
/// the session. A note on stderr says what is served, and what is hidden.
fn mcp_command(registry: &'static Registry, args: &McpArgs) -> Result<()> {
    let mut connectors: Vec<&'static Connector> = Vec::new();
    for key in &args.keys {
        let c = registry.get(key)?;
        if !connectors.iter().any(|k| k.spec.key == c.spec.key) {
            connectors.push(c);
        }
    }
    let selection = tools::Selection {
        allow_destructive: args.allow_destructive,
        read_only: args.read_only,
        globs: args.actions.clone(),
    };
    selection.check_globs(&connectors)?;
    let limits = agent::Limits {
        max_records: args.max_records,
        max_bytes: usize::try_from(args.max_bytes).unwrap_or(usize::MAX),
    };
    let client = client_for(&args.target)?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let mut targets = Vec::new();
        // Each sandbox serves as long as its handle lives: until the session ends.
        let mut sandboxes = Vec::new();
        for c in connectors {
            let mut config = target_config(c, &args.target)?;
            if args.sandbox {
                let sandbox =
                    actionspec_sandbox::Sandbox::new(c, &actionspec_sandbox::Options::default())
                        .map_err(sandbox_error)?;
                let running = sandbox.start(0).await.map_err(sandbox_error)?;
                config = Config {
                    auth: config.auth,
                    options: config.options,
                    ..running.config()
                };
                sandboxes.push(running);
            }
            targets.push(agent::Target {
                connector: c,
                config,
            });
        }
        let server = agent::Server::new(targets, &selection, client, limits);
        report_served(&args.keys, &server, args.sandbox);
        mcp::serve(server).await
    })
}

/// `actionspec tools`: the definitions on stdout, or each lint problem on stderr and a spec
/// error.
fn export_tools(c: &Connector, format: tools::formats::Format) -> Result<()> {
    let (definitions, problems) = tools::formats::export(c, format);
    if problems.is_empty() {
        return out(&pretty(&definitions));
    }
    let mut err = io::stderr().lock();
    for p in &problems {
        let _ = writeln!(err, "error[{}]: tool `{}`: {}", p.rule, p.tool, p.message);
    }
    Err(Error::new(
        ErrorKind::Spec,
        format!(
            "{} of connector `{}` break the rules of the {format:?} format",
            plural(problems.len() as u64, "tool definition problem"),
            c.spec.key
        ),
    )
    .with_hint("each line above names the tool (`{connector}_{action}`) and the rule"))
}

/// Says on stderr which tools `actionspec mcp` serves, and which it hides and why.
fn report_served(keys: &[String], server: &agent::Server, sandbox: bool) {
    use tools::Hidden;
    let served = server.tools().len();
    let count = |why: Hidden| server.hidden().iter().filter(|(_, w)| *w == why).count() as u64;
    let mut notes = Vec::new();
    let destructive = count(Hidden::Destructive);
    if destructive > 0 {
        notes.push(format!(
            "{} hidden (--allow-destructive lists them)",
            plural(destructive, "destructive tool")
        ));
    }
    let writing = count(Hidden::NotReadOnly);
    if writing > 0 {
        notes.push(format!("{} hidden by --read-only", plural(writing, "tool")));
    }
    let unselected = count(Hidden::NotSelected);
    if unselected > 0 {
        notes.push(format!(
            "{} not matched by --actions",
            plural(unselected, "tool")
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("; {}", notes.join(", "))
    };
    let against = if sandbox { " against the sandbox" } else { "" };
    let _ = writeln!(
        io::stderr(),
        "actionspec mcp: serving {} of {}{against} on stdio{notes}",
        plural(served as u64, "tool"),
        keys.join(", ")
    );
}

/// The HTTP client, with the on-disk token cache unless disabled (or no cache folder exists).
fn client_for(target: &TargetArgs) -> Result<Client> {
    let client = Client::new()?;
    let disabled = target.no_token_cache
        || env_var("ACTIONSPEC_TOKEN_CACHE").is_some_and(|v| v == "off" || v == "0");
    Ok(match token_cache_dir() {
        Some(dir) if !disabled => client.with_token_cache(dir),
        _ => client,
    })
}

/// The token cache's folder in the platform's cache folder: `$XDG_CACHE_HOME` or `~/.cache`
/// on Unix, `%LOCALAPPDATA%` on Windows, then `actionspec/tokens`.
fn token_cache_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().ok()?;
    Some(base.cache_dir().join("actionspec").join("tokens"))
}

/// Tells the operator (on stderr, never the secret) when the secondary OAuth secret was used.
fn report_secondary(auth: Option<&actionspec_engine::AuthUsed>) {
    if let Some((name, actionspec_engine::SecretSlot::Secondary)) =
        auth.and_then(|a| a.secret.as_ref())
    {
        let _ = writeln!(
            io::stderr(),
            "note: the primary client secret was rejected; `{name}` was used. Rotate: make it the primary and retire the old one."
        );
    }
}

fn auth_check(c: &Connector, target: &TargetArgs) -> std::result::Result<(), Failure> {
    let (action, input) = c.health_check_call()?;
    let config = config_for(c, target, Vec::new())?;
    c.plan(action, &input, &config, Mode::Execute)
        .map_err(|e| credentials_help(e, target))?;
    // A check must prove the current credentials: never a token cached from earlier ones.
    let client = client_for(&TargetArgs {
        no_token_cache: true,
        ..target.clone()
    })?;
    let runtime = runtime()?;
    let outcome = runtime.block_on(c.check_auth(&client, &config))?;
    report_secondary(outcome.auth.as_ref());
    let auth = outcome.auth.as_ref();
    let report = json!({
        "connector": c.spec.key,
        "ok": true,
        "auth_method": auth.map(|a| a.method.clone()),
        "client_secret": auth.and_then(|a| a.secret.as_ref()).map(|(name, _)| name.clone()),
        "action": action.id,
        "status": outcome.status,
    });
    Ok(out(&pretty(&report))?)
}

/// The CLI's help for an error found by planning a real run before sending anything: which
/// options supply missing credentials.
fn credentials_help(error: Error, target: &TargetArgs) -> Failure {
    let help = (error.kind == ErrorKind::Auth).then(|| {
        if target.auth.is_some() {
            "set the variables in the environment or in a --credentials file".to_owned()
        } else {
            "export the variables, use a --credentials file, or use --dry-run to see the request without sending it".to_owned()
        }
    });
    Failure {
        error: Box::new(error),
        help,
    }
}

fn read_input(args: &RunArgs) -> Result<Value> {
    let (text, source) = match (&args.json, &args.input) {
        (Some(j), _) => (j.clone(), "the JSON argument".to_owned()),
        (None, Some(i)) if i == "-" => {
            let mut bytes = Vec::new();
            io::stdin().read_to_end(&mut bytes).map_err(|e| {
                Error::new(ErrorKind::Input, format!("cannot read standard input: {e}"))
            })?;
            (utf8(bytes, "standard input")?, "standard input".to_owned())
        }
        (None, Some(i)) if i.starts_with('@') => {
            let path = &i[1..];
            if path.is_empty() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "--input @ needs a file name, e.g. --input @user.json",
                ));
            }
            let bytes = std::fs::read(path).map_err(|e| {
                Error::new(
                    ErrorKind::Usage,
                    format!("cannot read input file {path}: {e}"),
                )
            })?;
            (utf8(bytes, &format!("input file {path}"))?, path.to_owned())
        }
        (None, Some(i)) => (i.clone(), "--input".to_owned()),
        (None, None) => ("{}".to_owned(), String::new()),
    };
    if text.trim().is_empty() && !source.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            format!("{source} is empty: expected a JSON object"),
        )
        .with_hint("pass `{}` for an action without input"));
    }
    let text = text.trim_start_matches('\u{feff}');
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::new(ErrorKind::Input, format!("{source} is not valid JSON: {e}"))
            .with_hint("pass a JSON object, e.g. '{\"limit\": 5}' (quote it for the shell), --input @file.json or --input -")
    })?;
    serde_json::from_str::<input_json::NoDuplicateKeys>(text).map_err(|e| {
        Error::new(ErrorKind::Input, format!("{source} is not valid JSON: {e}"))
            .with_hint("each key may appear once in an object")
    })?;
    if !value.is_object() {
        let kind = actionspec_engine::schema::json_type(&value);
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(Error::new(
            ErrorKind::Input,
            format!("the input must be a JSON object, not {article} {kind}"),
        )
        .with_hint("wrap the values in an object, e.g. '{\"id\": \"…\"}'"));
    }
    Ok(value)
}

/// Input that is not UTF-8 is an input error, wherever it was read from.
fn utf8(bytes: Vec<u8>, source: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("{source} is not valid UTF-8: {}", e.utf8_error()),
        )
        .with_hint("save the input as UTF-8 JSON")
    })
}

/// The text of every sensitive input's value (what to scrub besides the credentials).
fn sensitive_values(action: &actionspec_engine::Action, input: &Value) -> Vec<String> {
    action
        .spec
        .inputs
        .iter()
        .filter(|(_, spec)| spec.sensitive)
        .filter_map(|(id, _)| input.get(id))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect()
}

fn run_action(c: &Connector, args: &RunArgs) -> std::result::Result<(), Failure> {
    let action = c.action(&args.action)?;
    run_action_with(c, action, args).map_err(|mut failure| {
        if failure.help.is_none() {
            failure.help = run_help(&failure.error, c, args);
        }
        // Everything that fails from here on belongs to the action.
        let error = &mut failure.error;
        error.action.get_or_insert_with(|| action.id.clone());
        failure
    })
}

/// The CLI's wording for an error of `run`: the command that resumes a failed `--all`, and where
/// the inputs are listed.
fn run_help(e: &Error, c: &Connector, args: &RunArgs) -> Option<String> {
    if let Some(resume) = &e.resume_input {
        return Some(format!(
            "resume with: {}",
            resume_command(c, &args.action, args, resume)
        ));
    }
    (e.kind == ErrorKind::Input && !e.violations.is_empty()).then(|| {
        format!(
            "`actionspec describe {} {}` lists the inputs and their types",
            c.spec.key, args.action
        )
    })
}

fn run_action_with(
    c: &Connector,
    action: &actionspec_engine::Action,
    args: &RunArgs,
) -> std::result::Result<(), Failure> {
    let input = read_input(args).map_err(|e| e.with_action(&action.id))?;
    let mut config = config_for(c, &args.target, sensitive_values(action, &input))?;
    config.options.concurrency = args.concurrency.map(|n| n as usize);
    config.options.max_pages = args.max_pages;
    config.options.max_records = args.max_records;
    if args.all && action.pagination.is_none() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "action `{}` is not a list action: it has no pagination",
                action.id
            ),
        )
        .with_hint("run it without --all")
        .with_action(&action.id)
        .into());
    }
    if args.dry_run {
        return Ok(dry_run(c, action, args, input, &config)?);
    }
    if action.destructive && !args.yes {
        // Validate first, so a bad input is reported before the confirmation is asked for.
        c.plan(action, &input, &config, Mode::DryRun)?;
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "action `{}` is destructive ({}); nothing was sent",
                action.id, action.spec.name
            ),
        )
        .with_hint("pass --yes to run it, or --dry-run to see the request")
        .with_action(&action.id)
        .into());
    }
    let runtime = runtime()?;
    let client = client_for(&args.target)?;
    let (config, _sandbox) = with_sandbox(c, args, &runtime, config)?;
    // Plan once before any I/O: what a real run would refuse (an input, a missing credential)
    // is reported before anything is sent, worded for this CLI.
    c.plan(action, &input, &config, Mode::Execute)
        .map_err(|e| credentials_help(e, &args.target))?;
    let result: Result<()> = runtime.block_on(async {
        if args.all {
            stream_all(c, &client, action, args, &input, &config).await
        } else {
            let outcome = c.run(&client, action, &input, &config).await?;
            report_secondary(outcome.auth.as_ref());
            // An API may echo a credential back in a body: scrubbed like every output.
            out(&scrub_result(&pretty(&outcome)))
        }
    });
    Ok(result?)
}

/// `run --dry-run`: prints the request (with `--all`, the first page's, at the largest page
/// size), and notes on stderr what a real run would refuse.
fn dry_run(
    c: &Connector,
    action: &actionspec_engine::Action,
    args: &RunArgs,
    mut input: Value,
    config: &Config,
) -> Result<()> {
    if let (true, Some(p), Some(obj)) = (args.all, &action.pagination, input.as_object_mut()) {
        obj.entry(p.limit_input.clone())
            .or_insert(Value::from(p.max_page_size));
    }
    let request = c.plan(action, &input, config, Mode::DryRun)?;
    out(&pretty(&request.shown()))?;
    // Plan it as a real run would (credentials, token endpoint) to warn about what would fail.
    if let Err(e) = c.plan(action, &input, config, Mode::Execute) {
        let _ = writeln!(
            io::stderr(),
            "note: a real run would fail: {}",
            scrub(&e.message)
        );
    }
    Ok(())
}

/// `run --all`: streams every record as NDJSON as pages arrive, then a summary on stderr. On a
/// failure part-way the engine's error carries the input that resumes (`run_help` words the
/// whole command).
async fn stream_all(
    c: &Connector,
    client: &Client,
    action: &actionspec_engine::Action,
    args: &RunArgs,
    input: &Value,
    config: &Config,
) -> Result<()> {
    let progress = progress_bar();
    let mut pages = 0u64;
    let summary = c
        .run_all(client, action, input, config, |page| {
            let size = page.records.iter().map(|r| r.json().len() + 1).sum();
            let mut chunk = String::with_capacity(size);
            for r in &page.records {
                chunk.push_str(r.json());
                chunk.push('\n');
            }
            if let Some(total) = page.total {
                progress.set_length(total);
            }
            pages += 1;
            progress.set_message(plural(pages, "page"));
            progress.inc(page.records.len() as u64);
            out(&chunk)
        })
        .await;
    progress.finish_and_clear();
    let summary = summary?;
    let total = summary
        .total
        .map(|t| format!(" (total reported: {t})"))
        .unwrap_or_default();
    let _ = writeln!(
        io::stderr(),
        "{} in {}{total}",
        plural(summary.records, "record"),
        plural(summary.pages, "page")
    );
    report_listing_end(c, action, args, &summary);
    Ok(())
}

/// The progress of `--all` on stderr (records, total, rate, time left), drawn only when stderr is
/// a terminal: never in a pipe, a file or a test.
fn progress_bar() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {human_pos}/{human_len} records in {msg}  {per_sec:0}  {elapsed} elapsed, {eta} left",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

/// Notes on stderr about how a listing ended, when it matters: repeated records dropped, a short
/// page taken as the end, a bound reached (with the command that goes on).
fn report_listing_end(
    c: &Connector,
    action: &actionspec_engine::Action,
    args: &RunArgs,
    summary: &actionspec_engine::Summary,
) {
    use actionspec_engine::End;
    let mut err = io::stderr();
    if summary.duplicates > 0 {
        let _ = writeln!(
            err,
            "note: dropped {} the page before had already delivered (records were added while listing)",
            plural(summary.duplicates, "repeated record")
        );
    }
    match (summary.end, &summary.next_input) {
        (Some(End::ShortPage), _) => {
            let _ = writeln!(
                err,
                "note: stopped on a short page, as the connector's pagination says (`stop: short_page`); the API reported no total"
            );
        }
        (Some(End::Bound), Some(next)) => {
            let _ = writeln!(
                err,
                "note: stopped at the --max-pages / --max-records bound; go on with: {}",
                resume_command(c, &action.id, args, next)
            );
        }
        (Some(End::Bound), None) => {
            let _ = writeln!(
                err,
                "note: stopped at the --max-pages / --max-records bound; the next page is at {}",
                summary.next_url.as_deref().unwrap_or("(unknown)")
            );
        }
        _ => {}
    }
}

/// `run --sandbox`: starts an in-process sandbox on an ephemeral loopback port and points the
/// configuration at it with the sandbox's credentials. The sandbox lives as long as the returned
/// handle, i.e. for this one command.
fn with_sandbox(
    c: &Connector,
    args: &RunArgs,
    runtime: &tokio::runtime::Runtime,
    config: Config,
) -> Result<(Config, Option<actionspec_sandbox::Running>)> {
    if !args.sandbox {
        return Ok((config, None));
    }
    let sandbox = actionspec_sandbox::Sandbox::new(c, &actionspec_sandbox::Options::default())
        .map_err(sandbox_error)?;
    let running = runtime.block_on(sandbox.start(0)).map_err(sandbox_error)?;
    // The sandbox supplies the URLs and credentials; `--auth` still chooses the method.
    let sandbox_config = Config {
        auth: config.auth,
        ..running.config()
    };
    Ok((sandbox_config, Some(running)))
}

fn sandbox_error(e: actionspec_sandbox::Error) -> Error {
    match e {
        actionspec_sandbox::Error::Model(_) => Error::new(ErrorKind::Spec, e.to_string()),
        actionspec_sandbox::Error::Bind { .. } => Error::new(ErrorKind::Transport, e.to_string()),
        _ => Error::new(ErrorKind::Usage, e.to_string()),
    }
}

/// `actionspec sandbox`: serves until interrupted. Stdout gets the base URL and the API key, one
/// per line, so that scripts can read them; stderr gets a summary for people.
fn serve_sandbox(c: &Connector, args: &SandboxArgs) -> Result<()> {
    let mut records = Vec::new();
    for r in &args.records {
        records.extend(actionspec_sandbox::Options::parse_records(r).map_err(sandbox_error)?);
    }
    let options = actionspec_sandbox::Options {
        seed: args.seed,
        records,
        latency: std::time::Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        token_lifetime: std::time::Duration::from_secs(args.token_lifetime),
        ..actionspec_sandbox::Options::default()
    };
    let sandbox = actionspec_sandbox::Sandbox::new(c, &options).map_err(sandbox_error)?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let running = sandbox.start(args.port).await.map_err(sandbox_error)?;
        let base_url = running.base_url().to_owned();
        let mut summary = format!(
            "sandbox of `{}` on {base_url} (seed {}); Ctrl-C stops it, and its records with it\n",
            c.spec.key, args.seed
        );
        let env: Vec<String> = sandbox
            .credential_values()
            .iter()
            .map(|v| format!("{}={}", v.env, v.value))
            .collect();
        if !env.is_empty() {
            summary.push_str(&format!("  credentials: {}\n", env.join(" ")));
        }
        let resources: Vec<String> = sandbox
            .resources()
            .iter()
            .map(|r| format!("{} ({})", r.name, r.records))
            .collect();
        summary.push_str(&format!("  resources: {}\n", resources.join(", ")));
        if let Some(token_url) = running.token_url() {
            summary.push_str(&format!(
                "  OAuth token endpoint: {token_url} (use --auth oauth2 --token-url {token_url})\n"
            ));
        }
        if let Some(list) = c.actions.values().find(|a| a.pagination.is_some()) {
            summary.push_str(&format!(
                "  try: {} actionspec run {} {} --base-url {base_url}\n",
                env.join(" "),
                c.spec.key,
                list.id
            ));
        }
        let _ = write!(io::stderr(), "{summary}");
        out(&format!("{base_url}\n{}\n", sandbox.api_key()))?;
        running.wait().await;
        Ok(())
    })
}
