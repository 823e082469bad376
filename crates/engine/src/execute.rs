//! Execution: send a planned request, map the response to an [`Outcome`], follow pagination.
//!
//! The only I/O in the engine. One [`Client`] (one `reqwest::Client`, so one connection pool)
//! serves a whole process.

use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Map, Value};

use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::{SecretSlot, Token, TokenRequest, TokenStore};
use crate::connector::{Action, Connector};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Param;
use crate::plan::{Config, HttpRequest, Mode};
use crate::spec::PaginationStyle;

/// How long to wait for a TCP/TLS connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take in all, from sending to the last body byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How much of a non-JSON body an error message shows, in characters.
const BODY_EXCERPT: usize = 200;

/// The HTTP client shared by every request of a process, with its OAuth token cache.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    tokens: Arc<TokenStore>,
}

impl Client {
    /// A client with rustls, connection pooling, [`CONNECT_TIMEOUT`], [`REQUEST_TIMEOUT`] and
    /// `User-Agent: actionspec/<version>`.
    ///
    /// # Errors
    /// [`ErrorKind::Transport`] if the TLS backend cannot be initialised.
    pub fn new() -> Result<Client> {
        Self::with_timeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A client with explicit timeouts.
    ///
    /// # Errors
    /// [`ErrorKind::Transport`] if the TLS backend cannot be initialised.
    pub fn with_timeouts(connect: Duration, request: Duration) -> Result<Client> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("actionspec/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(connect)
            .timeout(request)
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("cannot create the HTTP client: {e}"),
                )
            })?;
        Ok(Client {
            http,
            tokens: Arc::new(TokenStore::default()),
        })
    }

    /// Keeps OAuth tokens in files under `dir` too (mode 0600), so that consecutive processes
    /// reuse a token. The files hold access tokens, never client secrets.
    #[must_use]
    pub fn with_token_cache(mut self, dir: PathBuf) -> Client {
        self.tokens = Arc::new(TokenStore::with_disk_cache(dir));
        self
    }
}

/// Makes rustls' `ring` provider the process default, unless the embedding program installed
/// one of its own first (reqwest is built without a provider, see the workspace manifest).
pub fn install_tls_provider() {
    // An error only says that a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The uniform result of an action.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body; `None` for 204 and empty bodies, and for list actions (see `page`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// For list actions: the records of this page, the total and the next page's input.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
    /// The auth method (and for OAuth 2.0 the client secret) that was used; not printed with
    /// the result, reported on stderr by the CLI.
    #[serde(skip)]
    pub auth: Option<AuthUsed>,
}

/// Which auth method, and which client secret, a request used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthUsed {
    /// The auth method's name in the connector.
    pub method: String,
    /// For OAuth 2.0: the credential name of the secret that obtained the token.
    pub secret: Option<(String, SecretSlot)>,
}

fn set_bearer(
    request: &mut HttpRequest,
    token: &Token,
    secrets: &mut Vec<String>,
    auth: &mut Option<AuthUsed>,
    tr: &TokenRequest,
) {
    for (name, value) in &mut request.headers {
        if name == "authorization" {
            *value = Param::Bearer(Some(token.access_token.clone()));
        }
    }
    secrets.push(token.access_token.expose_secret().to_owned());
    let name = match token.secret {
        SecretSlot::Primary => tr.secret_names.0.clone(),
        SecretSlot::Secondary => tr.secret_names.1.clone().unwrap_or_default(),
    };
    if let Some(a) = auth {
        a.secret = Some((name, token.secret));
    }
}

/// One page of a list action.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The records on this page.
    pub records: Vec<Value>,
    /// The total number of records, where the API reports it (v1 `totalCount`, v2
    /// `x-total-count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The input that fetches the next page; absent on the last page.
    pub next_input: Option<Map<String, Value>>,
}

/// What `run_all` did.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Pages fetched.
    pub pages: u64,
    /// Records delivered.
    pub records: u64,
    /// The total reported by the API, if any.
    pub total: Option<u64>,
}

struct RawResponse {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Connector {
    /// Runs an action once: plans it, sends it, maps the response. For list actions the outcome
    /// carries one page.
    ///
    /// # Errors
    /// Input, auth and usage errors from planning; an error of the kind the HTTP status maps to
    /// (see [`ErrorKind::from_status`]) with the API's own message; [`ErrorKind::Upstream`] for a
    /// body that is not JSON; [`ErrorKind::Transport`] when no response arrived.
    pub async fn run(
        &self,
        client: &Client,
        action: &Action,
        input: &Value,
        config: &Config,
    ) -> Result<Outcome> {
        let mut request = self.plan(action, input, config, Mode::Execute)?;
        let mut secrets = secrets_of(action, input, config);
        let mut auth = request.auth.as_ref().map(|a| AuthUsed {
            method: a.method.clone(),
            secret: None,
        });
        let token_request = request.auth.as_ref().and_then(|a| a.token.clone());
        let raw = match &token_request {
            None => send(client, &request, &secrets).await?,
            Some(tr) => {
                let token = client.tokens.token(&client.http, tr, None).await?;
                set_bearer(&mut request, &token, &mut secrets, &mut auth, tr);
                let raw = send(client, &request, &secrets).await?;
                if raw.status == 401 {
                    // The token may have been revoked or expired early: refresh once, retry once.
                    tracing::debug!("401 with a bearer token: refreshing it and retrying once");
                    let fresh = client
                        .tokens
                        .token(&client.http, tr, Some(&token.access_token))
                        .await?;
                    set_bearer(&mut request, &fresh, &mut secrets, &mut auth, tr);
                    send(client, &request, &secrets).await?
                } else {
                    raw
                }
            }
        };
        let body = match self.check_response(action, &request, &raw, &secrets) {
            Ok(body) => body,
            Err(mut e) => {
                if e.kind == ErrorKind::Auth
                    && let Some((_, m)) = request
                        .auth
                        .as_ref()
                        .and_then(|a| self.spec.auth.get_key_value(&a.method))
                    && let Some(hint) = &m.unauthorized_hint
                {
                    e.hint = Some(hint.clone());
                }
                return Err(e);
            }
        };
        let status = raw.status;
        let page = match &action.pagination {
            None => None,
            Some(style) => Some(page_of(
                style,
                input,
                body.as_ref(),
                &raw.headers,
                &request,
                action,
            )?),
        };
        Ok(Outcome {
            status,
            body: if page.is_some() { None } else { body },
            page,
            auth,
        })
    }

    /// Runs a list action across every page, calling `on_page` as each page arrives, with the
    /// largest page size the style allows (unless the input sets one). Stops at the total when
    /// the API reports one (no request past it), else on a short or empty page.
    ///
    /// A failure part-way keeps what was delivered: the error says how many records were
    /// delivered and gives the input that resumes from there.
    ///
    /// # Errors
    /// As [`Connector::run`], and [`ErrorKind::Usage`] for an action without pagination;
    /// [`ErrorKind::Upstream`] when the API returns the same page twice.
    pub async fn run_all(
        &self,
        client: &Client,
        action: &Action,
        input: &Value,
        config: &Config,
        mut on_page: impl FnMut(&Page) -> Result<()>,
    ) -> Result<Summary> {
        let Some(style) = &action.pagination else {
            return Err(not_a_list(action));
        };
        let mut input = input.as_object().cloned().unwrap_or_default();
        if !input.contains_key(&style.limit_input) {
            input.insert(style.limit_input.clone(), Value::from(style.max_page_size));
        }
        let mut summary = Summary {
            pages: 0,
            records: 0,
            total: None,
        };
        let mut previous_first: Option<Value> = None;
        loop {
            let current = Value::Object(input.clone());
            let outcome = match self.run(client, action, &current, config).await {
                Ok(o) => o,
                Err(mut e) if summary.pages > 0 => {
                    e.message = format!(
                        "{} (page {} failed; {} from {} were delivered)",
                        e.message,
                        summary.pages + 1,
                        plural(summary.records, "record"),
                        plural(summary.pages, "page"),
                    );
                    e.hint = Some(format!("resume with --input '{current}'"));
                    e.resume_input = current.as_object().cloned().map(Box::new);
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            let Some(page) = outcome.page else {
                return Ok(summary);
            };
            if let Some(first) = page.records.first() {
                if previous_first.as_ref() == Some(first) {
                    return Err(Error::new(ErrorKind::Upstream, format!(
                        "the API returned the same page twice (at {} = {}); stopping so as not to loop",
                        style.offset_input,
                        current.get(&style.offset_input).cloned().unwrap_or(Value::Null)
                    ))
                    .with_hint(format!("check that `{}` is the API's offset parameter", style.offset_input)));
                }
                previous_first = Some(first.clone());
            }
            summary.pages += 1;
            summary.records += page.records.len() as u64;
            summary.total = page.total.or(summary.total);
            on_page(&page)?;
            match page.next_input {
                Some(next) => input = next,
                None => return Ok(summary),
            }
        }
    }

    /// Checks the status and parses the body. `Ok(None)` for 204 and empty bodies.
    fn check_response(
        &self,
        action: &Action,
        request: &HttpRequest,
        raw: &RawResponse,
        secrets: &[String],
    ) -> Result<Option<Value>> {
        let text = String::from_utf8_lossy(&raw.body);
        let trimmed = text.trim();
        let status = raw.status;
        let content_type = raw
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_owned();
        if (200..300).contains(&status) {
            if !action.spec.success.is_empty() && !action.spec.success.contains(&status) {
                tracing::warn!(action = %action.id, status, expected = ?action.spec.success, "unexpected success status");
            }
            if trimmed.is_empty() {
                return Ok(None);
            }
            return serde_json::from_str(trimmed).map(Some).map_err(|_| {
                Error::new(ErrorKind::Upstream, scrub(&format!(
                    "{} {} answered {status} with a body that is not JSON (content-type {content_type}): {}",
                    request.method.as_str(),
                    request.full_url(true),
                    excerpt(trimmed)
                ), secrets))
                .with_status(status)
                .with_hint("check --base-url / --server: the URL may point at a web page instead of the API")
            });
        }
        let kind = ErrorKind::from_status(status);
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let api_message = serde_json::from_str::<Value>(trimmed)
            .ok()
            .and_then(|v| api_message(&v));
        let detail = match api_message {
            // JumpCloud often prefixes its message with the reason phrase ("Not Found: …").
            Some(m) => format!(
                ": {}",
                m.strip_prefix(reason)
                    .and_then(|r| r.strip_prefix(": "))
                    .unwrap_or(&m)
            ),
            None if trimmed.is_empty() => String::new(),
            None => format!(
                " (body is not JSON, content-type {content_type}): {}",
                excerpt(trimmed)
            ),
        };
        let message = scrub(
            &format!(
                "{} {} failed with {status} {reason}{detail}",
                request.method.as_str(),
                request.full_url(true)
            ),
            secrets,
        );
        let hint = match kind {
            ErrorKind::Auth => Some(format!(
                "the API rejected the credentials: check {}",
                self.spec.credentials.values().filter(|c| c.secret).map(|c| c.env.as_str()).collect::<Vec<_>>().join(" / ")
            )),
            ErrorKind::Permission => Some("the credentials are valid but lack permission (role, scope or organization) for this action".to_owned()),
            ErrorKind::NotFound => Some("check the ids in the input, and the organization the credentials belong to".to_owned()),
            ErrorKind::RateLimited => Some(match raw.headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()) {
                Some(after) => format!("the API is rate limiting: it asks to wait {} before trying again", retry_after_text(after)),
                None => "the API is rate limiting: wait a little and try again".to_owned(),
            }),
            ErrorKind::Validation => Some("the API rejected the input: check the values against `actionspec describe`".to_owned()),
            ErrorKind::Conflict => Some("the request conflicts with the current state (e.g. a duplicate name or a resource in use)".to_owned()),
            ErrorKind::Upstream => Some("the API failed; try again later".to_owned()),
            _ => None,
        };
        let mut e = Error::new(kind, message).with_status(status);
        e.hint = hint;
        Err(e)
    }
}

/// The error for `--all` (or `run_all`) on an action without pagination.
pub fn not_a_list(action: &Action) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!(
            "action `{}` is not a list action: it has no pagination",
            action.id
        ),
    )
    .with_hint("run it without --all")
}

/// "1 record", "2 records".
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The API's own error message from a JSON error body: `message` (JumpCloud's
/// `{code, message, status}`), else `error_description` / `error` / `detail` / `title`.
fn api_message(v: &Value) -> Option<String> {
    ["message", "error_description", "error", "detail", "title"]
        .iter()
        .find_map(|k| {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
}

/// `Retry-After` as a duration in seconds (RFC 9110 §10.2.3 allows seconds or an HTTP date).
fn retry_after_text(value: &str) -> String {
    match value.trim().parse::<u64>() {
        Ok(s) => format!("{s} s"),
        Err(_) => format!("until {value}"),
    }
}

/// Values to scrub from messages: secret credentials and the action's `sensitive` inputs.
fn secrets_of(action: &Action, input: &Value, config: &Config) -> Vec<String> {
    let mut out: Vec<String> = config
        .credentials
        .secrets()
        .map(|s| s.expose_secret().to_owned())
        .collect();
    for (id, spec) in &action.spec.inputs {
        if spec.sensitive
            && let Some(v) = input.get(id)
        {
            out.push(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
        }
    }
    out
}

async fn send(client: &Client, request: &HttpRequest, secrets: &[String]) -> Result<RawResponse> {
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
        .map_err(|e| Error::new(ErrorKind::Usage, e.to_string()))?;
    let mut builder = client.http.request(method, &request.url);
    let query: Vec<(&str, std::borrow::Cow<'_, str>)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose().unwrap_or_default()))
        .collect();
    if !query.is_empty() {
        builder = builder.query(&query);
    }
    for (name, value) in &request.headers {
        let Some(v) = value.expose() else { continue };
        let mut hv = reqwest::header::HeaderValue::from_str(&v).map_err(|_| {
            Error::new(
                ErrorKind::Input,
                format!(
                    "header `{name}` has a value that cannot be sent in HTTP (control characters?)"
                ),
            )
        })?;
        if !matches!(value, crate::plan::Param::Plain(_)) {
            hv.set_sensitive(true);
        }
        builder = builder.header(name.as_str(), hv);
    }
    if let Some(body) = &request.body {
        let bytes =
            serde_json::to_vec(body).map_err(|e| Error::new(ErrorKind::Input, e.to_string()))?;
        builder = builder.body(bytes);
    }
    tracing::debug!(method = request.method.as_str(), url = %request.full_url(true), "sending request");
    let transport = |e: reqwest::Error| {
        let what = if e.is_timeout() {
            "timed out".to_owned()
        } else if e.is_connect() {
            format!("could not connect ({})", root_cause(&e))
        } else {
            root_cause(&e)
        };
        Error::new(
            ErrorKind::Transport,
            scrub(
                &format!(
                    "{} {}: {what}",
                    request.method.as_str(),
                    request.full_url(true)
                ),
                secrets,
            ),
        )
        .with_hint("check the network, --base-url / --server, and that the API is reachable")
    };
    let response = builder.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport)?.to_vec();
    tracing::debug!(status, bytes = body.len(), "response received");
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// The innermost error's text (e.g. "Connection refused (os error 111)"), without URLs.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    let text = source.to_string();
    if text.contains("://") {
        "request failed".to_owned()
    } else {
        text
    }
}

/// Removes every secret value from a message (an API may echo a key or a password back).
fn scrub(message: &str, secrets: &[String]) -> String {
    crate::plan::redact(message, secrets)
}

/// The first [`BODY_EXCERPT`] characters of a body, on one line.
fn excerpt(body: &str) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = flat.chars().take(BODY_EXCERPT).collect();
    if flat.chars().count() > BODY_EXCERPT {
        out.push('…');
    }
    format!("{out:?}")
}

/// Extracts one page from a list response.
fn page_of(
    style: &PaginationStyle,
    input: &Value,
    body: Option<&Value>,
    headers: &reqwest::header::HeaderMap,
    request: &HttpRequest,
    action: &Action,
) -> Result<Page> {
    let records = match body {
        None => Vec::new(),
        Some(body) => match body.pointer(&style.records) {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None if style.records.is_empty() => Vec::new(),
            _ => {
                return Err(Error::new(
                    ErrorKind::Upstream,
                    format!(
                        "{} {}: the response has no record array at `{}`",
                        request.method.as_str(),
                        request.full_url(true),
                        if style.records.is_empty() {
                            "the top level"
                        } else {
                            &style.records
                        }
                    ),
                )
                .with_hint(format!(
                    "the pagination style of action `{}` expects one; check the API version",
                    action.id
                )));
            }
        },
    };
    let total = style.total.as_ref().and_then(|t| {
        if let Some(pointer) = &t.body {
            return body.and_then(|b| b.pointer(pointer)).and_then(as_count);
        }
        let name = t.header.as_deref()?;
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse().ok())
    });
    let obj = input.as_object().cloned().unwrap_or_default();
    let offset = obj
        .get(&style.offset_input)
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let limit = obj
        .get(&style.limit_input)
        .and_then(Value::as_u64)
        .or_else(|| {
            action
                .spec
                .inputs
                .get(&style.limit_input)
                .and_then(|i| i.default.as_ref())
                .and_then(Value::as_u64)
        });
    let n = records.len() as u64;
    let next_offset = offset + n;
    let more = match (total, limit) {
        _ if n == 0 => false,
        (Some(total), _) => next_offset < total,
        (None, Some(limit)) => n >= limit,
        (None, None) => true,
    };
    let next_input = more.then(|| {
        let mut next = obj;
        next.insert(style.offset_input.clone(), Value::from(next_offset));
        next
    });
    Ok(Page {
        records,
        total,
        next_input,
    })
}

/// A count that may be a JSON number or a numeric string.
fn as_count(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}
