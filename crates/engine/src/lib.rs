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

pub mod auth;
pub mod connector;
pub mod diagnostic;
mod encode;
pub mod error;
pub mod execute;
pub mod http;
pub mod input;
mod listing;
mod load;
mod meta;
pub mod origin;
pub mod paginate;
pub mod plan;
pub mod record;
pub mod redact;
pub mod schema;
pub mod spec;
pub mod template;

/// Reading YAML into JSON values with a source map (the `actionspec-yaml` crate).
pub use actionspec_yaml as yaml;

pub use connector::{Action, Connector};
pub use diagnostic::{Diagnostic, SpecError};
pub use error::{Error, ErrorKind, InputViolation, Result};
pub use execute::{Client, Outcome, Page, Summary};
pub use plan::{Config, Credentials, HttpRequest, Mode, REDACTED, RunOptions};
pub use record::Record;
pub use redact::Redactor;
