//! Servers (OpenAPI 3 `servers` with their variables, Swagger 2.0 `host` and `basePath`), and
//! credentials and auth methods from the security schemes (OpenAPI 3 `securitySchemes`, Swagger
//! 2.0 `securityDefinitions`): API keys with their header or query name and prefix, bearer,
//! basic and OAuth 2.0 client credentials. Other flows are a TODO comment, with a bearer method
//! for a token obtained elsewhere.

use std::collections::BTreeSet;

use actionspec_conform::DocumentSet;
use actionspec_conform::operations::{Flavor, Operation, flavor, server_urls, split_url};
use serde_json::{Map, Value, json};

use super::{snake, url_path, yaml};

/// The connector's servers.
#[derive(Debug, Default)]
pub struct Servers {
    /// Server name → server.
    pub entries: Vec<(String, Map<String, Value>)>,
    /// Comments above `servers:`.
    pub notes: Vec<String>,
    /// The default server.
    pub default: String,
    /// The documents' common server path, which every action path is relative to.
    pub prefix: String,
    /// Credentials that fill host variables, by name.
    pub credentials: Vec<(String, Value)>,
    /// Whether a server's host is a variable (a relative token URL cannot be made absolute).
    pub templated: bool,
}

impl Servers {
    /// The servers as YAML.
    pub fn map(&self) -> yaml::Map {
        let mut m = yaml::Map::new();
        for (name, s) in &self.entries {
            m.value(name, Value::Object(s.clone()));
        }
        m
    }
}

/// The servers of the documents that hold the selected operations (`docs`).
pub fn servers(set: &DocumentSet, docs: &BTreeSet<usize>, key: &str) -> Servers {
    let mut out = Servers::default();
    let raw: Vec<Vec<Value>> = docs
        .iter()
        .map(|d| server_objects(&set.documents[*d].value))
        .collect();
    let paths: Vec<String> = raw
        .iter()
        .map(|list| {
            list.first()
                .and_then(|s| s.get("url"))
                .and_then(Value::as_str)
                .map_or(String::new(), |u| url_path(u).to_owned())
        })
        .collect();
    out.prefix = common_prefix(&paths);
    for (i, s) in raw.first().into_iter().flatten().enumerate() {
        let url = s.get("url").and_then(Value::as_str).unwrap_or("");
        let (host, _) = split_url(url);
        let scheme = url.split_once("://").map_or("https", |(s, _)| s);
        let mut server = Map::new();
        let host = match host {
            Some(h) => h.to_owned(),
            None => {
                out.notes
                    .push("TODO: the document gives no host: set the server's URL".to_owned());
                "api.example.invalid".to_owned()
            }
        };
        let vars = s.get("variables").and_then(Value::as_object);
        let path = substitute(&out.prefix, vars, &mut out.notes);
        let variables = host_variable(&mut out, &host, vars, key);
        let host = if host.contains('{') && variables.is_empty() {
            substitute(&host, vars, &mut out.notes)
        } else {
            host
        };
        server.insert("url".into(), format!("{scheme}://{host}{path}").into());
        if let Some(d) = s.get("description").and_then(Value::as_str) {
            server.insert("description".into(), d.trim().into());
        }
        if !variables.is_empty() {
            server.insert("variables".into(), Value::Object(variables));
        }
        let name = server_name(&out, s, i);
        out.entries.push((name, server));
    }
    out.default = out
        .entries
        .first()
        .map_or("default".to_owned(), |(n, _)| n.clone());
    out
}

/// A server's name: its description in snake_case, else `default` (`server_N` after the first).
fn server_name(out: &Servers, s: &Value, i: usize) -> String {
    let name: String = s
        .get("description")
        .and_then(Value::as_str)
        .map(snake)
        .unwrap_or_default()
        .chars()
        .take(30)
        .collect();
    let name = name.trim_end_matches('_').to_owned();
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || out.entries.iter().any(|(n, _)| *n == name)
    {
        return if i == 0 {
            "default".to_owned()
        } else {
            format!("server_{}", i + 1)
        };
    }
    name
}

/// A host that is one `{variable}` (`https://{domain}`): the server's `variables`,
/// filled from a credential of the same name (added to `out`).
fn host_variable(
    out: &mut Servers,
    host: &str,
    vars: Option<&Map<String, Value>>,
    key: &str,
) -> Map<String, Value> {
    let mut variables = Map::new();
    let Some(var) = host.strip_prefix('{').and_then(|h| h.strip_suffix('}')) else {
        return variables;
    };
    let credential = snake(var);
    let d = vars.and_then(|v| v.get(var));
    let description = d
        .and_then(|d| d.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("The API's host name");
    let default = d.and_then(|d| d.get("default")).and_then(Value::as_str);
    let text = match default {
        Some(x) => format!("{} (e.g. {x}).", description.trim_end_matches('.')),
        None => description.to_owned(),
    };
    variables.insert(var.to_owned(), json!({ "credential": credential }));
    if !out.credentials.iter().any(|(n, _)| *n == credential) {
        let env = format!("{key}_{credential}").to_ascii_uppercase();
        out.credentials
            .push((credential, json!({ "env": env, "description": text })));
    }
    out.templated = true;
    variables
}

/// A document's Server Objects (Swagger 2.0: made from `schemes`, `host` and `basePath`).
fn server_objects(doc: &Value) -> Vec<Value> {
    match flavor(doc) {
        Ok(Flavor::OpenApi3) => {
            let list: Vec<Value> = doc
                .get("servers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if list.is_empty() {
                vec![json!({ "url": "" })]
            } else {
                list
            }
        }
        _ => server_urls(doc, Flavor::Swagger2)
            .into_iter()
            .map(|u| json!({ "url": u }))
            .collect(),
    }
}

/// The longest common prefix of paths, in whole segments.
fn common_prefix(paths: &[String]) -> String {
    let Some(first) = paths.first() else {
        return String::new();
    };
    let mut segments: Vec<&str> = first.split('/').filter(|s| !s.is_empty()).collect();
    for p in &paths[1..] {
        let other: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        let same = segments
            .iter()
            .zip(&other)
            .take_while(|(a, b)| a == b)
            .count();
        segments.truncate(same);
    }
    segments.iter().map(|s| format!("/{s}")).collect()
}

/// `{variable}`s of a URL part replaced by their defaults, each noted.
fn substitute(text: &str, vars: Option<&Map<String, Value>>, notes: &mut Vec<String>) -> String {
    let mut out = text.to_owned();
    for (name, v) in vars.into_iter().flatten() {
        let placeholder = format!("{{{name}}}");
        if !out.contains(&placeholder) {
            continue;
        }
        let default = v
            .get("default")
            .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_owned))
            .unwrap_or_default();
        notes.push(format!(
            "server variable `{name}` set to its default `{default}`"
        ));
        out = out.replace(&placeholder, &default);
    }
    out
}

/// The credentials and auth methods of the selected operations' security schemes.
#[derive(Debug, Default)]
pub struct Security {
    /// Credential name → credential.
    pub credentials: yaml::Map,
    /// Auth method name → auth method.
    pub auth: yaml::Map,
    /// Comments above `auth:` (schemes that could not be expressed).
    pub notes: Vec<String>,
    /// The parameters the auth methods send, as (`header`/`query`, name).
    pub params: Vec<(String, String)>,
    /// The OAuth 2.0 token URL, to set on the servers.
    pub token_url: Option<String>,
}

/// The security schemes the operations use (all of them when none says).
pub fn security(
    set: &DocumentSet,
    ops: &[&Operation<'_>],
    key: &str,
    servers: &mut Servers,
) -> Security {
    let mut out = Security::default();
    for (name, value) in std::mem::take(&mut servers.credentials) {
        out.credentials.value(&name, value);
    }
    let mut seen = BTreeSet::new();
    for (doc, name, scheme) in schemes(set, ops) {
        if !seen.insert(name.clone()) {
            continue;
        }
        let (_, scheme) = set.resolve_or_self(doc, scheme);
        one_scheme(&mut out, &name, scheme, key, servers);
    }
    if let Some(url) = &out.token_url {
        for (_, s) in &mut servers.entries {
            s.insert("token_url".into(), url.clone().into());
        }
    }
    out
}

/// The schemes the operations name in `security` (else the documents'), as (document, name,
/// Security Scheme Object).
fn schemes<'a>(set: &'a DocumentSet, ops: &[&Operation<'a>]) -> Vec<(usize, String, &'a Value)> {
    let mut used = BTreeSet::new();
    for op in ops {
        let doc = &set.documents[op.doc].value;
        let security = op.op.get("security").or_else(|| doc.get("security"));
        for req in security
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            used.extend(req.keys().map(|k| (op.doc, k.clone())));
        }
    }
    let docs: BTreeSet<usize> = ops.iter().map(|op| op.doc).collect();
    let mut out = Vec::new();
    for doc in docs {
        let value = &set.documents[doc].value;
        let defs = value
            .pointer("/components/securitySchemes")
            .or_else(|| value.get("securityDefinitions"))
            .and_then(Value::as_object);
        for (name, scheme) in defs.into_iter().flatten() {
            if used.is_empty() || used.contains(&(doc, name.clone())) {
                out.push((doc, name.clone(), scheme));
            }
        }
    }
    out
}

fn env(key: &str, credential: &str) -> String {
    format!("{key}_{credential}").to_ascii_uppercase()
}

fn credential(out: &mut Security, key: &str, name: &str, secret: bool, description: Option<&str>) {
    let mut c = Map::new();
    c.insert("env".into(), env(key, name).into());
    if secret {
        c.insert("secret".into(), true.into());
    }
    if let Some(d) = description.map(str::trim).filter(|d| !d.is_empty()) {
        c.insert("description".into(), d.into());
    }
    out.credentials.value(name, Value::Object(c));
}

/// `name` with `suffix`, unless it ends with it already.
fn with_suffix(name: &str, suffix: &str) -> String {
    if name.ends_with(suffix) {
        name.to_owned()
    } else {
        format!("{name}_{suffix}")
    }
}

fn one_scheme(out: &mut Security, scheme_name: &str, scheme: &Value, key: &str, servers: &Servers) {
    let name = snake(scheme_name);
    let name = if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name
    } else {
        format!("auth_{name}")
    };
    let description = scheme.get("description").and_then(Value::as_str);
    let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("");
    let http = scheme
        .get("scheme")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    match (kind, http.as_deref()) {
        ("apiKey", _) => api_key(out, &name, scheme, key, description),
        ("http", Some("bearer")) => {
            let cred = with_suffix(&name, "token");
            credential(out, key, &cred, true, description);
            out.auth
                .value(&name, json!({ "type": "bearer", "credential": cred }));
        }
        ("http", Some("basic")) | ("basic", _) => {
            let (user, password) = (format!("{name}_username"), format!("{name}_password"));
            credential(out, key, &user, true, Some("The user name."));
            credential(out, key, &password, true, Some("The password."));
            out.auth.value(
                &name,
                json!({ "type": "basic", "username": user, "password": password }),
            );
        }
        ("oauth2", _) => oauth2(out, &name, scheme, key, servers, description),
        _ => {
            out.notes.push(format!("TODO: security scheme `{scheme_name}` ({kind} {}) cannot be expressed: add an auth method by hand", http.unwrap_or_default()));
            if kind == "openIdConnect" {
                bearer_fallback(
                    out,
                    &name,
                    key,
                    "an OpenID Connect access token obtained elsewhere",
                );
            }
        }
    }
}

/// An API key, with the prefix its description shows (`Authorization: SSWS {API Token}`).
fn api_key(out: &mut Security, name: &str, scheme: &Value, key: &str, description: Option<&str>) {
    let place = scheme.get("in").and_then(Value::as_str).unwrap_or("");
    let Some(param) = scheme.get("name").and_then(Value::as_str) else {
        out.notes
            .push(format!("TODO: API key `{name}` has no `name`"));
        return;
    };
    if place != "header" && place != "query" {
        out.notes.push(format!("TODO: API key `{name}` is sent in a {place}, which an auth method cannot: add it by hand"));
        return;
    }
    let cred = if name.ends_with("key") || name.ends_with("token") {
        name.to_owned()
    } else {
        format!("{name}_key")
    };
    credential(out, key, &cred, true, description);
    let mut method = Map::new();
    method.insert("type".into(), "api_key".into());
    method.insert("in".into(), place.into());
    method.insert("name".into(), param.into());
    if let Some(prefix) = description.and_then(|d| prefix(d, param)) {
        method.insert("prefix".into(), prefix.into());
    }
    method.insert("credential".into(), cred.into());
    out.auth.value(name, Value::Object(method));
    out.params.push((place.to_owned(), param.to_owned()));
}

/// The scheme word a description shows before the key: `SSWS ` in `Authorization: SSWS {token}`.
fn prefix(description: &str, header: &str) -> Option<String> {
    let lower = description.to_ascii_lowercase();
    let at = lower.find(&format!("{}: ", header.to_ascii_lowercase()))? + header.len() + 2;
    let rest = &description[at..];
    let (word, after) = rest.split_once(' ')?;
    let word_ok = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (word_ok && after.starts_with(['{', '<', '[', '$'])).then(|| format!("{word} "))
}

fn bearer_fallback(out: &mut Security, name: &str, key: &str, what: &str) {
    let cred = with_suffix(name, "access_token");
    credential(
        out,
        key,
        &cred,
        true,
        Some(&format!("{what}, sent as a bearer token")),
    );
    out.auth
        .value(name, json!({ "type": "bearer", "credential": cred }));
}

/// OAuth 2.0: client credentials as such; another flow as a bearer token obtained elsewhere,
/// with a TODO.
fn oauth2(
    out: &mut Security,
    name: &str,
    scheme: &Value,
    key: &str,
    servers: &Servers,
    description: Option<&str>,
) {
    let token_url = scheme
        .pointer("/flows/clientCredentials/tokenUrl")
        .or_else(|| {
            (scheme.get("flow").and_then(Value::as_str) == Some("application"))
                .then(|| scheme.get("tokenUrl"))
                .flatten()
        })
        .and_then(Value::as_str);
    let flows: Vec<String> = scheme
        .get("flows")
        .and_then(Value::as_object)
        .map(|f| f.keys().cloned().collect())
        .or_else(|| {
            scheme
                .get("flow")
                .and_then(Value::as_str)
                .map(|f| vec![f.to_owned()])
        })
        .unwrap_or_default();
    let absolute = token_url.and_then(|u| absolute(u, servers));
    if let Some(url) = absolute {
        let (id, secret) = (format!("{name}_client_id"), format!("{name}_client_secret"));
        credential(out, key, &id, false, Some("The OAuth 2.0 client id."));
        credential(
            out,
            key,
            &secret,
            true,
            Some("The OAuth 2.0 client secret."),
        );
        out.auth.value(name, json!({ "type": "oauth2_client_credentials", "client_id": id, "client_secret": secret }));
        out.token_url = Some(url);
        return;
    }
    let why = match token_url {
        Some(u) => format!("its token URL `{u}` is relative to a host that varies"),
        None => format!(
            "its flows ({}) are not client credentials",
            flows.join(", ")
        ),
    };
    out.notes.push(format!(
        "TODO: OAuth 2.0 scheme `{name}`: {why}; `{name}` takes an access token obtained elsewhere"
    ));
    let _ = description;
    bearer_fallback(out, name, key, "An OAuth 2.0 access token");
}

/// A token URL made absolute against the first server's origin (not when its host varies).
fn absolute(url: &str, servers: &Servers) -> Option<String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        return Some(url.to_owned());
    }
    if servers.templated {
        return None;
    }
    let server = servers.entries.first()?.1.get("url")?.as_str()?;
    let (host, _) = split_url(server);
    let scheme = server.split_once("://").map_or("https", |(s, _)| s);
    Some(format!(
        "{scheme}://{}/{}",
        host?,
        url.trim_start_matches('/')
    ))
}
