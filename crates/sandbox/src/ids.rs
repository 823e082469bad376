//! Record ids in the form the API's id input declares: integers for `type: integer`, UUIDs for
//! `format: uuid`, strings matching a `pattern` (`^C[A-Z0-9]{8,}$`, `^00u[a-zA-Z0-9]{17}$`),
//! else 24-hex object ids.
//!
//! Patterns are generated from the common subset of regular expressions that id patterns use:
//! literal characters, character classes (`[A-Z0-9]`, `\d`, `\w`, `.`) and repetition (`{n}`,
//! `{n,}`, `{n,m}`, `+`, `*`, `?`), anchored or not. Anything else (groups, alternation,
//! negated classes) falls back to object ids. Every generated id is checked against the input's
//! whole schema (pattern, format, lengths), so an id the sandbox makes always passes the
//! validation the engine and the sandbox apply to the input.

use actionspec_engine::schema::Schema;
use actionspec_engine::spec::{InputSpec, InputType};
use serde_json::Value;

use crate::rng::Rng;

/// How ids of one resource are made.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdGen {
    kind: Kind,
    /// The id input's schema, which generated string ids must pass.
    check: Option<std::sync::Arc<Schema>>,
}

#[derive(Debug, Clone, Default)]
enum Kind {
    /// 24-hex object ids.
    #[default]
    Hex,
    /// Integers in `lo..=hi`.
    Integer { lo: u64, hi: u64 },
    /// UUIDs (version 4 layout).
    Uuid,
    /// Strings built from a pattern.
    Pattern(Vec<Atom>),
}

/// One piece of a pattern: characters to choose from, repeated `min..=max` times.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Atom {
    chars: Vec<char>,
    min: usize,
    max: usize,
}

/// The largest repetition a generated id uses for an unbounded `{n,}`, `+` or `*`.
const OPEN_EXTRA: usize = 4;

impl IdGen {
    /// The generator for ids that `input` (the resource's id input) accepts; object ids when
    /// there is none or it says nothing about their form.
    pub(crate) fn for_input(input: Option<&InputSpec>) -> IdGen {
        let Some(input) = input else {
            return IdGen::default();
        };
        if input.kind == InputType::Integer {
            let lo = input.minimum.map_or(1, |m| m.max(1.0) as u64);
            let hi = input
                .maximum
                .map_or(9_999_999, |m| m.max(0.0) as u64)
                .max(lo);
            return IdGen {
                kind: Kind::Integer {
                    lo: lo.max(hi.min(1_000_000)),
                    hi,
                },
                check: None,
            };
        }
        let constrained = input.pattern.is_some()
            || input.format.is_some()
            || input.min_length.is_some()
            || input.max_length.is_some();
        if !constrained {
            return IdGen::default();
        }
        let mut schema = actionspec_engine::schema::input_property_schema(input);
        if let Value::Object(s) = &mut schema {
            // Only the form of one id matters here.
            s.remove("enum");
            s.remove("default");
            s.insert("type".into(), Value::from("string"));
        }
        let check = actionspec_engine::schema::compile(&schema)
            .ok()
            .map(std::sync::Arc::new);
        let kind = if input.format.as_deref() == Some("uuid") {
            Kind::Uuid
        } else {
            input
                .pattern
                .as_deref()
                .and_then(parse)
                .map_or(Kind::Hex, Kind::Pattern)
        };
        IdGen { kind, check }
    }

    /// Whether ids are integers (the id member then holds a JSON number).
    pub(crate) fn is_integer(&self) -> bool {
        matches!(self.kind, Kind::Integer { .. })
    }

    /// A new id. An object id is kept when it passes the input's schema (so APIs whose pattern
    /// is the object id format keep the sandbox's usual ids).
    pub(crate) fn generate(&self, rng: &mut Rng) -> String {
        if let Kind::Integer { lo, hi } = self.kind {
            let span = hi - lo;
            let n = if span == u64::MAX {
                rng.next_u64()
            } else {
                lo + rng.next_u64() % (span + 1)
            };
            return n.to_string();
        }
        let hex = rng.object_id();
        if self.accepts(&hex) || matches!(self.kind, Kind::Hex) {
            return hex;
        }
        let made = match &self.kind {
            Kind::Uuid => uuid(rng),
            Kind::Pattern(atoms) => from_atoms(atoms, rng),
            Kind::Hex | Kind::Integer { .. } => hex.clone(),
        };
        if self.accepts(&made) { made } else { hex }
    }

    fn accepts(&self, id: &str) -> bool {
        self.check
            .as_ref()
            .is_none_or(|s| s.violations(&Value::from(id)).is_empty())
    }

    /// The id as the record's id member holds it: a number for integer ids, else a string.
    pub(crate) fn value(&self, id: &str) -> Value {
        match (self.is_integer(), id.parse::<u64>()) {
            (true, Ok(n)) => Value::from(n),
            _ => Value::from(id),
        }
    }
}

/// A version 4 UUID from the generator.
fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn from_atoms(atoms: &[Atom], rng: &mut Rng) -> String {
    let mut out = String::new();
    for atom in atoms {
        let n = atom.min + rng.below(atom.max - atom.min + 1);
        for _ in 0..n {
            out.push(*rng.pick(&atom.chars, &'0'));
        }
    }
    out
}

/// Parses the supported subset of a pattern, or `None` for anything else.
fn parse(pattern: &str) -> Option<Vec<Atom>> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    let chars: Vec<char> = body.chars().collect();
    let mut atoms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (set, next) = match chars[i] {
            '[' => class(&chars, i + 1)?,
            '\\' => (escape(*chars.get(i + 1)?)?, i + 2),
            '.' => (word_chars(false), i + 1),
            '(' | ')' | '|' | '^' | '$' | '{' | '}' | '+' | '*' | '?' => return None,
            c => (vec![c], i + 1),
        };
        let (min, max, next) = quantifier(&chars, next)?;
        atoms.push(Atom {
            chars: set,
            min,
            max,
        });
        i = next;
    }
    (!atoms.is_empty()).then_some(atoms)
}

/// The characters of `[...]` starting after the `[`, and the index after the `]`.
fn class(chars: &[char], mut i: usize) -> Option<(Vec<char>, usize)> {
    if chars.get(i) == Some(&'^') {
        return None;
    }
    let mut set = Vec::new();
    while let Some(&c) = chars.get(i) {
        if c == ']' && !set.is_empty() {
            set.dedup();
            return Some((set, i + 1));
        }
        let (first, next) = if c == '\\' {
            let e = escape(*chars.get(i + 1)?)?;
            if e.len() > 1 {
                set.extend(e);
                i += 2;
                continue;
            }
            (e[0], i + 2)
        } else {
            (c, i + 1)
        };
        if chars.get(next) == Some(&'-') && chars.get(next + 1).is_some_and(|c| *c != ']') {
            let last = chars[next + 1];
            if last < first {
                return None;
            }
            set.extend(first..=last);
            i = next + 2;
        } else {
            set.push(first);
            i = next;
        }
    }
    None
}

/// What `\c` stands for.
fn escape(c: char) -> Option<Vec<char>> {
    match c {
        'd' => Some(('0'..='9').collect()),
        'w' => Some(word_chars(true)),
        's' | 'S' | 'D' | 'W' | 'b' | 'B' | 'p' | 'P' => None,
        c if c.is_ascii_alphanumeric() => None,
        c => Some(vec![c]),
    }
}

fn word_chars(underscore: bool) -> Vec<char> {
    let mut v: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    if underscore {
        v.push('_');
    }
    v
}

/// The repetition after an atom at `i`: `(min, max, index after it)`.
fn quantifier(chars: &[char], i: usize) -> Option<(usize, usize, usize)> {
    match chars.get(i) {
        Some('?') => Some((0, 1, i + 1)),
        Some('+') => Some((8, 8 + OPEN_EXTRA, i + 1)),
        Some('*') => Some((8, 8 + OPEN_EXTRA, i + 1)),
        Some('{') => {
            let close = i + chars[i..].iter().position(|c| *c == '}')?;
            let inner: String = chars[i + 1..close].iter().collect();
            let (min, max) = match inner.split_once(',') {
                None => {
                    let n = inner.trim().parse().ok()?;
                    (n, n)
                }
                Some((lo, "")) => {
                    let n: usize = lo.trim().parse().ok()?;
                    (n, n + OPEN_EXTRA)
                }
                Some((lo, hi)) => (lo.trim().parse().ok()?, hi.trim().parse().ok()?),
            };
            // Ids are short; a pattern asking for thousands of characters is not one.
            (min <= max && max <= 256).then_some((min, max, close + 1))
        }
        _ => Some((1, 1, i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> InputSpec {
        serde_json::from_value(v).unwrap()
    }

    fn ids(generator: &IdGen) -> Vec<String> {
        let mut rng = Rng::new(5);
        (0..50).map(|_| generator.generate(&mut rng)).collect()
    }

    #[test]
    fn patterns_of_the_common_subset_are_honoured() {
        for pattern in [
            "^C[A-Z0-9]{8,}$",
            "^00u[a-zA-Z0-9]{17}$",
            "^U\\d{6}-[a-f]+$",
            "^cus_\\w{14}$",
            "^[0-9]{3}\\.[A-Z]?x$",
        ] {
            let spec = input(json!({"type": "string", "in": "path", "pattern": pattern}));
            let generator = IdGen::for_input(Some(&spec));
            let re = regex_check(pattern);
            for id in ids(&generator) {
                assert!(
                    re.violations(&Value::from(id.as_str())).is_empty(),
                    "{pattern}: {id}"
                );
            }
        }
    }

    fn regex_check(pattern: &str) -> Schema {
        actionspec_engine::schema::compile(&json!({"type": "string", "pattern": pattern})).unwrap()
    }

    #[test]
    fn object_ids_are_kept_when_the_pattern_allows_them() {
        let spec = input(json!({"type": "string", "in": "path", "pattern": "^[0-9a-f]{24}$"}));
        let mut a = Rng::new(9);
        let mut b = Rng::new(9);
        assert_eq!(
            IdGen::for_input(Some(&spec)).generate(&mut a),
            b.object_id()
        );
    }

    #[test]
    fn integers_uuids_and_fallbacks() {
        let int = IdGen::for_input(Some(&input(json!({"type": "integer", "in": "path"}))));
        assert!(int.is_integer());
        for id in ids(&int) {
            assert!(id.parse::<u64>().is_ok_and(|n| n >= 1_000_000), "{id}");
        }
        assert_eq!(int.value("42"), json!(42));
        let uuid = IdGen::for_input(Some(&input(
            json!({"type": "string", "in": "path", "format": "uuid"}),
        )));
        for id in ids(&uuid) {
            assert_eq!(id.len(), 36, "{id}");
        }
        let odd = IdGen::for_input(Some(&input(
            json!({"type": "string", "in": "path", "pattern": "^(a|b)+$"}),
        )));
        assert_eq!(ids(&odd)[0].len(), 24, "unsupported patterns fall back");
        assert!(parse("[^a]").is_none());
        assert!(parse("a{1,99999}").is_none());
    }
}
