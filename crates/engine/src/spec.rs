//! The connector file's data model (`spec_version: 1`), as deserialized from YAML.
//!
//! These types mirror `spec/connector.schema.json` one to one; a test checks that every object
//! in the meta-schema has exactly the fields of its Rust type, so the two cannot drift. The
//! format is documented for authors in `docs/connector-format.md`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One connector file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSpec {
    /// Version of the file format; only `1` exists.
    pub spec_version: u32,
    /// The connector's id (`snake_case`), used on the command line.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Version of this connector file (semver).
    pub version: String,
    /// One paragraph describing the connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The API's reference documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    /// Named base URLs.
    pub servers: IndexMap<String, Server>,
    /// The server used when none is chosen.
    pub default_server: String,
    /// What a linked account supplies, by credential name.
    #[serde(default)]
    pub credentials: IndexMap<String, Credential>,
    /// How credentials are sent, by auth method name; the first usable one is the default.
    #[serde(default)]
    pub auth: IndexMap<String, AuthMethod>,
    /// Default headers (templates) sent with every action; omitted when they render empty.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// Response headers every outcome keeps (rate-limit counters, `ETag`), matched without
    /// regard to case; they appear in the outcome's `headers`, names in lowercase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_headers: Vec<String>,
    /// Named pagination styles.
    #[serde(default)]
    pub pagination: IndexMap<String, PaginationStyle>,
    /// The action `actionspec auth check` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// How requests are sent: timeouts, retries, redirects, response size. Each value can be
    /// overridden per run ([`crate::plan::Config::options`]).
    #[serde(default)]
    pub defaults: Defaults,
    /// Where the API's bodies say that a call failed, and what with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorShape>,
    /// How the sandbox (`actionspec sandbox`) imitates the API as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxSpec>,
    /// Lints allowed in the whole file, by lint code, each with the reason (see [`Lints`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lints: Option<Lints>,
    /// The actions, by action id. Shared (`Arc`) with the loaded [`crate::Action`]s, so a loaded
    /// connector holds each action's spec once.
    pub actions: IndexMap<String, std::sync::Arc<ActionSpec>>,
}

/// A named base URL.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Absolute base URL; action paths are appended to it (its own path is kept).
    pub url: String,
    /// What the server is (region, environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The OAuth 2.0 token endpoint that belongs to this server, so that choosing a server
    /// chooses both hosts and they cannot mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// The `{name}` variables of `url`, each filled from a credential (OpenAPI 3 server
    /// variables, taken from the linked account instead of a default): `domain: { credential:
    /// domain }` for `https://{domain}`. A value must be a host name, optionally with a port.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub variables: IndexMap<String, ServerVariable>,
}

/// Where a server URL variable's value comes from.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerVariable {
    /// The credential that holds the value (usually not secret: it is part of the URL).
    pub credential: String,
    /// What the value is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A value a linked account supplies, read from an environment variable.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// The environment variable the value is read from.
    pub env: String,
    /// Secrets never enter templates, output, logs or error messages.
    #[serde(default)]
    pub secret: bool,
    /// Whether the auth methods that use it can work without it (default: required).
    #[serde(default = "yes")]
    pub required: bool,
    /// What the credential is and where to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn yes() -> bool {
    true
}

/// Kinds of auth method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthType {
    /// A static key sent in a header or query parameter, after an optional `prefix`.
    ApiKey,
    /// A static bearer token, sent as `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Bearer,
    /// HTTP Basic (RFC 7617): `Authorization: Basic base64(username:password)`.
    Basic,
    /// OAuth 2.0 client credentials grant (RFC 6749 §4.4): a bearer token from the server's
    /// `token_url`, sent as `Authorization: Bearer …` (RFC 6750).
    Oauth2ClientCredentials,
}

/// Where an API key is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPlacement {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
}

/// How an OAuth 2.0 client authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic `client_id:client_secret` (form-urlencoded first).
    #[default]
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Body,
}

/// How credentials are sent. Which keys apply depends on `type`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthMethod {
    /// The kind of auth method.
    #[serde(rename = "type")]
    pub kind: AuthType,
    /// `api_key`: where the key goes.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub placement: Option<KeyPlacement>,
    /// `api_key`: header or query parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `api_key`: text sent before the key, e.g. `"SSWS "` for `Authorization: SSWS <key>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `api_key`, `bearer`: the credential that holds the key or token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// `basic`: the credential that holds the user name (omitted: an empty user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `basic`: the credential that holds the password (omitted: an empty password, as for
    /// APIs that take a secret key as the user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// `oauth2_client_credentials`: the credential holding the client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `oauth2_client_credentials`: the credential holding the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `oauth2_client_credentials`: an optional second secret, tried when the token endpoint
    /// rejects the first (zero-downtime rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_secondary: Option<String>,
    /// `oauth2_client_credentials`: client authentication (default `basic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<ClientAuth>,
    /// `oauth2_client_credentials`: the `scope` parameter of the token request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A hint shown when the API answers 401 with this method (e.g. keys that expire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unauthorized_hint: Option<String>,
    /// What the auth method is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl AuthMethod {
    /// The credentials this method needs, in order (the optional secondary secret excluded).
    pub fn required_credentials(&self) -> Vec<&str> {
        match self.kind {
            AuthType::ApiKey | AuthType::Bearer => self.credential.as_deref().into_iter().collect(),
            AuthType::Basic => self
                .username
                .as_deref()
                .into_iter()
                .chain(self.password.as_deref())
                .collect(),
            AuthType::Oauth2ClientCredentials => self
                .client_id
                .as_deref()
                .into_iter()
                .chain(self.client_secret.as_deref())
                .collect(),
        }
    }

    /// Every credential this method refers to, with the key that names it.
    pub fn credential_refs(&self) -> Vec<(&'static str, &str)> {
        [
            ("credential", &self.credential),
            ("username", &self.username),
            ("password", &self.password),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("client_secret_secondary", &self.client_secret_secondary),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

impl AuthType {
    /// The auth method keys that apply to this type (`type`, `unauthorized_hint` and
    /// `description` apply to every type).
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            AuthType::ApiKey => &["in", "name", "prefix", "credential"],
            AuthType::Bearer => &["credential"],
            AuthType::Basic => &["username", "password"],
            AuthType::Oauth2ClientCredentials => &[
                "client_id",
                "client_secret",
                "client_secret_secondary",
                "client_auth",
                "scope",
            ],
        }
    }
}

/// How the connector's requests are sent (the top-level `defaults:` key). Every key is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Connect, per-attempt and per-action time limits.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// How often and how long a failed idempotent request is retried.
    #[serde(default)]
    pub retries: Retries,
    /// Whether HTTP redirects (301, 302, 303, 307, 308) are followed (default `false`). When they
    /// are, credentials go only to the origin the request was sent to, never over plain HTTP
    /// after HTTPS, and a body is re-sent only for an idempotent action.
    #[serde(default)]
    pub follow_redirects: bool,
    /// The largest response body accepted, in bytes (default 64 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_bytes: Option<u64>,
    /// A client-side limit on the request rate, shared by every request of the connector in the
    /// process (concurrent pages and retries included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// How request bodies are encoded when an action does not say (default `json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_format: Option<BodyFormat>,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// `application/json` (RFC 8259): the body inputs as one JSON object.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded` (the WHATWG URL Standard's form encoding): each body
    /// input a field; strings as they are, numbers and booleans as their JSON text, `null`
    /// left out, arrays and objects as the input's `style` says.
    Form,
}

/// A request rate (the GCRA of the `governor` crate): on average `requests_per_second`, with
/// bursts of up to `burst` requests at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per second, on average.
    pub requests_per_second: u32,
    /// Requests that may go at once after a quiet spell (default: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
}

/// Time limits, in whole seconds. Absent values take the engine's defaults
/// ([`crate::limits::CONNECT_TIMEOUT`], [`crate::limits::ATTEMPT_TIMEOUT`],
/// [`crate::limits::DEADLINE`]).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Establishing a TCP (and TLS) connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<u64>,
    /// One attempt, from sending the request to the last byte of the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u64>,
    /// One action call in all, retries and their waits included (each page of a list is one
    /// call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<u64>,
}

/// Retries of idempotent actions (on connect errors, timeouts, 429, 502, 503 and 504).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// Attempts in all, the first included (`1`: never retry; default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The longest wait before a retry, in seconds (default 60). A `Retry-After` asking for
    /// longer ends the run with a `rate_limited` error that says when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait: Option<u64>,
    /// A response header that says when a rate limit resets, honoured like `Retry-After` on 429
    /// and 503 answers that carry no `Retry-After`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_header: Option<ResetHeader>,
}

/// A rate-limit reset header (e.g. `X-Rate-Limit-Reset`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResetHeader {
    /// The header name.
    pub name: String,
    /// What its value counts.
    pub unit: ResetUnit,
}

/// What a reset header's integer value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetUnit {
    /// The moment of the reset, in seconds since the Unix epoch (UTC).
    EpochSeconds,
    /// Seconds from now until the reset.
    Seconds,
}

/// The action that checks that credentials work (`actionspec auth check`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// A read-only action id.
    pub action: String,
    /// Its input.
    #[serde(default)]
    pub input: serde_json::Map<String, Value>,
}

/// How an API reports errors in its response bodies (every pointer a JSON pointer, RFC 6901).
///
/// Some APIs answer HTTP 200 with a body that says the call failed (`{"ok": false, "error":
/// "channel_not_found"}`): with `ok`, such a body is an error, of the kind `codes` maps its code
/// to (`validation` when unmapped), with the API's message; the exit code follows the kind. For
/// an HTTP error status the status decides the kind, and `message` and `code` say where the
/// API's words are (otherwise the engine looks for `message`, `error_description`, `error`,
/// `detail` and `title` at the top level).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorShape {
    /// The verdict in a 2xx body: `false` there means the call failed; absent or any other
    /// value means it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<String>,
    /// The API's error message (`/error/message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The API's error code (`/error`), the key of `codes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// API error codes and the kind of error each is (`invalid_auth: auth`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub codes: IndexMap<String, ApiErrorKind>,
}

/// The kinds of error an API error code can be: the engine's kinds that an API can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorKind {
    /// Bad or missing credentials.
    Auth,
    /// Credentials without the right (a missing scope).
    Permission,
    /// The object does not exist.
    NotFound,
    /// The request conflicts with the object's state.
    Conflict,
    /// The API refused the input.
    Validation,
    /// Too many requests.
    RateLimited,
    /// The API failed.
    Upstream,
}

impl From<ApiErrorKind> for crate::error::ErrorKind {
    fn from(k: ApiErrorKind) -> crate::error::ErrorKind {
        use crate::error::ErrorKind as E;
        match k {
            ApiErrorKind::Auth => E::Auth,
            ApiErrorKind::Permission => E::Permission,
            ApiErrorKind::NotFound => E::NotFound,
            ApiErrorKind::Conflict => E::Conflict,
            ApiErrorKind::Validation => E::Validation,
            ApiErrorKind::RateLimited => E::RateLimited,
            ApiErrorKind::Upstream => E::Upstream,
        }
    }
}

/// Kinds of pagination style: what a page's request carries to say which page it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaginationType {
    /// Page size + offset inputs (`limit` / `skip`): records to skip.
    Offset,
    /// Page size + page number inputs (`per_page` / `page`), counting from `first_page`.
    PageNumber,
    /// Page size + a cursor input that carries the opaque position the previous page returned
    /// (in its body or a header, see `next_cursor`).
    Cursor,
    /// The next page's URL in the `Link` response header, `rel="next"` (RFC 8288).
    LinkHeader,
    /// The next page's URL in the body (`next_url`), absolute or relative to the request.
    NextUrl,
}

impl PaginationType {
    /// Every kind, in the order the format documents them.
    pub const ALL: [PaginationType; 5] = [
        PaginationType::Offset,
        PaginationType::PageNumber,
        PaginationType::Cursor,
        PaginationType::LinkHeader,
        PaginationType::NextUrl,
    ];

    /// Its name in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            PaginationType::Offset => "offset",
            PaginationType::PageNumber => "page_number",
            PaginationType::Cursor => "cursor",
            PaginationType::LinkHeader => "link_header",
            PaginationType::NextUrl => "next_url",
        }
    }
}

/// A named pagination style. Which keys apply depends on the kind (`type`); the loader says
/// which are missing or misplaced.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationStyle {
    /// The kind of pagination.
    #[serde(rename = "type")]
    pub kind: PaginationType,
    /// The action input that carries the page size.
    pub limit_input: String,
    /// `offset`: the action input that carries the offset (records to skip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_input: Option<String>,
    /// `page_number`: the action input that carries the page number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_input: Option<String>,
    /// `page_number`: the number of the first page, 0 or 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page: Option<u64>,
    /// `page_number`: where the response reports the number of pages, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_count: Option<ResponseValue>,
    /// `cursor`: the action input that carries the cursor (its `in:` says whether the cursor
    /// goes in the query or the body). `link_header`, `next_url`: the query parameter of the
    /// next URL that holds its position, so that a page's `next_input` can resume there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_input: Option<String>,
    /// `cursor`: where the response gives the next page's cursor; an absent, `null` or empty
    /// cursor ends the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<ResponseValue>,
    /// `cursor`: JSON pointer to a boolean that is `false` on the last page, where the API has
    /// one (`/has_more`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<String>,
    /// `next_url`: JSON pointer to the next page's URL in the body; absent, `null` or empty on
    /// the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
    /// The largest page size the API accepts; `--all` uses it.
    pub max_page_size: u64,
    /// JSON pointer (RFC 6901) to the record array in the response body; `""` is the body.
    pub records: String,
    /// Where the total record count is reported, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<ResponseValue>,
    /// The record member that holds each record's id (`_id`, `id`), or a JSON pointer to it
    /// (`/meta/id`). Listing every page drops a record whose id the page before already
    /// delivered (a record inserted between two requests shifts the window). The sandbox keys
    /// its records by it; when omitted it is inferred from the examples, else `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// `offset`, `page_number`: when the list ends where the API reports no total:
    /// `empty_page` (the default: one more request, which returns no record) or `short_page`
    /// (for APIs known to fill every page but the last). With a total, the list ends at the
    /// total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<StopRule>,
}

/// How a list without a total ends (see [`PaginationStyle::stop`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopRule {
    /// A page with no record ends the list.
    #[default]
    EmptyPage,
    /// A page with fewer records than the page size ends the list.
    ShortPage,
}

/// Where a list response reports a value (a total, a page count, a cursor): a JSON pointer
/// into the body, or a response header.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseValue {
    /// JSON pointer into the body (`/totalCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Response header name, matched case-insensitively (`x-total-count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

/// HTTP methods an action may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One named action: an HTTP operation with typed inputs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// Display name.
    pub name: String,
    /// What the action does.
    pub description: String,
    /// HTTP method.
    pub method: Method,
    /// Path template appended to the server URL; `{name}` is filled from the `in: path` input.
    pub path: String,
    /// Permission scopes the API documents for the operation.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Success statuses; empty means any 2xx.
    #[serde(default)]
    pub success: Vec<u16>,
    /// The pagination style name, for list actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<String>,
    /// Default headers this operation does not take.
    #[serde(default)]
    pub omit_headers: Vec<String>,
    /// How the body is encoded (default: the connector's `defaults.body_format`, else `json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_format: Option<BodyFormat>,
    /// Response headers to keep in the outcome, besides the connector's `keep_headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_headers: Vec<String>,
    /// Reads only (default: GET). `true` on another method needs [`ActionSpec::read_only_reason`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Why a POST, PUT, PATCH or DELETE marked `read_only: true` changes nothing (e.g. a search
    /// endpoint that takes its query as a body). Required with that combination, refused
    /// without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_reason: Option<String>,
    /// Deletes or disrupts something (default: DELETE); the CLI asks for `--yes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive: Option<bool>,
    /// Safe to repeat (default: GET, PUT, DELETE); only idempotent actions are retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// How to find out whether a request of this action was carried out, when it was sent and
    /// no answer came back (a timeout, a lost connection, a 5xx). Shown in that error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_applied: Option<String>,
    /// Inputs by input id.
    #[serde(default)]
    pub inputs: IndexMap<String, InputSpec>,
    /// Header templates added to the request.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// Query templates added to the request.
    #[serde(default)]
    pub query: IndexMap<String, String>,
    /// Body template; when present it replaces automatic placement of `in: body` inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Hints for the sandbox, where what it derives from the method and path is not enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<ActionSandbox>,
    /// Example inputs (and responses); at least one.
    pub examples: Vec<Example>,
    /// Deliberate differences from the vendor's OpenAPI document: conformance rule id →
    /// why the connector differs (`{ success: "the API answers 200, its document says 201" }`).
    /// `actionspec conform` reports a waived finding as information, not as a problem.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub conform: IndexMap<String, String>,
    /// Lints of `actionspec validate` allowed for this action, each with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lints: Option<Lints>,
}

/// Lints of `actionspec validate` that a connector allows on purpose (the `lints:` key, on an
/// action or at the top level): `lints: { allow: { L003: "sending it twice renames twice to the
/// same name" } }`. An allowed lint is neither a warning nor, with `--deny-warnings`, an error.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lints {
    /// Lint code (`L003`) → why the lint does not apply here.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub allow: IndexMap<String, String>,
}

/// How the sandbox imitates the API as a whole (the top-level `sandbox:` key).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSpec {
    /// The API's error body. In its strings, `{{ status }}` is the HTTP status (a number when it
    /// is the whole string), `{{ reason }}` its reason phrase and `{{ message }}` what went
    /// wrong. Default: `{"status": <status>, "message": <message>}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_body: Option<Value>,
    /// The HTTP status of every error answer (`200` for APIs that report failures in a 2xx
    /// body, `{"ok": false, ...}`), but the simulated 429 and 503, which keep theirs. Default:
    /// the error's own status (404, 400, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_status: Option<u16>,
    /// Whether list actions' `filter`, `sort` and `fields` query inputs follow the sandbox's
    /// list conventions (default `true`); `false` for an API whose filter language is another
    /// (the inputs are then accepted and ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_conventions: Option<bool>,
}

/// Per-action sandbox hints (the action's `sandbox:` key); each overrides what the sandbox
/// derives from the action's method, path and examples.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSandbox {
    /// What the action does to the sandbox's records (derived from the method and path when
    /// omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<SandboxOperation>,
    /// Inputs whose values (a string, or an array of strings) name records of a sandbox
    /// resource, by input id: `{ command_id: commands }`. Each must exist, else 404.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub references: IndexMap<String, String>,
    /// The response of a `respond` operation (default: the first example's response); on any
    /// other operation, the answer after the operation is carried out (instead of the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ExampleResponse>,
    /// The resource the action works on, by name, for APIs whose paths do not say it (RPC
    /// style: `POST /conversations.create` → `conversations`). A name no path gives becomes a
    /// resource of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// The input that carries the record id of a `get`, `replace`, `merge` or `delete` (in the
    /// path, query or body: `channel` of `GET /conversations.info?channel=C123`). Default: the
    /// path's last placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_input: Option<String>,
    /// Where the single record sits in the response body: a member name (`channel` for
    /// `{"ok": true, "channel": {...}}`) or a JSON pointer (`/data/item`). Default: the body is
    /// the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// Record members the operation sets, whatever the request says (`{ is_archived: true }`
    /// for an archive that is a `merge`; on `create`, members every new record starts with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<serde_json::Map<String, Value>>,
}

/// What an action does to the sandbox's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxOperation {
    /// One page of a collection (a paginated `GET` on the collection path).
    List,
    /// One record (`GET` on `{collection}/{id}`).
    Get,
    /// Adds a record (`POST` on the collection path).
    Create,
    /// Replaces the record's writable members (`PUT` on `{collection}/{id}`).
    Replace,
    /// Merges the body into the record, RFC 7386 style (`PATCH` on `{collection}/{id}`).
    Merge,
    /// Removes the record (`DELETE` on `{collection}/{id}`).
    Delete,
    /// Answers with a declared response and changes nothing (any other action).
    Respond,
}

/// JSON types an input may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputType {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON array.
    Array,
    /// A JSON object.
    Object,
}

impl InputType {
    /// The JSON Schema type name.
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::String => "string",
            InputType::Integer => "integer",
            InputType::Number => "number",
            InputType::Boolean => "boolean",
            InputType::Array => "array",
            InputType::Object => "object",
        }
    }
}

/// Where an input is placed in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// A `{name}` path segment.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// A member of the body (a JSON member or a form field, as the action's `body_format` says).
    Body,
}

/// How an array or object input is written in a query string or a form body (OpenAPI 3's
/// `style`/`explode`: `repeat` is `form` exploded, `comma` is `form` unexploded, `space` and
/// `pipe` are `spaceDelimited` and `pipeDelimited`, `bracket` is `deepObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingStyle {
    /// `a=1&a=2` (the default for arrays).
    Repeat,
    /// `a=1,2`; an item holding a comma is an input error.
    Comma,
    /// `a=1 2`; an item holding a space is an input error.
    Space,
    /// `a=1|2`; an item holding a `|` is an input error.
    Pipe,
    /// `a[]=1&a[]=2` for arrays, `a[b]=1&a[c][d]=2` for objects.
    Bracket,
    /// The value as JSON text, `a=["x","y"]` (the default for objects).
    Json,
}

impl EncodingStyle {
    /// The separator of the joined styles.
    pub fn separator(self) -> Option<char> {
        match self {
            EncodingStyle::Comma => Some(','),
            EncodingStyle::Space => Some(' '),
            EncodingStyle::Pipe => Some('|'),
            _ => None,
        }
    }
}

/// One typed input of an action.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// JSON type.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// Placement in the request.
    #[serde(rename = "in")]
    pub placement: Placement,
    /// The caller must supply it.
    #[serde(default)]
    pub required: bool,
    /// Shown by `describe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name on the wire, when it differs from the input id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Allowed values.
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<Value>>,
    /// Inclusive lower bound (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// Inclusive upper bound (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Minimum length (strings, in characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Maximum length (strings, in characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Regular expression the string must match, unanchored (Rust `regex` syntax: ECMA-262
    /// without look-around and back-references).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// JSON Schema format (`email`, `date-time`, `uri`, …), validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// JSON Schema of array items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Value>,
    /// JSON Schemas of object members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, Value>>,
    /// Object members that must be present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_properties: Option<Vec<String>>,
    /// Whether (or which) other object members are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<Value>,
    /// The API's own default (documentation only; never sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// How an array or object is written in a query string or form body (default: `repeat`
    /// for arrays, `json` for objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<EncodingStyle>,
    /// Redact the value in dry-run output, logs and errors.
    #[serde(default)]
    pub sensitive: bool,
    /// Deliberate differences of this input from the vendor's OpenAPI parameter: conformance
    /// rule id → why (`{ param-style: "the API also accepts repeated keys" }`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub conform: IndexMap<String, String>,
}

impl InputSpec {
    /// The name on the wire: `name` when set, else the input id.
    pub fn wire_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.name.as_deref().unwrap_or(id)
    }
}

/// An example input, and optionally the response the API gives to it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The input, valid against the action's inputs.
    pub input: serde_json::Map<String, Value>,
    /// A documented response to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ExampleResponse>,
}

/// A documented response.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// JSON body; absent for 204 and empty bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}
