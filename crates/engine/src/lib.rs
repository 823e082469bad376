//! Actionspec engine: load YAML connector specs, plan actions into HTTP requests, execute them.
//!
//! The pipeline runs one way: **load → validate → compile → plan → execute → outcome**.
//! Loading and compiling happen once per connector; planning is pure; execution is the only I/O.
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
//! let connector = Connector::from_yaml("demo.yaml", yaml).expect("valid connector");
//! let action = connector.action("get_user").expect("declared");
//! let request = connector
//!     .plan(action, &json!({"id": "a b"}), &Config::default(), Mode::DryRun)
//!     .expect("valid input");
//! assert_eq!(request.full_url(true), "https://api.example.com/v1/users/a%20b");
//! ```

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
mod plan;
mod record;
mod redact;
pub mod schema;
pub mod spec;
mod template;

/// Reading YAML into JSON values with a source map (the `actionspec-yaml` crate).
pub use actionspec_yaml as yaml;

pub use auth::SecretSlot;
pub use connector::{Action, Connector};
pub use diagnostic::{Diagnostic, SpecError, did_you_mean, unknown_name_hint};
pub use error::{Error, ErrorKind, InputViolation, Result, TransportFailure, diagnostics_json};
pub use execute::{AuthUsed, Client, Outcome, Page, Summary, install_tls_provider, plural};
pub use meta::META_SCHEMA;
pub use paginate::{End, style_inputs as pagination_inputs};
pub use plan::{Config, Credentials, HttpRequest, Mode, REDACTED, RunOptions};
pub use record::Record;
pub use redact::Redactor;

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
