//! Printing what `run` returns in the `--output` format, through the `--jq` filter if any: one
//! result, or the records of `--all` as they arrive.

use actionspec_engine::{Error, ErrorKind, Result};
use serde_json::Value;

use crate::cli_args::OutputFormat;
use crate::jq::{Filter, Output};
use crate::output::{out, records_table, render};

/// Prints results in one format, filtered.
pub(crate) struct Printer {
    format: OutputFormat,
    filter: Option<Filter>,
    /// `--output table` with `--all`: the records, printed as one table at the end.
    rows: Vec<Value>,
}

impl Printer {
    /// A printer for `format`, compiling `jq` first.
    ///
    /// # Errors
    /// A usage error for an expression that does not compile.
    pub(crate) fn new(format: OutputFormat, jq: Option<&str>) -> Result<Self> {
        Ok(Printer {
            format,
            filter: jq.map(Filter::new).transpose()?,
            rows: Vec::new(),
        })
    }

    /// The values to print for one JSON text: the filter's outputs, or the value itself.
    fn outputs(&self, json: &str) -> Result<Vec<Output>> {
        match &self.filter {
            Some(f) => f.run(json),
            None => serde_json::from_str(json)
                .map(|v| vec![Output::Json(v)])
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read the result: {e}"))),
        }
    }

    /// Prints one result (`json` is its JSON text).
    pub(crate) fn result(&self, json: &str) -> Result<()> {
        let mut text = String::new();
        for o in self.outputs(json)? {
            match (o, self.format) {
                (Output::Text(s), OutputFormat::Json | OutputFormat::Ndjson) => {
                    text.push_str(&format!("{}\n", Value::String(s)));
                }
                (Output::Text(s), _) => text.push_str(&format!("{s}\n")),
                (Output::Json(v), format) => text.push_str(&render(&v, format)),
            }
        }
        out(&text)
    }

    /// Adds the output of one record of `--all` (`json`, its JSON text) to `chunk`, the text
    /// printed when the page is complete.
    pub(crate) fn record(&mut self, json: &str, chunk: &mut String) -> Result<()> {
        let plain = matches!(
            self.format,
            OutputFormat::Text | OutputFormat::Json | OutputFormat::Ndjson
        );
        if plain && self.filter.is_none() {
            chunk.push_str(json);
            chunk.push('\n');
            return Ok(());
        }
        for o in self.outputs(json)? {
            match (o, self.format) {
                (o, OutputFormat::Table) => self.rows.push(match o {
                    Output::Text(s) => Value::String(s),
                    Output::Json(v) => v,
                }),
                (o, OutputFormat::Yaml) => {
                    let v = match o {
                        Output::Text(s) => Value::String(s),
                        Output::Json(v) => v,
                    };
                    chunk.push_str("---\n");
                    chunk.push_str(&crate::yaml::to_yaml(&v));
                }
                (Output::Text(s), OutputFormat::Text) => chunk.push_str(&format!("{s}\n")),
                (Output::Text(s), _) => chunk.push_str(&format!("{}\n", Value::String(s))),
                (Output::Json(v), _) => chunk.push_str(&format!("{v}\n")),
            }
        }
        Ok(())
    }

    /// Prints what waits for the end of `--all` (the table).
    pub(crate) fn finish(self) -> Result<()> {
        if self.format == OutputFormat::Table {
            return out(&records_table(&self.rows));
        }
        Ok(())
    }
}
