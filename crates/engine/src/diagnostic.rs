//! Located diagnostics for connector files, rendered rustc-style:
//!
//! ```text
//! error: unknown key `methd` in action `get_user`
//!   --> connectors/broken.yaml:12:5
//!    |
//! 12 |     methd: GET
//!    |     ^^^^^ not a key of an action
//!    |
//!    = help: did you mean `method`?
//! ```

use std::fmt;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::yaml::{Pos, Span};

/// One problem in a connector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is, when known.
    pub span: Option<Span>,
    /// JSON pointer of the offending node (`/actions/get_user/method`), when it has one.
    pub pointer: Option<String>,
    /// One-line description of what is wrong.
    pub title: String,
    /// Short text shown under the caret.
    pub label: String,
    /// What to change to fix it.
    pub hint: Option<String>,
    /// A second place involved, with its own label (e.g. "first defined here").
    pub related: Option<(Span, String)>,
}

impl Diagnostic {
    /// A diagnostic with a title and a label, without location.
    pub fn new(title: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic {
            span: None,
            pointer: None,
            title: title.into(),
            label: label.into(),
            hint: None,
            related: None,
        }
    }

    /// Sets the hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the location.
    #[must_use]
    pub fn at(mut self, span: Option<Span>, pointer: Option<String>) -> Self {
        self.span = span;
        self.pointer = pointer;
        self
    }
}

/// All problems found in one connector file. Displays as the rendered report.
#[derive(Debug, Clone, thiserror::Error)]
pub struct SpecError {
    /// The file as given (display path).
    pub file: String,
    /// The file's text.
    pub source_text: Arc<str>,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecError {
    /// Renders every diagnostic, rustc-style, without colours.
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for d in &self.diagnostics {
            out.push_str(&render_one(&renderer, &self.file, &self.source_text, d));
            out.push_str("\n\n");
        }
        let n = self.diagnostics.len();
        out.push_str(&format!(
            "error: {} has {n} problem{}\n",
            self.file,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// How a lint is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintLevel {
    /// `warning[L001]: …`: reported, not failing.
    Warning,
    /// `error[L001]: …`: warnings are denied.
    Error,
}

/// Renders one diagnostic of `file` (whose text is `source`) as a lint with its `code`,
/// rustc-style and without colours, at `level`.
pub fn render_lint(
    file: &str,
    source: &str,
    d: &Diagnostic,
    code: &str,
    level: LintLevel,
) -> String {
    let level = match level {
        LintLevel::Error => Level::ERROR,
        LintLevel::Warning => Level::WARNING,
    };
    render_at(&Renderer::plain(), level, Some(code), file, source, d)
}

fn render_one(renderer: &Renderer, file: &str, source: &str, d: &Diagnostic) -> String {
    render_at(renderer, Level::ERROR, None, file, source, d)
}

fn render_at(
    renderer: &Renderer,
    level: Level<'_>,
    code: Option<&str>,
    file: &str,
    source: &str,
    d: &Diagnostic,
) -> String {
    let mut title = level.primary_title(d.title.as_str());
    if let Some(code) = code {
        title = title.id(code.to_owned());
    }
    let mut group: Group<'_> = if let Some(span) = d.span {
        let mut snippet = Snippet::source(source).path(file).fold(true);
        snippet = snippet.annotation(
            AnnotationKind::Primary
                .span(byte_range(source, span))
                .label(d.label.as_str()),
        );
        if let Some((rel, label)) = &d.related {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(byte_range(source, *rel))
                    .label(label.as_str()),
            );
        }
        title.element(snippet)
    } else {
        title.element(Level::NOTE.message(format!("in {file}")))
    };
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    renderer.render(&[group]).to_string()
}

/// Byte range of a span in `source`, clamped to one line and to at least one character.
fn byte_range(source: &str, span: Span) -> std::ops::Range<usize> {
    let start = byte_offset(source, span.start);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let end = if span.end.line == span.start.line && span.end.col > span.start.col {
        byte_offset(source, span.end).min(line_end)
    } else {
        line_end
    };
    if end > start {
        start..end
    } else {
        // Point at one character (or the line end) so the caret is visible.
        let next = source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        start..next.max(start)
    }
}

fn byte_offset(source: &str, pos: Pos) -> usize {
    let mut offset = 0;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        if i + 1 == pos.line {
            let col = pos.col.saturating_sub(1);
            return offset
                + line
                    .char_indices()
                    .nth(col)
                    .map_or(line.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += line.len();
    }
    source.len()
}

/// The closest candidate to `name`, for "did you mean …?" hints: a case-insensitive match, else
/// the most similar by Jaro-Winkler (≥ 0.8), else one edit away (a swap counts as one edit).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(c);
    }
    let best = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c);
    best.or_else(|| {
        candidates
            .iter()
            .map(|c| {
                (
                    strsim::osa_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                    *c,
                )
            })
            .filter(|(d, c)| *d <= 1 || (*d == 2 && c.len() >= 6))
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    })
}

/// "did you mean `x`?" or a list of the valid names, for an unknown name.
pub fn unknown_name_hint<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match did_you_mean(name, candidates.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
            if all.is_empty() {
                format!("no {what} is declared")
            } else {
                format!("valid {what}s: {}", all.join(", "))
            }
        }
    }
}

/// "1 record", "2 records".
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "an object", "a string".
pub(crate) fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("methd", ["method", "path", "name"]),
            Some("method")
        );
        assert_eq!(did_you_mean("zzz", ["method", "path"]), None);
        assert_eq!(did_you_mean("GTE", ["GET", "POST", "PUT"]), Some("GET"));
        assert_eq!(did_you_mean("get", ["GET", "POST"]), Some("GET"));
    }

    #[test]
    fn renders_a_caret_under_the_span() {
        let source: Arc<str> = Arc::from("a: 1\nmethd: GET\n");
        let span = Span {
            start: Pos { line: 2, col: 1 },
            end: Pos { line: 2, col: 6 },
        };
        let err = SpecError {
            file: "x.yaml".into(),
            source_text: source,
            diagnostics: vec![
                Diagnostic::new("unknown key `methd`", "not a key here")
                    .at(Some(span), None)
                    .hint("did you mean `method`?"),
            ],
        };
        let out = err.render();
        assert!(out.contains("--> x.yaml:2:1"), "{out}");
        assert!(out.contains("2 | methd: GET"), "{out}");
        assert!(out.contains("  | ^^^^^ not a key here"), "{out}");
        assert!(out.contains("help: did you mean `method`?"), "{out}");
    }
}
