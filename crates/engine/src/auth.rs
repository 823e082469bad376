//! OAuth 2.0 client credentials (RFC 6749 §4.4) with a single-flight token cache.
//!
//! - One token request per (token URL, client id) at a time: concurrent callers wait for the
//!   request in flight and share its token.
//! - A token is reused until shortly before `expires_in` (a number, a numeric string, or absent:
//!   then [`DEFAULT_LIFETIME`] is assumed), and refreshed ahead of expiry.
//! - Two client secrets: when the token endpoint rejects the primary (`invalid_client` or 401),
//!   the secondary is tried; the token records which one worked, so operators can see when the
//!   old secret can be retired.
//! - An optional on-disk cache (file mode 0600, keyed by token URL + client id) lets
//!   consecutive CLI runs reuse a token. It holds the access token, never the client secret.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::spec::ClientAuth;

/// Lifetime assumed when the token response has no usable `expires_in`.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// The longest a token is trusted, whatever `expires_in` says (a day).
pub const MAX_LIFETIME: Duration = Duration::from_secs(86_400);
/// How long before expiry a token is refreshed (at most half its lifetime).
pub const REFRESH_AHEAD: Duration = Duration::from_secs(30);

/// Which client secret obtained a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSlot {
    /// The primary secret (`client_secret`).
    Primary,
    /// The secondary secret (`client_secret_secondary`), after the primary was rejected.
    Secondary,
}

/// Everything needed to obtain a token; planned from the connector and the configuration.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// The auth method's name in the connector.
    pub method: String,
    /// The token endpoint.
    pub token_url: String,
    /// The client id.
    pub client_id: SecretString,
    /// The primary secret.
    pub client_secret: SecretString,
    /// The secondary secret, if configured.
    pub client_secret_secondary: Option<SecretString>,
    /// `client_secret_basic` or `client_secret_post`.
    pub client_auth: ClientAuth,
    /// The `scope` parameter.
    pub scope: Option<String>,
    /// Credential names, for messages: (primary, secondary).
    pub secret_names: (String, Option<String>),
}

impl TokenRequest {
    /// Tokens are cached per token URL, client id and secrets: a token obtained with another
    /// secret proves nothing about this one.
    fn key(&self) -> String {
        let secondary = self
            .client_secret_secondary
            .as_ref()
            .map(|s| s.expose_secret())
            .unwrap_or_default();
        format!(
            "{}\n{}\n{}",
            self.token_url,
            self.client_id.expose_secret(),
            sha256_hex(format!("{}\n{secondary}", self.client_secret.expose_secret()).as_bytes())
        )
    }
}

/// A bearer token and what obtained it.
#[derive(Debug, Clone)]
pub struct Token {
    /// The access token.
    pub access_token: SecretString,
    /// When it stops being used (already shortened by the refresh margin).
    pub refresh_at: SystemTime,
    /// Which secret obtained it.
    pub secret: SecretSlot,
}

/// The tokens of one process, shared by every request (held by [`crate::Client`]).
#[derive(Debug, Default)]
pub struct TokenStore {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Token>>>>>,
    disk: Option<PathBuf>,
}

#[derive(Serialize, Deserialize)]
struct DiskToken {
    /// The cache key (token URL, client id, fingerprint of the secrets).
    key: String,
    access_token: String,
    refresh_at: u64,
    secret: SecretSlot,
}

impl TokenStore {
    /// A store that also keeps tokens in files under `dir` (created with mode 0700). Cache files
    /// of tokens past their refresh time are deleted first, so the folder holds only tokens
    /// that can still be used (one per token URL, client and secret: per account).
    pub fn with_disk_cache(dir: PathBuf) -> Self {
        prune_expired(&dir, SystemTime::now());
        TokenStore {
            slots: Mutex::default(),
            disk: Some(dir),
        }
    }

    /// A valid token for `request`: the cached one, or a new one. With `stale`, a cached token
    /// equal to it is discarded first (the API answered 401 to it); a token another caller has
    /// already refreshed is reused.
    ///
    /// # Errors
    /// [`ErrorKind::Auth`] when the token endpoint rejects the client (both secrets, if two);
    /// [`ErrorKind::Transport`] / [`ErrorKind::Upstream`] when it cannot be reached or fails.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        request: &TokenRequest,
        stale: Option<&SecretString>,
    ) -> Result<Token> {
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            slots.entry(request.key()).or_default().clone()
        };
        // Held across the token request: this is what makes refresh single-flight.
        let mut guard = slot.lock().await;
        let now = SystemTime::now();
        let is_stale =
            |t: &Token| stale.is_some_and(|s| s.expose_secret() == t.access_token.expose_secret());
        if let Some(t) = guard.as_ref()
            && t.refresh_at > now
            && !is_stale(t)
        {
            return Ok(t.clone());
        }
        if let Some(t) = self
            .read_disk(request)
            .filter(|t| t.refresh_at > now && !is_stale(t))
        {
            *guard = Some(t.clone());
            return Ok(t);
        }
        let token = fetch(http, request).await?;
        self.write_disk(request, &token);
        *guard = Some(token.clone());
        Ok(token)
    }

    fn disk_path(&self, request: &TokenRequest) -> Option<PathBuf> {
        let dir = self.disk.as_ref()?;
        let digest = sha256_hex(request.key().as_bytes());
        Some(dir.join(format!("oauth-{}.json", &digest[..32])))
    }

    fn read_disk(&self, request: &TokenRequest) -> Option<Token> {
        let path = self.disk_path(request)?;
        #[cfg(unix)]
        {
            // A cache file others can read is not trusted (nor is it ours to fix silently).
            use std::os::unix::fs::PermissionsExt;
            if std::fs::metadata(&path).ok()?.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "ignoring a token cache file readable by others");
                return None;
            }
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let t: DiskToken = serde_json::from_str(&text).ok()?;
        if t.key != request.key() {
            return None;
        }
        tracing::debug!(path = %path.display(), "reusing a cached OAuth token");
        Some(Token {
            access_token: SecretString::from(t.access_token),
            refresh_at: UNIX_EPOCH + Duration::from_secs(t.refresh_at),
            secret: t.secret,
        })
    }

    fn write_disk(&self, request: &TokenRequest, token: &Token) {
        let (Some(dir), Some(path)) = (self.disk.as_ref(), self.disk_path(request)) else {
            return;
        };
        let record = DiskToken {
            key: request.key(),
            access_token: token.access_token.expose_secret().to_owned(),
            refresh_at: token
                .refresh_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            secret: token.secret,
        };
        if let Err(e) = write_private(dir, &path, &serde_json::to_vec(&record).unwrap_or_default())
        {
            tracing::warn!(path = %path.display(), "cannot write the token cache: {e}");
        }
    }
}

/// Deletes the `oauth-*.json` files in `dir` whose token is past its refresh time (or that do
/// not parse); other files are left alone. Returns how many were deleted.
fn prune_expired(dir: &Path, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut pruned = 0;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !(name.starts_with("oauth-") && name.ends_with(".json")) {
            continue;
        }
        let expired = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str::<DiskToken>(&text).ok())
            .is_none_or(|t| t.refresh_at <= now);
        if expired && std::fs::remove_file(&path).is_ok() {
            pruned += 1;
        }
    }
    if pruned > 0 {
        tracing::debug!(dir = %dir.display(), pruned, "deleted expired cached OAuth tokens");
    }
    pruned
}

/// Writes a file readable by its owner only: a temporary file of a unique name in `dir` (0600
/// on Unix, in a folder created 0700), renamed over `path` at once, so a reader never sees a
/// half-written file and two writers never share one.
fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map(drop).map_err(|e| e.error)
}

/// SHA-256 (FIPS 180-4) of `bytes`, in lowercase hex: cache keys derived from secrets.
fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Requests a token with the primary secret, then the secondary if the primary is rejected.
async fn fetch(http: &reqwest::Client, request: &TokenRequest) -> Result<Token> {
    let primary = match request_token(http, request, &request.client_secret).await? {
        Ok(token) => return Ok(token_with(token, SecretSlot::Primary)),
        Err(rejection) => rejection,
    };
    let (primary_name, secondary_name) = &request.secret_names;
    let Some(secondary) = &request.client_secret_secondary else {
        return Err(Error::new(ErrorKind::Auth, format!(
            "the token endpoint {} rejected the client credentials ({primary_name}): {primary}",
            request.token_url
        ))
        .with_hint("check the client id and secret of the service account; a second secret can be configured for rotation"));
    };
    match request_token(http, request, secondary).await? {
        Ok(token) => {
            tracing::info!(method = %request.method, "the primary client secret was rejected; the secondary secret was used");
            Ok(token_with(token, SecretSlot::Secondary))
        }
        Err(second) => Err(Error::new(ErrorKind::Auth, format!(
            "the token endpoint {} rejected both client secrets ({primary_name}: {primary}; {}: {second})",
            request.token_url,
            secondary_name.as_deref().unwrap_or("secondary")
        ))
        .with_hint("both secrets are revoked or wrong: create a new client secret for the service account")),
    }
}

fn token_with((access, lifetime): (SecretString, Duration), secret: SecretSlot) -> Token {
    let ahead = REFRESH_AHEAD.min(lifetime / 2);
    Token {
        access_token: access,
        refresh_at: SystemTime::now() + lifetime - ahead,
        secret,
    }
}

/// One token request. `Ok(Err(reason))` when the endpoint rejected this client secret.
async fn request_token(
    http: &reqwest::Client,
    request: &TokenRequest,
    secret: &SecretString,
) -> Result<std::result::Result<(SecretString, Duration), String>> {
    let (builder, form, secrets) = token_request(http, request, secret);
    let redactor = crate::redact::Redactor::new(&secrets);
    tracing::debug!(token_url = %request.token_url, "requesting an OAuth token");
    let response = builder.form(&form).send().await.map_err(|e| {
        let what = if e.is_timeout() {
            "timed out"
        } else {
            "could not connect"
        };
        Error::new(
            ErrorKind::Transport,
            format!("token endpoint {}: {what}", request.token_url),
        )
        .with_hint("check the network and the server's token_url")
    })?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let json: Option<Value> = serde_json::from_str(&body).ok();
    if (200..300).contains(&status) {
        return granted(request, status, json).map(Ok);
    }
    refused(request, status, json.as_ref(), &redactor)
}

/// The token request: the form (`grant_type`, `scope`, and for `client_secret_post` the client
/// id and secret), the client's authentication, and what an error body may echo back: the id,
/// the secret (in any encoding, see `Redactor`) and the exact `id:secret` pair that HTTP Basic
/// encodes.
fn token_request<'a>(
    http: &reqwest::Client,
    request: &'a TokenRequest,
    secret: &'a SecretString,
) -> (
    reqwest::RequestBuilder,
    Vec<(&'a str, &'a str)>,
    Vec<String>,
) {
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &request.scope {
        form.push(("scope", scope));
    }
    let mut builder = http
        .post(&request.token_url)
        .header(reqwest::header::ACCEPT, "application/json");
    let mut secrets = vec![
        request.client_id.expose_secret().to_owned(),
        secret.expose_secret().to_owned(),
    ];
    match request.client_auth {
        // RFC 6749 §2.3.1: form-urlencode id and secret, then HTTP Basic.
        ClientAuth::Basic => {
            let id: String =
                url::form_urlencoded::byte_serialize(request.client_id.expose_secret().as_bytes())
                    .collect();
            let pw: String =
                url::form_urlencoded::byte_serialize(secret.expose_secret().as_bytes()).collect();
            secrets.push(format!("{id}:{pw}"));
            builder = builder.basic_auth(id, Some(pw));
        }
        ClientAuth::Body => {
            form.push(("client_id", request.client_id.expose_secret()));
            form.push(("client_secret", secret.expose_secret()));
        }
    }
    (builder, form, secrets)
}

/// The token and its lifetime from a 2xx answer (RFC 6749 §5.1): `access_token` required,
/// `expires_in` a number or a numeric string ([`DEFAULT_LIFETIME`] when absent), at most
/// [`MAX_LIFETIME`].
fn granted(
    request: &TokenRequest,
    status: u16,
    json: Option<Value>,
) -> Result<(SecretString, Duration)> {
    let upstream = |what: &str| {
        Error::new(
            ErrorKind::Upstream,
            format!(
                "token endpoint {} answered {status} {what}",
                request.token_url
            ),
        )
    };
    let json = json.ok_or_else(|| upstream("with a body that is not JSON"))?;
    let access = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| upstream("without an access_token"))?;
    let lifetime = json
        .get("expires_in")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_f64().map(|f| f.max(0.0) as u64))
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .map_or(DEFAULT_LIFETIME, Duration::from_secs)
        .min(MAX_LIFETIME);
    Ok((SecretString::from(access.to_owned()), lifetime))
}

/// An error answer (RFC 6749 §5.2): `Ok(Err(reason))` when these client credentials were
/// refused (`invalid_client`, `unauthorized_client` or 401: another secret may work), else the
/// error, `upstream` for a 5xx and `auth` otherwise. Secrets are scrubbed from the reason.
fn refused(
    request: &TokenRequest,
    status: u16,
    json: Option<&Value>,
    redactor: &crate::redact::Redactor,
) -> Result<std::result::Result<(SecretString, Duration), String>> {
    let text = |key: &str| json.and_then(|j| j.get(key)).and_then(Value::as_str);
    let code = text("error").unwrap_or("");
    let description = text("error_description")
        .or_else(|| text("message"))
        .unwrap_or("");
    let reason = redactor.redact(&match (code, description) {
        ("", "") => format!("HTTP {status}"),
        (c, "") => format!("HTTP {status} {c}"),
        ("", d) => format!("HTTP {status}: {d}"),
        (c, d) => format!("HTTP {status} {c}: {d}"),
    });
    if status == 401 || code == "invalid_client" || code == "unauthorized_client" {
        return Ok(Err(reason));
    }
    let kind = if status >= 500 {
        ErrorKind::Upstream
    } else {
        ErrorKind::Auth
    };
    Err(Error::new(
        kind,
        format!("token endpoint {} failed: {reason}", request.token_url),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_deletes_expired_and_unreadable_tokens_only() {
        let dir = tempfile::tempdir().unwrap();
        let token = |refresh_at: u64| {
            format!(
                r#"{{"key":"k","access_token":"t","refresh_at":{refresh_at},"secret":"primary"}}"#
            )
        };
        std::fs::write(dir.path().join("oauth-old.json"), token(10)).unwrap();
        std::fs::write(dir.path().join("oauth-new.json"), token(1000)).unwrap();
        std::fs::write(dir.path().join("oauth-bad.json"), "{").unwrap();
        std::fs::write(dir.path().join("other.json"), "{").unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(500);
        assert_eq!(prune_expired(dir.path(), now), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["oauth-new.json", "other.json"]);
    }

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn refresh_margin_is_at_most_half_the_lifetime() {
        let t = token_with(
            (SecretString::from("x"), Duration::from_secs(10)),
            SecretSlot::Primary,
        );
        let left = t
            .refresh_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        assert!(
            left > Duration::from_secs(4) && left <= Duration::from_secs(5),
            "{left:?}"
        );
    }
}
