//! Colour on a terminal (`--color`), for diagnostics, logs and pretty JSON.
//!
//! `auto` colours a stream only when `NO_COLOR` (set and not empty, <https://no-color.org>) is
//! unset, and then when `CLICOLOR_FORCE` is set (not `0`: even a pipe), or when the stream is a
//! terminal and `TERM` is not `dumb`. `always` and `never` decide alone.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// When to colour (`--color`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    // Plain comments: doc comments would turn `--help` into the long form.
    // On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    // Always, even in a pipe.
    Always,
    // Never.
    Never,
}

/// A stream that may be coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Results.
    Stdout,
    /// Diagnostics, logs and notes.
    Stderr,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records this run's `--color` (the first call wins).
pub(crate) fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether `stream` is coloured in this run.
pub(crate) fn enabled(stream: Stream) -> bool {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match CHOICE.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            // NO_COLOR is the user's wish and wins over a forced colour.
            if var("NO_COLOR").is_some() {
                return false;
            }
            if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            if var("TERM").is_some_and(|t| t == "dumb") {
                return false;
            }
            match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            }
        }
    }
}

/// An SGR style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Errors: bold red.
    Error,
    /// Warnings: bold yellow.
    Warning,
    /// Hints and notes: bold cyan.
    Hint,
    /// Object keys: blue.
    Key,
    /// Strings: green.
    Str,
    /// Numbers, booleans and null: magenta.
    Literal,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Error => "1;31",
            Style::Warning => "1;33",
            Style::Hint => "1;36",
            Style::Key => "34",
            Style::Str => "32",
            Style::Literal => "35",
        }
    }
}

/// `text` in `style`.
pub(crate) fn paint(text: &str, style: Style) -> String {
    format!("\x1b[{}m{text}\x1b[0m", style.code())
}

/// A diagnostic for stderr with its leading `error`, `warning`, `note`, `hint` or `help` words
/// coloured (each line's first word before `:` or `[`).
pub(crate) fn diagnostic(text: &str) -> String {
    if !enabled(Stream::Stderr) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let word_end = trimmed.find([':', '[']).unwrap_or(0);
        let style = match trimmed.get(..word_end).map(|w| w.trim_start_matches("= ")) {
            Some("error") => Some(Style::Error),
            Some("warning") => Some(Style::Warning),
            Some("note" | "hint" | "help") => Some(Style::Hint),
            _ => None,
        };
        match style {
            Some(style) => {
                out.push_str(indent);
                out.push_str(&paint(&trimmed[..word_end], style));
                out.push_str(&trimmed[word_end..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Pretty JSON text (as `serde_json::to_string_pretty` writes it) with keys, strings and
/// literals coloured.
pub(crate) fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '"' => {
                let mut end = start + 1;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    end = i + c.len_utf8();
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => {}
                    }
                }
                let is_key = text[end..].trim_start().starts_with(':');
                let style = if is_key { Style::Key } else { Style::Str };
                out.push_str(&paint(&text[start..end], style));
            }
            c if c == '-' || c.is_ascii_alphanumeric() => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')) {
                        break;
                    }
                    end = i + 1;
                    chars.next();
                }
                out.push_str(&paint(&text[start..end], Style::Literal));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_colours_keys_strings_and_literals() {
        let coloured = json("{\n  \"a\": \"x\\\"y\",\n  \"n\": -1.5e3\n}");
        assert_eq!(
            coloured,
            "{\n  \x1b[34m\"a\"\x1b[0m: \x1b[32m\"x\\\"y\"\x1b[0m,\n  \x1b[34m\"n\"\x1b[0m: \x1b[35m-1.5e3\x1b[0m\n}"
        );
    }

    #[test]
    fn diagnostic_words_are_found_after_indentation() {
        set(ColorChoice::Always);
        assert_eq!(
            diagnostic("error: x\n  = hint: y\nplain"),
            "\x1b[1;31merror\x1b[0m: x\n  \x1b[1;36m= hint\x1b[0m: y\nplain"
        );
    }
}
