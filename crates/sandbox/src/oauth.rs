//! The sandbox's OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4), served at
//! [`TOKEN_PATH`] on the sandbox's host when the connector declares an
//! `oauth2_client_credentials` auth method.
//!
//! It issues opaque bearer tokens to the sandbox's client id with either of its two client
//! secrets (so rotation can be tried), in the client authentication the connector declares
//! (`basic` or `body`), and the API accepts those tokens until they expire; expired or unknown
//! tokens get 401.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actionspec_engine::spec::{AuthType, ClientAuth};
use base64::Engine as _;
use hyper::HeaderMap;
use serde_json::json;

use crate::reply::Reply;
use crate::rng::{Rng, hash};

/// Where the token endpoint is served (host root, outside the API's base path).
pub const TOKEN_PATH: &str = "/oauth2/token";

/// The token endpoint's state.
#[derive(Debug)]
pub(crate) struct OAuth {
    pub client_id: String,
    /// The primary and the secondary client secret; both are accepted.
    pub secrets: [String; 2],
    pub client_auth: ClientAuth,
    pub lifetime: Duration,
    tokens: Mutex<HashMap<String, Instant>>,
    issued: AtomicU64,
    seed: u64,
}

/// Credential names of the connector's OAuth method: (client id, secret, secondary secret).
pub(crate) type OAuthCredentials = (String, String, Option<String>);

impl OAuth {
    /// The endpoint for the connector's first OAuth method, if it has one.
    pub(crate) fn for_connector(
        connector: &actionspec_engine::Connector,
        seed: u64,
        lifetime: Duration,
    ) -> Option<(OAuth, OAuthCredentials)> {
        let method = connector
            .spec
            .auth
            .values()
            .find(|m| m.kind == AuthType::Oauth2ClientCredentials)?;
        let names = (
            method.client_id.clone()?,
            method.client_secret.clone()?,
            method.client_secret_secondary.clone(),
        );
        let mut rng = Rng::of(&[seed, hash("oauth client")]);
        let client_id = format!("sandbox-client-{:08x}", rng.next_u64() as u32);
        let secrets = [
            format!("sandbox-secret-a-{:016x}", rng.next_u64()),
            format!("sandbox-secret-b-{:016x}", rng.next_u64()),
        ];
        let oauth = OAuth {
            client_id,
            secrets,
            client_auth: method.client_auth.unwrap_or_default(),
            lifetime,
            tokens: Mutex::default(),
            issued: AtomicU64::new(0),
            seed,
        };
        Some((oauth, names))
    }

    /// Answers `POST /oauth2/token`.
    pub(crate) fn token(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "grant_type must be client_credentials",
            );
        }
        let (id, secret) = match self.client_auth {
            ClientAuth::Basic => match basic(headers) {
                Some(pair) => pair,
                None => {
                    return oauth_error(
                        401,
                        "invalid_client",
                        "send the client id and secret with HTTP Basic",
                    );
                }
            },
            ClientAuth::Body => match (form.get("client_id"), form.get("client_secret")) {
                (Some(id), Some(secret)) => (id.clone(), secret.clone()),
                _ => {
                    return oauth_error(
                        401,
                        "invalid_client",
                        "send client_id and client_secret in the form body",
                    );
                }
            },
        };
        if id != self.client_id || !self.secrets.contains(&secret) {
            return oauth_error(401, "invalid_client", "client authentication failed");
        }
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        let token = format!(
            "sandbox-token-{n}-{:016x}",
            Rng::of(&[self.seed, hash("token"), n]).next_u64()
        );
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        tokens.retain(|_, expires| *expires > now);
        tokens.insert(token.clone(), now.checked_add(self.lifetime).unwrap_or(now));
        let mut reply = json!({"access_token": token, "token_type": "bearer", "expires_in": self.lifetime.as_secs()});
        if let Some(scope) = form.get("scope") {
            reply["scope"] = json!(scope);
        }
        let mut r = Reply::value(200, &reply);
        r.headers.push(("cache-control".into(), "no-store".into()));
        r
    }

    /// Whether `token` was issued here and has not expired.
    pub(crate) fn accepts(&self, token: &str) -> bool {
        let tokens = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens
            .get(token)
            .is_some_and(|expires| *expires > Instant::now())
    }
}

/// RFC 6749 §5.2 error body.
fn oauth_error(status: u16, code: &str, description: &str) -> Reply {
    Reply::value(
        status,
        &json!({"error": code, "error_description": description}),
    )
}

/// The form-urldecoded client id and secret of an HTTP Basic header (RFC 6749 §2.3.1).
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}
