//! The conformance checker's integration tests: one binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod responses;
mod rules;
mod shipped;
