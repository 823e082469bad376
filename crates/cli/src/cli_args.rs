//! The command line: global options, subcommands and their arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use clap_complete::ArgValueCompleter;

use crate::{conform, docs, import, init, tools, validate};

/// Declarative actions engine: call SaaS APIs by action name with JSON input.
#[derive(Parser, Debug)]
#[command(
    name = "actionspec",
    version,
    about,
    long_about = None,
    after_help = EXAMPLES_MAIN
)]
pub(crate) struct Cli {
    /// A folder of extra connector YAML files (a file with a built-in key replaces it)
    #[arg(long, global = true, value_name = "DIR", env = "ACTIONSPEC_CONNECTORS")]
    pub(crate) connectors: Option<PathBuf>,

    /// How results and errors are printed: `text` (tables and pretty JSON; errors on stderr),
    /// `json` (results as JSON; an error as one JSON object on stdout, same exit code), `ndjson`
    /// (one JSON value a line; errors as with json), `yaml` or `table`
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = "ACTIONSPEC_OUTPUT",
        default_value_t = OutputFormat::Text
    )]
    pub(crate) output: OutputFormat,

    /// Log requests and responses to stderr: -v method, URL, status, time and headers; -vv
    /// bodies too (secrets redacted)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// Print only results and errors: no notes, summaries, progress or warnings
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,

    /// When to colour diagnostics, logs and JSON; NO_COLOR and CLICOLOR_FORCE are honoured
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = crate::color::ColorChoice::Auto
    )]
    pub(crate) color: crate::color::ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// How results and errors are printed (`--output`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    // Plain comments: doc comments would turn `--help` into the long, multi-line form.
    // Tables for lists, pretty JSON for results; rustc-style errors on stderr.
    #[default]
    Text,
    // Results as JSON; an error as one JSON object on one line of stdout: `{"error": {...}}`.
    Json,
    // One compact JSON value a line (a list: one item a line); errors as with `json`.
    Ndjson,
    // Results as YAML; errors as text.
    Yaml,
    // Lists (and `--all` records) as a table, a single result as a field/value table.
    Table,
}

impl OutputFormat {
    /// Whether errors are printed as JSON on stdout (`json`, `ndjson`), not as text on stderr.
    pub(crate) fn json_errors(self) -> bool {
        matches!(self, OutputFormat::Json | OutputFormat::Ndjson)
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// List the available connectors.
    #[command(after_help = EX_CONNECTORS)]
    Connectors {
        /// Same as `--output json` (kept for scripts).
        #[arg(long, hide = true)]
        json: bool,
    },
    /// List a connector's actions.
    #[command(visible_alias = "list", after_help = EX_ACTIONS)]
    Actions {
        /// Connector key, e.g. `jumpcloud`.
        #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
        connector: String,
        /// Same as `--output json` (kept for scripts).
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Show an action's inputs, method and path, scopes, markers and examples.
    #[command(after_help = EX_DESCRIBE)]
    Describe {
        /// Connector key.
        #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
        connector: String,
        /// Action id.
        #[arg(add = ArgValueCompleter::new(crate::complete::actions))]
        action: String,
        /// Same as `--output json` (kept for scripts).
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Run an action with JSON input.
    #[command(after_help = EX_RUN)]
    Run(RunArgs),
    /// Check that credentials work.
    #[command(after_help = EX_AUTH)]
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Serve a local, stateful sandbox of a connector's API on 127.0.0.1 until interrupted.
    ///
    /// Prints the base URL and the sandbox's API key on stdout, one per line; a summary goes to
    /// stderr.
    #[command(after_help = EX_SANDBOX)]
    Sandbox(SandboxArgs),
    /// Check a connector against the vendor's OpenAPI documents; exits 3 on any problem.
    ///
    /// One line per finding with the action and the document location, then a summary; e.g.
    /// `actionspec conform jumpcloud --openapi v1.yaml --openapi v2.yaml`.
    #[command(after_help = EX_CONFORM)]
    Conform(conform::ConformArgs),
    /// Check connector files; prints located diagnostics and lints, exits 3 on any error.
    #[command(after_help = EX_VALIDATE)]
    Validate(validate::ValidateArgs),
    /// Write a connector's Markdown catalogue: how to link an account, its actions, inputs and
    /// examples.
    #[command(after_help = EX_DOCS)]
    Docs(docs::DocsArgs),
    /// Write a first draft of a connector from the vendor's OpenAPI documents.
    #[command(after_help = EX_IMPORT)]
    Import(import::ImportArgs),
    /// Write a commented connector skeleton that validates and runs against the sandbox.
    #[command(after_help = EX_INIT)]
    Init(init::InitArgs),
    /// Print the meta-schema connector files are validated against (JSON Schema 2020-12).
    #[command(after_help = EX_SCHEMA)]
    Schema,
    /// Serve connectors' actions as tools over the Model Context Protocol (stdio).
    ///
    /// One tool per action, named `{connector}_{action}`. Standard output carries the protocol
    /// only; logs go to standard error.
    #[command(after_help = EX_MCP)]
    Mcp(McpArgs),
    /// Print a connector's actions as tool definitions for an LLM API.
    ///
    /// Each format's lint runs first: a definition the API would refuse is reported on stderr
    /// with its action and the rule, nothing is printed, and the exit code is 3.
    #[command(after_help = EX_TOOLS)]
    Tools {
        /// Connector key.
        #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
        connector: String,
        /// The API: `mcp` (tools/list), `openai` (function tools, strict mode), `anthropic`
        /// (Messages API tools) or `gemini` (function declarations).
        #[arg(long, value_enum, default_value_t = tools::formats::Format::Mcp)]
        format: tools::formats::Format,
    },
    /// Print a shell completion script (connector and action names are completed too).
    #[command(after_help = EX_COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: crate::complete::Shell,
    },
    /// Print the man page (roff), e.g. `actionspec man | man -l -`.
    #[command(after_help = EX_MAN)]
    Man,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuthCommand {
    /// Run the connector's health-check action and report which auth method and secret worked.
    #[command(after_help = EX_AUTH)]
    Check {
        /// Connector key.
        #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
        connector: String,
        /// Check every profile of the connector in the credentials file, one report each.
        #[arg(long, conflicts_with = "profile")]
        all_profiles: bool,
        #[command(flatten)]
        target: TargetArgs,
    },
}

/// Where requests go and how they authenticate.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct TargetArgs {
    /// A named server of the connector (e.g. `eu`); it selects the API host and the OAuth token
    /// host together.
    #[arg(long, env = "ACTIONSPEC_SERVER")]
    pub(crate) server: Option<String>,
    /// Send requests to this base URL instead (e.g. http://127.0.0.1:8080/api).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// The auth method to use (e.g. `api_key`, `oauth2`); default: the first whose credentials
    /// are all set.
    #[arg(long, env = "ACTIONSPEC_AUTH", value_name = "METHOD")]
    pub(crate) auth: Option<String>,
    /// OAuth 2.0 token endpoint, needed with --base-url (default: the server's token URL).
    #[arg(long, value_name = "URL")]
    pub(crate) token_url: Option<String>,
    /// A TOML or YAML credentials file (`[connector]` table of credential = value); must not be
    /// readable by group or others. Its values take precedence over environment variables.
    #[arg(long, env = "ACTIONSPEC_CREDENTIALS", value_name = "FILE")]
    pub(crate) credentials: Option<PathBuf>,
    /// The account to use: the `[connector.NAME]` table of the credentials file
    #[arg(long, env = "ACTIONSPEC_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Do not keep OAuth tokens in the user cache folder between runs.
    #[arg(long)]
    pub(crate) no_token_cache: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Overrides of the connector's `defaults:` (each falls back to the connector's value, then to
/// the engine's default).
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct LimitArgs {
    /// How long one attempt may take, sending to the last response byte, in seconds [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: Option<u64>,
    /// How long connecting may take, in seconds [default: 10]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) connect_timeout: Option<u64>,
    /// How long one action call may take in all, retries included, in seconds [default: 300]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) deadline: Option<u64>,
    /// Attempts in all for idempotent actions; 1 never retries [default: 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) attempts: Option<u32>,
    /// The longest wait before a retry, in seconds; a longer Retry-After stops the run [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub(crate) max_wait: Option<u64>,
    /// Follow HTTP redirects (credentials only within the same origin, never https to http)
    #[arg(long)]
    pub(crate) follow_redirects: bool,
    /// The largest response body accepted, in bytes [default: 67108864 (64 MiB)]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1024..))]
    pub(crate) max_response_bytes: Option<u64>,
}

impl LimitArgs {
    /// The engine's run options of these overrides.
    pub(crate) fn options(&self) -> actionspec_engine::RunOptions {
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
pub(crate) struct RunArgs {
    /// Connector key.
    #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
    pub(crate) connector: String,
    /// Action id.
    #[arg(add = ArgValueCompleter::new(crate::complete::actions))]
    pub(crate) action: String,
    /// The input as a JSON object (default `{}`).
    #[arg(value_name = "JSON", conflicts_with = "input")]
    pub(crate) json: Option<String>,
    /// The input: JSON text, `@file.json`, or `-` for standard input.
    #[arg(long, short = 'i', value_name = "JSON|@FILE|-")]
    pub(crate) input: Option<String>,
    /// Print the HTTP request that would be sent (secrets redacted) and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the request as a curl command (secrets as $VARIABLES) and send nothing; with -v,
    /// send it and log the command
    #[arg(long, conflicts_with = "sandbox")]
    pub(crate) curl: bool,
    /// Filter the result (with --all, each record) with a jq expression; strings print bare
    #[arg(long, value_name = "EXPR")]
    pub(crate) jq: Option<String>,
    /// Follow pagination and stream every record to stdout as NDJSON.
    #[arg(long)]
    pub(crate) all: bool,
    /// With --all: pages in flight at once once the total is known; 1 fetches one after another [default: 4]
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub(crate) concurrency: Option<u64>,
    /// With --all: stop after N pages, and print how to go on
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_pages: Option<u64>,
    /// With --all: stop after N records, and print how to go on
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_records: Option<u64>,
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    /// Confirm a destructive action (deletes, erase, lock, restart, shutdown, running commands).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Run against an in-process sandbox of the connector (seeded records, kept for this
    /// command only) instead of the real API.
    #[arg(long, conflicts_with_all = ["dry_run", "base_url", "server", "token_url"])]
    pub(crate) sandbox: bool,
}

#[derive(clap::Args, Debug)]
pub(crate) struct McpArgs {
    /// Connector keys, e.g. `jumpcloud okta`.
    #[arg(required = true, value_name = "CONNECTOR")]
    pub(crate) keys: Vec<String>,
    /// Also list destructive tools (deletes, erase, lock, restart, running commands).
    #[arg(long, conflicts_with = "read_only")]
    pub(crate) allow_destructive: bool,
    /// List only read-only tools.
    #[arg(long)]
    pub(crate) read_only: bool,
    /// Only the actions whose id or tool name matches one of these globs (`list_*`,
    /// `jumpcloud_get_*`).
    #[arg(long, value_name = "GLOB", num_args = 1..)]
    pub(crate) actions: Vec<String>,
    /// The most records one call of a list tool returns (the page size is lowered to it).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) max_records: u64,
    /// The most bytes of JSON one tool result holds; records past it are left out, with a
    /// note saying how to fetch them.
    #[arg(long, value_name = "N", default_value_t = 65_536, value_parser = clap::value_parser!(u64).range(4096..=67_108_864))]
    pub(crate) max_bytes: u64,
    /// Serve against in-process sandboxes of the connectors (seeded records, kept while the
    /// server runs) instead of the real APIs.
    #[arg(long, conflicts_with_all = ["base_url", "server", "token_url"])]
    pub(crate) sandbox: bool,
    #[command(flatten)]
    pub(crate) target: TargetArgs,
}

#[derive(clap::Args, Debug)]
pub(crate) struct SandboxArgs {
    /// Connector key.
    #[arg(add = ArgValueCompleter::new(crate::complete::connectors))]
    pub(crate) connector: String,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// The seed of the generated records, ids and API key (same seed, same sandbox).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Records per resource, e.g. `systemusers=25000` (repeatable, or comma-separated); other
    /// resources get 25.
    #[arg(long, value_name = "RESOURCE=COUNT")]
    pub(crate) records: Vec<String>,
    /// Added to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) latency_ms: u64,
    /// The probability (0 to 1) that a request fails with 429 (Retry-After: 1) or 503.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub(crate) fail_rate: f64,
    /// How long the bearer tokens of the sandbox's OAuth token endpoint last, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) token_lifetime: u64,
}

/// Examples after `actionspec --help`.
const EXAMPLES_MAIN: &str = "\
Examples:
  actionspec connectors
  actionspec run jumpcloud list_system_users --sandbox --all --jq .email
  actionspec -v run jumpcloud get_system_user '{\"id\": \"5f1b…\"}' --output yaml

An ACTIONSPEC_* environment variable that is set but empty counts as unset.";

const EX_CONNECTORS: &str = "\
Examples:
  actionspec connectors
  actionspec connectors --output json
  actionspec connectors --connectors ./connectors";

const EX_ACTIONS: &str = "\
Examples:
  actionspec actions jumpcloud
  actionspec actions jumpcloud --output json | head";

const EX_DESCRIBE: &str = "\
Examples:
  actionspec describe jumpcloud get_system_user
  actionspec describe jumpcloud create_system_user --output json";

const EX_RUN: &str = "\
Examples:
  actionspec run jumpcloud list_system_users --sandbox --all --jq .email
  actionspec run jumpcloud get_system_user '{\"id\": \"5f1b…\"}' --profile acme
  actionspec run jumpcloud create_system_user -i @user.json --curl";

const EX_AUTH: &str = "\
Examples:
  actionspec auth check jumpcloud
  actionspec auth check jumpcloud --credentials creds.toml --profile acme
  actionspec auth check jumpcloud --credentials creds.toml --all-profiles";

const EX_SANDBOX: &str = "\
Examples:
  actionspec sandbox jumpcloud --port 8080
  actionspec sandbox jumpcloud --records systemusers=25000 --latency-ms 50";

const EX_CONFORM: &str = "\
Examples:
  actionspec conform jumpcloud --openapi v1.yaml --openapi v2.yaml
  actionspec conform jumpcloud --openapi v2.yaml --output json";

const EX_VALIDATE: &str = "\
Examples:
  actionspec validate connectors/jumpcloud.yaml
  actionspec validate connectors/*.yaml --output json";

const EX_DOCS: &str = "\
Examples:
  actionspec docs jumpcloud -o jumpcloud.md
  actionspec docs jumpcloud --action get_system_user";

const EX_IMPORT: &str = "\
Examples:
  actionspec import openapi v2.yaml --key acme > acme.yaml
  actionspec import openapi v1.yaml v2.yaml --key acme --tag users -o acme.yaml";

const EX_INIT: &str = "\
Examples:
  actionspec init my_api
  actionspec init my_api -o connectors/my_api.yaml && actionspec validate connectors/my_api.yaml";

const EX_SCHEMA: &str = "\
Examples:
  actionspec schema > connector.schema.json
  actionspec schema | head";

const EX_MCP: &str = "\
Examples:
  actionspec mcp jumpcloud --read-only
  actionspec mcp jumpcloud okta --sandbox
  actionspec mcp jumpcloud --actions 'list_*' 'get_*'";

const EX_TOOLS: &str = "\
Examples:
  actionspec tools jumpcloud
  actionspec tools jumpcloud --format openai";

const EX_COMPLETIONS: &str = "\
Examples:
  source <(actionspec completions bash)     # in ~/.bashrc
  actionspec completions zsh > ~/.zfunc/_actionspec
  actionspec completions fish > ~/.config/fish/completions/actionspec.fish";

const EX_MAN: &str = "\
Examples:
  actionspec man | man -l -
  actionspec man > /usr/local/share/man/man1/actionspec.1";
