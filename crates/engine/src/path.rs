//! Path templates (`/users/{id}`, `/files/{id}.json`, `/ranges/{from}-{to}`): parsed once, by
//! this one parser, for the engine's planning and for the sandbox's routing, so the sandbox
//! serves exactly the paths the engine plans.
//!
//! A placeholder `{name}` names an `in: path` input by its wire name (the input's `name`, else
//! its id) and may share a segment with literal text or other placeholders. Planning writes each
//! value as one percent-encoded segment (a `/` in a value is `%2F`, RFC 3986 §3.3), so matching
//! splits a request path at `/` first and decodes each segment after.

use indexmap::IndexMap;

use crate::spec::{InputSpec, Placement};

/// One part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text, `/` included.
    Literal(String),
    /// A `{name}` placeholder: the id of the input whose value fills it.
    Placeholder(String),
}

/// What is wrong with a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathError {
    /// A `{` without its `}`.
    Unclosed,
    /// A `{name}` that no `in: path` input has as its wire name.
    NoInput {
        /// The name between the braces.
        name: String,
    },
}

/// A parsed path template: literal text and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathTemplate {
    parts: Vec<PathPart>,
}

impl PathTemplate {
    /// Parses `path`, mapping each `{name}` to the `in: path` input of that wire name.
    ///
    /// # Errors
    /// Every problem found, in order (see [`PathTemplate::parse_all`]).
    pub fn parse(
        path: &str,
        inputs: &IndexMap<String, InputSpec>,
    ) -> Result<PathTemplate, Vec<PathError>> {
        let (template, errors) = PathTemplate::parse_all(path, inputs);
        if errors.is_empty() {
            Ok(template)
        } else {
            Err(errors)
        }
    }

    /// Parses `path` as far as it goes, with every problem found: an unclosed `{` ends the
    /// parse; a placeholder without an input is left out and parsing goes on.
    pub fn parse_all(
        path: &str,
        inputs: &IndexMap<String, InputSpec>,
    ) -> (PathTemplate, Vec<PathError>) {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                errors.push(PathError::Unclosed);
                return (PathTemplate { parts }, errors);
            };
            let name = &rest[open + 1..open + close];
            let input = inputs
                .iter()
                .find(|(id, i)| i.placement == Placement::Path && i.wire_name(id) == name);
            match input {
                Some((id, _)) => parts.push(PathPart::Placeholder(id.clone())),
                None => errors.push(PathError::NoInput {
                    name: name.to_owned(),
                }),
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        (PathTemplate { parts }, errors)
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[PathPart] {
        &self.parts
    }

    /// The input ids of the placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            PathPart::Placeholder(id) => Some(id.as_str()),
            PathPart::Literal(_) => None,
        })
    }

    /// The template split at each `/` of its literal text into segments, empty segments left
    /// out: `/files/{id}.json` is `[[files], [{id}, .json]]`.
    pub fn segments(&self) -> Vec<Vec<PathPart>> {
        let mut segments: Vec<Vec<PathPart>> = vec![Vec::new()];
        for part in &self.parts {
            match part {
                PathPart::Placeholder(_) => push_part(&mut segments, part.clone()),
                PathPart::Literal(text) => {
                    for (i, piece) in text.split('/').enumerate() {
                        if i > 0 {
                            segments.push(Vec::new());
                        }
                        if !piece.is_empty() {
                            push_part(&mut segments, PathPart::Literal(piece.to_owned()));
                        }
                    }
                }
            }
        }
        segments.retain(|s| !s.is_empty());
        segments
    }
}

fn push_part(segments: &mut [Vec<PathPart>], part: PathPart) {
    if let Some(last) = segments.last_mut() {
        last.push(part);
    }
}

/// Matches one decoded path `segment` against one template segment's `parts` (see
/// [`PathTemplate::segments`]): the value of each placeholder, in order, or `None`. Every value
/// is non-empty; where several splits fit (`{a}-{b}` against `x-y-z`), earlier placeholders
/// take the shortest value (`x`, `y-z`).
pub fn match_segment(parts: &[PathPart], segment: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    match_from(parts, segment, &mut values).then_some(values)
}

fn match_from(parts: &[PathPart], text: &str, values: &mut Vec<String>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((PathPart::Literal(literal), rest)) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|after| match_from(rest, after, values)),
        Some((PathPart::Placeholder(_), rest)) => {
            for (end, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                values.push(text[..end].to_owned());
                if match_from(rest, &text[end..], values) {
                    return true;
                }
                values.pop();
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(names: &[&str]) -> IndexMap<String, InputSpec> {
        names
            .iter()
            .map(|n| {
                let spec: InputSpec =
                    serde_json::from_value(serde_json::json!({"type": "string", "in": "path"}))
                        .unwrap();
                ((*n).to_owned(), spec)
            })
            .collect()
    }

    fn segments(path: &str, names: &[&str]) -> Vec<Vec<PathPart>> {
        PathTemplate::parse(path, &inputs(names))
            .unwrap()
            .segments()
    }

    #[test]
    fn a_segment_may_mix_placeholders_and_text() {
        let segs = segments("/files/{id}.json", &["id"]);
        assert_eq!(segs.len(), 2);
        assert_eq!(
            match_segment(&segs[1], "report.2024.json"),
            Some(vec!["report.2024".to_owned()])
        );
        assert_eq!(
            match_segment(&segs[1], ".json"),
            None,
            "values are non-empty"
        );
        assert_eq!(match_segment(&segs[1], "report.xml"), None);
    }

    #[test]
    fn two_placeholders_in_one_segment_split_at_the_first_fit() {
        let segs = segments("/ranges/{a}-{b}", &["a", "b"]);
        assert_eq!(
            match_segment(&segs[1], "x-y-z"),
            Some(vec!["x".to_owned(), "y-z".to_owned()])
        );
        assert_eq!(match_segment(&segs[1], "xyz"), None);
    }

    #[test]
    fn problems_are_all_reported() {
        assert_eq!(
            PathTemplate::parse("/a/{x}/{y}", &inputs(&[])),
            Err(vec![
                PathError::NoInput { name: "x".into() },
                PathError::NoInput { name: "y".into() }
            ])
        );
        assert_eq!(
            PathTemplate::parse("/a/{x", &inputs(&["x"])),
            Err(vec![PathError::Unclosed])
        );
    }

    #[test]
    fn empty_segments_are_left_out() {
        let segs = segments("//users/{id}/", &["id"]);
        assert_eq!(
            segs,
            vec![
                vec![PathPart::Literal("users".into())],
                vec![PathPart::Placeholder("id".into())]
            ]
        );
    }
}
