//! Planning: action + input + configuration → the exact HTTP request. Pure: no I/O.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::TokenRequest;
use crate::connector::{Action, Connector, PathPart};
use crate::error::{Error, ErrorKind, InputViolation, Result};
pub use crate::redact::Redactor;
use crate::spec::{AuthMethod, AuthType, InputType, KeyPlacement, Placement, QueryStyle};

/// Characters left as they are in a path segment: RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What the caller supplies besides the input: where to send it and with which credentials.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Base URL override (`--base-url`); wins over `server`.
    pub base_url: Option<String>,
    /// A server name from the connector (`--server`); default: the connector's `default_server`.
    pub server: Option<String>,
    /// Credential values by credential name.
    pub credentials: Credentials,
    /// The auth method to use (`--auth`); default: the first whose credentials are all set.
    pub auth: Option<String>,
    /// OAuth 2.0 token endpoint override (`--token-url`); default: the server's `token_url`.
    pub token_url: Option<String>,
    /// Overrides of the connector's `defaults:` (timeouts, retries, redirects, body size).
    pub options: crate::http::RunOptions,
}

/// Credential values, all held as [`SecretString`]; those the connector marks `secret` are
/// never printed.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    values: Vec<(String, SecretString)>,
    secret_names: Vec<String>,
}

impl Credentials {
    /// Sets a credential value; `secret` values are scrubbed from every message.
    pub fn insert(&mut self, name: impl Into<String>, value: SecretString, secret: bool) {
        let name = name.into();
        self.values.retain(|(n, _)| *n != name);
        self.secret_names.retain(|n| *n != name);
        if secret {
            self.secret_names.push(name.clone());
        }
        self.values.push((name, value));
    }

    /// The values of secret credentials.
    pub fn secrets(&self) -> impl Iterator<Item = &SecretString> {
        self.values
            .iter()
            .filter(|(n, _)| self.secret_names.contains(n))
            .map(|(_, v)| v)
    }

    /// A credential value.
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Reads every credential the connector declares from its environment variable (empty
    /// values count as missing).
    pub fn from_env(connector: &Connector) -> Self {
        Self::from_lookup(connector, |var| std::env::var(var).ok())
    }

    /// Reads every declared credential through `lookup(env_var)`.
    pub fn from_lookup(connector: &Connector, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut c = Credentials::default();
        for (name, cred) in &connector.spec.credentials {
            if let Some(v) = lookup(&cred.env).filter(|v| !v.is_empty()) {
                c.insert(name.clone(), SecretString::from(v), cred.secret);
            }
        }
        c
    }
}

/// A header or query value that may be secret.
#[derive(Debug, Clone)]
pub enum Param {
    /// Shown as is.
    Plain(String),
    /// A credential or a `sensitive` input: shown as `[redacted]`. `None` when planning without
    /// credentials (dry run).
    Secret(Option<SecretString>),
    /// An OAuth 2.0 bearer token (RFC 6750), sent as `Bearer <token>`, shown as
    /// `Bearer [redacted]`; `None` until execution obtains the token.
    Bearer(Option<SecretString>),
}

impl Param {
    /// The value to send; `None` for a secret that was not supplied.
    pub fn expose(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Param::Plain(s) => Some(s.into()),
            Param::Secret(s) => s.as_ref().map(|s| s.expose_secret().into()),
            Param::Bearer(t) => t
                .as_ref()
                .map(|t| format!("Bearer {}", t.expose_secret()).into()),
        }
    }

    /// The value to show: secrets are `[redacted]`.
    pub fn shown(&self) -> &str {
        match self {
            Param::Plain(s) => s,
            Param::Secret(_) => REDACTED,
            Param::Bearer(_) => "Bearer [redacted]",
        }
    }
}

/// What is shown in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// A fully rendered HTTP request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: crate::spec::Method,
    /// Absolute URL without the query string.
    pub url: String,
    /// Query pairs, unencoded (the HTTP client encodes them once).
    pub query: Vec<(String, Param)>,
    /// Headers, names in lowercase.
    pub headers: Vec<(String, Param)>,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// JSON pointers of body members that hold sensitive inputs.
    pub sensitive_body: Vec<String>,
    /// The auth method used, and for OAuth 2.0 the token request to make.
    pub auth: Option<AuthPlan>,
    /// The values of `sensitive` inputs (as text), hidden wherever they appear when shown.
    pub sensitive_values: Vec<String>,
}

/// Replaces every occurrence of each secret in `text` with [`REDACTED`]: as is, and in its
/// Base64, percent-encoded and JSON-escaped forms (see [`Redactor`], which this builds; build one
/// `Redactor` instead when redacting many texts with the same secrets). Values shorter than
/// [`MIN_REDACTED_LEN`] characters are left alone: hiding every `a` or `1` would garble the text
/// and hide nothing. The one redaction routine of the project: dry runs, error messages, token
/// errors and the CLI's last line of defence all use it.
pub fn redact<S: AsRef<str>>(text: &str, secrets: impl IntoIterator<Item = S>) -> String {
    Redactor::new(secrets).redact(text)
}

/// The shortest value [`redact`] hides, in characters.
pub const MIN_REDACTED_LEN: usize = 3;

/// The auth method a request uses.
#[derive(Debug, Clone)]
pub struct AuthPlan {
    /// The auth method's name in the connector.
    pub method: String,
    /// For OAuth 2.0 (when executing): how to obtain the bearer token.
    pub token: Option<TokenRequest>,
}

/// The request as shown by `--dry-run`: secrets redacted.
#[derive(Debug, Clone, Serialize)]
pub struct ShownRequest {
    /// HTTP method.
    pub method: &'static str,
    /// The URL with its query string, as sent.
    pub url: String,
    /// Headers, in order.
    pub headers: Map<String, Value>,
    /// JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl HttpRequest {
    /// The URL with the encoded query string.
    pub fn full_url(&self, shown: bool) -> String {
        match url::Url::parse(&self.url) {
            Ok(mut u) => {
                if !self.query.is_empty() {
                    let mut q = u.query_pairs_mut();
                    for (k, v) in &self.query {
                        q.append_pair(
                            k,
                            &if shown {
                                std::borrow::Cow::Borrowed(v.shown())
                            } else {
                                v.expose().unwrap_or_default()
                            },
                        );
                    }
                }
                u.to_string()
            }
            Err(_) => self.url.clone(),
        }
    }

    /// The request with every secret and sensitive value replaced by `[redacted]`.
    pub fn shown(&self) -> ShownRequest {
        let redactor = Redactor::new(&self.sensitive_values);
        let hide = |text: &str| redactor.redact(text);
        let mut headers = Map::new();
        for (k, v) in &self.headers {
            headers.insert(k.clone(), Value::String(hide(v.shown())));
        }
        let body = self.body.clone().map(|mut b| {
            for p in &self.sensitive_body {
                if let Some(slot) = b.pointer_mut(p) {
                    *slot = Value::String(REDACTED.into());
                }
            }
            // A template may have moved a sensitive value anywhere (`body: "{{ input.x }}"`).
            redactor.redact_json(&mut b);
            b
        });
        ShownRequest {
            method: self.method.as_str(),
            url: hide(&self.full_url(true)),
            headers,
            body,
        }
    }
}

/// Whether planning must find every credential the auth method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Real requests: a missing credential is an auth error.
    Execute,
    /// `--dry-run`: missing secrets are shown as `[redacted]`.
    DryRun,
}

impl Connector {
    /// The base URL for `config`: `base_url`, else the named server, else the default server.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] for an unknown server name or an invalid base URL.
    pub fn base_url(&self, config: &Config) -> Result<String> {
        let url = match (&config.base_url, &config.server) {
            (Some(url), _) => url.clone(),
            (None, Some(name)) => match self.spec.servers.get(name) {
                Some(s) => s.url.clone(),
                None => {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        format!("connector `{}` has no server `{name}`", self.spec.key),
                    )
                    .with_hint(crate::diagnostic::unknown_name_hint(
                        name,
                        "server",
                        self.spec.servers.keys().map(String::as_str),
                    )));
                }
            },
            (None, None) => self
                .spec
                .servers
                .get(&self.spec.default_server)
                .map(|s| s.url.clone())
                .unwrap_or_default(),
        };
        check_url(&url, "base URL")?;
        Ok(url.trim_end_matches('/').to_owned())
    }

    /// Plans `action` with `input`: validates the input, renders templates, encodes the path and
    /// applies auth. No I/O.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] listing every input violation; [`ErrorKind::Auth`] for a missing
    /// credential (in [`Mode::Execute`]); [`ErrorKind::Usage`] for a bad server or base URL.
    /// Every error names the action ([`Error::action`]).
    pub fn plan(
        &self,
        action: &Action,
        input: &Value,
        config: &Config,
        mode: Mode,
    ) -> Result<HttpRequest> {
        self.plan_request(action, input, config, mode)
            .map_err(|e| match e.action {
                Some(_) => e,
                None => e.with_action(&action.id),
            })
    }

    fn plan_request(
        &self,
        action: &Action,
        input: &Value,
        config: &Config,
        mode: Mode,
    ) -> Result<HttpRequest> {
        let empty = Map::new();
        let input_map = input.as_object().unwrap_or(&empty);
        // Schema violations and path problems are reported together.
        let mut violations = action.check_input(input);
        let normalized = normalize_integers(action, input_map, &mut violations);
        let input_map = normalized.as_ref().unwrap_or(input_map);
        if let Some(v) = page_size_violation(action, input_map)
            && !violations.iter().any(|o| o.pointer == v.pointer)
        {
            violations.push(v);
        }
        let compiled = self.compiled(action)?;
        let mut url = self.base_url(config)?;
        for part in &compiled.path {
            match part {
                PathPart::Literal(s) => url.push_str(s),
                PathPart::Param(id) => {
                    let raw = match input_map.get(id) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => continue, // missing or mistyped: the schema reports it
                    };
                    let sensitive = action.spec.inputs.get(id).is_some_and(|i| i.sensitive);
                    if let Some(problem) = path_value_problem(&raw, sensitive) {
                        violations.push(InputViolation {
                            pointer: format!("/{id}"),
                            message: problem,
                        });
                    }
                    url.extend(percent_encoding::utf8_percent_encode(&raw, SEGMENT));
                }
            }
        }
        if !violations.is_empty() {
            violations.sort_by(|a, b| a.pointer.cmp(&b.pointer));
            return Err(Error::input(&self.spec.key, &action.id, violations));
        }

        let context = self.template_context(input_map, config);
        let templates = self.templates();
        let render = |t: &crate::template::ValueTemplate, what: &str| {
            templates.render(t, &context).map_err(|e| {
                Error::new(
                    ErrorKind::Spec,
                    format!("action `{}`: the {what} template failed: {e}", action.id),
                )
            })
        };

        // Headers: defaults, then header inputs, then action templates.
        let mut headers: Vec<(String, Param)> = Vec::new();
        let set_header = |headers: &mut Vec<(String, Param)>, name: &str, value: Param| {
            headers.retain(|(n, _)| n != name);
            headers.push((name.to_owned(), value));
        };
        for (name, t) in &self.default_headers {
            if action
                .spec
                .omit_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            {
                continue;
            }
            if let Some(v) = render(t, "header")? {
                set_header(&mut headers, name, Param::Plain(scalar_text(&v)));
            }
        }
        let mut query: Vec<(String, Param)> = Vec::new();
        let mut body = Map::new();
        let mut sensitive_body = Vec::new();
        for (id, spec) in &action.spec.inputs {
            let Some(value) = input_map.get(id) else {
                continue;
            };
            let wire = spec.wire_name(id);
            let wrap = |s: String| {
                if spec.sensitive {
                    Param::Secret(Some(SecretString::from(s)))
                } else {
                    Param::Plain(s)
                }
            };
            match spec.placement {
                Placement::Path => {}
                Placement::Header => set_header(
                    &mut headers,
                    &wire.to_ascii_lowercase(),
                    wrap(scalar_text(value)),
                ),
                Placement::Query => match (value, spec.kind) {
                    (Value::Array(items), InputType::Array) => {
                        let texts: Vec<String> = items.iter().map(scalar_text).collect();
                        match spec.style.unwrap_or_default() {
                            QueryStyle::Repeat => {
                                query.extend(texts.into_iter().map(|t| (wire.to_owned(), wrap(t))))
                            }
                            QueryStyle::Comma => {
                                query.push((wire.to_owned(), wrap(texts.join(","))))
                            }
                            QueryStyle::Space => {
                                query.push((wire.to_owned(), wrap(texts.join(" "))))
                            }
                            QueryStyle::Pipe => {
                                query.push((wire.to_owned(), wrap(texts.join("|"))))
                            }
                        }
                    }
                    _ => query.push((wire.to_owned(), wrap(scalar_text(value)))),
                },
                Placement::Body => {
                    if compiled.body.is_none() {
                        body.insert(wire.to_owned(), value.clone());
                        if spec.sensitive {
                            sensitive_body.push(format!("/{}", crate::yaml::escape_token(wire)));
                        }
                    }
                }
            }
        }
        for (name, t) in &compiled.headers {
            if let Some(v) = render(t, "header")? {
                set_header(&mut headers, name, Param::Plain(scalar_text(&v)));
            }
        }
        for (name, t) in &compiled.query {
            if let Some(v) = render(t, "query")? {
                query.retain(|(n, _)| n != name);
                query.push((name.clone(), Param::Plain(scalar_text(&v))));
            }
        }
        let body = match &compiled.body {
            Some(t) => render(t, "body")?,
            None if body.is_empty() => None,
            None => Some(Value::Object(body)),
        };
        if body.is_some() {
            set_header(
                &mut headers,
                "content-type",
                Param::Plain("application/json".into()),
            );
        }
        set_header(
            &mut headers,
            "accept",
            Param::Plain("application/json".into()),
        );

        let auth = self.apply_auth(&mut headers, &mut query, config, mode)?;
        // Header values must be sendable: a dry run must not approve what a real run refuses.
        for (name, value) in &headers {
            if let Param::Plain(text) = value
                && reqwest::header::HeaderValue::from_str(text).is_err()
            {
                return Err(Error::input(
                    &self.spec.key,
                    &action.id,
                    vec![InputViolation {
                        pointer: String::new(),
                        message: format!(
                            "header `{name}` would contain a line break or control character"
                        ),
                    }],
                ));
            }
        }
        let mut sensitive_values = Vec::new();
        for (id, spec) in &action.spec.inputs {
            if spec.sensitive
                && let Some(v) = input_map.get(id)
            {
                collect_scalars(v, &mut sensitive_values);
            }
        }
        sensitive_values.retain(|v| v.chars().count() >= MIN_REDACTED_LEN);
        Ok(HttpRequest {
            auth,
            sensitive_values,
            method: action.spec.method,
            url,
            query,
            headers,
            body,
            sensitive_body,
        })
    }

    fn template_context(&self, input: &Map<String, Value>, config: &Config) -> minijinja::Value {
        let mut creds = Map::new();
        for (name, c) in &self.spec.credentials {
            if c.secret {
                continue;
            }
            if let Some(v) = config.credentials.get(name) {
                creds.insert(name.clone(), Value::String(v.expose_secret().to_owned()));
            }
        }
        let ctx = serde_json::json!({ "input": input, "credentials": creds });
        minijinja::Value::from(minijinja::value::Serde(ctx))
    }

    /// The auth method to use: `config.auth` when set, else the first whose required
    /// credentials are all present. `None` when the connector declares no auth method.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] for an unknown method name; [`ErrorKind::Auth`] naming the missing
    /// environment variables (not in a dry run, which falls back to the first method).
    pub fn select_auth(&self, config: &Config, mode: Mode) -> Result<Option<(&str, &AuthMethod)>> {
        let has_all = |m: &AuthMethod| {
            m.required_credentials()
                .iter()
                .all(|c| config.credentials.get(c).is_some())
        };
        let env_of = |m: &AuthMethod| -> Vec<String> {
            m.required_credentials()
                .iter()
                .filter(|c| config.credentials.get(c).is_none())
                .filter_map(|c| self.spec.credentials.get(*c).map(|c| c.env.clone()))
                .collect()
        };
        if let Some(name) = &config.auth {
            let Some((key, method)) = self.spec.auth.get_key_value(name) else {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("connector `{}` has no auth method `{name}`", self.spec.key),
                )
                .with_hint(crate::diagnostic::unknown_name_hint(
                    name,
                    "auth method",
                    self.spec.auth.keys().map(String::as_str),
                )));
            };
            if mode == Mode::Execute && !has_all(method) {
                return Err(Error::new(
                    ErrorKind::Auth,
                    format!(
                        "auth method `{name}` needs {}",
                        env_of(method).join(" and ")
                    ),
                )
                .with_hint("supply these credentials, e.g. through their environment variables"));
            }
            return Ok(Some((key.as_str(), method)));
        }
        if let Some((name, method)) = self.spec.auth.iter().find(|(_, m)| has_all(m)) {
            return Ok(Some((name.as_str(), method)));
        }
        match (mode, self.spec.auth.iter().next()) {
            (_, None) => Ok(None),
            (Mode::DryRun, Some((name, method))) => Ok(Some((name.as_str(), method))),
            (Mode::Execute, Some(_)) => {
                let options: Vec<String> = self
                    .spec
                    .auth
                    .iter()
                    .map(|(name, m)| format!("{} (auth method `{name}`)", env_of(m).join(" and ")))
                    .collect();
                Err(Error::new(ErrorKind::Auth, format!("no credentials for connector `{}`: set {}", self.spec.key, options.join(", or ")))
                    .with_hint("supply the credentials of one auth method, e.g. through their environment variables; a dry run needs none"))
            }
        }
    }

    /// The token endpoint for `config`: `--token-url`, else the chosen server's `token_url`.
    fn token_url(&self, config: &Config, method: &str) -> Result<String> {
        if let Some(url) = &config.token_url {
            check_url(url, "token URL")?;
            return Ok(url.clone());
        }
        if config.base_url.is_some() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("auth method `{method}` needs a token URL to go with the base URL"),
            )
            .with_hint("set the token URL too, or choose a named server instead of a base URL"));
        }
        let server = config
            .server
            .as_deref()
            .unwrap_or(&self.spec.default_server);
        self.spec
            .servers
            .get(server)
            .and_then(|s| s.token_url.clone())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("server `{server}` has no token endpoint for auth method `{method}`"),
                )
                .with_hint("choose another server, or another auth method")
            })
    }

    /// Adds the chosen auth method to the request. API keys are placed now; OAuth 2.0 leaves a
    /// bearer placeholder that execution fills with a token.
    fn apply_auth(
        &self,
        headers: &mut Vec<(String, Param)>,
        query: &mut Vec<(String, Param)>,
        config: &Config,
        mode: Mode,
    ) -> Result<Option<AuthPlan>> {
        let Some((name, method)) = self.select_auth(config, mode)? else {
            return Ok(None);
        };
        match method.kind {
            AuthType::ApiKey => {
                let value = method
                    .credential
                    .as_deref()
                    .and_then(|c| config.credentials.get(c))
                    .cloned();
                let key_name = method.name.clone().unwrap_or_default();
                match method.placement.unwrap_or(KeyPlacement::Header) {
                    KeyPlacement::Header => {
                        let key_name = key_name.to_ascii_lowercase();
                        headers.retain(|(n, _)| *n != key_name);
                        headers.push((key_name, Param::Secret(value)));
                    }
                    KeyPlacement::Query => query.push((key_name, Param::Secret(value))),
                }
                Ok(Some(AuthPlan {
                    method: name.to_owned(),
                    token: None,
                }))
            }
            AuthType::Oauth2ClientCredentials => {
                headers.retain(|(n, _)| n != "authorization");
                headers.push(("authorization".into(), Param::Bearer(None)));
                let cred = |c: &Option<String>| {
                    c.as_deref()
                        .and_then(|c| config.credentials.get(c))
                        .cloned()
                };
                let token = match (mode, cred(&method.client_id), cred(&method.client_secret)) {
                    (Mode::Execute, Some(client_id), Some(client_secret)) => Some(TokenRequest {
                        method: name.to_owned(),
                        token_url: self.token_url(config, name)?,
                        client_id,
                        client_secret,
                        client_secret_secondary: cred(&method.client_secret_secondary),
                        client_auth: method.client_auth.unwrap_or_default(),
                        scope: method.scope.clone(),
                        secret_names: (
                            method.client_secret.clone().unwrap_or_default(),
                            method.client_secret_secondary.clone(),
                        ),
                    }),
                    _ => None,
                };
                Ok(Some(AuthPlan {
                    method: name.to_owned(),
                    token,
                }))
            }
        }
    }
}

/// A base or token URL must be absolute http(s), without a query, a fragment or a password:
/// paths are appended to it, and credentials belong in the connector's credentials.
fn check_url(url: &str, what: &str) -> Result<()> {
    let usage = |problem: &str, hint: &str| {
        Err(
            Error::new(ErrorKind::Usage, format!("the {what} {problem}"))
                .with_hint(hint.to_owned()),
        )
    };
    match url::Url::parse(url) {
        Ok(u) if u.scheme() != "http" && u.scheme() != "https" => usage(
            &format!("`{url}` is not an http(s) URL"),
            "pass a URL such as http://127.0.0.1:8080/api",
        ),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => usage(
            "holds a user name or password",
            "remove them from the URL: credentials belong in the connector's credentials",
        ),
        Ok(u) if u.query().is_some() || u.fragment().is_some() => usage(
            &format!("`{url}` has a query or fragment"),
            "remove the `?…` or `#…`: action paths are appended to this URL",
        ),
        Ok(_) => Ok(()),
        Err(_) => usage(
            &format!("`{url}` is not an absolute http(s) URL"),
            "pass a URL such as http://127.0.0.1:8080/api",
        ),
    }
}

/// Why a path value cannot be used, if it cannot. Values are encoded as one segment, but these
/// are refused outright because they almost always mean a mistake (a pasted URL or path).
fn path_value_problem(raw: &str, sensitive: bool) -> Option<String> {
    let shown = if sensitive {
        REDACTED.to_owned()
    } else {
        format!("{raw:?}")
    };
    if raw.is_empty() {
        return Some("path value is empty: it would remove a segment from the URL".into());
    }
    if raw == "." {
        return Some("path value \".\" would address the parent resource: pass an id".into());
    }
    if raw.contains("..") {
        return Some(format!(
            "path value {shown} contains `..`: it could change which resource is addressed"
        ));
    }
    if let Some(c) = raw
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '%' | '\\'))
    {
        return Some(format!(
            "path value {shown} contains `{c}`: pass only the id, not a path, URL or encoded value"
        ));
    }
    if raw.chars().any(char::is_control) {
        return Some(format!("path value {shown} contains a control character"));
    }
    None
}

/// The largest integer a JSON number holds exactly as a double (2^53 - 1).
const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

/// A page size above the most the action's pagination style allows.
fn page_size_violation(action: &Action, input: &Map<String, Value>) -> Option<InputViolation> {
    let style = action.pagination.as_ref()?;
    let asked = input.get(&style.limit_input)?.as_u64()?;
    (asked > style.max_page_size).then(|| InputViolation {
        pointer: format!("/{}", crate::yaml::escape_token(&style.limit_input)),
        message: format!(
            "{asked} is above the largest page size the API accepts ({})",
            style.max_page_size
        ),
    })
}

/// Integer inputs written as floats (`3.0`, `1e2`) are sent as integers (`3`, `100`); integers a
/// double cannot hold exactly are refused rather than sent rounded. `None` when nothing changed.
pub(crate) fn normalize_integers(
    action: &Action,
    input: &Map<String, Value>,
    violations: &mut Vec<InputViolation>,
) -> Option<Map<String, Value>> {
    let mut out: Option<Map<String, Value>> = None;
    for (id, spec) in &action.spec.inputs {
        if spec.kind != InputType::Integer {
            continue;
        }
        let Some(Value::Number(n)) = input.get(id) else {
            continue;
        };
        if n.is_i64() || n.is_u64() {
            continue;
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        if f.fract() == 0.0 && f.abs() <= MAX_EXACT {
            #[allow(clippy::cast_possible_truncation)]
            let exact = Value::from(f as i64);
            out.get_or_insert_with(|| input.clone())
                .insert(id.clone(), exact);
        } else if f.fract() == 0.0 {
            violations.push(InputViolation {
                pointer: format!("/{}", crate::yaml::escape_token(id)),
                message: format!(
                    "{n} is too large to send exactly: integers up to ±9007199254740991"
                ),
            });
        }
    }
    out
}

/// The text of every scalar in a value (the pieces of a sensitive input to hide).
fn collect_scalars(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect_scalars(i, out)),
        Value::Object(members) => members.values().for_each(|m| collect_scalars(m, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

/// A scalar's text for headers and query strings: strings as they are, others as JSON.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_that_change_the_path_are_refused() {
        for bad in ["", ".", "..", "a/b", "a?b", "a#b", "a%2F", "x..y"] {
            assert!(
                path_value_problem(bad, false).is_some(),
                "{bad:?} should be refused"
            );
        }
        for ok in [
            "5f1b2c3d4e5f6a7b8c9d0e1f",
            "name with space",
            "ünïcode",
            "a.b",
            "-_~",
        ] {
            assert_eq!(
                path_value_problem(ok, false),
                None,
                "{ok:?} should be accepted"
            );
        }
        let msg = path_value_problem("sec/ret", true).unwrap_or_default();
        assert!(
            !msg.contains("sec"),
            "sensitive values are not echoed: {msg}"
        );
    }

    #[test]
    fn redact_hides_every_occurrence_but_not_tiny_values() {
        assert_eq!(
            redact("key=abc123 and abc123", ["abc123"]),
            "key=[redacted] and [redacted]"
        );
        assert_eq!(redact("a b", ["a", "b"]), "a b");
    }

    #[test]
    fn segments_keep_only_unreserved_characters() {
        let enc: String = percent_encoding::utf8_percent_encode("a b+c.d~é", SEGMENT).collect();
        assert_eq!(enc, "a%20b%2Bc.d~%C3%A9");
    }
}
