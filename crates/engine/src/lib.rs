//! Actionspec engine.
pub mod diagnostic;
pub mod spec;
pub mod template;
pub mod yaml;
