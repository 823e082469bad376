//! `--jq EXPR`: a jq filter over a result, or over each record of `--all`.
//!
//! The filter runs on the result's JSON (the object `run` prints: `status`, `body` or
//! `records`, …) or, with `--all`, on each record. As with `gh api --jq`, an output that is a
//! string is printed as is (no quotes); any other value is printed as JSON.

use actionspec_engine::{Error, ErrorKind, Result};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;
use serde_json::Value;

/// A compiled jq filter.
pub(crate) struct Filter {
    filter: jaq_core::Filter<data::JustLut<Val>>,
}

/// A value a filter produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Output {
    /// A string: printed without quotes.
    Text(String),
    /// Any other value.
    Json(Value),
}

impl Filter {
    /// Compiles `code` with jq's standard library.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when the expression does not parse or names an unknown filter,
    /// with what was expected and where.
    pub(crate) fn new(code: &str) -> Result<Self> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let modules =
            loader
                .load(&arena, File { code, path: () })
                .map_err(|errors| {
                    let mut what = Vec::new();
                    for (_, e) in errors {
                        match e {
                            jaq_core::load::Error::Io(items) => {
                                what.extend(items.into_iter().map(|(_, m)| m));
                            }
                            jaq_core::load::Error::Lex(items) => what
                                .extend(items.iter().map(|(exp, at)| near(code, exp.as_str(), at))),
                            jaq_core::load::Error::Parse(items) => what
                                .extend(items.iter().map(|(exp, at)| near(code, exp.as_str(), at))),
                        }
                    }
                    bad(code, &what.join("; "))
                })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let what: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, e)| e)
                    .map(|(name, kind)| format!("undefined {kind:?} `{name}`").to_lowercase())
                    .collect();
                bad(code, &what.join("; "))
            })?;
        Ok(Filter { filter })
    }

    /// The outputs of the filter on `input`, in order.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] when the filter fails on this input (e.g. `.[0]` of an object).
    pub(crate) fn run(&self, input: &str) -> Result<Vec<Output>> {
        let value = jaq_json::read::parse_single(input.as_bytes())
            .map_err(|e| Error::new(ErrorKind::Io, format!("--jq cannot read the result: {e}")))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let mut outputs = Vec::new();
        for item in self.filter.id.run((ctx, value)).map(jaq_core::unwrap_valr) {
            let item = item.map_err(|e| {
                Error::new(ErrorKind::Input, format!("--jq failed: {e}"))
                    .with_hint("check the expression against the result's shape (try --jq .)")
            })?;
            outputs.push(output(&item));
        }
        Ok(outputs)
    }
}

/// A jq value as an [`Output`]; a string is text, anything else is re-read as JSON.
fn output(value: &Val) -> Output {
    let text = value.to_string();
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::String(s)) => Output::Text(s),
        Ok(v) => Output::Json(v),
        Err(_) => Output::Text(text),
    }
}

/// Where in `code` a lexer or parser error is: `expected X at column N`.
fn near(code: &str, expected: &str, at: &str) -> String {
    // `at` is the rest of the code from the error on: a suffix of `code`.
    let column = code.len().saturating_sub(at.len()) + 1;
    if at.is_empty() {
        format!("expected {expected} at the end")
    } else {
        format!("expected {expected} at column {column}")
    }
}

fn bad(code: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!("invalid --jq expression `{code}`: {what}"),
    )
    .with_hint("write a jq filter, e.g. --jq .email or --jq '.records[] | .id'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_text_and_other_values_json() {
        let f = Filter::new(".a, .b").unwrap();
        let out = f.run(r#"{"a": "x", "b": [1]}"#).unwrap();
        assert_eq!(
            out,
            vec![
                Output::Text("x".into()),
                Output::Json(serde_json::json!([1]))
            ]
        );
    }

    #[test]
    fn a_bad_expression_is_a_usage_error() {
        let e = Filter::new(".a |").err().unwrap();
        assert_eq!(e.kind, ErrorKind::Usage);
        let e = Filter::new("nosuch").err().unwrap();
        assert!(e.message.contains("nosuch"), "{}", e.message);
    }
}
