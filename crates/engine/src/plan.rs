//! Planning: action + input + configuration → the exact HTTP request. Pure: no I/O.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::TokenRequest;
use crate::connector::{Action, Connector, PathPart};
use crate::encode;
use crate::error::{Error, ErrorKind, InputViolation, Result};
pub use crate::redact::{MIN_REDACTED_LEN, REDACTED, Redactor, redact};
use crate::spec::{AuthMethod, AuthType, BodyFormat, InputType, KeyPlacement, Placement};

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
    pub options: RunOptions,
}

/// Per-run overrides of a connector's `defaults:`; `None` keeps the connector's value (or, where
/// it has none, the engine's constant: [`crate::http::CONNECT_TIMEOUT`] and the others there).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Follow redirects (same origin with credentials; see [`crate::spec::Defaults`]).
    pub follow_redirects: Option<bool>,
    /// Attempts in all for idempotent actions (`1`: never retry).
    pub attempts: Option<u32>,
    /// The longest wait before a retry.
    pub max_wait: Option<std::time::Duration>,
    /// Establishing a connection.
    pub connect_timeout: Option<std::time::Duration>,
    /// One attempt.
    pub attempt_timeout: Option<std::time::Duration>,
    /// One action call in all.
    pub deadline: Option<std::time::Duration>,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: Option<u64>,
    /// Listing every page: stop after this many pages (the summary's `next_input` goes on).
    pub max_pages: Option<u64>,
    /// Listing every page: stop after this many records (the summary's `next_input` goes on).
    pub max_records: Option<u64>,
    /// Listing every page: how many pages may be in flight at once once the total is known
    /// (default [`crate::http::CONCURRENCY`]; `1` fetches one page after another).
    pub concurrency: Option<usize>,
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

/// A header, query or form value that may be secret.
#[derive(Debug, Clone)]
pub enum Param {
    /// Shown as is.
    Plain(String),
    /// A credential or a `sensitive` input: shown as `[redacted]`. `None` when planning without
    /// credentials (dry run).
    Secret(Option<SecretString>),
    /// A secret after a fixed text: `Bearer <token>` (RFC 6750), `Basic <base64>` (RFC 7617), an
    /// API key's `prefix`. Shown as the text and `[redacted]`; `None` until supplied (dry run)
    /// or obtained (an OAuth 2.0 token, at execution).
    Prefixed(String, Option<SecretString>),
}

impl Param {
    /// The value to send; `None` for a secret that was not supplied.
    pub fn expose(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Param::Plain(s) => Some(s.into()),
            Param::Secret(s) => s.as_ref().map(|s| s.expose_secret().into()),
            Param::Prefixed(prefix, s) => s
                .as_ref()
                .map(|s| format!("{prefix}{}", s.expose_secret()).into()),
        }
    }

    /// The value to show: secrets are `[redacted]`.
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Param::Plain(s) => s.into(),
            Param::Secret(_) => REDACTED.into(),
            Param::Prefixed(prefix, _) => format!("{prefix}{REDACTED}").into(),
        }
    }

    /// Whether the value carries a credential or a sensitive input.
    pub fn is_secret(&self) -> bool {
        !matches!(self, Param::Plain(_))
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// `application/json`.
    Json(Value),
    /// `application/x-www-form-urlencoded`: unencoded name–value pairs, in order.
    Form(Vec<(String, Param)>),
}

impl Body {
    /// The bytes on the wire; `None` when a secret of a form field was not supplied (dry run).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Body::Json(v) => Some(v.to_string().into_bytes()),
            Body::Form(pairs) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs {
                    form.append_pair(k, &v.expose()?);
                }
                Some(form.finish().into_bytes())
            }
        }
    }

    /// The `Content-Type` the body is sent with.
    pub fn content_type(&self) -> &'static str {
        match self {
            Body::Json(_) => "application/json",
            Body::Form(_) => "application/x-www-form-urlencoded",
        }
    }
}

/// A fully rendered HTTP request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// HTTP method.
    pub method: crate::spec::Method,
    /// Absolute URL without the query string.
    pub url: String,
    /// Query pairs, unencoded (the HTTP client encodes them once).
    pub query: Vec<(String, Param)>,
    /// Headers, names in lowercase.
    pub headers: Vec<(String, Param)>,
    /// The body, if any.
    pub body: Option<Body>,
    /// JSON pointers of JSON body members that hold sensitive inputs.
    pub sensitive_body: Vec<String>,
    /// The auth method used, and for OAuth 2.0 the token request to make.
    pub auth: Option<AuthPlan>,
    /// The values of `sensitive` inputs (as text), hidden wherever they appear when shown.
    pub sensitive_values: Vec<String>,
}

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
    /// The body: a JSON body as JSON, a form body as its encoded text (secret values as
    /// `[redacted]`, not encoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// `pairs` form-encoded, secret values shown as `[redacted]`.
fn shown_form(pairs: &[(String, Param)]) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    pairs
        .iter()
        .map(|(k, v)| match v {
            Param::Plain(text) => format!("{}={}", encode(k), encode(text)),
            secret => format!("{}={}", encode(k), secret.shown()),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// How a URL's query values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Secrets as [`REDACTED`].
    Redacted,
    /// As sent.
    AsSent,
}

impl HttpRequest {
    /// The URL with the encoded query string, secret query values as [`REDACTED`]: the URL a
    /// dry run shows.
    pub fn full_url(&self) -> String {
        self.url_with(Shown::Redacted)
    }

    /// The URL with the encoded query string and every value as sent: never shown.
    pub(crate) fn wire_url(&self) -> String {
        self.url_with(Shown::AsSent)
    }

    fn url_with(&self, values: Shown) -> String {
        let shown = values == Shown::Redacted;
        match url::Url::parse(&self.url) {
            Ok(mut u) => {
                if !self.query.is_empty() {
                    let mut q = u.query_pairs_mut();
                    for (k, v) in &self.query {
                        q.append_pair(
                            k,
                            &if shown {
                                v.shown()
                            } else {
                                v.expose().unwrap_or_default()
                            },
                        );
                    }
                }
                u.to_string()
            }
            // A dry run shows a server variable it has no value for as `{name}`.
            Err(_) if self.query.is_empty() => self.url.clone(),
            Err(_) => {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &self.query {
                    let text = if shown {
                        v.shown()
                    } else {
                        v.expose().unwrap_or_default()
                    };
                    q.append_pair(k, &text);
                }
                format!("{}?{}", self.url, q.finish())
            }
        }
    }

    /// The request with every secret and sensitive value replaced by `[redacted]`.
    pub fn shown(&self) -> ShownRequest {
        let redactor = Redactor::new(&self.sensitive_values);
        let hide = |text: &str| redactor.redact(text);
        let mut headers = Map::new();
        for (k, v) in &self.headers {
            headers.insert(k.clone(), Value::String(hide(&v.shown())));
        }
        let body = self.body.as_ref().map(|b| match b {
            Body::Json(b) => {
                let mut b = b.clone();
                for p in &self.sensitive_body {
                    if let Some(slot) = b.pointer_mut(p) {
                        *slot = Value::String(REDACTED.into());
                    }
                }
                // A template may have moved a sensitive value anywhere (`body: "{{ input.x }}"`).
                redactor.redact_json(&mut b);
                b
            }
            Body::Form(pairs) => Value::String(hide(&shown_form(pairs))),
        });
        ShownRequest {
            method: self.method.as_str(),
            url: hide(&self.full_url()),
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
    /// The base URL for `config`: `base_url`, else the named server, else the default server,
    /// with the server's `{variables}` filled from their credentials.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] for an unknown server name or an invalid base URL; in
    /// [`Mode::Execute`], [`ErrorKind::Auth`] for a server variable whose credential is unset,
    /// and [`ErrorKind::Usage`] for one that is not a host name. A dry run shows an unset
    /// variable as `{name}`.
    pub fn base_url(&self, config: &Config, mode: Mode) -> Result<String> {
        let name = match (&config.base_url, &config.server) {
            (Some(url), _) => {
                check_url(url, "base URL")?;
                return Ok(url.trim_end_matches('/').to_owned());
            }
            (None, Some(name)) => name,
            (None, None) => &self.spec.default_server,
        };
        let Some(server) = self.spec.servers.get(name) else {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("connector `{}` has no server `{name}`", self.spec.key),
            )
            .with_hint(crate::diagnostic::unknown_name_hint(
                name,
                "server",
                self.spec.servers.keys().map(String::as_str),
            )));
        };
        let mut url = server.url.clone();
        for (var, source) in &server.variables {
            let value = match config.credentials.get(&source.credential) {
                Some(v) => host_value(v.expose_secret(), var, self.env_of(&source.credential))?,
                None if mode == Mode::DryRun => continue,
                None => {
                    return Err(Error::new(
                        ErrorKind::Auth,
                        format!(
                            "server `{name}` needs {} for its `{{{var}}}`",
                            self.env_of(&source.credential)
                        ),
                    )
                    .with_hint("set it, or pass a base URL instead"));
                }
            };
            url = url.replace(&format!("{{{var}}}"), &value);
        }
        if mode == Mode::Execute || server.variables.is_empty() {
            check_url(&url, "base URL")?;
        }
        Ok(url.trim_end_matches('/').to_owned())
    }

    /// How `action`'s body is encoded: its `body_format`, else the connector's default, else JSON.
    pub fn body_format(&self, action: &Action) -> BodyFormat {
        action
            .spec
            .body_format
            .or(self.spec.defaults.body_format)
            .unwrap_or_default()
    }

    /// The environment variable of a credential, for messages.
    fn env_of<'a>(&'a self, credential: &'a str) -> &'a str {
        self.spec
            .credentials
            .get(credential)
            .map_or(credential, |c| c.env.as_str())
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
        // Schema violations, path and encoding problems are reported together.
        let mut violations = action.check_input(input);
        let normalized = normalize_integers(action, input_map, &mut violations);
        let input_map = normalized.as_ref().unwrap_or(input_map);
        if let Some(v) = page_size_violation(action, input_map)
            && !violations.iter().any(|o| o.pointer == v.pointer)
        {
            violations.push(v);
        }
        let compiled = self.compiled(action)?;
        let mut url = self.base_url(config, mode)?;
        push_path(&mut url, &compiled.path, action, input_map, &mut violations);
        let form = self.body_format(action) == BodyFormat::Form;
        let placed = place_inputs(
            action,
            input_map,
            (compiled.body.is_none(), form),
            &mut violations,
        );
        if !violations.is_empty() {
            violations.sort_by(|a, b| a.pointer.cmp(&b.pointer));
            return Err(Error::input(&self.spec.key, &action.id, violations));
        }
        let rendered = self.render_templates(action, compiled, input_map, config)?;
        let mut request = self.assemble(action, url, placed, rendered)?;
        request.auth = self.apply_auth(&mut request.headers, &mut request.query, config, mode)?;
        self.check_header_values(action, &request.headers)?;
        let mut sensitive_values = Vec::new();
        for (id, spec) in &action.spec.inputs {
            if spec.sensitive
                && let Some(v) = input_map.get(id)
            {
                collect_scalars(v, &mut sensitive_values);
            }
        }
        sensitive_values.retain(|v| v.chars().count() >= MIN_REDACTED_LEN);
        request.sensitive_values = sensitive_values;
        Ok(request)
    }

    /// The connector's and the action's header, query and body templates, rendered.
    fn render_templates(
        &self,
        action: &Action,
        compiled: &crate::connector::Compiled,
        input: &Map<String, Value>,
        config: &Config,
    ) -> Result<Rendered> {
        let context = self.template_context(input, config);
        let templates = self.templates();
        let render = |t: &crate::template::ValueTemplate, what: &str| {
            templates.render(t, &context).map_err(|e| {
                Error::new(
                    ErrorKind::Spec,
                    format!("action `{}`: the {what} template failed: {e}", action.id),
                )
            })
        };
        let omitted = |name: &str| {
            action
                .spec
                .omit_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
        };
        let mut out = Rendered::default();
        for (name, t) in &self.default_headers {
            if !omitted(name)
                && let Some(v) = render(t, "header")?
            {
                out.default_headers.push((name.clone(), encode::text(&v)));
            }
        }
        for (name, t) in &compiled.headers {
            if let Some(v) = render(t, "header")? {
                out.headers.push((name.clone(), encode::text(&v)));
            }
        }
        for (name, t) in &compiled.query {
            if let Some(v) = render(t, "query")? {
                out.query.push((name.clone(), encode::text(&v)));
            }
        }
        if let Some(t) = &compiled.body {
            out.body = render(t, "body")?;
        }
        Ok(out)
    }

    /// The request from its parts. Headers: the connector's, then header inputs, then the
    /// action's templates, each replacing an earlier one of the same name; `Accept` and
    /// `Content-Type` are the engine's only where none was declared.
    fn assemble(
        &self,
        action: &Action,
        url: String,
        placed: Placed,
        rendered: Rendered,
    ) -> Result<HttpRequest> {
        let mut headers: Vec<(String, Param)> = Vec::new();
        let Placed {
            mut query,
            headers: input_headers,
            has_body,
            json,
            form,
            sensitive_body,
        } = placed;
        let plain = rendered
            .default_headers
            .into_iter()
            .map(|(n, v)| (n, Param::Plain(v)));
        let templated = rendered
            .headers
            .into_iter()
            .map(|(n, v)| (n, Param::Plain(v)));
        for (name, value) in plain.chain(input_headers).chain(templated) {
            set_header(&mut headers, &name.to_ascii_lowercase(), value);
        }
        for (name, value) in rendered.query {
            query.retain(|(n, _)| *n != name);
            query.push((name, Param::Plain(value)));
        }
        let body = match (rendered.body, self.body_format(action)) {
            (Some(Value::Null) | None, _) if !has_body => None,
            (Some(v), BodyFormat::Json) => Some(Body::Json(v)),
            (Some(v), BodyFormat::Form) => {
                Some(Body::Form(form_of_template(&self.spec.key, action, &v)?))
            }
            (None, BodyFormat::Json) => Some(Body::Json(Value::Object(json))),
            (None, BodyFormat::Form) => Some(Body::Form(form)),
        };
        if let Some(b) = &body
            && !has_header(&headers, "content-type")
        {
            headers.push(("content-type".into(), Param::Plain(b.content_type().into())));
        }
        if !has_header(&headers, "accept") {
            headers.push(("accept".into(), Param::Plain("application/json".into())));
        }
        Ok(HttpRequest {
            method: action.spec.method,
            url,
            query,
            headers,
            body,
            sensitive_body,
            auth: None,
            sensitive_values: Vec::new(),
        })
    }

    /// Header values must be sendable: a dry run must not approve what a real run refuses.
    fn check_header_values(&self, action: &Action, headers: &[(String, Param)]) -> Result<()> {
        for (name, value) in headers {
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
        Ok(())
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

    /// Adds the chosen auth method to the request. API keys, bearer tokens and basic
    /// credentials are placed now; OAuth 2.0 leaves a bearer placeholder that execution fills
    /// with a token.
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
        let cred = |c: &Option<String>| {
            c.as_deref()
                .and_then(|c| config.credentials.get(c))
                .cloned()
        };
        let mut token = None;
        let (place, value) = match method.kind {
            AuthType::ApiKey => {
                let prefix = method.prefix.clone().unwrap_or_default();
                let key_name = method.name.clone().unwrap_or_default();
                let place = match method.placement.unwrap_or(KeyPlacement::Header) {
                    KeyPlacement::Header => Place::Header(key_name.to_ascii_lowercase()),
                    KeyPlacement::Query => Place::Query(key_name),
                };
                (place, Param::Prefixed(prefix, cred(&method.credential)))
            }
            AuthType::Bearer => (
                Place::Header("authorization".into()),
                Param::Prefixed("Bearer ".into(), cred(&method.credential)),
            ),
            AuthType::Basic => (
                Place::Header("authorization".into()),
                Param::Prefixed("Basic ".into(), basic_credentials(method, config, mode)),
            ),
            AuthType::Oauth2ClientCredentials => {
                token = self.token_request(name, method, config, mode)?;
                (
                    Place::Header("authorization".into()),
                    Param::Prefixed("Bearer ".into(), None),
                )
            }
        };
        match place {
            Place::Header(n) => set_header(headers, &n, value),
            Place::Query(n) => query.push((n, value)),
        }
        Ok(Some(AuthPlan {
            method: name.to_owned(),
            token,
        }))
    }

    /// For OAuth 2.0 when executing: how to obtain the token (`None` in a dry run).
    fn token_request(
        &self,
        name: &str,
        method: &AuthMethod,
        config: &Config,
        mode: Mode,
    ) -> Result<Option<TokenRequest>> {
        let cred = |c: &Option<String>| {
            c.as_deref()
                .and_then(|c| config.credentials.get(c))
                .cloned()
        };
        let (Mode::Execute, Some(client_id), Some(client_secret)) =
            (mode, cred(&method.client_id), cred(&method.client_secret))
        else {
            return Ok(None);
        };
        Ok(Some(TokenRequest {
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
        }))
    }
}

/// The action's and the connector's templates, rendered (names as declared).
#[derive(Default)]
struct Rendered {
    default_headers: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

/// Where the inputs go: query pairs, header values and the body, in input order. The body is
/// placed in the action's format only: JSON members, or form fields encoded once.
#[derive(Default)]
struct Placed {
    query: Vec<(String, Param)>,
    headers: Vec<(String, Param)>,
    /// Whether any body input was given (an empty form is still a form body).
    has_body: bool,
    /// JSON body members, by wire name.
    json: Map<String, Value>,
    /// Form fields.
    form: Vec<(String, Param)>,
    /// JSON pointers of sensitive body members.
    sensitive_body: Vec<String>,
}

/// A value as a [`Param`]: secret when the input is `sensitive`.
fn wrap(text: String, sensitive: bool) -> Param {
    if sensitive {
        Param::Secret(Some(SecretString::from(text)))
    } else {
        Param::Plain(text)
    }
}

/// Appends the action's path to `url`, each `{id}` an encoded segment of its input.
fn push_path(
    url: &mut String,
    path: &[PathPart],
    action: &Action,
    input: &Map<String, Value>,
    violations: &mut Vec<InputViolation>,
) {
    for part in path {
        match part {
            PathPart::Literal(s) => url.push_str(s),
            PathPart::Placeholder(id) => {
                let raw = match input.get(id) {
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
}

/// Places every query, header and body input (body inputs only when `auto_body`: a body
/// template places them itself). An array item a joined style cannot carry is a violation.
fn place_inputs(
    action: &Action,
    input: &Map<String, Value>,
    (auto_body, form): (bool, bool),
    violations: &mut Vec<InputViolation>,
) -> Placed {
    let mut placed = Placed::default();
    for (id, spec) in &action.spec.inputs {
        let Some(value) = input.get(id) else {
            continue;
        };
        let wire = spec.wire_name(id);
        let pointer = format!("/{}", crate::yaml::escape_token(id));
        let mut encoded = || match encode::pairs(wire, value, spec.style) {
            Ok(pairs) => pairs,
            Err(message) => {
                violations.push(InputViolation {
                    pointer: pointer.clone(),
                    message,
                });
                Vec::new()
            }
        };
        match spec.placement {
            Placement::Path => {}
            Placement::Header => placed
                .headers
                .push((wire.to_owned(), wrap(encode::text(value), spec.sensitive))),
            Placement::Query => placed.query.extend(
                encoded()
                    .into_iter()
                    .map(|(k, v)| (k, wrap(v, spec.sensitive))),
            ),
            Placement::Body if auto_body => {
                placed.has_body = true;
                if form {
                    let fields = encoded().into_iter();
                    placed
                        .form
                        .extend(fields.map(|(k, v)| (k, wrap(v, spec.sensitive))));
                } else {
                    if spec.sensitive {
                        placed
                            .sensitive_body
                            .push(format!("/{}", crate::yaml::escape_token(wire)));
                    }
                    placed.json.insert(wire.to_owned(), value.clone());
                }
            }
            Placement::Body => {}
        }
    }
    placed
}

/// A rendered body template as form fields: it must be an object; its members are encoded
/// with the styles of the body inputs of the same name (the defaults otherwise).
fn form_of_template(
    connector: &str,
    action: &Action,
    body: &Value,
) -> Result<Vec<(String, Param)>> {
    let Value::Object(members) = body else {
        return Err(Error::new(
            ErrorKind::Spec,
            format!(
                "action `{}`: a form body template must render an object of fields",
                action.id
            ),
        ));
    };
    let mut out = Vec::new();
    for (name, value) in members {
        let input = action
            .spec
            .inputs
            .iter()
            .find(|(id, i)| i.placement == Placement::Body && i.wire_name(id) == name)
            .map(|(_, i)| i);
        let style = input.and_then(|i| i.style);
        let sensitive = input.is_some_and(|i| i.sensitive);
        let pairs = encode::pairs(name, value, style).map_err(|e| {
            Error::input(
                connector,
                &action.id,
                vec![InputViolation {
                    pointer: format!("/{}", crate::yaml::escape_token(name)),
                    message: e,
                }],
            )
        })?;
        out.extend(pairs.into_iter().map(|(k, v)| (k, wrap(v, sensitive))));
    }
    Ok(out)
}

/// Where an auth method puts its value.
enum Place {
    Header(String),
    Query(String),
}

/// `base64(username:password)` (RFC 7617 §2), an omitted or unset credential being empty;
/// `None` in a dry run, where nothing is sent.
fn basic_credentials(method: &AuthMethod, config: &Config, mode: Mode) -> Option<SecretString> {
    use base64::Engine as _;
    if mode == Mode::DryRun {
        return None;
    }
    Some(SecretString::from(
        base64::engine::general_purpose::STANDARD.encode(basic_pair(method, config)),
    ))
}

/// `username:password` of a basic auth method, unset credentials empty (also a value to
/// redact: the encoded pair is not the encoding of either half).
pub(crate) fn basic_pair(method: &AuthMethod, config: &Config) -> String {
    let value = |c: &Option<String>| {
        c.as_deref()
            .and_then(|c| config.credentials.get(c))
            .map(|s| s.expose_secret().to_owned())
            .unwrap_or_default()
    };
    format!("{}:{}", value(&method.username), value(&method.password))
}

/// Sets header `name` (lowercase), replacing any earlier value.
fn set_header(headers: &mut Vec<(String, Param)>, name: &str, value: Param) {
    headers.retain(|(n, _)| n != name);
    headers.push((name.to_owned(), value));
}

fn has_header(headers: &[(String, Param)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n == name)
}

/// A server variable's value: a host name (RFC 1123 labels of letters, digits and hyphens,
/// joined by dots) or an IPv4 address, optionally with a `:port`, so that a credential can choose
/// the host but never add a path, a user name or another scheme.
fn host_value(value: &str, var: &str, env: &str) -> Result<String> {
    let value = value.trim();
    let (host, port) = value.rsplit_once(':').unwrap_or((value, ""));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let host_ok = !host.is_empty() && host.len() <= 253 && host.split('.').all(label_ok);
    let port_ok =
        port.is_empty() && !value.ends_with(':') || port.parse::<u16>().is_ok_and(|p| p > 0);
    if host_ok && port_ok {
        return Ok(value.to_ascii_lowercase());
    }
    Err(Error::new(
        ErrorKind::Usage,
        format!("{env} is not a host name, so it cannot fill the server URL's `{{{var}}}`"),
    )
    .with_hint("give the bare host, e.g. `dev-123456.example.com`: no scheme, path or spaces"))
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
    let message = if asked == 0 {
        "0 records per page would list nothing: ask for at least 1".to_owned()
    } else if asked > style.max_page_size {
        format!(
            "{asked} is above the largest page size the API accepts ({})",
            style.max_page_size
        )
    } else {
        return None;
    };
    Some(InputViolation {
        pointer: format!("/{}", crate::yaml::escape_token(&style.limit_input)),
        message,
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
