//! Transport: one action call on the wire — time limits, retries with backoff, redirects under
//! the origin rule ([`crate::origin`]), and a bounded response body.
//!
//! The only module that talks to the network (with the OAuth token request in
//! [`crate::auth`]). One [`Client`] serves a whole process: its connection pools are shared by
//! every connector and action.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backon::BackoffBuilder;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::auth::TokenStore;
use crate::connector::Action;
use crate::error::{Error, ErrorKind, Result, TransportFailure};
use crate::origin::{self, Crossing};
use crate::plan::{HttpRequest, RunOptions};
use crate::spec::{Defaults, RateLimit, ResetHeader, ResetUnit};

/// How long to wait for a TCP (and TLS) connection, unless the connector or the run says.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt may take, from sending to the last body byte, unless the connector or
/// the run says.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one action call may take in all, retries and their waits included.
pub const DEADLINE: Duration = Duration::from_secs(300);
/// Attempts in all for an idempotent action, the first included.
pub const ATTEMPTS: u32 = 3;
/// The longest wait before a retry; a `Retry-After` asking for more ends the call.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// The largest response body accepted, in bytes (64 MiB).
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// The most redirects one attempt follows (when following is enabled).
pub const MAX_REDIRECTS: usize = 10;
/// The first backoff wait; each next one doubles, with jitter, up to [`MAX_WAIT`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Pages in flight at once when listing a list whose total is known.
pub const CONCURRENCY: usize = 4;

/// The resolved rules for one action call.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub connect: Duration,
    pub attempt: Duration,
    pub deadline: Duration,
    pub attempts: u32,
    pub max_wait: Duration,
    pub follow_redirects: bool,
    pub max_response_bytes: u64,
    /// Waited on before every attempt.
    pub limiter: Option<Arc<Limiter>>,
    /// The connector's rate-limit reset header, honoured where `Retry-After` is absent.
    pub reset: Option<ResetHeader>,
}

impl Policy {
    /// Run options over the connector's defaults over the engine's constants.
    pub(crate) fn resolve(defaults: &Defaults, options: &RunOptions) -> Policy {
        let secs = |v: Option<u64>| v.map(Duration::from_secs);
        let t = &defaults.timeouts;
        Policy {
            connect: options
                .connect_timeout
                .or(secs(t.connect))
                .unwrap_or(CONNECT_TIMEOUT),
            attempt: options
                .attempt_timeout
                .or(secs(t.attempt))
                .unwrap_or(ATTEMPT_TIMEOUT),
            deadline: options.deadline.or(secs(t.deadline)).unwrap_or(DEADLINE),
            attempts: options
                .attempts
                .or(defaults.retries.attempts)
                .unwrap_or(ATTEMPTS)
                .max(1),
            max_wait: options
                .max_wait
                .or(secs(defaults.retries.max_wait))
                .unwrap_or(MAX_WAIT),
            follow_redirects: options
                .follow_redirects
                .unwrap_or(defaults.follow_redirects),
            max_response_bytes: options
                .max_response_bytes
                .or(defaults.max_response_bytes)
                .unwrap_or(MAX_RESPONSE_BYTES),
            limiter: None,
            reset: defaults.retries.reset_header.clone(),
        }
    }
}

type MakeBuilder = dyn Fn() -> reqwest::ClientBuilder + Send + Sync;
/// Pooled clients by (connect, attempt) timeout.
type Pools = Mutex<Vec<((Duration, Duration), reqwest::Client)>>;
/// A connector's request-rate limiter.
pub(crate) type Limiter = governor::DefaultDirectRateLimiter;
/// Limiters by connector key and rate.
type Limiters = Mutex<Vec<((String, RateLimit), Arc<Limiter>)>>;

/// The HTTP client shared by every request of a process, with its OAuth token cache.
///
/// It never follows redirects by itself: the engine does, under the origin rule. One
/// `reqwest::Client` (one connection pool) is kept per pair of connect and attempt timeouts in
/// use, so in practice one per process.
#[derive(Clone)]
pub struct Client {
    make: Arc<MakeBuilder>,
    pools: Arc<Pools>,
    limiters: Arc<Limiters>,
    pub(crate) tokens: Arc<TokenStore>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client with rustls (the `ring` provider, unless the program installed another),
    /// connection pooling and `User-Agent: actionspec/<version>`.
    ///
    /// # Errors
    /// [`ErrorKind::Transport`] if the TLS backend cannot be initialised.
    pub fn new() -> Result<Client> {
        Self::with_builder(|| {
            reqwest::Client::builder().user_agent(concat!("actionspec/", env!("CARGO_PKG_VERSION")))
        })
    }

    /// A client whose connections are configured by `make` (proxy, extra root certificates,
    /// another `User-Agent`): it is called once per pair of timeouts in use. The engine then sets
    /// the connect timeout, a per-request timeout and `redirect::Policy::none()` on the builder,
    /// overriding any of those `make` set.
    ///
    /// # Errors
    /// [`ErrorKind::Transport`] if the builder cannot build a client (e.g. a bad certificate).
    pub fn with_builder(
        make: impl Fn() -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Result<Client> {
        install_tls_provider();
        let client = Client {
            make: Arc::new(make),
            pools: Arc::default(),
            limiters: Arc::default(),
            tokens: Arc::new(TokenStore::default()),
        };
        client.http(CONNECT_TIMEOUT, ATTEMPT_TIMEOUT)?;
        Ok(client)
    }

    /// Keeps OAuth tokens in files under `dir` too (mode 0600), so that consecutive processes
    /// reuse a token. The files hold access tokens, never client secrets.
    #[must_use]
    pub fn with_token_cache(mut self, dir: std::path::PathBuf) -> Client {
        self.tokens = Arc::new(TokenStore::with_disk_cache(dir));
        self
    }

    /// The limiter of `connector`'s requests at `rate`, shared by every call through this
    /// client (so by concurrent pages and retries alike).
    pub(crate) fn limiter(&self, connector: &str, rate: Option<RateLimit>) -> Option<Arc<Limiter>> {
        let rate = rate?;
        let per_second = std::num::NonZeroU32::new(rate.requests_per_second)?;
        let burst =
            std::num::NonZeroU32::new(rate.burst.unwrap_or(1)).unwrap_or(std::num::NonZeroU32::MIN);
        let mut limiters = self
            .limiters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (connector.to_owned(), rate);
        if let Some((_, l)) = limiters.iter().find(|(k, _)| *k == key) {
            return Some(l.clone());
        }
        let quota = governor::Quota::per_second(per_second).allow_burst(burst);
        let limiter = Arc::new(governor::RateLimiter::direct(quota));
        limiters.push((key, limiter.clone()));
        Some(limiter)
    }

    /// The pooled client for these timeouts, built on first use.
    pub(crate) fn http(&self, connect: Duration, attempt: Duration) -> Result<reqwest::Client> {
        let mut pools = self
            .pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, c)) = pools.iter().find(|(k, _)| *k == (connect, attempt)) {
            return Ok(c.clone());
        }
        let built = (self.make)()
            .connect_timeout(connect)
            .timeout(attempt)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("cannot create the HTTP client: {e}"),
                )
            })?;
        pools.push(((connect, attempt), built.clone()));
        Ok(built)
    }
}

/// Makes rustls' `ring` provider the process default, unless the embedding program installed
/// one of its own first (reqwest is built without a provider, see the workspace manifest).
pub fn install_tls_provider() {
    // An error only says that a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A response as received: status, headers, the whole body (at most the policy's size).
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body, shared with the records read from it (see [`crate::record::Record`]).
    pub body: bytes::Bytes,
}

/// A response and how it was obtained.
pub(crate) struct Exchange {
    pub raw: RawResponse,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// Why the call stopped retrying a retryable answer, for the error message.
    pub gave_up: Option<String>,
}

/// Why one attempt produced no response.
enum Failure {
    /// No connection could be made: nothing was sent, so any action may be retried.
    Connect(NoResponse),
    /// The request was (or may have been) sent and no complete answer came: a timeout or a
    /// lost connection.
    Lost(NoResponse),
    /// Not worth retrying (a refused redirect, a body over the limit).
    Final(Error),
}

/// An attempt that got no response: what happened in words, its kind and its cause.
struct NoResponse {
    what: String,
    failure: TransportFailure,
    cause: Arc<dyn std::error::Error + Send + Sync>,
}

impl Failure {
    /// The engine's own time limit for one attempt ran out.
    fn elapsed(limit: Duration, cause: tokio::time::error::Elapsed) -> Failure {
        Failure::Lost(NoResponse {
            what: format!("timed out after {}", seconds(limit)),
            failure: TransportFailure::Timeout,
            cause: Arc::new(cause),
        })
    }
}

/// Sends `request` under `policy`: retries idempotent actions (and any action that could not
/// connect) on connect errors, timeouts, 429, 502, 503 and 504, with exponential backoff and
/// jitter or the API's `Retry-After` (RFC 9110 §10.2.3, seconds or an HTTP date), within the
/// attempt limit, [`Policy::max_wait`] and the deadline.
///
/// # Errors
/// [`ErrorKind::Transport`] when no response arrived (with `may_be_applied` for an action that
/// is not idempotent and may have been sent); [`ErrorKind::Upstream`] for a refused redirect or
/// a body over the limit. An HTTP error status is not an error here: the caller maps it.
pub(crate) async fn exchange(
    client: &Client,
    request: &HttpRequest,
    action: &Action,
    policy: &Policy,
    secrets: &[String],
) -> Result<Exchange> {
    let http = client.http(policy.connect, policy.attempt)?;
    // Built once (headers checked, body serialized), then reused by every attempt.
    let first = match Hop::new(request) {
        Ok(hop) => hop,
        Err(f) => return finish(Err(f), request, action, 0, None, secrets),
    };
    let started = Instant::now();
    let mut backoff = backon::ExponentialBuilder::default()
        .with_min_delay(FIRST_BACKOFF)
        .with_max_delay(policy.max_wait)
        .with_jitter()
        .without_max_times()
        .build();
    let mut attempts = 0;
    loop {
        attempts += 1;
        if let Some(limiter) = &policy.limiter {
            limiter.until_ready().await;
        }
        let remaining = policy.deadline.saturating_sub(started.elapsed());
        let limit = policy.attempt.min(remaining);
        let result = tokio::time::timeout(
            limit,
            follow(&http, &first, request, action, policy, secrets),
        )
        .await
        .unwrap_or_else(|e| Err(Failure::elapsed(limit, e)));
        let Some(reason) = retry_reason(&result, action) else {
            return finish(result, request, action, attempts, None, secrets);
        };
        let asked = result
            .as_ref()
            .ok()
            .and_then(|raw| retry_after(&raw.headers, policy.reset.as_ref()));
        let stop = if attempts >= policy.attempts {
            Some(format!("gave up after {}", plural_attempts(attempts)))
        } else if asked.is_some_and(|w| w > policy.max_wait) {
            Some(format!(
                "not retried: the wait the API asked for is longer than {}",
                seconds(policy.max_wait)
            ))
        } else {
            None
        };
        let wait = asked.unwrap_or_else(|| backoff.next().unwrap_or(policy.max_wait));
        let stop = stop.or_else(|| {
            (started.elapsed() + wait >= policy.deadline).then(|| {
                format!(
                    "{}; another would pass the {} deadline",
                    plural_attempts(attempts),
                    seconds(policy.deadline)
                )
            })
        });
        if let Some(why) = stop {
            return finish(result, request, action, attempts, Some(why), secrets);
        }
        tracing::info!(action = %action.id, attempt = attempts, wait_ms = wait.as_millis() as u64, reason = %reason, "retrying");
        tokio::time::sleep(wait).await;
    }
}

/// Why `result` may be retried, or `None`.
fn retry_reason(result: &Result<RawResponse, Failure>, action: &Action) -> Option<String> {
    match result {
        Ok(raw) if action.idempotent && matches!(raw.status, 429 | 502 | 503 | 504) => {
            Some(format!("HTTP {}", raw.status))
        }
        Err(Failure::Connect(no)) => Some(no.what.clone()),
        Err(Failure::Lost(no)) if action.idempotent => Some(no.what.clone()),
        _ => None,
    }
}

/// The exchange, or the error for a failed attempt.
fn finish(
    result: Result<RawResponse, Failure>,
    request: &HttpRequest,
    action: &Action,
    attempts: u32,
    gave_up: Option<String>,
    secrets: &[String],
) -> Result<Exchange> {
    let failure = match result {
        Ok(raw) => {
            return Ok(Exchange {
                raw,
                attempts,
                gave_up,
            });
        }
        Err(f) => f,
    };
    let at = format!("{} {}", request.method.as_str(), request.full_url());
    let note = gave_up.map(|g| format!(" ({g})")).unwrap_or_default();
    let (mut e, no) = match failure {
        Failure::Final(e) => return Err(e),
        Failure::Connect(no) => (
            Error::new(ErrorKind::Transport, format!("{at}: {}{note}", no.what)).with_hint(
                "check the network, and that the base URL or server points at a reachable API",
            ),
            no,
        ),
        Failure::Lost(no) if action.idempotent => (
            Error::new(ErrorKind::Transport, format!("{at}: {}{note}", no.what))
                .with_hint("the API did not answer in time; try again later or allow more time"),
            no,
        ),
        Failure::Lost(no) => {
            let mut e = Error::new(
                ErrorKind::Transport,
                format!(
                    "{at}: {} after the request was sent: the API may have carried it out",
                    no.what
                ),
            )
            .with_hint(applied_hint(action));
            e.may_be_applied = true;
            (e, no)
        }
    };
    e.message = crate::redact::redact(&e.message, secrets);
    e.retryable = true;
    e.transport = Some(no.failure);
    e.cause = Some(no.cause);
    Err(e.with_action(&action.id))
}

/// What to do when a request that is not idempotent may have been carried out.
pub(crate) fn applied_hint(action: &Action) -> String {
    let check = action.spec.check_applied.as_deref().unwrap_or(
        "check whether it took effect (e.g. read the resource it changes) before running it again",
    );
    format!("it is not repeated automatically, since repeating it may not be safe: {check}")
}

fn plural_attempts(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{n} attempts")
    }
}

/// A duration as text: `2 s`, `1.5 s`, `250 ms`.
pub(crate) fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The wait an answer asks for: `Retry-After` (RFC 9110 §10.2.3: delta-seconds or an HTTP
/// date), else the connector's rate-limit `reset` header (epoch seconds or seconds from now). A
/// moment in the past is no wait.
pub(crate) fn retry_after(headers: &HeaderMap, reset: Option<&ResetHeader>) -> Option<Duration> {
    retry_after_header(headers).or_else(|| reset.and_then(|r| reset_wait(headers, r)))
}

/// A rate-limit reset header's value as a wait from now.
fn reset_wait(headers: &HeaderMap, reset: &ResetHeader) -> Option<Duration> {
    let value: u64 = headers
        .get(reset.name.as_str())?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(match reset.unit {
        ResetUnit::Seconds => Duration::from_secs(value),
        ResetUnit::EpochSeconds => (UNIX_EPOCH + Duration::from_secs(value))
            .duration_since(SystemTime::now())
            .unwrap_or_default(),
    })
}

fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// One request on the wire, as it is sent to one URL.
#[derive(Clone)]
struct Hop {
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    /// Names of the headers and query parameters that carry credentials or sensitive inputs.
    carried: Vec<String>,
}

impl Hop {
    fn new(request: &HttpRequest) -> Result<Hop, Failure> {
        let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
            .map_err(|e| Failure::Final(Error::new(ErrorKind::Usage, e.to_string())))?;
        let mut url = Url::parse(&request.url).map_err(|e| {
            Failure::Final(Error::new(
                ErrorKind::Usage,
                format!("invalid URL `{}`: {e}", request.url),
            ))
        })?;
        let mut carried = Vec::new();
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                if value.is_secret() {
                    carried.push(name.clone());
                }
                pairs.append_pair(name, &value.expose().unwrap_or_default());
            }
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let Some(text) = value.expose() else { continue };
            let (Ok(n), Ok(mut v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) else {
                return Err(Failure::Final(Error::new(
                    ErrorKind::Input,
                    format!(
                        "header `{name}` has a value that cannot be sent in HTTP (control characters?)"
                    ),
                )));
            };
            if value.is_secret() {
                v.set_sensitive(true);
                carried.push(name.clone());
            }
            headers.append(n, v);
        }
        let body = match &request.body {
            None => None,
            Some(b) => Some(b.bytes().ok_or_else(|| {
                Failure::Final(Error::new(
                    ErrorKind::Auth,
                    "a secret of the form body was not supplied",
                ))
            })?),
        };
        Ok(Hop {
            method,
            url,
            headers,
            body,
            carried,
        })
    }
}

/// One attempt: the request, and the redirects the policy lets it follow.
async fn follow(
    http: &reqwest::Client,
    first: &Hop,
    request: &HttpRequest,
    action: &Action,
    policy: &Policy,
    secrets: &[String],
) -> Result<RawResponse, Failure> {
    let mut hop = first.clone();
    for _ in 0..=MAX_REDIRECTS {
        let raw = send_once(http, &hop, policy.max_response_bytes).await?;
        if !policy.follow_redirects || !is_redirect(raw.status) {
            return Ok(raw);
        }
        hop = redirected(hop, &raw, request, action, secrets).map_err(Failure::Final)?;
    }
    Err(Failure::Final(
        Error::new(
            ErrorKind::Upstream,
            format!(
                "{} {}: more than {MAX_REDIRECTS} redirects",
                request.method.as_str(),
                request.full_url()
            ),
        )
        .with_hint("the API redirects in a loop; check the base URL or server"),
    ))
}

/// The redirect statuses whose `Location` names where to send the request again.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The next hop after a redirect, under the origin rule; an error says why a redirect is refused.
fn redirected(
    mut hop: Hop,
    raw: &RawResponse,
    request: &HttpRequest,
    action: &Action,
    secrets: &[String],
) -> Result<Hop> {
    let refuse = |why: String| {
        Error::new(
            ErrorKind::Upstream,
            crate::redact::redact(
                &format!(
                    "{} {} answered {} and the redirect was refused: {why}",
                    request.method.as_str(),
                    request.full_url(),
                    raw.status
                ),
                secrets,
            ),
        )
        .with_status(raw.status)
        .with_action(&action.id)
    };
    let to = raw
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| hop.url.join(l).ok())
        .ok_or_else(|| refuse("it has no valid Location header".to_owned()))?;
    let target = format!("{}{}", origin::display(&to), to.path());
    match origin::crossing(&hop.url, &to) {
        Crossing::Downgrade => {
            return Err(refuse(format!(
                "it leads from {} to {target}, which would send the request in clear text",
                origin::display(&hop.url)
            ))
            .with_hint("use the API's https address as the base URL"));
        }
        Crossing::OtherOrigin
            if !request.sensitive_body.is_empty() || !request.sensitive_values.is_empty() =>
        {
            return Err(refuse(format!(
                "it leads to another origin ({target}) and the request carries sensitive inputs"
            )));
        }
        Crossing::OtherOrigin => {
            let (dropped, clean) = strip_credentials(&mut hop, &to, secrets);
            if !dropped.is_empty() {
                tracing::warn!(action = %action.id, to = %target, dropped = %dropped.join(", "), "redirect to another origin: its credentials are not sent there");
            }
            hop.url = clean;
        }
        Crossing::SameOrigin => hop.url = to,
    }
    if raw.status == 303 {
        // RFC 9110 §15.4.4: fetch the result with GET.
        hop.method = reqwest::Method::GET;
        hop.body = None;
        hop.headers.remove(reqwest::header::CONTENT_TYPE);
    } else if !action.idempotent {
        return Err(refuse(format!(
            "repeating a {} of action `{}`, which is not idempotent, at {target} may not be safe",
            request.method.as_str(),
            action.id
        ))
        .with_hint("mark the action `idempotent: true` if repeating it is safe"));
    }
    Ok(hop)
}

/// Removes every credential from `hop` for a request to `to`, another origin: the headers that
/// carry credentials or sensitive inputs (and `authorization`, `cookie`,
/// `proxy-authorization`), and from `to` the query parameters that carry one or hold a secret
/// (an API may copy the query into its `Location`). Returns the names of what was removed and
/// the cleaned URL.
fn strip_credentials(hop: &mut Hop, to: &Url, secrets: &[String]) -> (Vec<String>, Url) {
    let mut dropped: Vec<String> = Vec::new();
    let carried: Vec<String> = hop.carried.drain(..).collect();
    let fixed = ["authorization", "cookie", "proxy-authorization"];
    for name in carried.iter().map(String::as_str).chain(fixed) {
        if hop.headers.remove(name).is_some() && !dropped.iter().any(|d| d == name) {
            dropped.push(name.to_owned());
        }
    }
    let holds_secret = |v: &str| {
        secrets
            .iter()
            .any(|s| !s.is_empty() && v.contains(s.as_str()))
    };
    let mut kept: Vec<(String, String)> = Vec::new();
    for (name, value) in to.query_pairs() {
        if carried.iter().any(|n| *n == name) || holds_secret(&value) {
            if !dropped.iter().any(|d| *d == name) {
                dropped.push(name.into_owned());
            }
        } else {
            kept.push((name.into_owned(), value.into_owned()));
        }
    }
    let mut clean = to.clone();
    if kept.is_empty() {
        clean.set_query(None);
    } else {
        clean.query_pairs_mut().clear().extend_pairs(kept);
    }
    (dropped, clean)
}

/// Response headers as `name: value` pairs joined by `; `, for the "response received" debug
/// event; the values of headers that carry sessions or credentials (`set-cookie`,
/// `authorization`, `proxy-authorization`, `x-api-key`) are shown as `[redacted]`.
fn shown_headers(headers: &reqwest::header::HeaderMap) -> String {
    const HIDDEN: [&str; 4] = [
        "set-cookie",
        "authorization",
        "proxy-authorization",
        "x-api-key",
    ];
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if HIDDEN.contains(&name.as_str()) {
                crate::plan::REDACTED.into()
            } else {
                String::from_utf8_lossy(value.as_bytes())
            };
            format!("{name}: {shown}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sends one hop and reads its body, at most `cap` bytes.
async fn send_once(http: &reqwest::Client, hop: &Hop, cap: u64) -> Result<RawResponse, Failure> {
    let mut builder = http
        .request(hop.method.clone(), hop.url.clone())
        .headers(hop.headers.clone());
    if let Some(body) = &hop.body {
        builder = builder.body(body.clone());
    }
    tracing::debug!(method = %hop.method, url = %origin::display(&hop.url), path = hop.url.path(), "sending request");
    let started = std::time::Instant::now();
    let mut response = builder.send().await.map_err(transport_failure)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let too_big = || {
        Failure::Final(
            Error::new(
                ErrorKind::Upstream,
                format!(
                    "{} {}{} answered {status} with a body larger than the limit of {}",
                    hop.method,
                    origin::display(&hop.url),
                    hop.url.path(),
                    bytes_text(cap)
                ),
            )
            .with_status(status)
            .with_hint("raise `max_response_bytes` (the connector's defaults or the run options), or ask for less (a smaller page size, fewer fields)"),
        )
    };
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(too_big());
    }
    // Sized once when the length is declared, so a page's body takes its own size, not the
    // next power of two.
    let declared = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok());
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(transport_failure)? {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::debug!(status, bytes = body.len(), elapsed_ms, headers = %shown_headers(&headers), "response received");
    // The body may hold anything the API returned: a subscriber that prints it must scrub it.
    tracing::trace!(target: "actionspec_engine::body", body = %String::from_utf8_lossy(&body), "response body");
    Ok(RawResponse {
        status,
        headers,
        body: body.into(),
    })
}

/// `64 MiB`, `1.5 KiB`, `512 bytes`.
fn bytes_text(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    match n {
        _ if n >= MIB && n.is_multiple_of(MIB) => format!("{} MiB", n / MIB),
        _ if n >= MIB => format!("{:.1} MiB", n as f64 / MIB as f64),
        _ if n >= 1024 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{n} bytes"),
    }
}

/// The failure for an error of the HTTP client, kept as the cause without its URL (which may
/// carry a key).
fn transport_failure(e: reqwest::Error) -> Failure {
    let cause = root_cause(&e);
    let failure = classify(&e);
    let connect = e.is_connect();
    let no = |what: String| NoResponse {
        what,
        failure,
        cause: Arc::new(e.without_url()),
    };
    if failure == TransportFailure::Timeout {
        Failure::Lost(no("timed out".to_owned()))
    } else if connect {
        Failure::Connect(no(format!("could not connect ({cause})")))
    } else {
        Failure::Lost(no(format!("the connection failed ({cause})")))
    }
}

/// Which kind of transport failure `e` is, from its chain of causes: a timeout, a TLS error
/// (rustls' error inside an I/O error), a refused connection (the I/O error's kind), a failed
/// lookup (hyper's connector says "dns error"), or another connection failure.
fn classify(e: &reqwest::Error) -> TransportFailure {
    if e.is_timeout() {
        return TransportFailure::Timeout;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return TransportFailure::Refused;
            }
            if io.kind() == std::io::ErrorKind::TimedOut {
                return TransportFailure::Timeout;
            }
            if tls_inside(io) {
                return TransportFailure::Tls;
            }
        }
        if s.is::<rustls::Error>() {
            return TransportFailure::Tls;
        }
        if s.to_string().starts_with("dns error") {
            return TransportFailure::Dns;
        }
        source = s.source();
    }
    TransportFailure::Connection
}

/// Whether `io` carries a TLS error, directly or in an I/O error it wraps (the TLS connector
/// wraps rustls' error twice).
fn tls_inside(io: &std::io::Error) -> bool {
    io.get_ref().is_some_and(|inner| {
        inner.is::<rustls::Error>()
            || inner
                .downcast_ref::<std::io::Error>()
                .is_some_and(tls_inside)
    })
}

/// The chain of causes (e.g. "dns error: failed to lookup address" or "invalid peer
/// certificate: UnknownIssuer"), without URLs, which may carry a key.
fn root_cause(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // hyper's "client error (Connect)" only repeats what the caller already says.
        let generic = text.starts_with("client error (");
        if !generic && !text.contains("://") && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        "request failed".to_owned()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h, None), Some(Duration::from_secs(2)));
        let later = SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        h.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_str(&date).unwrap(),
        );
        let wait = retry_after(&h, None).unwrap();
        assert!(
            wait > Duration::from_secs(110) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        h.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h, None), Some(Duration::ZERO));
        h.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&h, None), None);
    }

    #[test]
    fn policy_prefers_run_options_then_connector_defaults() {
        let mut d = Defaults::default();
        d.retries.attempts = Some(5);
        d.timeouts.attempt = Some(7);
        let o = RunOptions {
            attempts: Some(2),
            ..RunOptions::default()
        };
        let p = Policy::resolve(&d, &o);
        assert_eq!(p.attempts, 2);
        assert_eq!(p.attempt, Duration::from_secs(7));
        assert_eq!(p.connect, CONNECT_TIMEOUT);
        assert!(!p.follow_redirects);
        assert_eq!(p.max_response_bytes, MAX_RESPONSE_BYTES);
    }

    #[test]
    fn texts_for_sizes_and_durations() {
        assert_eq!(bytes_text(64 * 1024 * 1024), "64 MiB");
        assert_eq!(bytes_text(1536), "1.5 KiB");
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
        assert_eq!(seconds(Duration::from_secs(60)), "60 s");
    }
}
