//! End-to-end tests of the `actionspec` binary.
//!
//! Every test runs the real binary with a scrubbed environment (`env_clear()`, then only the
//! variables the case needs), from the workspace root, and snapshots what a user sees: the
//! command, the exit code, stdout and stderr, in `tests/snapshots/cli/`. HTTP cases run against a
//! wiremock server bound to 127.0.0.1; the port is filtered out of the snapshots.
//!
//! Reviewing these snapshots is reviewing the command-line experience.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod auth;
mod common;
mod conform;
mod docs;
mod dry_run;
mod error_json;
mod errors;
mod flags;
mod guide;
mod import;
mod limits;
mod lints;
mod listing;
mod live;
mod mcp;
mod okta;
mod packaging;
mod safety;
mod sandbox;
mod secrets;
mod shell;
mod slack;
mod tools_export;
mod user_connectors;
mod validate;
