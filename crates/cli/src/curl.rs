//! `--curl`: a planned request as a curl command for a POSIX shell.
//!
//! Secrets never appear: a credential is written as a reference to the environment variable the
//! connector declares for it (`"x-api-key: ${JUMPCLOUD_API_KEY}"`), a basic credential as a
//! `base64` of the two variables, an OAuth 2.0 bearer token as `${ACCESS_TOKEN}` (obtained
//! separately), and a `sensitive` input in a header or query as `${SECRET_<NAME>}`. A body member
//! that holds a sensitive input is sent as `[redacted]`.

use actionspec_engine::spec::{AuthMethod, AuthType};
use actionspec_engine::{Body, Connector, HttpRequest, Param};

use crate::output::shell_quote;

/// The variable an OAuth 2.0 access token is read from.
const TOKEN_VAR: &str = "ACCESS_TOKEN";

/// One part of a shell word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text, quoted.
    Lit(String),
    /// `${NAME}`.
    Var(String),
    /// Shell text written as is inside double quotes (a command substitution).
    Raw(String),
}

/// A shell word of `pieces`: single-quoted when it references nothing, else double-quoted.
fn word(pieces: &[Piece]) -> String {
    if pieces.iter().all(|p| matches!(p, Piece::Lit(_))) {
        let text: String = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Lit(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        return shell_quote(&text);
    }
    let mut out = String::from("\"");
    for p in pieces {
        match p {
            Piece::Lit(s) => {
                for c in s.chars() {
                    if matches!(c, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Piece::Var(name) => out.push_str(&format!("${{{name}}}")),
            Piece::Raw(text) => out.push_str(text),
        }
    }
    out.push('"');
    out
}

/// The environment variable of credential `name` of `c` (`None` when it declares none).
fn env_of(c: &Connector, name: Option<&String>) -> Option<String> {
    name.and_then(|n| c.spec.credentials.get(n))
        .map(|cred| cred.env.clone())
}

/// What replaces the secret of the request's auth method.
fn auth_secret(c: &Connector, method: Option<&AuthMethod>) -> Vec<Piece> {
    let Some(method) = method else {
        return vec![Piece::Var("SECRET".into())];
    };
    let var = |name: Option<&String>, fallback: &str| {
        env_of(c, name).unwrap_or_else(|| fallback.to_owned())
    };
    match method.kind {
        AuthType::ApiKey | AuthType::Bearer => {
            vec![Piece::Var(var(method.credential.as_ref(), "SECRET"))]
        }
        AuthType::Basic => {
            let user = env_of(c, method.username.as_ref())
                .map(|v| format!("${{{v}}}"))
                .unwrap_or_default();
            let password = env_of(c, method.password.as_ref())
                .map(|v| format!("${{{v}}}"))
                .unwrap_or_default();
            vec![Piece::Raw(format!(
                "$(printf '%s:%s' \"{user}\" \"{password}\" | base64 | tr -d '\\n')"
            ))]
        }
        _ => vec![Piece::Var(TOKEN_VAR.into())],
    }
}

/// `param` as word pieces; `name` names a sensitive input's variable.
fn pieces(param: &Param, auth: &[Piece], name: &str) -> Vec<Piece> {
    match param {
        Param::Plain(text) => vec![Piece::Lit(text.clone())],
        Param::Prefixed(prefix, _) => {
            let mut p = vec![Piece::Lit(prefix.clone())];
            p.extend(auth.iter().cloned());
            p
        }
        Param::Secret(_) => {
            let var: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            vec![Piece::Var(format!("SECRET_{var}"))]
        }
    }
}

/// `text` form-encoded (as in a query string).
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The curl command that sends `request` (planned for a dry run) of connector `c`, with a
/// comment line naming the variables it reads.
pub(crate) fn command(c: &Connector, request: &HttpRequest) -> String {
    let method = request
        .auth
        .as_ref()
        .and_then(|a| c.spec.auth.get(&a.method));
    let auth = auth_secret(c, method);
    let mut url = vec![Piece::Lit(request.url.clone())];
    for (i, (k, v)) in request.query.iter().enumerate() {
        url.push(Piece::Lit(format!(
            "{}{}=",
            if i == 0 { '?' } else { '&' },
            encode(k)
        )));
        match v {
            Param::Plain(text) => url.push(Piece::Lit(encode(text))),
            secret => url.extend(pieces(secret, &auth, k)),
        }
    }
    // One option and its value a line.
    let mut words = vec![
        format!(
            "curl --silent --show-error --request {}",
            request.method.as_str()
        ),
        word(&url),
    ];
    for (name, value) in &request.headers {
        let mut header = vec![Piece::Lit(format!("{name}: "))];
        header.extend(pieces(value, &auth, name));
        words.push(format!("--header {}", word(&header)));
    }
    if let Some(body) = &request.body {
        words.push(format!(
            "--data-binary {}",
            word(&body_pieces(request, body, &auth))
        ));
    }
    let mut vars: Vec<String> = words
        .iter()
        .flat_map(|w| w.match_indices("${").map(|(i, _)| &w[i + 2..]))
        .filter_map(|rest| rest.split_once('}').map(|(v, _)| v.to_owned()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    vars.retain(|v| seen.insert(v.clone()));
    let mut out = String::new();
    if !vars.is_empty() {
        out.push_str(&format!("# reads: {}\n", vars.join(" ")));
    }
    out.push_str(&words.join(" \\\n  "));
    out.push('\n');
    out
}

/// The body's pieces: JSON as shown (sensitive members redacted), a form pair by pair.
fn body_pieces(request: &HttpRequest, body: &Body, auth: &[Piece]) -> Vec<Piece> {
    match body {
        Body::Form(pairs) => {
            let mut p = Vec::new();
            for (i, (k, v)) in pairs.iter().enumerate() {
                let sep = if i == 0 { "" } else { "&" };
                p.push(Piece::Lit(format!("{sep}{}=", encode(k))));
                match v {
                    Param::Plain(text) => p.push(Piece::Lit(encode(text))),
                    secret => p.extend(pieces(secret, auth, k)),
                }
            }
            p
        }
        Body::Json(_) => {
            let shown = request.shown().body.map(|b| b.to_string());
            vec![Piece::Lit(shown.unwrap_or_default())]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_variables_are_double_quoted_and_escaped() {
        let w = word(&[Piece::Lit("a \"$b\": ".into()), Piece::Var("KEY".into())]);
        assert_eq!(w, "\"a \\\"\\$b\\\": ${KEY}\"");
        assert_eq!(word(&[Piece::Lit("it's".into())]), "'it'\\''s'");
    }
}
