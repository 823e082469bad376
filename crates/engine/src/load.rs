//! Loading: YAML text (or its JSON form) → a checked [`Connector`]. Parsing, the meta-schema and
//! the connector's own checks are [`crate::connector`]'s; this module adds the last step of a
//! full load, planning every example as a dry run, so that loading never depends on planning
//! and planning can depend on the loaded connector.

use std::sync::Arc;

use serde_json::Value;

use crate::connector::{Checks, Connector, EXAMPLES_FUEL, Mark, build, located, salvage, sort};
use crate::diagnostic::{Diagnostic, SpecError};
use crate::meta::meta_schema_diagnostics;
use crate::plan::{Config, Mode};
use crate::spec::ConnectorSpec;
use crate::template::TEMPLATE_FUEL;
use crate::yaml::{self, SourceMap, escape_token};

impl Connector {
    /// Loads a connector from its YAML text. `file` names it in diagnostics.
    ///
    /// # Errors
    /// A [`SpecError`] with every problem found, each located.
    pub fn from_yaml(file: &str, source: &str) -> Result<Connector, SpecError> {
        Self::load(file, source, Checks::All)
    }

    /// Loads a connector whose file has already passed [`Connector::from_yaml`] (one shipped in
    /// a binary and checked by its tests): the meta-schema, the example inputs and the example
    /// plans are not checked again, and each action's path, templates and input schema are
    /// compiled when it is first planned (an action that does not compile is then an
    /// [`crate::ErrorKind::Spec`] error). Start-up then costs a parse, not a full validation.
    ///
    /// # Errors
    /// A [`SpecError`] for what the remaining checks find (YAML, types, references, the
    /// default headers' templates).
    pub fn from_trusted_yaml(file: &str, source: &str) -> Result<Connector, SpecError> {
        Self::load(file, source, Checks::Trusted)
    }

    /// Loads a connector from the JSON form of a file that has passed [`Connector::from_yaml`]
    /// (the CLI's build script converts its built-in connectors with `actionspec-yaml`, the
    /// reader [`Connector::from_yaml`] uses): deserialized straight into a [`ConnectorSpec`], with
    /// the checks of [`Connector::from_trusted_yaml`]. Actions are compiled on first use.
    ///
    /// # Errors
    /// A [`SpecError`] for what the remaining checks find; none of its diagnostics is located
    /// (the JSON has no source map): load the YAML with [`Connector::from_yaml`] to locate them.
    pub fn from_trusted_json(file: &str, json: &str) -> Result<Connector, SpecError> {
        let fail = |diagnostics| SpecError {
            file: file.to_owned(),
            source_text: Arc::from(""),
            diagnostics,
        };
        let spec = serde_json::from_str::<ConnectorSpec>(json).map_err(|e| {
            fail(vec![Diagnostic::new(
                format!("the file does not match the connector format: {e}"),
                "here",
            )])
        })?;
        build(
            file,
            Some(spec),
            &SourceMap::default(),
            Vec::new(),
            Checks::Trusted,
        )
        .map_err(fail)
    }

    fn load(file: &str, source: &str, checks: Checks) -> Result<Connector, SpecError> {
        // The text is copied into the error only on failure (it is 100 KB for a large file).
        let fail = |diagnostics: Vec<Diagnostic>| SpecError {
            file: file.to_owned(),
            source_text: Arc::from(source),
            diagnostics,
        };
        let parsed = match checks {
            Checks::All => yaml::parse(source),
            // Trusted files need no locations; a problem found is still reported, unlocated.
            Checks::Trusted => yaml::parse_untracked(source),
        };
        let mut doc = parsed.map_err(|issues| {
            fail(
                issues
                    .into_iter()
                    .map(|i| Diagnostic {
                        span: Some(i.span),
                        pointer: None,
                        label: i.message.split(':').next().unwrap_or("here").to_owned(),
                        title: i.message,
                        hint: i.hint,
                        related: i.related,
                    })
                    .collect(),
            )
        })?;
        let schema_diags = match checks {
            Checks::All => meta_schema_diagnostics(&doc.value, &doc.map),
            Checks::Trusted => Vec::new(),
        };
        let spec = if schema_diags.is_empty() {
            // Moved, not copied: nothing reads the tree after this.
            match serde_json::from_value::<ConnectorSpec>(std::mem::take(&mut doc.value)) {
                Ok(spec) => Some(spec),
                Err(e) => {
                    return Err(fail(vec![
                        Diagnostic::new(
                            format!("the file does not match the connector format: {e}"),
                            "here",
                        )
                        .at(doc.map.key_or_value(""), Some(String::new())),
                    ]));
                }
            }
        } else {
            salvage(&doc.value)
        };
        let c = build(file, spec, &doc.map, schema_diags, checks).map_err(fail)?;
        match checks {
            Checks::All => checked(c, &doc.map).map_err(fail),
            Checks::Trusted => Ok(c),
        }
    }
}

/// A connector that passed its checks, once its examples are planned too (within
/// [`EXAMPLES_FUEL`]).
fn checked(mut c: Connector, map: &SourceMap) -> Result<Connector, Vec<Diagnostic>> {
    c.set_fuel_cap(Some(EXAMPLES_FUEL));
    let mut diags = plan_examples(&c, map);
    c.set_fuel_cap(None);
    if diags.is_empty() {
        return Ok(c);
    }
    sort(&mut diags);
    Err(diags)
}

/// Plans every example as a dry run: template errors that only show when rendering (an
/// unknown filter, a bad argument) and example values the planner refuses are reported at
/// load, with the example's location, not at the first run. Once the examples have used
/// [`EXAMPLES_FUEL`], planning stops with one diagnostic.
fn plan_examples(c: &Connector, map: &SourceMap) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let config = Config::default();
    for action in c.actions.values() {
        for (n, example) in action.spec.examples.iter().enumerate() {
            let pointer = format!("/actions/{}/examples/{n}", escape_token(&action.id));
            if c.template_fuel_spent() >= EXAMPLES_FUEL {
                let title = format!(
                    "planning the examples stopped at example {} of action `{}`: together they used more than {EXAMPLES_FUEL} fuel",
                    n + 1,
                    action.id
                );
                let hint = format!(
                    "templates must do little work: make loops and recursive macros end sooner (a render that fails counts as {TEMPLATE_FUEL})"
                );
                diags.push(located(
                    map,
                    &pointer,
                    Mark::Key,
                    title,
                    "not planned",
                    Some(hint),
                ));
                return diags;
            }
            let input = Value::Object(example.input.clone());
            let Err(e) = c.plan(action, &input, &config, Mode::DryRun) else {
                continue;
            };
            let detail = match e.violations.first() {
                Some(v) => format!("{}: {}", v.pointer, v.message),
                None => e.message.clone(),
            };
            diags.push(located(
                map,
                &pointer,
                Mark::Key,
                format!(
                    "example {} of action `{}` cannot be planned: {detail}",
                    n + 1,
                    action.id
                ),
                "this example",
                Some(
                    "fix the template or the example; a dry run of the example shows the request"
                        .into(),
                ),
            ));
        }
    }
    diags
}
