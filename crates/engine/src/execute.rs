//! Execution: send a planned request, map the response to an [`Outcome`], follow pagination.
//!
//! The only I/O in the engine. One [`Client`] (one `reqwest::Client`, so one connection pool)
//! serves a whole process.

use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::{SecretSlot, Token, TokenRequest};
use crate::connector::{Action, Connector};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Exchange, Policy, RawResponse};
use crate::paginate::{Facts, Pager};
use crate::plan::Param;
use crate::plan::{Config, HttpRequest, Mode};
use crate::record::{Record, pick, pick_many, records_in};
use crate::spec::{ErrorShape, PaginationStyle, ResponseValue};

pub use crate::http::{Client, install_tls_provider};

/// How much of a non-JSON body an error message shows, in characters.
const BODY_EXCERPT: usize = 200;

/// The uniform result of an action.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body; `None` for 204 and empty bodies, and for list actions (see `page`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// For list actions: the records of this page, the total and the next page's input.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
    /// The response headers the connector and the action name in `keep_headers` that the
    /// response carried, by lowercase name (repeated headers joined with `, `, RFC 9110 §5.3).
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub headers: indexmap::IndexMap<String, String>,
    /// The auth method (and for OAuth 2.0 the client secret) that was used; not printed with
    /// the result, reported on stderr by the CLI.
    #[serde(skip)]
    pub auth: Option<AuthUsed>,
}

/// Which auth method, and which client secret, a request used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
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
            *value = Param::Prefixed("Bearer ".into(), Some(token.access_token.clone()));
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
#[derive(Debug, Clone, Default, Serialize)]
pub struct Page {
    /// The records on this page, each as the API sent it (see [`Record`]).
    pub records: Vec<Record>,
    /// The total number of records, where the API reports it (v1 `totalCount`, v2
    /// `x-total-count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The input that fetches the next page; absent on the last page, and for next-URL kinds
    /// whose URL holds no declared `cursor_input` (then see `next_url`).
    pub next_input: Option<Map<String, Value>>,
    /// `link_header`, `next_url` pagination: the next page's URL; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
    /// What the response said for pagination.
    #[serde(skip)]
    pub(crate) facts: crate::paginate::Facts,
}

/// What `run_all` did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Pages fetched.
    pub pages: u64,
    /// Records delivered.
    pub records: u64,
    /// The total reported by the API, if any.
    pub total: Option<u64>,
    /// Records dropped because the page before had delivered them (needs the style's
    /// `record_id`).
    pub duplicates: u64,
    /// Why the list ended.
    pub end: Option<crate::paginate::End>,
    /// When a bound (`max_pages`, `max_records`) ended the run: the input that goes on from
    /// there.
    pub next_input: Option<Map<String, Value>>,
    /// With `next_input`, for next-URL kinds: the URL that goes on from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
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
        self.run_at(client, action, input, None, config).await
    }

    /// Checks that `config`'s credentials work: runs the connector's `health_check` action (a
    /// read the connector names) with its declared input. The outcome's
    /// [`Outcome::auth`] says which auth method, and which client secret, was used.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when the connector declares no health check; otherwise as
    /// [`Connector::run`] (an [`ErrorKind::Auth`] error when the credentials are missing or
    /// refused).
    pub async fn check_auth(&self, client: &Client, config: &Config) -> Result<Outcome> {
        let (action, input) = self.health_check_call()?;
        self.run(client, action, &input, config).await
    }

    /// The health-check action and its input.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] when the connector declares no health check.
    pub fn health_check_call(&self) -> Result<(&Action, Value)> {
        let Some(check) = &self.spec.health_check else {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("connector `{}` declares no health check", self.spec.key),
            )
            .with_hint(
                "add `health_check: { action: <read-only action>, input: {...} }` to the connector",
            ));
        };
        Ok((
            self.action(&check.action)?,
            Value::Object(check.input.clone()),
        ))
    }

    /// [`Connector::run`], for a page of a next-URL kind at `url` (as the API gave it), on the
    /// origin of the planned request only.
    pub(crate) async fn run_at(
        &self,
        client: &Client,
        action: &Action,
        input: &Value,
        url: Option<&str>,
        config: &Config,
    ) -> Result<Outcome> {
        let mut request = self.plan(action, input, config, Mode::Execute)?;
        if let Some(url) = url {
            follow_next(&mut request, url).map_err(|e| e.with_action(&action.id))?;
        }
        let mut secrets = secrets_of(action, input, config);
        secrets.extend(
            self.spec
                .auth
                .values()
                .filter(|m| m.kind == crate::spec::AuthType::Basic)
                .map(|m| crate::plan::basic_pair(m, config)),
        );
        let mut policy = Policy::resolve(&self.spec.defaults, &config.options);
        policy.limiter = client.limiter(&self.spec.key, self.spec.defaults.rate_limit);
        let (exchange, auth) = self
            .send_authorized(client, action, &mut request, &mut secrets, &policy)
            .await?;
        let raw = &exchange.raw;
        let failed = self
            .check_status(action, &request, &exchange, &secrets)
            .err()
            .or_else(|| self.failed_verdict(&request, raw, &secrets));
        if let Some(e) = failed {
            return Err(self.auth_hinted(e, &request).with_action(&action.id));
        }
        let status = raw.status;
        let unreadable = |why: String| self.unreadable(&request, status, &why, &secrets);
        let (body, page) = match &action.pagination {
            None => (json_body(raw, &secrets).map_err(unreadable)?, None),
            Some(style) => {
                let ListBody { records, facts } = list_body(style, raw, &request, &secrets)
                    .map_err(unreadable)?
                    .ok_or_else(|| no_records(style, &request, action))
                    .map_err(|e| e.with_action(&action.id))?;
                (None, Some(page_of(style, input, records, facts, action)))
            }
        };
        Ok(Outcome {
            status,
            body,
            page,
            headers: self.kept_headers(action, &raw.headers),
            auth,
        })
    }

    /// The response headers `keep_headers` names, of the connector and of `action`.
    fn kept_headers(
        &self,
        action: &Action,
        headers: &reqwest::header::HeaderMap,
    ) -> indexmap::IndexMap<String, String> {
        let names = self
            .spec
            .keep_headers
            .iter()
            .chain(&action.spec.keep_headers);
        let mut out = indexmap::IndexMap::new();
        for name in names {
            let lower = name.to_ascii_lowercase();
            let values: Vec<&str> = headers
                .get_all(lower.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if !values.is_empty() {
                out.insert(lower, values.join(", "));
            }
        }
        out
    }

    /// An auth error (a 401, or a body whose code maps to `auth`) with the auth method's
    /// `unauthorized_hint`, where it has one.
    fn auth_hinted(&self, mut e: Error, request: &HttpRequest) -> Error {
        if e.kind == ErrorKind::Auth
            && let Some(m) = request
                .auth
                .as_ref()
                .and_then(|a| self.spec.auth.get(&a.method))
            && let Some(hint) = &m.unauthorized_hint
        {
            e.hint = Some(hint.clone());
        }
        e
    }

    /// Sends the planned request with its auth method: for OAuth 2.0 a bearer token first, and
    /// when the API answers 401 to it, a fresh token and one more try (the token may have been
    /// revoked or may have expired early).
    async fn send_authorized(
        &self,
        client: &Client,
        action: &Action,
        request: &mut HttpRequest,
        secrets: &mut Vec<String>,
        policy: &Policy,
    ) -> Result<(Exchange, Option<AuthUsed>)> {
        let mut auth = request.auth.as_ref().map(|a| AuthUsed {
            method: a.method.clone(),
            secret: None,
        });
        let Some(tr) = request.auth.as_ref().and_then(|a| a.token.clone()) else {
            let exchange = crate::http::exchange(client, request, action, policy, secrets).await?;
            return Ok((exchange, auth));
        };
        let http = client.http(policy.connect, policy.attempt)?;
        let token = client.tokens.token(&http, &tr, None).await?;
        set_bearer(request, &token, secrets, &mut auth, &tr);
        let exchange = crate::http::exchange(client, request, action, policy, secrets).await?;
        if exchange.raw.status != 401 {
            return Ok((exchange, auth));
        }
        tracing::debug!("401 with a bearer token: refreshing it and retrying once");
        let fresh = client
            .tokens
            .token(&http, &tr, Some(&token.access_token))
            .await?;
        set_bearer(request, &fresh, secrets, &mut auth, &tr);
        let exchange = crate::http::exchange(client, request, action, policy, secrets).await?;
        Ok((exchange, auth))
    }

    /// Checks the status: an error of the status's kind outside 2xx, a warning for a 2xx the
    /// action does not declare.
    fn check_status(
        &self,
        action: &Action,
        request: &HttpRequest,
        exchange: &Exchange,
        secrets: &[String],
    ) -> Result<()> {
        let status = exchange.raw.status;
        if !(200..300).contains(&status) {
            let at = format!("{} {}", request.method.as_str(), request.full_url());
            return Err(self.status_error(action, &at, exchange, secrets));
        }
        if !action.spec.success.is_empty() && !action.spec.success.contains(&status) {
            tracing::warn!(action = %action.id, status, expected = ?action.spec.success, "unexpected success status");
        }
        Ok(())
    }

    /// The error a 2xx body reports, where the connector's `errors.ok` says to look and finds
    /// `false` there: of the kind `errors.codes` maps the API's code to (`validation` when
    /// unmapped), with the API's message. `None` when the body reports success or cannot be
    /// read (then the body's own reading reports it).
    fn failed_verdict(
        &self,
        request: &HttpRequest,
        raw: &RawResponse,
        secrets: &[String],
    ) -> Option<Error> {
        let shape = self.spec.errors.as_ref()?;
        let text = decode_text(raw).ok()?;
        let text = json_text(&text);
        let verdict = pick(text, shape.ok.as_deref()?).ok()??;
        if verdict.get() != "false" {
            return None;
        }
        let body: Value = serde_json::from_str(text).ok()?;
        let code = shape
            .code
            .as_deref()
            .and_then(|p| body.pointer(p))
            .map(word);
        let kind = code
            .as_deref()
            .and_then(|c| shape.codes.get(c))
            .map_or(ErrorKind::Validation, |&k| k.into());
        let words = api_words(Some(shape), &body);
        let said = match (&code, &words) {
            (Some(c), Some(m)) if c != m => format!("{c}: {m}"),
            (_, Some(m)) => m.clone(),
            (Some(c), None) => c.clone(),
            (None, None) => "no reason given".to_owned(),
        };
        let at = format!("{} {}", request.method.as_str(), request.full_url());
        let mut e = Error::new(
            kind,
            scrub(
                &format!(
                    "{at} answered {} but the API reports a failure: {said}",
                    raw.status
                ),
                secrets,
            ),
        )
        .with_status(raw.status);
        e.api_message = Some(scrub(words.as_ref().unwrap_or(&said), secrets));
        e.retryable = kind == ErrorKind::RateLimited;
        Some(e)
    }

    /// The error for a 2xx body that cannot be read; `why` follows "answered 200 ".
    fn unreadable(
        &self,
        request: &HttpRequest,
        status: u16,
        why: &str,
        secrets: &[String],
    ) -> Error {
        let at = format!("{} {}", request.method.as_str(), request.full_url());
        Error::new(
            ErrorKind::Upstream,
            scrub(&format!("{at} answered {status} {why}"), secrets),
        )
        .with_status(status)
        .with_hint("check the base URL or server: it may point at a web page instead of the API")
    }

    /// The error for an HTTP status outside 2xx, with the API's own message where it sent one.
    fn status_error(
        &self,
        action: &Action,
        at: &str,
        exchange: &Exchange,
        secrets: &[String],
    ) -> Error {
        let raw = &exchange.raw;
        let status = raw.status;
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let text = decode_text(raw).unwrap_or_else(|_| String::from_utf8_lossy(&raw.body));
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        let json = serde_json::from_str::<Value>(trimmed).ok();
        let api = json
            .as_ref()
            .and_then(|v| api_words(self.spec.errors.as_ref(), v))
            // Some APIs prefix their message with the reason phrase ("Not Found: …").
            .map(
                |m| match m.strip_prefix(reason).and_then(|r| r.strip_prefix(": ")) {
                    Some(rest) => rest.to_owned(),
                    None => m,
                },
            );
        let detail = match &api {
            Some(m) => format!(": {m}"),
            None if crate::http::is_redirect(status) => redirect_detail(raw),
            None if trimmed.is_empty() => String::new(),
            None if let Some(v) = &json => format!(": {}", json_excerpt(v, secrets)),
            None => format!(
                " (body is not JSON, content-type {}): {}",
                content_type(raw),
                excerpt(trimmed, secrets)
            ),
        };
        let note = match (&exchange.gave_up, exchange.attempts) {
            (Some(why), _) => format!(" ({why})"),
            (None, n) if n > 1 => format!(" (after {n} attempts)"),
            _ => String::new(),
        };
        let kind = ErrorKind::from_status(status);
        let mut e = Error::new(
            kind,
            scrub(
                &format!("{at} failed with {status} {reason}{detail}{note}"),
                secrets,
            ),
        )
        .with_status(status);
        e.api_message = api.map(|m| scrub(&m, secrets));
        e.retryable = matches!(status, 429 | 502 | 503 | 504);
        e.retry_after = crate::http::retry_after(
            &raw.headers,
            self.spec.defaults.retries.reset_header.as_ref(),
        )
        .filter(|_| matches!(status, 429 | 503))
        .map(|d| d.as_secs());
        e.may_be_applied = !action.idempotent && status >= 500;
        e.hint = self.status_hint(&e, action);
        e
    }

    /// What to do about an HTTP error status, in words for any front end.
    fn status_hint(&self, e: &Error, action: &Action) -> Option<String> {
        if e.may_be_applied {
            return Some(crate::http::applied_hint(action));
        }
        if e.status.is_some_and(crate::http::is_redirect) {
            return Some("redirects are followed only when the connector's `defaults.follow_redirects` or the run options enable it".to_owned());
        }
        Some(match e.kind {
            ErrorKind::Auth => format!(
                "the API rejected the credentials: check {}",
                self.spec.credentials.values().filter(|c| c.secret).map(|c| c.env.as_str()).collect::<Vec<_>>().join(" / ")
            ),
            ErrorKind::Permission => "the credentials are valid but lack permission (role, scope or organization) for this action".to_owned(),
            ErrorKind::NotFound => "check the ids in the input, and the organization the credentials belong to".to_owned(),
            ErrorKind::RateLimited => match e.retry_after {
                Some(secs) => format!(
                    "the API is rate limiting: it asks to wait {secs} s (until {}) before trying again",
                    httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(secs))
                ),
                None => "the API is rate limiting: wait a little and try again".to_owned(),
            },
            ErrorKind::Validation => "the API rejected the input: check the values against the action's inputs".to_owned(),
            ErrorKind::Conflict => "the request conflicts with the current state (e.g. a duplicate name or a resource in use)".to_owned(),
            ErrorKind::Upstream => "the API failed; try again later".to_owned(),
            _ => return None,
        })
    }
}

/// The deepest JSON nesting the parser reads (serde_json's recursion limit).
pub const MAX_JSON_DEPTH: usize = 128;

/// The body as JSON: `None` when empty; else why it cannot be read (a phrase that follows
/// "answered 200 ").
fn json_body(raw: &RawResponse, secrets: &[String]) -> Result<Option<Value>, String> {
    let text = decode_text(raw)?;
    let trimmed = json_text(&text);
    if trimmed.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(trimmed)
        .map(Some)
        .map_err(|e| not_json(&e, raw, trimmed, secrets))
}

/// A list page's records (at the style's `records` pointer) and what pagination needs from the
/// response (see [`Facts`]: each read where the style says), without building the body into a
/// value: `Ok(None)` when there is no record array where the style says. An empty body is a
/// page with no record.
fn list_body(
    style: &PaginationStyle,
    raw: &RawResponse,
    request: &HttpRequest,
    secrets: &[String],
) -> Result<Option<ListBody>, String> {
    // The records share the body's bytes when it is UTF-8 (checked once, by `decode_text`);
    // records of a body decoded from another charset are copied out of the decoded text.
    let text = decode_text(raw)?;
    let buf = match &text {
        std::borrow::Cow::Borrowed(_) => raw.body.clone(),
        std::borrow::Cow::Owned(_) => bytes::Bytes::new(),
    };
    let trimmed = json_text(&text);
    // One walk of the body finds the records and every value the style reads from it.
    let pointers = [
        Some(style.records.as_str()),
        style.total.as_ref().and_then(|t| t.body.as_deref()),
        style.page_count.as_ref().and_then(|t| t.body.as_deref()),
        style.next_cursor.as_ref().and_then(|t| t.body.as_deref()),
        style.has_more.as_deref(),
        style.next_url.as_deref(),
    ];
    let wanted: Vec<&str> = pointers.iter().flatten().copied().collect();
    let found = if trimmed.is_empty() {
        vec![None; wanted.len()]
    } else {
        pick_many(trimmed, &wanted).map_err(|e| not_json(&e, raw, trimmed, secrets))?
    };
    let mut found = found.into_iter();
    let mut slots = pointers
        .iter()
        .map(|p| p.and_then(|_| found.next().flatten()));
    let records = match slots.next().flatten() {
        None if trimmed.is_empty() => Vec::new(),
        Some(r) if r.get() == "null" && style.records.is_empty() => Vec::new(),
        Some(r) => match records_in(&buf, r) {
            Some(records) => records,
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    let parsed = |r: Option<&serde_json::value::RawValue>| {
        r.and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
    };
    let [total, page_count, cursor, has_more, next_at] =
        [(); 5].map(|()| parsed(slots.next().flatten()));
    let from = |body: Option<Value>, source: Option<&ResponseValue>| {
        body.or_else(|| {
            let name = source?.header.as_ref()?;
            header_text(&raw.headers, name).map(Value::String)
        })
    };
    let facts = Facts {
        records: records.len() as u64,
        total: from(total, style.total.as_ref())
            .as_ref()
            .and_then(as_count),
        page_count: from(page_count, style.page_count.as_ref())
            .as_ref()
            .and_then(as_count),
        cursor: from(cursor, style.next_cursor.as_ref()).and_then(|v| match v {
            Value::String(s) if !s.is_empty() => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        has_more: has_more.and_then(|v| v.as_bool()),
        next_url: next_url(style, raw, request, next_at),
    };
    Ok(Some(ListBody { records, facts }))
}

/// What a list page's response holds.
struct ListBody {
    records: Vec<Record>,
    facts: Facts,
}

/// The next page's absolute URL: from the body pointer `next_url` (resolved against the
/// request URL), or for `link_header` from the `Link` header's `rel="next"`.
fn next_url(
    style: &PaginationStyle,
    raw: &RawResponse,
    request: &HttpRequest,
    in_body: Option<Value>,
) -> Option<String> {
    let base = url::Url::parse(&request.wire_url()).ok()?;
    if style.next_url.is_some() {
        let text = in_body?;
        let text = text.as_str().filter(|s| !s.is_empty())?;
        return base.join(text).ok().map(String::from);
    }
    if style.kind != crate::spec::PaginationType::LinkHeader {
        return None;
    }
    raw.headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| crate::paginate::next_link(v, &base))
}

/// A response header's value as text, trimmed.
fn header_text(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// Points `request` at the next page's `url`, which must be on the request's own origin (so no
/// credential goes anywhere the connector did not send it). The URL carries its own query;
/// credentials the request sends in the query are kept (and any copy of them in the URL
/// dropped).
///
/// # Errors
/// [`ErrorKind::Upstream`] naming both origins when `url` is on another origin (or downgrades
/// https to http), or is not a URL.
fn follow_next(request: &mut HttpRequest, url: &str) -> Result<()> {
    let bad_url = |what: &str, e: url::ParseError| {
        Error::new(ErrorKind::Upstream, format!("{what} is not a URL: {e}"))
    };
    let from = url::Url::parse(&request.url).map_err(|e| bad_url("the request URL", e))?;
    let mut to = url::Url::parse(url)
        .map_err(|e| bad_url(&format!("the API's next page link `{url}`"), e))?;
    if crate::origin::crossing(&from, &to) != crate::origin::Crossing::SameOrigin {
        return Err(Error::new(
            ErrorKind::Upstream,
            format!(
                "the API's next page is on another origin ({} → {}); it is not followed, so no credential is sent there",
                crate::origin::display(&from),
                crate::origin::display(&to)
            ),
        )
        .with_hint("every record before it was delivered; ask the API's maintainers, or declare that origin as the connector's server"));
    }
    request
        .query
        .retain(|(_, p)| !matches!(p, crate::plan::Param::Plain(_)));
    let own: Vec<String> = request.query.iter().map(|(k, _)| k.clone()).collect();
    if !own.is_empty() {
        let kept: Vec<(String, String)> = to
            .query_pairs()
            .filter(|(k, _)| !own.iter().any(|o| o == k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        to.query_pairs_mut().clear().extend_pairs(kept);
    }
    request.url = to.to_string();
    Ok(())
}

/// A body's JSON text: without a byte order mark and surrounding whitespace.
fn json_text(text: &str) -> &str {
    text.trim_start_matches('\u{feff}').trim()
}

/// Why a body is not JSON (a phrase that follows "answered 200 ").
fn not_json(e: &serde_json::Error, raw: &RawResponse, text: &str, secrets: &[String]) -> String {
    if e.to_string().starts_with("recursion limit exceeded") {
        format!("with JSON nested deeper than {MAX_JSON_DEPTH} levels, the most the engine reads")
    } else {
        format!(
            "with a body that is not JSON (content-type {}): {}",
            content_type(raw),
            excerpt(text, secrets)
        )
    }
}

/// The body as text, decoded by the charset its `Content-Type` declares (UTF-8 when it declares
/// none, as JSON requires: RFC 8259 §8.1). Invalid bytes are an error naming the byte offset,
/// never replaced: a damaged value read and written back would damage the record.
fn decode_text(raw: &RawResponse) -> Result<std::borrow::Cow<'_, str>, String> {
    let Some(label) = charset(raw) else {
        return utf8(&raw.body);
    };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        None => Err(format!("with a body in an unknown charset `{label}`")),
        Some(enc) if enc == encoding_rs::UTF_8 => utf8(&raw.body),
        Some(enc) => enc
            .decode_without_bom_handling_and_without_replacement(&raw.body)
            .ok_or_else(|| format!("with a body that is not valid {}", enc.name())),
    }
}

fn utf8(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    std::str::from_utf8(bytes)
        .map(std::borrow::Cow::Borrowed)
        .map_err(|e| {
            format!(
                "with a body that is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            )
        })
}

/// The `charset` parameter of the `Content-Type` header, if any.
fn charset(raw: &RawResponse) -> Option<String> {
    let ct = raw
        .headers
        .get(reqwest::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    ct.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn content_type(raw: &RawResponse) -> &str {
    raw.headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
}

/// ", a redirect to https://host/path, which was not followed" (no query: it may carry a key).
fn redirect_detail(raw: &RawResponse) -> String {
    let to = raw
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(no Location header)");
    let shown = to.split(['?', '#']).next().unwrap_or(to);
    format!(", a redirect to {shown}, which was not followed")
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
    .with_hint("run it as a single call: it returns one outcome")
}

/// The API's words in an error body: at the connector's `errors.message` pointer when it
/// declares one (else its `errors.code`), else as [`api_message`] finds them.
fn api_words(shape: Option<&ErrorShape>, body: &Value) -> Option<String> {
    let declared = shape.and_then(|s| {
        [s.message.as_deref(), s.code.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|p| body.pointer(p).filter(|v| !v.is_null()).map(word))
    });
    declared.or_else(|| api_message(body))
}

/// A value as words: a string as itself, anything else as its JSON text.
fn word(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The API's own error message from a JSON error body: `message` (as in
/// `{code, message, status}`), else `error_description` / `error` / `detail` / `title`.
fn api_message(v: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    let keys = ["message", "error_description", "error", "detail", "title"];
    keys.iter()
        .find_map(|k| v.get(k).and_then(text))
        // `{"error": {"message": …}}`, `{"errors": [{"message": …}]}`: one level down.
        .or_else(|| {
            ["error", "errors"].iter().find_map(|k| {
                let inner = v.get(k)?;
                let inner = inner.as_array().and_then(|a| a.first()).unwrap_or(inner);
                keys.iter().find_map(|k| inner.get(k).and_then(text))
            })
        })
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

/// Removes every secret value from a message (an API may echo a key or a password back).
fn scrub(message: &str, secrets: &[String]) -> String {
    crate::plan::redact(message, secrets)
}

/// The first [`BODY_EXCERPT`] characters of a body, on one line, secrets removed before the cut
/// (so that a secret straddling it leaves no prefix behind).
/// At most [`BODY_EXCERPT`] characters of a JSON body's compact text, secrets scrubbed.
fn json_excerpt(body: &Value, secrets: &[String]) -> String {
    excerpt_text(&body.to_string(), secrets)
}

/// [`excerpt_text`], quoted (for bodies that are not JSON).
fn excerpt(body: &str, secrets: &[String]) -> String {
    format!("{:?}", excerpt_text(body, secrets))
}

/// At most [`BODY_EXCERPT`] characters of `body`, control characters as spaces, secrets
/// scrubbed before the cut.
fn excerpt_text(body: &str, secrets: &[String]) -> String {
    // A window well past the cut holds any secret that starts before it, in any encoding.
    let window: String = body
        .chars()
        .take(BODY_EXCERPT * 8)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = scrub(&window, secrets);
    let mut out: String = flat.chars().take(BODY_EXCERPT).collect();
    if flat.chars().count() > BODY_EXCERPT {
        out.push('…');
    }
    out
}

/// One page of a list response: its records and total, and the input (or URL) of the next page.
fn page_of(
    style: &PaginationStyle,
    input: &Value,
    records: Vec<Record>,
    facts: Facts,
    action: &Action,
) -> Page {
    let given = input.as_object().cloned().unwrap_or_default();
    // `{"skip": 250.0}` is offset 250 (planning sent it as 250).
    let obj = crate::plan::normalize_integers(action, &given, &mut Vec::new()).unwrap_or(given);
    let pager = Pager::new(style, default_page_size(action, style));
    let next = pager.next(&obj, &facts, facts.records).ok();
    Page {
        records,
        total: facts.total,
        next_input: next
            .as_ref()
            .filter(|_| pager.resumable())
            .map(|n| n.input.clone()),
        next_url: next.and_then(|n| n.url),
        facts,
    }
}

/// The page size of a list action when its input sets none: its limit input's default.
pub(crate) fn default_page_size(action: &Action, style: &PaginationStyle) -> Option<u64> {
    action
        .spec
        .inputs
        .get(&style.limit_input)
        .and_then(|i| i.default.as_ref())
        .and_then(Value::as_u64)
}

fn no_records(style: &PaginationStyle, request: &HttpRequest, action: &Action) -> Error {
    Error::new(
        ErrorKind::Upstream,
        format!(
            "{} {}: the response has no record array at `{}`",
            request.method.as_str(),
            request.full_url(),
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
    ))
}

/// A count that may be a JSON number or a numeric string.
fn as_count(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}
