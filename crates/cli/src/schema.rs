//! `actionspec schema`: the meta-schema connector files are validated against
//! (`spec/connector.schema.json`, JSON Schema draft 2020-12), for editors outside this
//! repository (`# yaml-language-server: $schema=connector.schema.json`).

use actionspec_engine::Result;

/// Prints the meta-schema on stdout, as shipped.
///
/// # Errors
/// A closed or failing stdout.
pub fn run() -> Result<()> {
    crate::output::out(actionspec_engine::META_SCHEMA)
}
