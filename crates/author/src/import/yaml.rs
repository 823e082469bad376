//! A small YAML writer for generated connectors: block mappings with comments where the importer
//! puts them, short values in flow style (`{ type: string, in: path }`), every string either
//! plain (when YAML 1.2 reads it back as the same string) or double-quoted as JSON, multi-line
//! text as literal blocks.

use serde_json::Value;

/// The widest a flow-style line may be before a value is written as a block.
const WIDTH: usize = 100;

/// A mapping whose members may carry comments.
#[derive(Debug, Default, Clone)]
pub struct Map {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    comments: Vec<String>,
    value: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Value(Value),
    Map(Map),
}

impl Map {
    /// An empty mapping.
    pub fn new() -> Map {
        Map::default()
    }

    /// Adds `key: value`.
    pub fn value(&mut self, key: &str, value: impl Into<Value>) -> &mut Map {
        self.push(key, Vec::new(), Node::Value(value.into()))
    }

    /// Adds `key: value` after comment lines.
    pub fn value_with(&mut self, key: &str, comments: Vec<String>, value: Value) -> &mut Map {
        self.push(key, comments, Node::Value(value))
    }

    /// Adds `key:` with a nested mapping, after comment lines.
    pub fn map(&mut self, key: &str, comments: Vec<String>, map: Map) -> &mut Map {
        self.push(key, comments, Node::Map(map))
    }

    /// Whether the mapping has no member.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn push(&mut self, key: &str, comments: Vec<String>, value: Node) -> &mut Map {
        self.entries.push(Entry {
            key: key.to_owned(),
            comments,
            value,
        });
        self
    }

    /// The mapping as a YAML document (or nested at `indent` spaces).
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        for e in &self.entries {
            comments(&mut out, indent, &e.comments);
            let key = scalar_key(&e.key);
            match &e.value {
                Node::Map(m) if m.is_empty() => {
                    out.push_str(&format!("{}{key}: {{}}\n", pad(indent)));
                }
                Node::Map(m) => {
                    out.push_str(&format!("{}{key}:\n", pad(indent)));
                    out.push_str(&m.render(indent + 2));
                }
                Node::Value(v) => member(&mut out, indent, &key, v),
            }
        }
        out
    }
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

/// `# text` lines (each line of each comment) at `indent`.
pub fn comments(out: &mut String, indent: usize, lines: &[String]) {
    for c in lines {
        for line in c.lines() {
            for part in wrap(line.trim_end(), WIDTH.saturating_sub(indent + 2).max(40)) {
                if part.is_empty() {
                    out.push_str(&format!("{}#\n", pad(indent)));
                } else {
                    out.push_str(&format!("{}# {part}\n", pad(indent)));
                }
            }
        }
    }
}

/// `line` in lines of at most `width` characters, broken at spaces.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in line.split(' ') {
        let last = out.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            out.push(String::new());
        }
        if let Some(l) = out.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    out
}

/// `key: value` at `indent`, the value in flow style when it fits, else as a block.
fn member(out: &mut String, indent: usize, key: &str, v: &Value) {
    if let Some(text) = v.as_str().filter(|s| literal_ok(s)) {
        out.push_str(&format!("{}{key}: |-\n", pad(indent)));
        for line in text.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{}{line}\n", pad(indent + 2)));
            }
        }
        return;
    }
    let flow = flow(v);
    let fits = indent + key.len() + 2 + flow.len() <= WIDTH;
    match v {
        Value::Object(map) if !map.is_empty() && !fits => {
            out.push_str(&format!("{}{key}:\n", pad(indent)));
            block_object(out, indent + 2, map);
        }
        Value::Array(items) if !items.is_empty() && !fits => {
            out.push_str(&format!("{}{key}:\n", pad(indent)));
            block_array(out, indent + 2, items);
        }
        _ => out.push_str(&format!("{}{key}: {flow}\n", pad(indent))),
    }
}

fn block_object(out: &mut String, indent: usize, map: &serde_json::Map<String, Value>) {
    for (k, v) in map {
        member(out, indent, &scalar_key(k), v);
    }
}

fn block_array(out: &mut String, indent: usize, items: &[Value]) {
    for item in items {
        let mut text = String::new();
        match item {
            Value::Object(map) if !map.is_empty() && indent + 2 + flow(item).len() > WIDTH => {
                block_object(&mut text, indent + 2, map);
            }
            Value::Array(inner) if !inner.is_empty() && indent + 2 + flow(item).len() > WIDTH => {
                block_array(&mut text, indent + 2, inner);
            }
            _ => text = format!("{}{}\n", pad(indent + 2), flow(item)),
        }
        // The first line's indentation becomes the item's `- `.
        out.push_str(&pad(indent));
        out.push_str("- ");
        out.push_str(&text[indent + 2..]);
    }
}

/// A value in flow style, on one line.
pub fn flow(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar_key(k), flow(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
    }
}

/// A string as a plain scalar when YAML 1.2 (core schema) reads it back unchanged in block and
/// flow context alike, else double-quoted as JSON (a subset of YAML's double-quoted style).
pub fn scalar(s: &str) -> String {
    if plain_ok(s) { s.to_owned() } else { quoted(s) }
}

fn scalar_key(s: &str) -> String {
    scalar(s)
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "~" | ".inf" | ".nan" | "-.inf" | "+.inf"
    );
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.-/()'".contains(c))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !reserved
}

/// Whether a string is written as a literal block (`|-`): several lines, none with trailing
/// spaces or tabs, not starting with a space, not ending with a line break.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.contains('\r')
        && !s.contains('\t')
        && !s.starts_with([' ', '\n'])
        && !s.ends_with('\n')
        && s.lines().all(|l| l == l.trim_end())
        && s.chars().all(|c| !c.is_control() || c == '\n')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What is written reads back as the same JSON.
    #[test]
    fn round_trips_through_the_engine_reader() {
        let value = json!({
            "plain": "Get a user", "path": "/users/{id}", "yes": "yes", "no": "true", "num": "0755",
            "colon": "a: b", "hash": "a #b", "empty": "", "lines": "first\nsecond\n\nthird",
            "nested": { "list": [ { "a": 1, "b": [1, 2] }, "x", { "long": "y".repeat(120) } ] },
            "quote": "it's \"quoted\"", "unicode": "café ☕", "ctrl": "a\u{1}b", "n": null,
        });
        let mut map = Map::new();
        map.value_with(
            "top",
            vec!["a comment\nover two lines".to_owned()],
            value.clone(),
        );
        let text = map.render(0);
        let back = actionspec_engine::yaml::parse(&text).map_err(|e| format!("{e:?}\n{text}"));
        assert_eq!(back.unwrap().value["top"], value, "{text}");
    }
}
