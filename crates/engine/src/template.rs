//! Value templates: JSON values whose strings may be minijinja templates.
//!
//! Templates render values, never URLs (path segments are encoded by the planner). They are
//! compiled once, when the connector is loaded, into one minijinja environment per connector.
//!
//! Rules (see `docs/connector-format.md`):
//! - a string without `{{`/`{%` is a literal;
//! - a string that is exactly one `{{ expr }}` keeps the expression's JSON type, so numbers
//!   stay numbers and `false`/`0` are kept;
//! - any other template renders to a string;
//! - a value that renders undefined, `none` or empty is omitted.
//!
//! Templates see `input` (the validated input) and `credentials` (non-secret credentials only).
//! References to undeclared inputs or credentials are caught when the connector is loaded, which
//! is why rendering itself may treat a missing optional input as undefined (minijinja's
//! `Chainable` behaviour) instead of failing.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Map, Value};

/// A compiled value template.
#[derive(Debug, Clone)]
pub enum ValueTemplate {
    /// A value with no template in it.
    Literal(Value),
    /// Exactly one `{{ expr }}`: the result keeps its type. Holds the template name.
    Expr(String),
    /// Text with interpolations: renders to a string. Holds the template name.
    Text(String),
    /// An array of templates.
    Array(Vec<ValueTemplate>),
    /// An object of templates, in order.
    Object(Vec<(String, ValueTemplate)>),
}

/// A template that failed to compile, or that refers to something undeclared.
#[derive(Debug, Clone)]
pub struct TemplateIssue {
    /// JSON pointer (relative to the compiled value) of the offending string.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// The names a template may refer to.
pub struct Scope<'a> {
    /// Declared input ids.
    pub inputs: &'a [&'a str],
    /// Non-secret credential names.
    pub credentials: &'a [&'a str],
    /// Secret credential names (referring to one is an error with its own message).
    pub secret_credentials: &'a [&'a str],
}

const RESULT_VAR: &str = "__actionspec_value";

/// All templates of one connector, compiled into one environment.
pub struct TemplateSet {
    env: Environment<'static>,
    count: usize,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("count", &self.count)
            .finish()
    }
}

impl Default for TemplateSet {
    fn default() -> Self {
        Self::new()
    }
}

impl TemplateSet {
    /// An empty set with auto-escaping off and chainable undefined values.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        TemplateSet { env, count: 0 }
    }

    /// Compiles every string in `value`. All issues are returned together.
    ///
    /// # Errors
    /// Syntax errors and references outside `scope`, each with its relative JSON pointer.
    pub fn compile_value(
        &mut self,
        value: &Value,
        scope: &Scope<'_>,
    ) -> Result<ValueTemplate, Vec<TemplateIssue>> {
        let mut issues = Vec::new();
        let t = self.compile_node(value, "", scope, &mut issues);
        if issues.is_empty() {
            Ok(t)
        } else {
            Err(issues)
        }
    }

    fn compile_node(
        &mut self,
        value: &Value,
        pointer: &str,
        scope: &Scope<'_>,
        issues: &mut Vec<TemplateIssue>,
    ) -> ValueTemplate {
        match value {
            Value::String(s) => match self.compile_str(s, scope) {
                Ok(t) => t,
                Err((message, hint)) => {
                    issues.push(TemplateIssue {
                        pointer: pointer.to_owned(),
                        message,
                        hint,
                    });
                    ValueTemplate::Literal(Value::Null)
                }
            },
            Value::Array(items) => ValueTemplate::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.compile_node(v, &format!("{pointer}/{i}"), scope, issues))
                    .collect(),
            ),
            Value::Object(members) => {
                let compiled = members
                    .iter()
                    .map(|(k, v)| {
                        let child = format!("{pointer}/{}", crate::yaml::escape_token(k));
                        (k.clone(), self.compile_node(v, &child, scope, issues))
                    })
                    .collect::<Vec<_>>();
                if compiled
                    .iter()
                    .all(|(_, t)| matches!(t, ValueTemplate::Literal(_)))
                {
                    ValueTemplate::Literal(value.clone())
                } else {
                    ValueTemplate::Object(compiled)
                }
            }
            other => ValueTemplate::Literal(other.clone()),
        }
    }

    fn compile_str(
        &mut self,
        s: &str,
        scope: &Scope<'_>,
    ) -> Result<ValueTemplate, (String, Option<String>)> {
        if !s.contains("{{") && !s.contains("{%") && !s.contains("{#") {
            return Ok(ValueTemplate::Literal(Value::String(s.to_owned())));
        }
        let name = format!("t{}", self.count);
        self.count += 1;
        let (source, typed) = match single_expression(s) {
            Some(expr) => (format!("{{% set {RESULT_VAR} = ({expr}) %}}"), true),
            None => (s.to_owned(), false),
        };
        self.env
            .add_template_owned(name.clone(), source)
            .map_err(|e| {
                (
                    format!(
                        "template syntax error: {}",
                        e.detail().unwrap_or("invalid template")
                    ),
                    Some(
                        "templates use minijinja (Jinja2) syntax, e.g. \"{{ input.name }}\""
                            .to_owned(),
                    ),
                )
            })?;
        let template = self
            .env
            .get_template(&name)
            .map_err(|e| (e.to_string(), None))?;
        let mut names: Vec<String> = template.undeclared_variables(true).into_iter().collect();
        names.sort();
        for var in names {
            check_reference(&var, scope)?;
        }
        Ok(if typed {
            ValueTemplate::Expr(name)
        } else {
            ValueTemplate::Text(name)
        })
    }

    /// Renders a template against `context` (`{input, credentials}`). `None` means "omit".
    ///
    /// # Errors
    /// A runtime error of the template (a bad filter argument, a failed test).
    pub fn render(
        &self,
        template: &ValueTemplate,
        context: &minijinja::Value,
    ) -> Result<Option<Value>, String> {
        match template {
            ValueTemplate::Literal(v) => Ok(Some(v.clone())),
            ValueTemplate::Expr(name) => {
                let t = self.env.get_template(name).map_err(|e| e.to_string())?;
                let captured = t.render_captured(context).map_err(render_error)?;
                let value = captured.state().lookup(RESULT_VAR);
                match value {
                    None => Ok(None),
                    Some(v) if v.is_undefined() || v.is_none() => Ok(None),
                    Some(v) => {
                        let json = serde_json::to_value(&v).map_err(|e| e.to_string())?;
                        Ok(match &json {
                            Value::String(s) if s.is_empty() => None,
                            _ => Some(json),
                        })
                    }
                }
            }
            ValueTemplate::Text(name) => {
                let t = self.env.get_template(name).map_err(|e| e.to_string())?;
                let text = t.render(context).map_err(render_error)?;
                Ok(if text.is_empty() {
                    None
                } else {
                    Some(Value::String(text))
                })
            }
            ValueTemplate::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(v) = self.render(item, context)? {
                        out.push(v);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            ValueTemplate::Object(members) => {
                let mut out = Map::new();
                for (k, t) in members {
                    if let Some(v) = self.render(t, context)? {
                        out.insert(k.clone(), v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
        }
    }
}

/// The error's kind and detail only: minijinja's debug output lists referenced variables.
fn render_error(e: minijinja::Error) -> String {
    match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    }
}

/// `Some(expr)` when `s` is exactly one `{{ expr }}` (surrounding whitespace allowed).
fn single_expression(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    if inner.contains("{{") || inner.contains("}}") || inner.contains("{%") {
        return None;
    }
    Some(inner.trim())
}

fn check_reference(var: &str, scope: &Scope<'_>) -> Result<(), (String, Option<String>)> {
    let mut parts = var.splitn(3, '.');
    let root = parts.next().unwrap_or_default();
    let member = parts.next();
    match (root, member) {
        ("input", None) | ("credentials", None) => Ok(()),
        ("input", Some(name)) if scope.inputs.contains(&name) => Ok(()),
        ("input", Some(name)) => Err((
            format!("template refers to undeclared input `{name}`"),
            Some(crate::diagnostic::unknown_name_hint(
                name,
                "input",
                scope.inputs.iter().copied(),
            )),
        )),
        ("credentials", Some(name)) if scope.credentials.contains(&name) => Ok(()),
        ("credentials", Some(name)) if scope.secret_credentials.contains(&name) => Err((
            format!("template refers to secret credential `{name}`"),
            Some("secrets never enter templates: send them with an auth method instead".to_owned()),
        )),
        ("credentials", Some(name)) => Err((
            format!("template refers to undeclared credential `{name}`"),
            Some(crate::diagnostic::unknown_name_hint(
                name,
                "credential",
                scope.credentials.iter().copied(),
            )),
        )),
        (other, _) => Err((
            format!("template refers to unknown variable `{other}`"),
            Some("templates can use `input.<name>` and `credentials.<name>`".to_owned()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope<'static> {
        Scope {
            inputs: &["op", "id", "count", "flag", "items"],
            credentials: &["org_id"],
            secret_credentials: &["api_key"],
        }
    }

    fn render(t: &Value, ctx: Value) -> Option<Value> {
        let mut set = TemplateSet::new();
        let c = set
            .compile_value(t, &scope())
            .unwrap_or_else(|e| panic!("{e:?}"));
        set.render(&c, &minijinja::Value::from(minijinja::value::Serde(&ctx)))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn single_expressions_keep_their_type() {
        let t = json!({"n": "{{ input.count }}", "f": "{{ input.flag }}", "a": "{{ input.items }}", "s": "id={{ input.id }}"});
        let out = render(
            &t,
            json!({"input": {"count": 0, "flag": false, "items": [1, 2], "id": "x"}}),
        );
        assert_eq!(
            out,
            Some(json!({"n": 0, "f": false, "a": [1, 2], "s": "id=x"}))
        );
    }

    #[test]
    fn missing_optional_values_are_omitted() {
        let t = json!({"op": "{{ input.op }}", "id": "{{ input.id }}", "org": "{{ credentials.org_id }}", "fixed": "user"});
        let out = render(&t, json!({"input": {"id": "x"}, "credentials": {}}));
        assert_eq!(out, Some(json!({"id": "x", "fixed": "user"})));
    }

    #[test]
    fn undeclared_and_secret_references_are_load_errors() {
        let mut set = TemplateSet::new();
        let issues = set
            .compile_value(&json!({"a": "{{ input.nmae }}", "b": "{{ credentials.api_key }}", "c": "{{ oops }}"}), &scope())
            .err()
            .unwrap_or_default();
        let messages: Vec<_> = issues
            .iter()
            .map(|i| (i.pointer.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![
                ("/a", "template refers to undeclared input `nmae`"),
                ("/b", "template refers to secret credential `api_key`"),
                ("/c", "template refers to unknown variable `oops`"),
            ]
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        let mut set = TemplateSet::new();
        let issues = set
            .compile_value(&json!("{{ input.id "), &scope())
            .err()
            .unwrap_or_default();
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.starts_with("template syntax error"),
            "{}",
            issues[0].message
        );
    }
}
