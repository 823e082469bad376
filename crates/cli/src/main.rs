//! `actionspec`: list, describe, dry-run and run the actions of YAML connectors.
//!
//! Results go to stdout (JSON, or NDJSON with `--all`); logs, progress and errors go to stderr,
//! or with `--output json` errors go to stdout as one JSON object ([`Error::to_json`]).
//! Exit codes are listed in the README and come from [`actionspec_engine::ErrorKind::exit_code`].

mod agent;
mod catalog;
mod cli_args;
mod color;
mod complete;
mod conform;
mod credentials;
mod curl;
mod docs;
mod import;
mod init;
mod input_json;
mod jq;
mod mcp;
mod mcp_guard;
mod output;
mod profiles;
mod registry;
mod results;
mod schema;
mod tools;
mod validate;
mod verbose;
mod version;
mod yaml;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use actionspec_engine::plural;
use actionspec_engine::{
    Client, Config, Connector, Credentials, Error, ErrorKind, Mode, Redactor, Result, SpecError,
};
use clap::{CommandFactory, FromArgMatches};
use serde_json::{Value, json};

use catalog::{describe, list_actions, list_connectors};
use cli_args::{
    AuthCommand, Cli, Command, McpArgs, OutputFormat, RunArgs, SandboxArgs, TargetArgs,
};
use output::{out, pretty, shell_quote};
use registry::Registry;

fn main() -> ExitCode {
    complete::answer_shell();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let output = output_from_args();
            if !output.json_errors() {
                let _ = e.print();
                return ExitCode::from(ErrorKind::Usage.exit_code());
            }
            return report(usage_error(&e).into(), output, &[]);
        }
    };
    let output = cli.output;
    color::set(cli.color);
    let bodies = match cli.command {
        Command::Mcp(_) => verbose::Bodies::Never,
        _ => verbose::Bodies::Logged,
    };
    verbose::init(
        verbose::Verbosity::from_flags(cli.verbose, cli.quiet),
        bodies,
    );
    let mut invalid = Vec::new();
    let result = match &cli.command {
        Command::Validate(args) => validate::run(args, &mut invalid).map_err(Failure::from),
        Command::Schema => schema::run().map_err(Failure::from),
        Command::Init(args) => init::run(args).map_err(Failure::from),
        Command::Import(args) => import::run(args).map_err(Failure::from),
        Command::Man => complete::man().map_err(Failure::from),
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
    let mut matches = ignore_empty_env(version::with_version(Cli::command())).try_get_matches()?;
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
pub(crate) fn env_var(name: &str) -> Option<String> {
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
        Some("ndjson") => OutputFormat::Ndjson,
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
pub(crate) struct Failure {
    pub(crate) error: Box<Error>,
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
    if REPORTED.load(std::sync::atomic::Ordering::Relaxed) && output.json_errors() {
        return ExitCode::from(error.exit_code());
    }
    match output.json_errors() {
        false => {
            if help.is_some() {
                error.hint = help;
            }
            let text = color::diagnostic(&scrub(&error.to_string()));
            let _ = writeln!(io::stderr(), "{text}");
        }
        true => {
            let mut json = error.to_json();
            if !invalid.is_empty() {
                json["error"]["diagnostics"] = invalid
                    .iter()
                    .flat_map(actionspec_engine::diagnostics_json)
                    .collect();
            }
            with_scrubber(&SCRUBBER, |r| r.redact_json(&mut json));
            let _ = out(&format!("{json}\n"));
        }
    }
    ExitCode::from(error.exit_code())
}

/// Secret values of this run (secret credentials, `sensitive` inputs): removed from anything
/// printed about an error as a last line of defence (e.g. a key pasted into an input field and
/// echoed by an input error), in every form (see [`Redactor`]).
/// Several profiles may be checked in one run: each adds its secrets.
static SECRETS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
static SCRUBBER: std::sync::RwLock<Option<Redactor>> = std::sync::RwLock::new(None);

/// Adds `secrets` to what [`scrub`] removes (and, with [`Scrub::Results`], [`scrub_result`]).
fn add_secrets(secrets: Vec<String>, scope: Scrub) {
    let (list, redactor) = match scope {
        Scrub::Messages => (&SECRETS, &SCRUBBER),
        Scrub::Results => (&CREDENTIALS, &RESULT_SCRUBBER),
    };
    let mut all = list
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    all.extend(secrets);
    let next = Redactor::new(all.iter());
    *redactor
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(next);
}

/// Which output a secret is scrubbed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scrub {
    /// Errors, notes and logs.
    Messages,
    /// Results too.
    Results,
}

fn with_scrubber<T>(
    redactor: &std::sync::RwLock<Option<Redactor>>,
    f: impl FnOnce(&Redactor) -> T,
) -> T {
    let guard = redactor
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match guard.as_ref() {
        Some(r) => f(r),
        None => f(&Redactor::default()),
    }
}

/// Removes this run's secrets from `value` (see [`scrub`]).
pub(crate) fn redact_json(value: &mut Value) {
    with_scrubber(&SCRUBBER, |r| r.redact_json(value));
}

pub(crate) fn scrub(text: &str) -> String {
    with_scrubber(&SCRUBBER, |r| r.redact(text))
}

/// The secret credentials of this run, hidden from results too (an API may echo a token back
/// in a body); unlike [`scrub`], not the values of `sensitive` inputs, which a result may hold
/// on purpose (a created record's configuration).
static CREDENTIALS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
static RESULT_SCRUBBER: std::sync::RwLock<Option<Redactor>> = std::sync::RwLock::new(None);

fn scrub_result(text: &str) -> String {
    with_scrubber(&RESULT_SCRUBBER, |r| r.redact(text))
}

fn run(cli: Cli) -> std::result::Result<(), Failure> {
    let _ = CONNECTORS_DIR.set(cli.connectors.clone());
    let registry = Registry::load(cli.connectors.as_deref())?;
    for broken in &registry.broken {
        let n = broken.diagnostics.len();
        verbose::note(&format!(
            "warning: skipping {}: {}; run `actionspec validate {}`\n",
            broken.file,
            plural(n as u64, "problem"),
            broken.file
        ));
    }
    let format = |json: bool| if json { OutputFormat::Json } else { cli.output };
    match cli.command {
        Command::Connectors { json } => Ok(list_connectors(&registry, format(json))?),
        Command::Actions { connector, json } => {
            Ok(list_actions(registry.get(&connector)?, format(json))?)
        }
        Command::Describe {
            connector,
            action,
            json,
        } => Ok(describe(registry.get(&connector)?, &action, format(json))?),
        Command::Run(args) => run_action(registry.get(&args.connector)?, &args, cli.output),
        Command::Sandbox(args) => Ok(serve_sandbox(registry.get(&args.connector)?, &args)?),
        Command::Auth {
            command:
                AuthCommand::Check {
                    connector,
                    target,
                    all_profiles,
                },
        } => profiles::auth_check_command(registry.get(&connector)?, &target, all_profiles),
        Command::Conform(args) => conform_command(&registry, &args, cli.output),
        Command::Docs(args) => Ok(docs::run(&registry, &args)?),
        // The server lives as long as the process: so does the registry its tools borrow.
        Command::Mcp(args) => Ok(mcp_command(Box::leak(Box::new(registry)), &args)?),
        Command::Tools { connector, format } => {
            Ok(export_tools(registry.get(&connector)?, format)?)
        }
        Command::Completions { shell } => Ok(complete::completions(shell)?),
        // Handled by `main` before any connector is loaded.
        Command::Validate(_)
        | Command::Schema
        | Command::Init(_)
        | Command::Import(_)
        | Command::Man => Ok(()),
    }
}

/// `actionspec conform`: the report is printed; a connector that does not conform is a spec
/// error (exit 3), as an invalid file is for `validate`.
fn conform_command(
    registry: &Registry,
    args: &conform::ConformArgs,
    output: OutputFormat,
) -> std::result::Result<(), Failure> {
    if conform::run(registry, args, output.json_errors())? {
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
    add_secrets(secret.clone(), Scrub::Results);
    let mut secrets = sensitive;
    secrets.extend(secret);
    add_secrets(secrets, Scrub::Messages);
    Ok(config)
}

/// The configuration of `target` for connector `c`, with its credentials from the environment
/// and the credentials file.
fn target_config(c: &Connector, target: &TargetArgs) -> Result<Config> {
    let mut credentials = Credentials::from_env(c);
    match (&target.credentials, &target.profile) {
        (Some(file), profile) => {
            credentials::merge_file(c, file, profile.as_deref(), &mut credentials)?;
        }
        (None, Some(profile)) => {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("--profile {profile} needs a credentials file"),
            )
            .with_hint(format!(
                "pass --credentials FILE (or set ACTIONSPEC_CREDENTIALS) with a `[{}.{profile}]` table",
                c.spec.key
            )));
        }
        (None, None) => {}
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
            // Logs and errors are scrubbed of every connector's secrets.
            use secrecy::ExposeSecret;
            let secrets = config.credentials.secrets();
            add_secrets(
                secrets.map(|s| s.expose_secret().to_owned()).collect(),
                Scrub::Messages,
            );
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
    verbose::note(&format!(
        "actionspec mcp: serving {} of {}{against} on stdio{notes}\n",
        plural(served as u64, "tool"),
        keys.join(", ")
    ));
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
        verbose::note(&format!(
            "note: the primary client secret was rejected; `{name}` was used. Rotate: make it the primary and retire the old one.\n"
        ));
    }
}

/// `auth check` of one account: its report, `{"connector", "ok", "auth_method", …}`.
fn auth_check(c: &Connector, target: &TargetArgs) -> std::result::Result<Value, Failure> {
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
    let mut report = report;
    if let Some(p) = &target.profile {
        report["profile"] = json!(p);
    }
    Ok(report)
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

fn run_action(
    c: &Connector,
    args: &RunArgs,
    format: OutputFormat,
) -> std::result::Result<(), Failure> {
    let action = c.action(&args.action)?;
    // A bad --jq expression is a usage error before anything is read or sent.
    let printer = results::Printer::new(format, args.jq.as_deref())?;
    run_action_with(c, action, args, printer).map_err(|mut failure| {
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
    mut printer: results::Printer,
) -> std::result::Result<(), Failure> {
    let input = read_input(args).map_err(|e| e.with_action(&action.id))?;
    let mut config = config_for(c, &args.target, action.sensitive_values(&input))?;
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
    let log_curl = args.curl && verbose::level() >= verbose::Verbosity::Requests;
    if args.dry_run || (args.curl && !log_curl) {
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
    let planned = c
        .plan(action, &input, &config, Mode::Execute)
        .map_err(|e| credentials_help(e, &args.target))?;
    if log_curl {
        verbose::note(&curl::command(c, &planned));
    } else {
        verbose::log_request(&planned.shown());
    }
    let result: Result<()> = runtime.block_on(async {
        if args.all {
            stream_all(c, &client, action, args, &input, &config, &mut printer).await?;
            printer.finish()
        } else {
            let outcome = c.run(&client, action, &input, &config).await?;
            report_secondary(outcome.auth.as_ref());
            // An API may echo a credential back in a body: scrubbed like every output.
            let json = serde_json::to_string(&outcome).unwrap_or_default();
            printer.result(&scrub_result(&json))
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
    if args.curl {
        out(&curl::command(c, &request))?;
    } else {
        out(&pretty(&request.shown()))?;
    }
    // Plan it as a real run would (credentials, token endpoint) to warn about what would fail.
    if let Err(e) = c.plan(action, &input, config, Mode::Execute) {
        verbose::note(&format!("note: a real run would fail: {}\n", e.message));
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
    printer: &mut results::Printer,
) -> Result<()> {
    let progress = progress_bar();
    let mut pages = 0u64;
    let summary = c
        .run_all(client, action, input, config, |page| {
            let size = page.records.iter().map(|r| r.json().len() + 1).sum();
            let mut chunk = String::with_capacity(size);
            for r in &page.records {
                printer.record(r.json(), &mut chunk)?;
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
    verbose::note(&format!(
        "{} in {}{total}\n",
        plural(summary.records, "record"),
        plural(summary.pages, "page")
    ));
    report_listing_end(c, action, args, &summary);
    Ok(())
}

/// The progress of `--all` on stderr (records, total, rate, time left), drawn only when stderr is
/// a terminal: never in a pipe, a file or a test.
fn progress_bar() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() || verbose::level() == verbose::Verbosity::Quiet {
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
    if verbose::level() == verbose::Verbosity::Quiet {
        return;
    }
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
