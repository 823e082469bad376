//! The engine's integration tests: one binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api_errors;
mod common;
mod diagnostics;
mod examples;
mod kinds;
mod limits;
mod listing;
mod meta_schema;
mod oauth;
mod okta;
mod pagination;
mod raw_server;
mod regressions;
mod resilience;
mod safety;
mod slack;
mod transport;
mod wire_kinds;
