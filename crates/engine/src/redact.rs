//! Redaction: hiding secret values from text that is shown, in every form a secret travels in.
//!
//! See [`Redactor`] for the forms recognised.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::Value;

/// What is shown in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// Replaces every occurrence of each secret in `text` with [`REDACTED`]: as is, and in its
/// Base64, percent-encoded and JSON-escaped forms (see [`Redactor`], which this builds; build one
/// `Redactor` instead when redacting many texts with the same secrets). Values shorter than
/// [`MIN_REDACTED_LEN`] characters are left alone: hiding every `a` or `1` would garble the text
/// and hide nothing. The one redaction routine of the project: dry runs, error messages, token
/// errors and the CLI's last line of defence all use it.
pub fn redact<S: AsRef<str>>(text: &str, secrets: impl IntoIterator<Item = S>) -> String {
    Redactor::new(secrets).redact(text)
}

/// The shortest value a [`Redactor`] hides, in characters.
pub const MIN_REDACTED_LEN: usize = 3;

/// The shortest Base64 text searched for, in characters. A shorter stable core (a 3-character
/// secret at an odd alignment) would hide ordinary words.
pub const MIN_ENCODED_LEN: usize = 4;

/// Hides a set of secrets, in all their forms, from text.
///
/// A secret rarely reaches a message as it was typed. An API echoes the `Authorization: Basic`
/// header it received (Base64 of `client_id:client_secret`), a form body (`+` for space,
/// `%2F` for `/`), a URL (`%2f`, lower-case hex), or a JSON error body (`\"`, `\u00e9`). A
/// [`Redactor`] is built once from the secrets and recognises each of them written:
///
/// - as is;
/// - percent-encoded, by any encoder: each character may be written as itself or as `%XX` of its
///   UTF-8 bytes (upper- or lower-case hex), a space also as `+` (RFC 3986 and
///   `application/x-www-form-urlencoded`);
/// - escaped in a JSON or Rust string: `\"`, `\\`, `\/`, `\n`, `\uXXXX` (surrogate pairs too),
///   `\u{X}`;
/// - in Base64, standard or URL-safe alphabet, with or without padding, at any byte offset inside
///   a larger encoded text: the secret's bytes land at one of three alignments, and the
///   characters that depend on the secret alone (its *stable core*) are the same whatever
///   surrounds it. The Base64 of the secret's form-urlencoded text is searched too, because that
///   is what HTTP Basic auth for OAuth 2.0 encodes (RFC 6749 §2.3.1). Those Base64 texts are
///   themselves searched in every spelling above (a Basic header inside a URL or a JSON string).
///
/// Only the stable core of an embedded Base64 secret is hidden; the one or two characters on
/// each side that mix in neighbouring bytes stay.
///
/// Build it once per set of secrets: building computes every form (about 20 a secret);
/// [`Redactor::redact`] is then one pass over the text, trying at each byte only the forms that
/// can begin there. Its `Debug` output shows how many forms it holds, never them.
#[derive(Clone, Default)]
pub struct Redactor {
    patterns: Vec<Pattern>,
    /// For each byte, the patterns whose first character's UTF-8 starts with it: at a position,
    /// only those are tried (and at `%XX` those of byte `XX`, at `+` those of a space, at a
    /// backslash all). Empty when there are no patterns.
    by_first: Vec<Vec<usize>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("forms", &self.patterns.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor for `secrets`. Values shorter than [`MIN_REDACTED_LEN`] characters are left
    /// alone (hiding every `a` or `1` would garble the text and hide nothing), and so are
    /// Base64 forms shorter than [`MIN_ENCODED_LEN`].
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut texts = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.chars().count() < MIN_REDACTED_LEN {
                continue;
            }
            texts.push(secret.to_owned());
            let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            base64_forms(secret.as_bytes(), &mut texts);
            if form != secret {
                base64_forms(form.as_bytes(), &mut texts);
            }
        }
        texts.sort_unstable();
        texts.dedup();
        let patterns: Vec<Pattern> = texts.iter().map(|t| Pattern::new(t)).collect();
        let mut by_first = vec![Vec::new(); if patterns.is_empty() { 0 } else { 256 }];
        for (i, p) in patterns.iter().enumerate() {
            if let Some(list) = by_first.get_mut(usize::from(p.first_byte)) {
                list.push(i);
            }
        }
        Redactor { patterns, by_first }
    }

    /// Sets `list` to the patterns to try at `i`.
    fn candidates(&self, bytes: &[u8], i: usize, list: &mut Vec<usize>) {
        let bucket = |b: u8| self.by_first.get(usize::from(b)).into_iter().flatten();
        list.clear();
        match bytes.get(i) {
            None => {}
            Some(b'\\') => list.extend(0..self.patterns.len()),
            Some(&b) => {
                list.extend(bucket(b));
                if b == b'%'
                    && let Some(decoded) =
                        hex(bytes.get(i + 1..i + 3)).and_then(|d| u8::try_from(d).ok())
                {
                    list.extend(bucket(decoded));
                }
                if b == b'+' {
                    list.extend(bucket(b' '));
                }
            }
        }
    }

    /// Whether there is nothing to hide.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every occurrence of every form of every secret replaced by [`REDACTED`].
    /// Overlapping occurrences become one `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        if self.patterns.is_empty() {
            return text.to_owned();
        }
        let bytes = text.as_bytes();
        let mut found: Vec<(usize, usize)> = Vec::new();
        let (mut cur, mut next, mut candidates) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..bytes.len() {
            self.candidates(bytes, i, &mut candidates);
            for &p in &candidates {
                if let Some(end) = self
                    .patterns
                    .get(p)
                    .and_then(|p| p.match_at(bytes, i, &mut cur, &mut next))
                {
                    found.push((i, end));
                }
            }
        }
        if found.is_empty() {
            return text.to_owned();
        }
        found.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut ranges = found.into_iter().peekable();
        while let Some((start, mut end)) = ranges.next() {
            while let Some(&(s, e)) = ranges.peek() {
                if s >= end {
                    break;
                }
                end = end.max(e);
                ranges.next();
            }
            // Matches start and end on character boundaries; `get` keeps this panic-free anyway.
            out.push_str(text.get(copied..start).unwrap_or_default());
            out.push_str(REDACTED);
            copied = end;
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        out
    }

    /// Redacts every string in a JSON value, in place; a number whose text holds a secret
    /// becomes the string `"[redacted]"`. Object keys are left as they are.
    pub fn redact_json(&self, value: &mut Value) {
        if self.patterns.is_empty() {
            return;
        }
        match value {
            Value::String(s) => {
                let hidden = self.redact(s);
                if hidden != *s {
                    *s = hidden;
                }
            }
            Value::Number(n) => {
                let text = n.to_string();
                if self.redact(&text) != text {
                    *value = Value::String(REDACTED.into());
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.redact_json(i)),
            Value::Object(members) => members.values_mut().for_each(|m| self.redact_json(m)),
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// The Base64 texts of `bytes` to search for: for each alphabet, the whole encoding (padded and
/// not) and the stable core at each of the three alignments.
fn base64_forms(bytes: &[u8], out: &mut Vec<String>) {
    let mut standard = vec![STANDARD.encode(bytes), STANDARD_NO_PAD.encode(bytes)];
    for offset in 0..3 {
        standard.extend(stable_core(bytes, offset));
    }
    for text in standard {
        if text.len() < MIN_ENCODED_LEN {
            continue;
        }
        let url_safe: String = text
            .chars()
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect();
        if url_safe != text {
            out.push(url_safe);
        }
        out.push(text);
    }
}

/// The Base64 characters that `bytes` alone decide when they start `offset` (0–2) bytes into a
/// 3-byte group of a larger text, whatever bytes come before and after them.
///
/// Each 3-byte group becomes 4 characters of 6 bits. With 1 unknown byte before, the group's
/// first 2 characters mix in its bits; with 2, the first 3. At the end, a group with 1 (2) of
/// the secret's bytes gives 1 (2) characters of its bits alone before the unknown next byte.
fn stable_core(bytes: &[u8], offset: usize) -> Option<String> {
    let mut shifted = vec![0u8; offset];
    shifted.extend_from_slice(bytes);
    let encoded = STANDARD_NO_PAD.encode(&shifted);
    let len = shifted.len();
    let keep_end = len / 3 * 4 + len % 3;
    let drop_front = [0, 2, 3][offset % 3];
    encoded.get(drop_front..keep_end).map(str::to_owned)
}

/// One form of a secret, matched in any percent-encoded or escaped spelling.
#[derive(Clone)]
struct Pattern {
    chars: Vec<char>,
    /// The first byte of the first character's UTF-8 (as is, or the `XX` of its `%XX`).
    first_byte: u8,
}

impl Pattern {
    fn new(text: &str) -> Self {
        Pattern {
            chars: text.chars().collect(),
            first_byte: text.bytes().next().unwrap_or_default(),
        }
    }

    /// The end of the longest spelling of this pattern starting at `start`, if there is one.
    /// Every character may be spelled differently, so this follows all spellings at once (the
    /// set of positions reached so far), never backtracking: linear in the pattern's length.
    fn match_at(
        &self,
        text: &[u8],
        start: usize,
        cur: &mut Vec<usize>,
        next: &mut Vec<usize>,
    ) -> Option<usize> {
        cur.clear();
        cur.push(start);
        for &c in &self.chars {
            next.clear();
            for &at in cur.iter() {
                spellings(text, at, c, next);
            }
            if next.is_empty() {
                return None;
            }
            next.sort_unstable();
            next.dedup();
            std::mem::swap(cur, next);
        }
        cur.last().copied()
    }
}

/// Pushes the end of every spelling of `c` found at `at`: as is, percent-encoded, `+` for a
/// space, or escaped.
fn spellings(text: &[u8], at: usize, c: char, out: &mut Vec<usize>) {
    let Some(rest) = text.get(at..) else { return };
    let mut buf = [0u8; 4];
    let utf8 = c.encode_utf8(&mut buf).as_bytes();
    if rest.starts_with(utf8) {
        out.push(at + utf8.len());
    }
    match rest.first() {
        Some(b'%') => {
            let mut p = at;
            for &b in utf8.iter() {
                if text.get(p) != Some(&b'%') || hex(text.get(p + 1..p + 3)) != Some(u32::from(b)) {
                    return;
                }
                p += 3;
            }
            out.push(p);
        }
        Some(b'+') if c == ' ' => out.push(at + 1),
        Some(b'\\') => out.extend(escaped(text, at, c)),
        _ => {}
    }
}

/// The end of a JSON or Rust escape of `c` at `at` (which holds a backslash), if it is one.
fn escaped(text: &[u8], at: usize, c: char) -> Option<usize> {
    let simple = match *text.get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'\'' => '\'',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'0' => '\0',
        b'u' => return unicode_escape(text, at, c),
        _ => return None,
    };
    (simple == c).then_some(at + 2)
}

/// `\uXXXX` (JSON; a surrogate pair for characters beyond the BMP) or `\u{X…}` (Rust).
fn unicode_escape(text: &[u8], at: usize, c: char) -> Option<usize> {
    if text.get(at + 2) == Some(&b'{') {
        let digits = text
            .get(at + 3..)?
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        let close = at + 3 + digits;
        return ((1..=6).contains(&digits)
            && text.get(close) == Some(&b'}')
            && hex(text.get(at + 3..close)) == Some(u32::from(c)))
        .then_some(close + 1);
    }
    let mut units = [0u16; 2];
    let units = c.encode_utf16(&mut units);
    let first = hex(text.get(at + 2..at + 6))?;
    match units {
        [only] => (first == u32::from(*only)).then_some(at + 6),
        [high, low] => (first == u32::from(*high)
            && text.get(at + 6..at + 8) == Some(b"\\u")
            && hex(text.get(at + 8..at + 12)) == Some(u32::from(*low)))
        .then_some(at + 12),
        _ => None,
    }
}

/// The value of a run of hex digits (either case); `None` if any byte is not one.
fn hex(digits: Option<&[u8]>) -> Option<u32> {
    let digits = digits.filter(|d| !d.is_empty() && d.len() <= 8)?;
    digits.iter().try_fold(0u32, |acc, &b| {
        let d = char::from(b).to_digit(16)?;
        Some(acc << 4 | d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

    const SECRET: &str = "s3cr3t/+= é\"x~";

    fn pct(text: &str, lower: bool) -> String {
        const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let upper: String = percent_encoding::utf8_percent_encode(text, UNRESERVED).collect();
        if lower {
            // Lower-case only the hex digits after each `%`.
            let mut out = String::new();
            let mut hex_left = 0;
            for c in upper.chars() {
                if c == '%' {
                    hex_left = 2;
                    out.push(c);
                } else if hex_left > 0 {
                    hex_left -= 1;
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        } else {
            upper
        }
    }

    fn hidden(text: &str) -> bool {
        let out = Redactor::new([SECRET]).redact(&format!("before {text} after"));
        out == format!("before {REDACTED} after")
    }

    #[test]
    fn every_plain_spelling_is_hidden() {
        let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let json = serde_json::to_string(SECRET).unwrap_or_default();
        let ascii_json = "s3cr3t\\/+= \\u00E9\\\"x~";
        let astral = Redactor::new(["key-😀-x"]);
        for (what, text) in [
            ("as is", SECRET.to_owned()),
            ("percent, upper-case", pct(SECRET, false)),
            ("percent, lower-case", pct(SECRET, true)),
            ("form-urlencoded", form),
            ("JSON", json.trim_matches('"').to_owned()),
            ("JSON, ASCII-only", ascii_json.to_owned()),
            (
                "Rust debug",
                format!("{SECRET:?}").trim_matches('"').to_owned(),
            ),
        ] {
            assert!(hidden(&text), "{what}: {text}");
        }
        assert_eq!(astral.redact("a key-\\ud83d\\ude00-x b"), "a [redacted] b");
        assert_eq!(astral.redact("a key-\\u{1f600}-x b"), "a [redacted] b");
    }

    #[test]
    fn base64_in_both_alphabets_with_and_without_padding_is_hidden() {
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            let encoded = engine.encode(SECRET);
            assert!(hidden(&encoded), "{encoded}");
            assert!(hidden(&pct(&encoded, true)), "{encoded} percent-encoded");
        }
    }

    #[test]
    fn base64_at_any_offset_inside_a_larger_text_loses_the_secret() {
        let secret = "client-secret-1234";
        let redactor = Redactor::new([secret]);
        for before in 0..6 {
            for after in 0..4 {
                let prefix = "p".repeat(before);
                let suffix = "q".repeat(after);
                for engine in [STANDARD, URL_SAFE_NO_PAD] {
                    let encoded = engine.encode(format!("{prefix}{secret}{suffix}"));
                    let out = redactor.redact(&encoded);
                    // What is left is the neighbours' characters, at most 2 mixed ones on each
                    // side, and the padding.
                    let budget = (before + after) * 4 / 3 + 8 + REDACTED.len();
                    assert!(
                        out.contains(REDACTED) && out.len() <= budget,
                        "{before}+{after}: {encoded} -> {out}"
                    );
                }
            }
        }
    }

    #[test]
    fn http_basic_of_an_id_and_a_secret_hides_the_secret() {
        let redactor = Redactor::new(["canary SECRET/1"]);
        // Basic auth encodes the form-urlencoded id and secret (RFC 6749 §2.3.1).
        for id in ["id", "client", "c-3"] {
            let header = format!(
                "Basic {}",
                STANDARD.encode(format!("{id}:canary+SECRET%2F1"))
            );
            let out = redactor.redact(&format!("echo: {header}"));
            assert!(out.contains(REDACTED), "{id}: {out}");
            let budget = "echo: Basic ".len() + (id.len() + 1) * 4 / 3 + 8 + REDACTED.len();
            assert!(out.len() <= budget, "{out}");
        }
        // The exact pair, when it is given, is hidden whole.
        let pair = Redactor::new(["id:canary+SECRET%2F1"]);
        let header = STANDARD.encode("id:canary+SECRET%2F1");
        assert_eq!(pair.redact(&format!("Basic {header}")), "Basic [redacted]");
    }

    #[test]
    fn short_values_and_ordinary_text_are_left_alone() {
        assert_eq!(Redactor::new(["a", "bc"]).redact("a bc abc"), "a bc abc");
        let r = Redactor::new([SECRET]);
        let text = "GET http://127.0.0.1/api?x=%2F+y \\\"quoted\\\" c2VjcmV0";
        assert_eq!(r.redact(text), text);
        assert!(Redactor::new(["ab"]).is_empty());
        assert!(!format!("{r:?}").contains("s3cr3t"));
    }

    #[test]
    fn overlapping_occurrences_become_one() {
        let r = Redactor::new(["abcdef", "defghi"]);
        assert_eq!(r.redact("x abcdefghi y"), "x [redacted] y");
        assert_eq!(r.redact("abcdefabcdef"), "[redacted][redacted]");
    }

    #[test]
    fn json_strings_and_numbers_are_redacted() {
        let r = Redactor::new(["12345678", SECRET]);
        let mut v = serde_json::json!({"a": [12345678, "x 12345678"], "b": SECRET, "c": 5});
        r.redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": ["[redacted]", "x [redacted]"], "b": "[redacted]", "c": 5})
        );
    }
}
