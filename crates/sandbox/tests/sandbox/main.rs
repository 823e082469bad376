//! Integration tests of the sandbox: every case runs a sandbox on 127.0.0.1 and talks to it
//! over real HTTP, through the engine (`Connector::run`, `run_all`) or with a plain client to see
//! the wire.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod custom_connector;
mod end_to_end;
mod examples;
mod failures;
mod fidelity;
mod kinds;
mod oauth;
mod pagination;
mod path_shapes;
mod rpc;
mod seed_data;
mod shipped;
mod wire;
