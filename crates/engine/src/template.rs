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
//!
//! A connector file is untrusted input, so templates are bounded (see `docs/connector-format.md`,
//! "Limits"): their source is checked before minijinja sees it ([`MAX_TEMPLATE_LEN`],
//! [`MAX_TEMPLATE_OPERATORS`], [`MAX_TEMPLATE_NESTING`]), a render stops when it has used its
//! fuel ([`TEMPLATE_FUEL`]), and what a value renders to is capped ([`MAX_RENDERED_BYTES`]).

use std::sync::atomic::{AtomicU64, Ordering};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Map, Value};

/// The longest template source, in bytes (UTF-8). Strings without `{{`, `{%` or `{#` are
/// literals and are not limited. A template that needs more is better written as an input.
pub const MAX_TEMPLATE_LEN: usize = 8 * 1024;

/// The most operators one template may hold: `+ - * / % ~ | . < > !`, calls and subscripts `(`
/// `[`, and the words `and`, `or`, `not`, `in`, `is`, `if`. minijinja parses a chain such as
/// `1 + 1 + … + 1` or `x | f | f | …` into a tree as deep as the chain is long, and compiling
/// a tree thousands deep overflows the stack; 256 is far above what a value template needs.
pub const MAX_TEMPLATE_OPERATORS: usize = 256;

/// The deepest nesting of brackets (`(`, `[`, `{`) and blocks (`{% if %}`, `{% for %}`,
/// `{% macro %}`, …) in one template, together.
pub const MAX_TEMPLATE_NESTING: usize = 32;

/// The fuel one render of a value may use: one header, one query value or a whole body, shared
/// by all the templates in it. minijinja charges one fuel per instruction and one per 64 bytes
/// it produces, and refuses an allocation it cannot pay for before making it (`'x' * 99999999`),
/// so this bounds both time (about 100,000 steps) and memory (about 6 MB). A shipped connector's value
/// template such as `{{ credentials.org_id }}` uses about 3.
pub const TEMPLATE_FUEL: u64 = 100_000;

/// The largest JSON a value's templates may render to together, in bytes (1 MiB): one header,
/// one query value, or a whole body (its literal parts are not counted).
pub const MAX_RENDERED_BYTES: usize = 1024 * 1024;

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
    /// Other top-level names a template may use (a [`JsonTemplate`]'s names).
    pub names: &'a [&'a str],
}

const RESULT_VAR: &str = "__actionspec_value";

/// All templates of one connector, compiled into one environment.
pub struct TemplateSet {
    env: Environment<'static>,
    count: usize,
    /// Fuel used by every render so far.
    spent: AtomicU64,
    /// No render starts once `spent` reaches this (a whole-load budget; `u64::MAX`: none).
    cap: u64,
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

/// What is left for one render of a value: fuel and rendered bytes.
struct Budget {
    fuel: u64,
    bytes: usize,
}

impl TemplateSet {
    /// An empty set with auto-escaping off, chainable undefined values and [`TEMPLATE_FUEL`].
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(TEMPLATE_FUEL));
        TemplateSet {
            env,
            count: 0,
            spent: AtomicU64::new(0),
            cap: u64::MAX,
        }
    }

    /// The fuel every render so far has used, in all.
    pub fn fuel_spent(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }

    /// Stops starting renders once [`TemplateSet::fuel_spent`] reaches `cap` (`None`: never).
    /// The loader caps the renders of a connector's examples this way.
    pub(crate) fn set_fuel_cap(&mut self, cap: Option<u64>) {
        self.cap = cap.unwrap_or(u64::MAX);
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
        check_shape(s)?;
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
    /// All its templates share [`TEMPLATE_FUEL`], and what they render may total at most
    /// [`MAX_RENDERED_BYTES`]; rendering stops at the first failure.
    ///
    /// # Errors
    /// A runtime error of the template (a bad filter argument, a failed test), running out of
    /// fuel, or a rendered value larger than [`MAX_RENDERED_BYTES`].
    pub fn render(
        &self,
        template: &ValueTemplate,
        context: &minijinja::Value,
    ) -> Result<Option<Value>, String> {
        let mut budget = Budget {
            fuel: TEMPLATE_FUEL,
            bytes: MAX_RENDERED_BYTES,
        };
        self.render_node(template, context, &mut budget)
    }

    fn render_node(
        &self,
        template: &ValueTemplate,
        context: &minijinja::Value,
        budget: &mut Budget,
    ) -> Result<Option<Value>, String> {
        match template {
            ValueTemplate::Literal(v) => Ok(Some(v.clone())),
            ValueTemplate::Expr(name) => self.render_leaf(name, true, context, budget),
            ValueTemplate::Text(name) => self.render_leaf(name, false, context, budget),
            ValueTemplate::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(v) = self.render_node(item, context, budget)? {
                        out.push(v);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            ValueTemplate::Object(members) => {
                let mut out = Map::new();
                for (k, t) in members {
                    if let Some(v) = self.render_node(t, context, budget)? {
                        out.insert(k.clone(), v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
        }
    }

    /// Renders one template (an `Expr` when `typed`, else a `Text`), charging `budget`.
    fn render_leaf(
        &self,
        name: &str,
        typed: bool,
        context: &minijinja::Value,
        budget: &mut Budget,
    ) -> Result<Option<Value>, String> {
        if self.fuel_spent() >= self.cap {
            return Err(format!(
                "the examples' templates together used more than {} fuel",
                self.cap
            ));
        }
        if budget.fuel == 0 {
            return Err(out_of_fuel());
        }
        let t = self.env.get_template(name).map_err(|e| e.to_string())?;
        let captured = t.render_captured(context).map_err(|e| {
            // A failed render may have used all its fuel: count it so.
            self.spend(budget, TEMPLATE_FUEL);
            render_error(e)
        })?;
        let used = captured
            .state()
            .fuel_levels()
            .map_or(TEMPLATE_FUEL, |(used, _)| used);
        self.spend(budget, used);
        let json = if typed {
            match captured.state().lookup(RESULT_VAR) {
                None => return Ok(None),
                Some(v) if v.is_undefined() || v.is_none() => return Ok(None),
                Some(v) => {
                    budget.bytes = budget
                        .bytes
                        .checked_sub(json_len(&v, budget.bytes)?)
                        .ok_or_else(too_large)?;
                    serde_json::to_value(&v).map_err(|e| e.to_string())?
                }
            }
        } else {
            let text = captured.output();
            budget.bytes = budget.bytes.checked_sub(text.len()).ok_or_else(too_large)?;
            Value::String(text.to_owned())
        };
        Ok(match &json {
            Value::String(s) if s.is_empty() => None,
            _ => Some(json),
        })
    }

    fn spend(&self, budget: &mut Budget, fuel: u64) {
        budget.fuel = budget.fuel.saturating_sub(fuel);
        // `fetch_update` never fails here: the closure always returns `Some`.
        let _ = self
            .spent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                Some(s.saturating_add(fuel))
            });
    }
}

fn out_of_fuel() -> String {
    format!(
        "the template ran out of fuel: a value's templates may take about {TEMPLATE_FUEL} steps or make about 6 MB of data; make loops and recursive macros end sooner"
    )
}

fn too_large() -> String {
    format!("the rendered value is larger than {MAX_RENDERED_BYTES} bytes (1 MiB)")
}

/// The length of `value` as JSON, or [`too_large`] as soon as it passes `limit`: a value built
/// lazily (`[1] * 99999999`) is never written out in full.
fn json_len(value: &minijinja::Value, limit: usize) -> Result<usize, String> {
    struct Counter {
        len: usize,
        limit: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.len += buf.len();
            if self.len > self.limit {
                return Err(std::io::Error::other("too large"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { len: 0, limit };
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => Ok(counter.len),
        Err(_) if counter.len > limit => Err(too_large()),
        Err(e) => Err(e.to_string()),
    }
}

/// The error's kind and detail only: minijinja's debug output lists referenced variables.
fn render_error(e: minijinja::Error) -> String {
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        return out_of_fuel();
    }
    match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    }
}

/// A JSON value whose strings are templates (minijinja, the syntax of every connector template)
/// over a fixed set of top-level names, compiled once: the sandbox's `error_body`
/// (`{"error": "{{ code }}", "status": "{{ status }}"}`). A string that is exactly one
/// `{{ expr }}` keeps the expression's JSON type; a member rendering to nothing is left out.
/// Renders share the limits of connector templates ([`TEMPLATE_FUEL`], [`MAX_RENDERED_BYTES`]).
#[derive(Debug)]
pub struct JsonTemplate {
    set: TemplateSet,
    template: ValueTemplate,
}

impl JsonTemplate {
    /// Compiles every string in `value`; templates may use `names` only.
    ///
    /// # Errors
    /// Every syntax error and every reference to another name, each with its JSON pointer
    /// relative to `value`.
    pub fn compile(value: &Value, names: &[&str]) -> Result<JsonTemplate, Vec<TemplateIssue>> {
        let mut set = TemplateSet::new();
        let scope = Scope {
            inputs: &[],
            credentials: &[],
            secret_credentials: &[],
            names,
        };
        let template = set.compile_value(value, &scope)?;
        Ok(JsonTemplate { set, template })
    }

    /// Renders against `context`, an object of the names' values (`Null` when everything
    /// renders to nothing).
    ///
    /// # Errors
    /// A runtime error of a template, running out of fuel, or a value over the size limit.
    pub fn render(&self, context: &Value) -> Result<Value, String> {
        let context = minijinja::Value::from(minijinja::value::Serde(context));
        Ok(self
            .set
            .render(&self.template, &context)?
            .unwrap_or(Value::Null))
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

/// Refuses a template that is too long, holds too many operators or nests too deeply, before
/// minijinja parses it: see [`MAX_TEMPLATE_LEN`], [`MAX_TEMPLATE_OPERATORS`] and
/// [`MAX_TEMPLATE_NESTING`]. Only the inside of `{{ }}` and `{% %}` tags counts; string
/// literals and comments are skipped. Tags end where minijinja's lexer ends them: at `}}` or
/// `%}` outside brackets.
fn check_shape(source: &str) -> Result<(), (String, Option<String>)> {
    if source.len() > MAX_TEMPLATE_LEN {
        return Err((
            format!(
                "template is too long: {} bytes, at most {MAX_TEMPLATE_LEN} are allowed",
                source.len()
            ),
            Some("shorten the template, or pass the text as an input".into()),
        ));
    }
    let bytes = source.as_bytes();
    let mut shape = Shape::default();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'{', b'#') => {
                i = source[i + 2..]
                    .find("#}")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
            }
            (b'{', open @ (b'{' | b'%')) => {
                let close = if open == b'{' { b'}' } else { b'%' };
                i = shape.tag(bytes, i + 2, close, open == b'%');
            }
            _ => i += 1,
        }
        if shape.operators > MAX_TEMPLATE_OPERATORS {
            return Err((
                format!("template is too complex: more than {MAX_TEMPLATE_OPERATORS} operators"),
                Some("long chains of operators or filters cannot be compiled safely: split the value, or compute it before passing it as an input".into()),
            ));
        }
        if shape.deepest > MAX_TEMPLATE_NESTING {
            return Err((
                format!(
                    "template nests too deeply: more than {MAX_TEMPLATE_NESTING} levels of brackets and blocks"
                ),
                Some(
                    "flatten the template, or compute the value before passing it as an input"
                        .into(),
                ),
            ));
        }
    }
    Ok(())
}

/// What [`check_shape`] has counted so far.
#[derive(Default)]
struct Shape {
    operators: usize,
    /// Open blocks (`{% if %}` … `{% endif %}`).
    blocks: usize,
    /// The deepest nesting of blocks and brackets seen.
    deepest: usize,
}

/// Words that combine or test expressions.
const OPERATOR_WORDS: &[&str] = &["and", "or", "not", "in", "is", "if"];

/// Tags that open a block closed by an `{% end… %}` tag (a `set` without `=` is one too).
const BLOCK_WORDS: &[&str] = &[
    "for",
    "if",
    "macro",
    "call",
    "filter",
    "with",
    "block",
    "autoescape",
    "raw",
];

impl Shape {
    /// Scans one tag from `start` (after its opening delimiter) to its closing `close` + `}`;
    /// returns the index after it. `statement` is true for `{% %}` tags.
    fn tag(&mut self, bytes: &[u8], start: usize, close: u8, statement: bool) -> usize {
        let (mut i, mut brackets, mut first_word, mut assigns) = (start, 0usize, None, false);
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'\'' | b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ if b == close && brackets == 0 && bytes.get(i + 1) == Some(&b'}') => {
                    if statement {
                        self.block(first_word, assigns);
                    }
                    return i + 2;
                }
                b'(' | b'[' | b'{' => {
                    brackets += 1;
                    self.operators += usize::from(b != b'{');
                    self.deepest = self.deepest.max(self.blocks + brackets);
                }
                b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
                b'+' | b'-' | b'*' | b'/' | b'%' | b'~' | b'|' | b'.' | b'<' | b'>' | b'!' => {
                    self.operators += 1;
                }
                b'=' if brackets == 0 => assigns = true,
                _ if b.is_ascii_alphabetic() || b == b'_' => {
                    let end = bytes[i..]
                        .iter()
                        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                        .map_or(bytes.len(), |n| i + n);
                    let word = std::str::from_utf8(&bytes[i..end]).unwrap_or_default();
                    if OPERATOR_WORDS.contains(&word) {
                        self.operators += 1;
                    }
                    first_word.get_or_insert(word);
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// Opens or closes a block for a statement tag starting with `word`.
    fn block(&mut self, word: Option<&str>, assigns: bool) {
        match word {
            Some(w) if w.starts_with("end") => self.blocks = self.blocks.saturating_sub(1),
            Some(w) if BLOCK_WORDS.contains(&w) || (w == "set" && !assigns) => {
                self.blocks += 1;
                self.deepest = self.deepest.max(self.blocks);
            }
            _ => {}
        }
    }
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
        (other, _) if scope.names.contains(&other) => Ok(()),
        (other, _) if !scope.names.is_empty() => Err((
            format!("template refers to unknown variable `{other}`"),
            Some(crate::diagnostic::unknown_name_hint(
                other,
                "name",
                scope.names.iter().copied(),
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
            names: &[],
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

    fn compile_error(t: &str) -> String {
        let mut set = TemplateSet::new();
        let issues = set
            .compile_value(&json!(t), &scope())
            .err()
            .unwrap_or_default();
        issues
            .first()
            .map(|i| i.message.clone())
            .unwrap_or_default()
    }

    fn render_error(t: &Value) -> String {
        let mut set = TemplateSet::new();
        let c = set
            .compile_value(t, &scope())
            .unwrap_or_else(|e| panic!("{e:?}"));
        set.render(&c, &minijinja::Value::from(()))
            .err()
            .unwrap_or_default()
    }

    /// Regression: `{{ 1+1+…+1 }}` with 20,000 terms overflowed the stack in minijinja's compiler.
    #[test]
    fn long_operator_chains_are_refused_before_minijinja() {
        let long = format!("{{{{ {} }}}}", vec!["1"; 20_000].join("+"));
        assert!(compile_error(&long).starts_with("template is too long"));
        let chain = format!(
            "{{{{ {} }}}}",
            vec!["1"; MAX_TEMPLATE_OPERATORS + 2].join("+")
        );
        assert!(chain.len() < MAX_TEMPLATE_LEN);
        assert!(compile_error(&chain).starts_with("template is too complex"));
        let filters = format!(
            "{{{{ input.id{} }}}}",
            "|lower".repeat(MAX_TEMPLATE_OPERATORS)
        );
        assert!(compile_error(&filters).starts_with("template is too complex"));
        let unary = format!("{{{{ {}1 }}}}", "-".repeat(MAX_TEMPLATE_OPERATORS + 1));
        assert!(compile_error(&unary).starts_with("template is too complex"));
        let ternary = format!(
            "{{{{ {}1 }}}}",
            "1 if true else ".repeat(MAX_TEMPLATE_OPERATORS + 1)
        );
        assert!(compile_error(&ternary).starts_with("template is too complex"));
    }

    #[test]
    fn deep_nesting_is_refused_before_minijinja() {
        let n = MAX_TEMPLATE_NESTING + 1;
        let blocks = format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n));
        assert!(compile_error(&blocks).starts_with("template nests too deeply"));
        let lists = format!("{{{{ {}{} }}}}", "[".repeat(n), "]".repeat(n));
        assert!(compile_error(&lists).starts_with("template nests too deeply"));
        // Closed blocks do not add up: 40 ifs one after the other are fine.
        let flat = "{% if true %}x{% endif %}".repeat(40);
        assert_eq!(compile_error(&flat), "");
    }

    #[test]
    fn operators_in_strings_comments_and_text_are_not_counted() {
        let many = "+".repeat(MAX_TEMPLATE_OPERATORS * 2);
        for t in [
            format!("{{{{ '{many}' }}}}"),
            format!("{{{{ \"{many}\" ~ input.id }}}}"),
            format!("{{# {many} #}}{{{{ input.id }}}}"),
            format!("{many} {{{{ input.id }}}} {many}"),
            format!("{{{{ 'it\\'s {many}' }}}}"),
        ] {
            assert_eq!(compile_error(&t), "", "{t}");
        }
    }

    /// Regression: a recursive macro ran for minutes (2^40 calls) while the file was loaded.
    #[test]
    fn recursive_macros_run_out_of_fuel() {
        let t = json!(
            "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(1) }}"
        );
        assert!(
            render_error(&t).contains("ran out of fuel"),
            "{}",
            render_error(&t)
        );
    }

    /// Regression: three nested loops of 1,000 ran for minutes.
    #[test]
    fn nested_loops_run_out_of_fuel() {
        let t = json!(
            "{% for a in [0] * 1000 %}{% for b in [0] * 1000 %}{% for c in [0] * 1000 %}x{% endfor %}{% endfor %}{% endfor %}"
        );
        assert!(
            render_error(&t).contains("ran out of fuel"),
            "{}",
            render_error(&t)
        );
    }

    /// Regression: `'x' * 99999999` allocated 100 MB per value before anything checked it.
    #[test]
    fn huge_renders_are_refused() {
        let huge = json!({"a": "{{ 'x' * 99999999 }}"});
        assert!(render_error(&huge).contains("ran out of fuel"));
        let lazy = json!({"a": "{{ [1] * 99999999 }}"});
        assert!(render_error(&lazy).contains("larger than 1048576 bytes"));
        let text = json!({"a": "x{{ 'x' * 2000000 }}"});
        assert!(render_error(&text).contains("larger than 1048576 bytes"));
        // Each member is below the limit; the body is not.
        let members: serde_json::Map<String, Value> = (0..3)
            .map(|i| (format!("m{i}"), json!("{{ 'x' * 400000 }}")))
            .collect();
        assert!(render_error(&Value::Object(members)).contains("larger than 1048576 bytes"));
    }

    #[test]
    fn renders_share_their_fuel() {
        // Each member alone fits in the fuel; 30 of them together do not.
        let members: serde_json::Map<String, Value> = (0..30)
            .map(|i| {
                (
                    format!("m{i}"),
                    json!("{% for a in [0] * 2000 %}{% endfor %}"),
                )
            })
            .collect();
        let one = json!({"m": "{% for a in [0] * 2000 %}{% endfor %}"});
        assert_eq!(render_error(&one), "");
        assert!(render_error(&Value::Object(members)).contains("ran out of fuel"));
    }

    /// Chains just under the limit compile and render on a test thread's 2 MiB stack.
    #[test]
    fn chains_at_the_limit_are_safe() {
        let n = MAX_TEMPLATE_OPERATORS;
        for t in [
            format!("{{{{ {} }}}}", vec!["1"; n + 1].join("+")),
            format!("{{{{ 1{} }}}}", "|abs".repeat(n)),
            format!("{{{{ {}1 }}}}", "-".repeat(n)),
            format!("{{{{ {}1 }}}}", "1 if true else ".repeat(n)),
            format!("{{{{ [[1]]{} }}}}", "[0][0]".repeat(n / 2 - 2)),
        ] {
            let mut set = TemplateSet::new();
            let c = set
                .compile_value(&json!(t), &scope())
                .unwrap_or_else(|e| panic!("{t}: {e:?}"));
            let _ = set.render(&c, &minijinja::Value::from(()));
        }
    }
}
