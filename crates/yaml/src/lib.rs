//! YAML → JSON with a source map.
//!
//! Connector files are read from the parser's event stream (`saphyr-parser`) rather than through
//! serde, for three reasons: every node's position is recorded (so a JSON pointer can be turned
//! into `file:line:col`), duplicate keys are reported instead of silently overwritten, and scalars
//! are resolved with the YAML 1.2 JSON schema, so YAML 1.1 surprises cannot happen: `no`, `on`,
//! `yes` and `off` stay strings, and so do `0755`, `0x1F` and `1_000`.
//!
//! A crate of its own, with no dependency beyond the parser and `serde_json`, so that the
//! engine and the CLI's build script (which turns the built-in connectors into JSON at build
//! time) read YAML the same way.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};
use serde_json::{Map, Number, Value};

/// A position in a source file: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub col: usize,
}

/// A range of source text, `start` inclusive and `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First character of the range.
    pub start: Pos,
    /// One past the last character of the range (same line as `start` for scalars).
    pub end: Pos,
}

impl Span {
    fn from_yaml(span: &YamlSpan) -> Self {
        Span {
            start: Pos {
                line: span.start.line(),
                col: span.start.col() + 1,
            },
            end: Pos {
                line: span.end.line(),
                col: span.end.col() + 1,
            },
        }
    }
}

/// Where a node of the document came from: its value, and its key when it is a mapping member.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeLoc {
    /// The span of the mapping key, for mapping members.
    pub key: Option<Span>,
    /// The span of the value (for collections, from their first to their last character).
    pub value: Span,
}

/// Maps RFC 6901 JSON pointers (`/actions/get_user/method`) to source positions.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    nodes: HashMap<String, NodeLoc>,
}

impl SourceMap {
    /// The location of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn locate(&self, pointer: &str) -> Option<NodeLoc> {
        let mut p = pointer;
        loop {
            if let Some(loc) = self.nodes.get(p) {
                return Some(*loc);
            }
            if p.is_empty() {
                return None;
            }
            p = match p.rfind('/') {
                Some(i) => &p[..i],
                None => "",
            };
        }
    }

    /// The span to point at for `pointer`: its key when it is a mapping member, else its value.
    pub fn key_or_value(&self, pointer: &str) -> Option<Span> {
        self.locate(pointer).map(|l| l.key.unwrap_or(l.value))
    }
}

/// A YAML problem found while reading the document.
#[derive(Debug, Clone)]
pub struct YamlIssue {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// A second place involved (e.g. the first definition of a duplicate key).
    pub related: Option<(Span, String)>,
}

/// A parsed YAML document: its JSON value and where each node came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// JSON pointer → source position.
    pub map: SourceMap,
}

/// Escapes one JSON pointer reference token (RFC 6901 §3: `~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer reference token (RFC 6901 §4: `~1` → `/`, then `~0` → `~`).
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Parses one YAML document. Syntax errors stop the parse (one issue is returned); duplicate
/// keys, unsupported tags and complex keys are collected and all returned together.
///
/// # Errors
/// Every problem found, each with its position.
pub fn parse(source: &str) -> Result<Document, Vec<YamlIssue>> {
    read(source, true)
}

/// As [`parse`], with the same checks, but records no node positions: the document's source map
/// is empty. For a file known to be valid, where no diagnostic will need a location.
///
/// # Errors
/// As [`parse`] (the issues are still located: they come from the parser's own positions).
pub fn parse_untracked(source: &str) -> Result<Document, Vec<YamlIssue>> {
    read(source, false)
}

fn read(source: &str, track: bool) -> Result<Document, Vec<YamlIssue>> {
    let mut reader = Reader {
        parser: Parser::new_from_str(source),
        map: SourceMap::default(),
        issues: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        depth: 0,
        track,
    };
    match reader.document() {
        Ok(value) if reader.issues.is_empty() => Ok(Document {
            value,
            map: reader.map,
        }),
        Ok(_) => Err(reader.issues),
        Err(issue) => {
            let issue = tab_indentation(source, issue.span.start.line).unwrap_or(*issue);
            reader.issues.push(issue);
            Err(reader.issues)
        }
    }
}

/// YAML forbids tabs in indentation, and the parser reports that late and vaguely ("found a
/// tab" on some later token). If a line up to the error is indented with a tab, say so there.
fn tab_indentation(source: &str, error_line: usize) -> Option<YamlIssue> {
    source
        .lines()
        .take(error_line + 1)
        .enumerate()
        .find_map(|(i, line)| {
            let indent: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let col = indent.chars().position(|c| c == '\t')?;
            let pos = Pos {
                line: i + 1,
                col: col + 1,
            };
            Some(YamlIssue {
                span: Span {
                    start: pos,
                    end: Pos {
                        line: pos.line,
                        col: pos.col + 1,
                    },
                },
                message: "YAML syntax error: tab used for indentation".into(),
                hint: Some("YAML indentation must use spaces: replace the tab with spaces".into()),
                related: None,
            })
        })
}

struct Reader<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    map: SourceMap,
    issues: Vec<YamlIssue>,
    /// Anchored values and how many nodes each holds.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes produced so far, counting each alias as the nodes it expands to.
    nodes: usize,
    /// Sequences and mappings open around the current event.
    depth: usize,
    /// Whether node positions are recorded (the source map).
    track: bool,
}

type Step<T> = Result<T, Box<YamlIssue>>;

/// The most values (scalars, sequences, mappings, with aliases expanded) a document may hold:
/// far above any real connector (the largest shipped one has about 10,000), far below what exhausts memory.
pub const MAX_NODES: usize = 1_000_000;

/// The deepest nesting of sequences and mappings (block or flow) a document may have; the top
/// level mapping is depth 1. Connector files need about 10 levels (the shipped connectors' deepest node, in
/// an example response, is at 10); the limit keeps a file of thousands of nested `- ` or `[`
/// from exhausting the stack of the reader and of everything that walks the value after it.
pub const MAX_DEPTH: usize = 64;

impl<'a> Reader<'a> {
    fn next(&mut self) -> Step<(Event<'a>, Span)> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => Ok((event, Span::from_yaml(&span))),
            Some(Err(e)) => {
                let m = e.marker();
                let pos = Pos {
                    line: m.line(),
                    col: m.col() + 1,
                };
                let span = Span {
                    start: pos,
                    end: Pos {
                        line: pos.line,
                        col: pos.col + 1,
                    },
                };
                // The scanner reads flow collections (`[[[…`) ahead of the events and stops at
                // its own limit (255 levels) before the reader reaches `MAX_DEPTH`: say so.
                if e.info() == "recursion limit exceeded" {
                    let mut issue = too_deep(span);
                    issue
                        .message
                        .push_str(" (the parser stopped at 255 levels of `[` and `{`)");
                    return Err(issue);
                }
                Err(Box::new(YamlIssue {
                    span,
                    message: format!("YAML syntax error: {}", e.info()),
                    hint: Some(
                        "check the indentation and quoting on this line or the one before it"
                            .into(),
                    ),
                    related: None,
                }))
            }
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    /// Counts `n` more nodes, failing past [`MAX_NODES`].
    fn count(&mut self, n: usize, span: Span) -> Step<()> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Box::new(YamlIssue {
                span,
                message: format!("the document expands to more than {MAX_NODES} values"),
                hint: Some("aliases (`*name`) copy what their anchor holds; nested aliases multiply it. Write the values out, or use fewer nested aliases".into()),
                related: None,
            }));
        }
        Ok(())
    }

    /// Enters a sequence or mapping that starts at `span`, failing past [`MAX_DEPTH`].
    fn enter(&mut self, span: Span) -> Step<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep(span));
        }
        Ok(())
    }

    fn document(&mut self) -> Step<Value> {
        let mut value = Value::Null;
        let mut seen_doc = false;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::DocumentStart(_) => {
                    if seen_doc {
                        return Err(Box::new(YamlIssue {
                            span,
                            message:
                                "a connector file holds one YAML document, this is a second one"
                                    .into(),
                            hint: Some(
                                "remove the `---` separator or split the file in two".into(),
                            ),
                            related: None,
                        }));
                    }
                    seen_doc = true;
                    let (event, span) = self.next()?;
                    if matches!(event, Event::DocumentEnd | Event::StreamEnd) {
                        continue;
                    }
                    value = self.node(event, span, String::new(), None)?;
                }
                Event::StreamEnd => return Ok(value),
                _ => {
                    let v = self.node(event, span, String::new(), None)?;
                    value = v;
                }
            }
        }
    }

    /// One node from its first event: its value, recorded in the source map at `pointer` (with
    /// the span of its key, for mapping members) unless `pointer` is a throwaway (`/\0…`).
    fn node(
        &mut self,
        event: Event<'a>,
        span: Span,
        pointer: String,
        key: Option<Span>,
    ) -> Step<Value> {
        let (value, end) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = self.scalar(&text, style, tag.as_deref(), span);
                self.count(1, span)?;
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                (value, span)
            }
            Event::Alias(id) => {
                let (value, size) = self.anchors.get(&id).cloned().unwrap_or((Value::Null, 1));
                // Aliases expand: a small file can describe an enormous document ("billion
                // laughs"), so expansion counts against the node limit.
                self.count(size, span)?;
                (value, span)
            }
            Event::SequenceStart(anchor, _) => {
                self.collection(anchor, span, |p| p.sequence(&pointer))?
            }
            Event::MappingStart(anchor, _) => {
                self.collection(anchor, span, |p| p.mapping(&pointer))?
            }
            Event::StreamEnd
            | Event::DocumentEnd
            | Event::DocumentStart(_)
            | Event::Nothing
            | Event::StreamStart
            | Event::SequenceEnd
            | Event::MappingEnd => (Value::Null, span),
        };
        let value_span = Span {
            start: span.start,
            end: if end.end > span.start {
                end.end
            } else {
                span.end
            },
        };
        if self.track && !pointer.starts_with("/\u{0}") {
            self.map.nodes.insert(
                pointer,
                NodeLoc {
                    key,
                    value: value_span,
                },
            );
        }
        Ok(value)
    }

    /// A scalar's value: YAML 1.2 core schema resolution, `!!str` kept as a string; any other
    /// tag is an issue (and the text is kept as a string).
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Value {
        match tag {
            None => resolve_scalar(text, style),
            Some(tag) if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" => {
                match tag.suffix.as_str() {
                    "str" => Value::String(text.to_owned()),
                    _ => resolve_scalar(text, style),
                }
            }
            Some(tag) => {
                self.issues.push(YamlIssue {
                    span,
                    message: format!("unsupported YAML tag `{}{}`", tag.handle, tag.suffix),
                    hint: Some("remove the tag; connector files use plain YAML values".into()),
                    related: None,
                });
                Value::String(text.to_owned())
            }
        }
    }

    /// A sequence or mapping: counted, nested one level deeper, its children read by `read`,
    /// and recorded under `anchor` with the number of nodes it holds (what an alias expands to).
    fn collection(
        &mut self,
        anchor: usize,
        span: Span,
        read: impl FnOnce(&mut Self) -> Step<(Value, Span)>,
    ) -> Step<(Value, Span)> {
        let before = self.nodes;
        self.count(1, span)?;
        self.enter(span)?;
        let (value, end) = read(self)?;
        self.depth -= 1;
        if anchor > 0 {
            self.anchors
                .insert(anchor, (value.clone(), self.nodes - before));
        }
        Ok((value, end))
    }

    /// A sequence's items, up to its end; returns the array and the end's span.
    fn sequence(&mut self, pointer: &str) -> Step<(Value, Span)> {
        let mut items = Vec::new();
        loop {
            let (event, item_span) = self.next()?;
            if let Event::SequenceEnd = event {
                return Ok((Value::Array(items), item_span));
            }
            let child = if self.track {
                format!("{pointer}/{}", items.len())
            } else {
                String::new()
            };
            items.push(self.node(event, item_span, child, None)?);
        }
    }

    /// A mapping's members, up to its end: keys must be plain strings and unique (the issues
    /// say where); returns the object and the end's span.
    fn mapping(&mut self, pointer: &str) -> Step<(Value, Span)> {
        let mut members = Map::new();
        let mut key_spans: HashMap<String, Span> = HashMap::new();
        loop {
            let (event, key_span) = self.next()?;
            let name = match event {
                Event::MappingEnd => return Ok((Value::Object(members), key_span)),
                // Keys are taken as written: `on:` and `1:` are the strings "on" and "1".
                Event::Scalar(text, _, _, _) => text.into_owned(),
                other => {
                    self.issues.push(YamlIssue {
                        span: key_span,
                        message: "mapping keys must be plain strings".into(),
                        hint: Some("write the key as a string".into()),
                        related: None,
                    });
                    // Consume the complex key and its value to stay in step.
                    self.node(other, key_span, String::from("/\u{0}"), None)?;
                    self.skip_value()?;
                    continue;
                }
            };
            if let Some(first) = key_spans.get(&name) {
                self.issues.push(YamlIssue {
                    span: key_span,
                    message: format!("duplicate key `{name}`"),
                    hint: Some(
                        "each key may appear once in a mapping: remove or rename one of them"
                            .into(),
                    ),
                    related: Some((*first, "first defined here".into())),
                });
                // Parse the duplicate's value (to stay in step) without recording it.
                self.skip_value()?;
                continue;
            }
            let child = if self.track {
                format!("{pointer}/{}", escape_token(&name))
            } else {
                String::new()
            };
            let (event, value_span) = self.next()?;
            key_spans.insert(name.clone(), key_span);
            let value = self.node(event, value_span, child, Some(key_span))?;
            members.insert(name, value);
        }
    }

    /// Reads the next node without recording it in the source map.
    fn skip_value(&mut self) -> Step<()> {
        let (event, span) = self.next()?;
        self.node(event, span, String::from("/\u{0}"), None)
            .map(drop)
    }
}

/// The issue for nesting deeper than [`MAX_DEPTH`], at the first character of `span`.
fn too_deep(span: Span) -> Box<YamlIssue> {
    let start = span.start;
    Box::new(YamlIssue {
        span: Span {
            start,
            end: Pos {
                line: start.line,
                col: start.col + 1,
            },
        },
        message: format!(
            "YAML nesting too deep: more than {MAX_DEPTH} levels of lists and mappings"
        ),
        hint: Some(format!(
            "connector files need about 10 levels and at most {MAX_DEPTH} are read: look for a run of `- `, `[` or `{{` here"
        )),
        related: None,
    })
}

/// Resolves a scalar with the YAML 1.2 JSON schema (§10.2), accepting the capitalised booleans
/// and nulls of the core schema. Quoted and block scalars are always strings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_json_int(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = text.parse::<u64>() {
            return Value::Number(u.into());
        }
    }
    if is_json_float(text)
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

/// `-?(0|[1-9][0-9]*)`: no leading zeros, so `0755` stays a string.
fn is_json_int(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least a fraction or an exponent.
fn is_json_float(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if frac.is_none() && exponent.is_none() {
        return false;
    }
    let int_ok = is_json_int(int) && !int.starts_with('-');
    let frac_ok = frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()));
    let exp_ok = exponent.is_none_or(|e| {
        let d = e.strip_prefix(['+', '-']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    });
    int_ok && frac_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_surprises_stay_strings() {
        let doc = parse("a: no\nb: on\nc: 0755\nd: yes\ne: 0x1F\nf: 1_000\ng: 12\nh: 1.5\ni: true\nj: ~\nk: '12'\nl: -3\nm: 1e3\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            doc.value,
            json!({"a": "no", "b": "on", "c": "0755", "d": "yes", "e": "0x1F", "f": "1_000", "g": 12,
                   "h": 1.5, "i": true, "j": null, "k": "12", "l": -3, "m": 1000.0})
        );
    }

    #[test]
    fn positions_are_recorded_for_keys_and_values() {
        let doc =
            parse("top:\n  inner: value\n  list:\n    - x\n").unwrap_or_else(|e| panic!("{e:?}"));
        let loc = doc
            .map
            .locate("/top/inner")
            .unwrap_or_else(|| panic!("no loc"));
        assert_eq!(loc.key.map(|k| k.start), Some(Pos { line: 2, col: 3 }));
        assert_eq!(loc.value.start, Pos { line: 2, col: 10 });
        let item = doc
            .map
            .locate("/top/list/0")
            .unwrap_or_else(|| panic!("no loc"));
        assert_eq!(item.value.start, Pos { line: 4, col: 7 });
        // Unknown children fall back to the nearest ancestor.
        assert_eq!(
            doc.map.locate("/top/list/0/missing").map(|l| l.value.start),
            Some(Pos { line: 4, col: 7 })
        );
    }

    #[test]
    fn duplicate_keys_are_all_reported() {
        let issues = parse("a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n")
            .err()
            .unwrap_or_default();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].message, "duplicate key `a`");
        assert_eq!(issues[0].span.start, Pos { line: 3, col: 1 });
        assert_eq!(
            issues[0].related.as_ref().map(|r| r.0.start),
            Some(Pos { line: 1, col: 1 })
        );
        assert_eq!(issues[1].span.start, Pos { line: 6, col: 3 });
    }

    #[test]
    fn syntax_error_has_a_position() {
        let issues = parse("a: [1, 2\nb: 3\n").err().unwrap_or_default();
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.starts_with("YAML syntax error"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let doc = parse("a: &x {k: 1}\nb: *x\n").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(doc.value, json!({"a": {"k": 1}, "b": {"k": 1}}));
    }

    /// Regression: nested aliases ("billion laughs") took gigabytes before the node limit.
    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
            doc.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 9].join(", ")
            ));
        }
        let issues = parse(&doc).err().unwrap_or_default();
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("expands to more than"),
            "{}",
            issues[0].message
        );
    }

    /// Regression: 10,500 nested `- ` (21 KB) overflowed the reader's stack and aborted.
    #[test]
    fn deep_block_nesting_is_refused() {
        let issues = parse(&format!("{}a\n", "- ".repeat(10_500)))
            .err()
            .unwrap_or_default();
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("nesting too deep"),
            "{}",
            issues[0].message
        );
        // At the first collection past the limit: the 65th `- ` starts at column 129.
        assert_eq!(
            issues[0].span.start,
            Pos {
                line: 1,
                col: 2 * MAX_DEPTH + 1
            }
        );
    }

    #[test]
    fn deep_flow_nesting_is_refused() {
        let n = 100_000;
        let issues = parse(&format!("a: {}{}\n", "[".repeat(n), "]".repeat(n)))
            .err()
            .unwrap_or_default();
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("nesting too deep"),
            "{}",
            issues[0].message
        );
        let mixed = format!("a: {}{}\n", "[{b: ".repeat(n), "}]".repeat(n));
        let issues = parse(&mixed).err().unwrap_or_default();
        assert!(
            issues[0].message.contains("nesting too deep"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        let at_limit = format!("{}{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&at_limit).is_ok());
        let past = format!(
            "{}{}\n",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&past).is_err());
        let mut block = String::new();
        for level in 0..MAX_DEPTH {
            block.push_str(&format!("{}k:\n", "  ".repeat(level)));
        }
        block.push_str(&format!("{}v\n", "  ".repeat(MAX_DEPTH)));
        // 64 mappings, the last holding a scalar.
        assert!(parse(&block).is_ok());
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        let doc = parse("paths:\n  /a/b~c: 1\n").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            doc.map
                .locate("/paths/~1a~1b~0c")
                .and_then(|l| l.key)
                .is_some()
        );
    }
}
