//! What a conformance run found: findings (each with a rule, a severity, the action and the
//! document location) and the operations no action covers.

use std::fmt;

use serde::Serialize;

/// A conformance rule. Its id (kebab-case) is what findings, `--allow`/`--deny` and a
/// connector's `conform:` waivers name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// A connector server is none of the documents' server URLs (`servers`, or Swagger 2.0
    /// `schemes` + `host` + `basePath`).
    Server,
    /// The action's method and path are no operation of the documents.
    Operation,
    /// The path's `{name}`s, the `in: path` inputs and the operation's path parameters differ.
    PathParams,
    /// A query or header input (or template) is not a parameter of the operation.
    ParamUndeclared,
    /// The operation requires a query or header parameter that nothing supplies.
    ParamRequired,
    /// An input's type is not the parameter's schema type.
    ParamType,
    /// An array input is written in another style than the parameter's (`style`/`explode`,
    /// Swagger 2.0 `collectionFormat`).
    ParamStyle,
    /// The operation does not accept the body's media type, or takes no body at all.
    BodyMediaType,
    /// A required member of the request body schema is neither a required input nor set by
    /// the body template.
    BodyRequired,
    /// A body input (or body template key) is not a property of a closed request body schema.
    BodyProperty,
    /// The action's success statuses are not the operation's declared 2xx responses.
    Success,
    /// The action's scopes are not the operation's (`security` requirements, or a scope
    /// extension such as `x-scopes`).
    Scopes,
    /// A default header the connector sends is not a parameter of the operation.
    DefaultHeader,
    /// The action omits a default header that the operation declares.
    OmittedHeader,
    /// A `$ref` of the documents cannot be followed.
    UnresolvedRef,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 15] = [
        Rule::Server,
        Rule::Operation,
        Rule::PathParams,
        Rule::ParamUndeclared,
        Rule::ParamRequired,
        Rule::ParamType,
        Rule::ParamStyle,
        Rule::BodyMediaType,
        Rule::BodyRequired,
        Rule::BodyProperty,
        Rule::Success,
        Rule::Scopes,
        Rule::DefaultHeader,
        Rule::OmittedHeader,
        Rule::UnresolvedRef,
    ];

    /// The rule's id: `param-style`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Server => "server",
            Rule::Operation => "operation",
            Rule::PathParams => "path-params",
            Rule::ParamUndeclared => "param-undeclared",
            Rule::ParamRequired => "param-required",
            Rule::ParamType => "param-type",
            Rule::ParamStyle => "param-style",
            Rule::BodyMediaType => "body-media-type",
            Rule::BodyRequired => "body-required",
            Rule::BodyProperty => "body-property",
            Rule::Success => "success",
            Rule::Scopes => "scopes",
            Rule::DefaultHeader => "default-header",
            Rule::OmittedHeader => "omitted-header",
            Rule::UnresolvedRef => "unresolved-ref",
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// How bad a finding of this rule is unless the caller says otherwise: a default header
    /// the document does not list may well be accepted (APIs rarely declare every header they
    /// read), and a dangling `$ref` is the document's problem, so both warn; the rest fail.
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::DefaultHeader | Rule::UnresolvedRef => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The connector does not conform: the run fails.
    Error,
    /// Worth a look; the run passes.
    Warning,
    /// Waived by the connector (`conform:`), or allowed by the caller: shown, never failing.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule broken.
    pub rule: Rule,
    /// Its severity, after waivers and the caller's overrides.
    pub severity: Severity,
    /// The action id; `None` for findings about the connector or the documents as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the documents: `v2.yaml#/paths/~1usergroups~1{id}/get` (file name and RFC 6901
    /// JSON pointer, `{` and `}` left as they are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Why the connector differs on purpose, when it waived the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

impl fmt::Display for Finding {
    /// `error[success] create_user_group: success [200] … (v2.yaml#/paths/~1usergroups/post)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] ", self.severity, self.rule)?;
        if let Some(action) = &self.action {
            write!(f, "{action}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(location) = &self.location {
            write!(f, " ({location})")?;
        }
        if let Some(why) = &self.waived {
            write!(f, " [waived: {why}]")?;
        }
        Ok(())
    }
}

/// An operation of the documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationRef {
    /// `GET`, `POST`, …
    pub method: String,
    /// The full path, server path included: `/api/v2/usergroups/{id}`.
    pub path: String,
    /// `v2.yaml#/paths/~1usergroups~1{id}/get`.
    pub location: String,
}

/// The result of checking one connector.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The connector key.
    pub connector: String,
    /// How many actions the connector has.
    pub actions: usize,
    /// How many of them have no finding of severity error.
    pub conforming: usize,
    /// How many actions were matched to an operation (and so went through every check).
    pub matched: usize,
    /// Every finding, connector-wide ones first, then by action in file order.
    pub findings: Vec<Finding>,
    /// The documents' operations that no action covers (information).
    pub uncovered: Vec<OperationRef>,
}

impl Report {
    /// Whether no finding has severity error.
    pub fn passed(&self) -> bool {
        self.count(Severity::Error) == 0
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as text, one line each: every finding (errors, then warnings, then
    /// information), the operations no action covers when `list_uncovered`, and the summary.
    pub fn to_text(&self, list_uncovered: bool) -> String {
        let mut out = String::new();
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            for finding in self.findings.iter().filter(|f| f.severity == severity) {
                out.push_str(&format!("{finding}\n"));
            }
        }
        if list_uncovered {
            for op in &self.uncovered {
                out.push_str(&format!(
                    "not covered: {} {} ({})\n",
                    op.method, op.path, op.location
                ));
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// `65/65 actions conform` (then the errors, warnings, waivers and uncovered operations
    /// there are, when there are any).
    pub fn summary(&self) -> String {
        let mut line = format!("{}/{} actions conform", self.conforming, self.actions);
        let mut extra = Vec::new();
        for (severity, word) in [
            (Severity::Error, "error"),
            (Severity::Warning, "warning"),
            (Severity::Info, "waived or allowed"),
        ] {
            let n = self.count(severity);
            if n > 0 {
                let s = if n == 1 || severity == Severity::Info {
                    ""
                } else {
                    "s"
                };
                extra.push(format!("{n} {word}{s}"));
            }
        }
        if !self.uncovered.is_empty() {
            extra.push(format!(
                "{} operation{} of the documents not covered",
                self.uncovered.len(),
                if self.uncovered.len() == 1 { "" } else { "s" }
            ));
        }
        if !extra.is_empty() {
            line.push_str(&format!(" ({})", extra.join(", ")));
        }
        line
    }
}
