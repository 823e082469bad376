//! Checking a value against a compiled schema: every problem, each with its JSON pointer.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::format::format_holds;
use super::{Problem, Schema, Violation};
use crate::diagnostic::plural;

/// How deep checking descends, through nested values and `$ref`s together, before it stops.
const MAX_DEPTH: usize = 256;

/// Where [`Walk::descend`] goes: into an item, into a member (escaped per RFC 6901 on the way),
/// or through a `$ref` (the same place).
enum Step<'a> {
    Ref,
    Item(usize),
    Member(&'a str),
}

/// One check in progress: the document's `$defs`, where in the value it is, and what it found.
pub(super) struct Walk<'a> {
    defs: &'a IndexMap<String, Schema>,
    at: String,
    depth: usize,
    out: Vec<Violation>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(defs: &'a IndexMap<String, Schema>) -> Self {
        Walk {
            defs,
            at: String::new(),
            depth: 0,
            out: Vec::new(),
        }
    }

    pub(super) fn into_violations(self) -> Vec<Violation> {
        self.out
    }

    fn add(&mut self, problem: Problem) {
        self.out.push(Violation {
            pointer: self.at.clone(),
            problem,
        });
    }

    /// Checks `value` against `schema` one level down: at a member or item, or at the same
    /// place for a `$ref`.
    fn descend(&mut self, step: Step<'_>, schema: &Schema, value: &Value) {
        let len = self.at.len();
        match step {
            Step::Ref => {}
            Step::Item(i) => {
                // Writing to a `String` cannot fail.
                let _ = write!(self.at, "/{i}");
            }
            Step::Member(name) => {
                self.at.push('/');
                for c in name.chars() {
                    match c {
                        '~' => self.at.push_str("~0"),
                        '/' => self.at.push_str("~1"),
                        c => self.at.push(c),
                    }
                }
            }
        }
        self.depth += 1;
        schema.check(value, self);
        self.depth -= 1;
        self.at.truncate(len);
    }

    /// Whether `value` satisfies `schema`; what it finds is not kept.
    fn holds(&mut self, schema: &Schema, value: &Value) -> bool {
        let mark = self.out.len();
        schema.check(value, self);
        let ok = self.out.len() == mark;
        self.out.truncate(mark);
        ok
    }
}

impl Schema {
    pub(super) fn check(&self, value: &Value, w: &mut Walk<'_>) {
        if w.depth > MAX_DEPTH {
            w.add(other(&format!(
                "{{value}} nests deeper than {MAX_DEPTH} levels, where checking stops"
            )));
            return;
        }
        if self.never {
            w.add(other("{value} is not allowed here"));
            return;
        }
        if let Some(target) = self.reference.as_ref().and_then(|name| w.defs.get(name)) {
            w.descend(Step::Ref, target, value);
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| is_type(value, t)) {
            w.add(Problem::Type {
                expected: self.types.join(" or "),
            });
            return;
        }
        self.check_values(value, w);
        for part in &self.all_of {
            part.check(value, w);
        }
        if let Some(c) = &self.condition {
            let branch = if w.holds(&c.test, value) {
                c.then.as_ref()
            } else {
                c.otherwise.as_ref()
            };
            if let Some(branch) = branch {
                branch.check(value, w);
            }
        }
        match value {
            Value::Number(n) => self.check_number(n.as_f64().unwrap_or(f64::NAN), w),
            Value::String(s) => self.check_string(s, w),
            Value::Array(items) => self.check_array(items, w),
            Value::Object(members) => self.check_object(members, w),
            _ => {}
        }
    }

    /// `enum` and `const`.
    fn check_values(&self, value: &Value, w: &mut Walk<'_>) {
        if let Some(options) = &self.allowed
            && !options.iter().any(|o| same(o, value))
        {
            w.add(Problem::Enum {
                options: options.clone(),
            });
        }
        if let Some(c) = &self.constant
            && !same(c, value)
        {
            w.add(Problem::Const {
                expected: c.clone(),
            });
        }
    }

    fn check_number(&self, n: f64, w: &mut Walk<'_>) {
        let failed = [
            (
                self.minimum.filter(|m| n < *m),
                "is less than the minimum of",
            ),
            (
                self.maximum.filter(|m| n > *m),
                "is greater than the maximum of",
            ),
            (
                self.exclusive_minimum.filter(|m| n <= *m),
                "is not above the exclusive minimum of",
            ),
            (
                self.exclusive_maximum.filter(|m| n >= *m),
                "is not below the exclusive maximum of",
            ),
        ];
        for (limit, words) in failed {
            if let Some(limit) = limit {
                w.add(other(&format!("{{value}} {words} {}", number_text(limit))));
            }
        }
    }

    fn check_string(&self, s: &str, w: &mut Walk<'_>) {
        let chars = s.chars().count() as u64;
        if let Some(min) = self.min_length.filter(|m| chars < *m) {
            w.add(other(&format!(
                "{{value}} is shorter than {}",
                characters(min)
            )));
        }
        if let Some(max) = self.max_length.filter(|m| chars > *m) {
            w.add(other(&format!(
                "{{value}} is longer than {}",
                characters(max)
            )));
        }
        if let Some((text, re)) = &self.pattern
            && !re.is_match(s)
        {
            w.add(Problem::Pattern {
                pattern: text.clone(),
            });
        }
        if let Some(format) = &self.format
            && !format_holds(format, s)
        {
            w.add(other(&format!("{{value}} is not a \"{format}\"")));
        }
    }

    fn check_array(&self, items: &[Value], w: &mut Walk<'_>) {
        count_bounds(items.len(), self.min_items, self.max_items, "item", w);
        if self.unique_items
            && items
                .iter()
                .enumerate()
                .any(|(i, a)| items[..i].iter().any(|b| same(a, b)))
        {
            w.add(other("{value} has repeated items"));
        }
        if let Some(schema) = &self.items {
            for (i, item) in items.iter().enumerate() {
                w.descend(Step::Item(i), schema, item);
            }
        }
    }

    fn check_object(&self, members: &Map<String, Value>, w: &mut Walk<'_>) {
        for name in self.required.iter().filter(|r| !members.contains_key(*r)) {
            w.add(Problem::Required { name: name.clone() });
        }
        count_bounds(
            members.len(),
            self.min_properties,
            self.max_properties,
            "member",
            w,
        );
        if let Some(names) = &self.property_names {
            for name in members.keys() {
                if !w.holds(names, &Value::String(name.clone())) {
                    w.add(Problem::Name { name: name.clone() });
                }
            }
        }
        let mut unexpected = Vec::new();
        for (name, value) in members {
            let schema = match (self.properties.get(name), self.additional.as_deref()) {
                (Some(s), _) => s,
                (None, Some(s)) if s.never => {
                    unexpected.push(name.clone());
                    continue;
                }
                (None, Some(s)) => s,
                (None, None) => continue,
            };
            w.descend(Step::Member(name), schema, value);
        }
        if !unexpected.is_empty() {
            w.add(Problem::Unexpected {
                names: unexpected,
                allowed: self.properties.keys().cloned().collect(),
            });
        }
    }
}

/// `minItems`/`maxItems` and `minProperties`/`maxProperties`: `n` items or members of a word.
fn count_bounds(n: usize, min: Option<u64>, max: Option<u64>, word: &str, w: &mut Walk<'_>) {
    let n = n as u64;
    if let Some(min) = min.filter(|m| n < *m) {
        w.add(other(&format!(
            "{{value}} has fewer than {}",
            plural(min, word)
        )));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        w.add(other(&format!(
            "{{value}} has more than {}",
            plural(max, word)
        )));
    }
}

pub(super) fn other(message: &str) -> Problem {
    Problem::Other {
        message: message.to_owned(),
    }
}

fn characters(n: u64) -> String {
    plural(n, "character")
}

/// Integral limits read `100`, not `100.0`.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// JSON Schema's type test (draft 2020-12 §6.1.1): whether `v` is of the type named `t`, one of
/// [`TYPES`](super::TYPES). An integer is any number with no fractional part (so `250.0`); a
/// name outside [`TYPES`](super::TYPES) matches nothing.
pub fn is_type(v: &Value, t: &str) -> bool {
    match (t, v) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON Schema equality: numbers compare by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
