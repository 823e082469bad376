//! Actionspec engine: load YAML connector specs, plan actions into HTTP requests, execute them.
//!
//! The pipeline runs one way: **load → validate → compile → plan → execute → outcome**.
//! Loading and compiling happen once per connector; planning is pure; execution is the only I/O.
//!
//! # Using the engine
//!
//! **Load a connector**, from a file's text (`Connector::from_yaml` validates it against the
//! meta-schema and compiles every template; the error is located diagnostics, see
//! [`SpecError::render`]), then **list and describe its actions** and **plan one** (a dry run:
//! nothing is sent, secrets are [`REDACTED`]):
//!
//! ```
//! use actionspec_engine::{Connector, Config, Mode};
//! use serde_json::json;
//!
//! let yaml = r#"
//! spec_version: 1
//! key: demo
//! name: Demo
//! version: 1.0.0
//! servers: { prod: { url: "https://api.example.com/v1" } }
//! default_server: prod
//! actions:
//!   get_user:
//!     name: Get User
//!     description: Fetch one user.
//!     method: GET
//!     path: /users/{id}
//!     inputs:
//!       id: { type: string, in: path, required: true }
//!     examples:
//!       - input: { id: u1 }
//! "#;
//! // Or: Connector::from_yaml(path, &std::fs::read_to_string(path)?)
//! let connector = Connector::from_yaml("demo.yaml", yaml).expect("valid connector");
//! for (id, action) in &connector.actions {
//!     println!("{id}: {} ({:?} {})", action.spec.description, action.spec.method, action.spec.path);
//! }
//! let action = connector.action("get_user").expect("declared");
//! assert_eq!(action.input_schema()["required"], json!(["id"]));
//! assert!(action.read_only);
//! let request = connector
//!     .plan(action, &json!({"id": "a b"}), &Config::default(), Mode::DryRun)
//!     .expect("valid input");
//! assert_eq!(request.full_url(), "https://api.example.com/v1/users/a%20b");
//! ```
//!
//! **Run an action** (one call; for a list action, one page with the input of the next),
//! **stream every page**, or **check the credentials** with the connector's health check. A
//! [`Client`] holds connection pools, rate limiters and OAuth tokens: make one and share it.
//! [`Client::with_builder`] takes your own `reqwest` configuration (a proxy, extra root
//! certificates); the engine adds its time limits and refuses redirects by itself.
//!
//! ```no_run
//! use actionspec_engine::{Client, Config, Connector, ErrorKind};
//! use secrecy::SecretString;
//! use serde_json::json;
//!
//! # async fn demo(connector: &Connector) -> actionspec_engine::Result<()> {
//! let client = Client::with_builder(|| {
//!     reqwest::Client::builder().proxy(reqwest::Proxy::all("http://proxy.internal:3128").unwrap())
//! })?;
//! let mut config = Config::default();
//! config.credentials.insert("api_key", SecretString::from("…"), true);
//!
//! connector.check_auth(&client, &config).await?;
//!
//! let list = connector.action("list_users")?;
//! let outcome = connector.run(&client, list, &json!({"limit": 100}), &config).await?;
//! if let Some(page) = &outcome.page {
//!     println!("{} records, next page: {:?}", page.records.len(), page.next_input);
//! }
//!
//! let summary = connector
//!     .run_all(&client, list, &json!({}), &config, |page| {
//!         for record in &page.records {
//!             println!("{}", record.json());
//!         }
//!         Ok(())
//!     })
//!     .await;
//! match summary {
//!     Ok(s) => println!("{} records in {} pages", s.records, s.pages),
//!     // Pages delivered before a failure stay delivered; the error says how to go on.
//!     Err(e) if e.kind == ErrorKind::RateLimited => println!("resume with {:?}", e.resume_input),
//!     Err(e) => return Err(e),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors are one type for every front end, [`Error`]: a kind with a stable exit code, the
//! message, the API's status and message, whether retrying may help, and the underlying cause
//! as [`std::error::Error::source`]. Its hints speak of inputs, credentials and base URLs,
//! never of one front end's options.

mod auth;
mod connector;
mod diagnostic;
mod encode;
mod error;
mod execute;
mod http;
mod input;
mod listing;
mod load;
mod meta;
mod origin;
mod paginate;
pub mod path;
mod plan;
mod record;
mod redact;
pub mod schema;
pub mod spec;
mod template;

/// Reading YAML into JSON values with a source map (the `actionspec-yaml` crate).
pub use actionspec_yaml as yaml;

pub use auth::SecretSlot;
pub use connector::{Action, Connector, ENGINE_HEADERS};
pub use diagnostic::plural;
pub use diagnostic::{
    Diagnostic, LintLevel, SpecError, did_you_mean, render_lint, unknown_name_hint,
};
pub use error::{Error, ErrorKind, InputViolation, Result, TransportFailure, diagnostics_json};
pub use execute::{AuthUsed, Client, Outcome, Page, Summary, install_tls_provider};
pub use meta::META_SCHEMA;
pub use paginate::{End, style_inputs as pagination_inputs};
pub use plan::{
    Body, Config, Credentials, HttpRequest, Mode, Param, REDACTED, RunOptions, ShownRequest,
};
pub use record::Record;
pub use redact::Redactor;
pub use template::{JsonTemplate, TemplateIssue};

/// The engine's limits: time limits, sizes and template budgets applied to every connector and
/// call. Each is documented where it is defined; [`RunOptions`] overrides the per-call ones.
pub mod limits {
    pub use crate::connector::EXAMPLES_FUEL;
    pub use crate::execute::MAX_JSON_DEPTH;
    pub use crate::http::{
        ATTEMPT_TIMEOUT, ATTEMPTS, CONCURRENCY, CONNECT_TIMEOUT, DEADLINE, MAX_REDIRECTS,
        MAX_RESPONSE_BYTES, MAX_WAIT,
    };
    pub use crate::redact::{MIN_ENCODED_LEN, MIN_REDACTED_LEN};
    pub use crate::template::{
        MAX_RENDERED_BYTES, MAX_TEMPLATE_LEN, MAX_TEMPLATE_NESTING, MAX_TEMPLATE_OPERATORS,
        TEMPLATE_FUEL,
    };
    pub use actionspec_yaml::MAX_DEPTH as MAX_YAML_DEPTH;
}
