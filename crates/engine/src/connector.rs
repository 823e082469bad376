//! Loading a connector file: YAML → meta-schema validation → reference checks → compilation.
//!
//! Every problem is collected and reported together, each located as `file:line:col`. Loading
//! and compiling happen once per connector; the result is immutable and cheap to plan against.

use std::sync::{Arc, OnceLock, PoisonError, RwLock, RwLockReadGuard};

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, article, did_you_mean, unknown_name_hint};
use crate::input;
use crate::path::{PathError, PathTemplate};
use crate::spec::{
    ActionSpec, AuthType, BodyFormat, ConnectorSpec, EncodingStyle, InputSpec, Method,
    PaginationStyle, Placement,
};
use crate::template::{Scope, TEMPLATE_FUEL, TemplateSet, ValueTemplate};
use crate::yaml::{SourceMap, escape_token};

/// The fuel the templates of all of a connector's examples may use together when they are
/// planned at load (20 × [`TEMPLATE_FUEL`]): each render is bounded by its own fuel, and this
/// bounds a file with thousands of templates. The largest shipped connector's examples use
/// about 200 in all.
pub const EXAMPLES_FUEL: u64 = 20 * TEMPLATE_FUEL;

/// A loaded, validated and compiled connector.
#[derive(Debug)]
pub struct Connector {
    /// The file it was loaded from (display path).
    pub file: String,
    /// The connector as written.
    pub spec: ConnectorSpec,
    /// Compiled actions, in file order.
    pub actions: IndexMap<String, Action>,
    /// Compiled default headers, in file order.
    pub(crate) default_headers: Vec<(String, ValueTemplate)>,
    /// Every compiled template; actions of a trusted connector add theirs on first use.
    pub(crate) templates: RwLock<TemplateSet>,
    /// This load, unique in the process: its actions carry it.
    load: u64,
}

/// The next load's id (see [`Connector::load`]).
fn next_load() -> u64 {
    static LOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub(crate) use crate::path::PathPart;

/// A loaded action: its spec and markers at once; its input schema, validator, path and
/// templates when first needed (at load already for [`Connector::from_yaml`]).
#[derive(Debug)]
pub struct Action {
    /// The action id.
    pub id: String,
    /// The action as written (the same `Arc` as in [`ConnectorSpec::actions`]).
    pub spec: Arc<ActionSpec>,
    /// Reads only.
    pub read_only: bool,
    /// Deletes or disrupts something; the CLI asks for `--yes`.
    pub destructive: bool,
    /// Safe to repeat.
    pub idempotent: bool,
    /// The resolved pagination style, for list actions.
    pub pagination: Option<PaginationStyle>,
    input_schema: OnceLock<Value>,
    /// Compiled at load, or on first use for a trusted connector.
    validator: OnceLock<Option<Arc<crate::schema::Schema>>>,
    /// Compiled at load, or on first use (see [`Connector::compiled`]): the error is the
    /// message of an action that does not compile.
    compiled: OnceLock<Result<Compiled, String>>,
    /// The load of the connector that compiled it: its templates are that connector's.
    load: u64,
}

/// Compiled templates by name (header or query parameter), in file order.
type Named = Vec<(String, ValueTemplate)>;

/// What planning an action needs beyond its spec: its path and templates.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) path: Vec<PathPart>,
    pub(crate) headers: Named,
    pub(crate) query: Named,
    pub(crate) body: Option<ValueTemplate>,
}

impl Action {
    /// The text of each `sensitive` input's value in `input` (strings as they are, other values
    /// as JSON): what a front end scrubs from what it shows, besides the credentials.
    pub fn sensitive_values(&self, input: &Value) -> Vec<String> {
        self.spec
            .inputs
            .iter()
            .filter(|(_, spec)| spec.sensitive)
            .filter_map(|(id, _)| input.get(id))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect()
    }

    /// Its input JSON Schema (draft 2020-12), built from `spec.inputs` by
    /// [`input::input_schema`] on first use.
    pub fn input_schema(&self) -> &Value {
        self.input_schema
            .get_or_init(|| input::input_schema(&self.spec.inputs))
    }

    /// Validates an input, returning every violation (empty when valid).
    pub fn check_input(&self, input: &Value) -> Vec<crate::error::InputViolation> {
        let validator = self
            .validator
            .get_or_init(|| input::compile(self.input_schema()).ok().map(Arc::new));
        match validator {
            Some(v) => input::violations(v, &self.spec.inputs, input),
            None => vec![crate::error::InputViolation {
                pointer: String::new(),
                message: format!(
                    "the inputs of action `{}` do not form a valid JSON Schema; validate the connector file",
                    self.id
                ),
            }],
        }
    }
}

impl Connector {
    /// The path and templates of `action`, one of this connector's actions: compiled at load by
    /// [`Connector::from_yaml`], else here on first use (into the connector's templates).
    ///
    /// # Errors
    /// [`crate::ErrorKind::Spec`] when the action does not compile (the checks
    /// [`Connector::from_yaml`] makes at load failed), with every problem in the message.
    ///
    /// An action belongs to the connector that loaded it (its templates are that connector's):
    /// one from another connector, or another load of the same file, is an
    /// [`crate::ErrorKind::Usage`] error, never a request built from the wrong templates.
    pub(crate) fn compiled<'a>(&self, action: &'a Action) -> crate::Result<&'a Compiled> {
        if action.load != self.load {
            return Err(crate::Error::new(
                crate::ErrorKind::Usage,
                format!(
                    "action `{}` does not belong to this load of connector `{}`",
                    action.id, self.spec.key
                ),
            )
            .with_hint(
                "plan and run an action with the connector it was looked up in (Connector::action)",
            ));
        }
        let compiled = action.compiled.get_or_init(|| self.compile_late(action));
        compiled.as_ref().map_err(|message| {
            crate::Error::new(crate::ErrorKind::Spec, message.clone()).with_hint(format!(
                "check {} with the full load (every check, each problem located) to see why",
                self.file
            ))
        })
    }

    fn compile_late(&self, action: &Action) -> Result<Compiled, String> {
        let map = SourceMap::default();
        let mut templates = self
            .templates
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut loader = Loader {
            map: &map,
            diags: Vec::new(),
            templates: &mut templates,
            checks: Checks::Trusted,
        };
        let (plain, secret) = credential_names(&self.spec);
        let (compiled, _) =
            loader.compile_action(&self.spec, &action.id, &action.spec, &plain, &secret);
        if loader.diags.is_empty() {
            Ok(compiled)
        } else {
            let titles: Vec<String> = loader.diags.into_iter().map(|d| d.title).collect();
            Err(format!(
                "{}: action `{}` does not compile: {}",
                self.file,
                action.id,
                titles.join("; ")
            ))
        }
    }

    /// The templates, for rendering.
    /// Caps (or with `None` uncaps) the fuel the connector's templates may use in all.
    pub(crate) fn set_fuel_cap(&mut self, cap: Option<u64>) {
        self.templates
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .set_fuel_cap(cap);
    }

    pub(crate) fn templates(&self) -> RwLockReadGuard<'_, TemplateSet> {
        self.templates
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The fuel its templates have used so far, in all (see [`crate::template::TEMPLATE_FUEL`]),
    /// planning its examples at load included.
    pub fn template_fuel_spent(&self) -> u64 {
        self.templates().fuel_spent()
    }

    /// The action named `id`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Usage`] naming the closest action id.
    pub fn action(&self, id: &str) -> crate::Result<&Action> {
        self.actions.get(id).ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::Usage,
                format!("connector `{}` has no action `{id}`", self.spec.key),
            )
            .with_hint(
                match did_you_mean(id, self.actions.keys().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!(
                        "connector `{}` has {} actions, none with a name close to `{id}`",
                        self.spec.key,
                        self.actions.len()
                    ),
                },
            )
        })
    }
}

/// An action's markers: as written, else the defaults of its method.
struct Markers {
    read_only: bool,
    destructive: bool,
    idempotent: bool,
}

impl Markers {
    fn of(a: &ActionSpec) -> Markers {
        Markers {
            read_only: a.read_only.unwrap_or(a.method == Method::Get),
            destructive: a.destructive.unwrap_or(a.method == Method::Delete),
            idempotent: a.idempotent.unwrap_or(matches!(
                a.method,
                Method::Get | Method::Put | Method::Delete
            )),
        }
    }
}

/// Checks and compiles a deserialized connector (`None`: it did not deserialize, and `diags`
/// says why), then for [`Checks::All`] plans its examples.
///
/// # Errors
/// Every diagnostic, those given included, sorted by position.
pub(crate) fn build(
    file: &str,
    spec: Option<ConnectorSpec>,
    map: &SourceMap,
    diags: Vec<Diagnostic>,
    checks: Checks,
) -> Result<Connector, Vec<Diagnostic>> {
    let mut templates = TemplateSet::new();
    let mut loader = Loader {
        map,
        diags,
        templates: &mut templates,
        checks,
    };
    // With meta-schema errors, the parts that still parse are checked too, so that one run
    // reports dangling references and template errors alongside the schema violations.
    let connector = spec.map(|spec| loader.compile(file, spec));
    match connector {
        Some(c) if loader.diags.is_empty() => Ok(c),
        _ => {
            let mut diags = loader.diags;
            sort(&mut diags);
            diags.dedup();
            Err(diags)
        }
    }
}

/// Which part of a YAML node a diagnostic underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// The member's key (`id:` of a misnamed member), where it has one.
    Key,
    /// The value.
    Value,
}

/// A diagnostic at `pointer` of the file `map` describes, underlining `mark` (the value when
/// the node has no key).
pub(crate) fn located(
    map: &SourceMap,
    pointer: &str,
    mark: Mark,
    title: String,
    label: &str,
    hint: Option<String>,
) -> Diagnostic {
    let span = map.locate(pointer).map(|l| {
        if mark == Mark::Key {
            l.key.unwrap_or(l.value)
        } else {
            l.value
        }
    });
    Diagnostic {
        span,
        pointer: Some(pointer.to_owned()),
        title,
        label: label.to_owned(),
        hint,
        related: None,
    }
}

/// The names of a connector's non-secret and secret credentials, for template scopes.
fn credential_names(spec: &ConnectorSpec) -> (Vec<&str>, Vec<&str>) {
    let names = |secret: bool| {
        spec.credentials
            .iter()
            .filter(|(_, c)| c.secret == secret)
            .map(|(k, _)| k.as_str())
            .collect()
    };
    (names(false), names(true))
}

/// The top level and each action that still deserialize, when the file has schema errors.
pub(crate) fn salvage(doc: &Value) -> Option<ConnectorSpec> {
    let mut top = doc.as_object()?.clone();
    let actions = top.insert("actions".into(), Value::Object(serde_json::Map::new()));
    let mut spec: ConnectorSpec = serde_json::from_value(Value::Object(top)).ok()?;
    if let Some(Value::Object(actions)) = actions {
        for (id, raw) in actions {
            if let Ok(a) = serde_json::from_value::<ActionSpec>(raw) {
                spec.actions.insert(id, Arc::new(a));
            }
        }
    }
    Some(spec)
}

pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| d.span.map(|s| (s.start.line, s.start.col)));
}

struct Loader<'a> {
    map: &'a SourceMap,
    diags: Vec<Diagnostic>,
    templates: &'a mut TemplateSet,
    checks: Checks,
}

/// How much loading checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checks {
    /// Everything: the meta-schema, input schemas, example inputs, example plans.
    All,
    /// What a file that passed `All` cannot fail (see [`Connector::from_trusted_yaml`]).
    Trusted,
}

impl Loader<'_> {
    fn error(
        &mut self,
        pointer: &str,
        mark: Mark,
        title: String,
        label: &str,
        hint: Option<String>,
    ) {
        self.diags
            .push(located(self.map, pointer, mark, title, label, hint));
    }

    fn compile(&mut self, file: &str, spec: ConnectorSpec) -> Connector {
        if !spec.servers.contains_key(&spec.default_server) {
            let hint = unknown_name_hint(
                &spec.default_server,
                "server",
                spec.servers.keys().map(String::as_str),
            );
            self.error(
                "/default_server",
                Mark::Value,
                format!("unknown server `{}`", spec.default_server),
                "not a key of `servers`",
                Some(hint),
            );
        }
        for (name, server) in &spec.servers {
            self.server(&spec.credentials, name, server);
        }
        self.declared_headers(&spec);
        for (name, auth) in &spec.auth {
            self.auth_method(&spec, name, auth);
        }
        if let Some(check) = &spec.health_check {
            self.health_check(&spec, check);
        }
        for (name, style) in &spec.pagination {
            for (key, problem) in crate::paginate::style_problems(style) {
                let pointer = format!("/pagination/{}/{key}", escape_token(name));
                let pointer = if self.map.locate(&pointer).is_some() {
                    pointer
                } else {
                    format!("/pagination/{}", escape_token(name))
                };
                self.error(
                    &pointer,
                    Mark::Key,
                    format!("pagination style `{name}`: {problem}"),
                    "here",
                    Some("see the pagination kinds in docs/connector-format.md".into()),
                );
            }
        }
        self.credential_env_conflicts(&spec);
        let (plain, secret) = credential_names(&spec);

        let mut default_headers = Vec::new();
        for (name, template) in &spec.headers {
            let scope = Scope {
                inputs: &[],
                credentials: &plain,
                secret_credentials: &secret,
                names: &[],
            };
            let pointer = format!("/headers/{}", escape_token(name));
            if let Some(t) = self.template(&pointer, &Value::String(template.clone()), &scope) {
                default_headers.push((name.to_ascii_lowercase(), t));
            }
        }

        let mut actions = IndexMap::with_capacity(spec.actions.len());
        for (id, action) in &spec.actions {
            if let Some(loaded) = self.action(&spec, id, action, &plain, &secret) {
                actions.insert(id.clone(), loaded);
            }
        }
        let load = next_load();
        for a in actions.values_mut() {
            a.load = load;
        }
        Connector {
            file: file.to_owned(),
            spec,
            actions,
            default_headers,
            templates: RwLock::new(std::mem::take(self.templates)),
            load,
        }
    }

    /// The health check must name an action that exists and is read-only: `actionspec auth
    /// check` runs it without asking for confirmation.
    fn health_check(&mut self, spec: &ConnectorSpec, check: &crate::spec::HealthCheck) {
        let Some(action) = spec.actions.get(&check.action) else {
            let hint = unknown_name_hint(
                &check.action,
                "action",
                spec.actions.keys().map(String::as_str),
            );
            self.error(
                "/health_check/action",
                Mark::Value,
                format!("health check names unknown action `{}`", check.action),
                "not an action",
                Some(hint),
            );
            return;
        };
        let markers = Markers::of(action);
        if !markers.read_only || markers.destructive {
            let what = if markers.destructive {
                "destructive"
            } else {
                "not read-only"
            };
            self.error(
                "/health_check/action",
                Mark::Value,
                format!(
                    "health check action `{}` is {what} ({} {})",
                    check.action,
                    action.method.as_str(),
                    action.path
                ),
                "not a read-only action",
                Some("the health check runs without asking for confirmation: name a read-only action, such as a list with `limit: 1`".into()),
            );
        }
    }

    /// A variable is secret or it is not: a non-secret credential reading the variable of a
    /// secret one would put the secret into templates, dry runs and output.
    fn credential_env_conflicts(&mut self, spec: &ConnectorSpec) {
        for (plain, p) in spec.credentials.iter().filter(|(_, c)| !c.secret) {
            let Some((secret, _)) = spec
                .credentials
                .iter()
                .find(|(_, c)| c.secret && c.env == p.env)
            else {
                continue;
            };
            let pointer = format!("/credentials/{}/env", escape_token(plain));
            let secret_env = format!("/credentials/{}/env", escape_token(secret));
            self.diags.push(Diagnostic {
                span: self.map.locate(&pointer).map(|l| l.value),
                pointer: Some(pointer),
                title: format!(
                    "credential `{plain}` reads `{}`, which secret credential `{secret}` also reads",
                    p.env
                ),
                label: "not secret".into(),
                hint: Some(format!(
                    "non-secret credentials reach templates and output: give `{plain}` its own variable, or mark it `secret: true`"
                )),
                related: self
                    .map
                    .locate(&secret_env)
                    .map(|l| (l.value, "read as a secret here".to_owned())),
            });
        }
    }

    fn auth_method(&mut self, spec: &ConnectorSpec, name: &str, auth: &crate::spec::AuthMethod) {
        let base = format!("/auth/{}", escape_token(name));
        for (key, credential) in auth.credential_refs() {
            let pointer = format!("{base}/{key}");
            match spec.credentials.get(credential) {
                None => {
                    let hint = unknown_name_hint(
                        credential,
                        "credential",
                        spec.credentials.keys().map(String::as_str),
                    );
                    self.error(
                        &pointer,
                        Mark::Value,
                        format!("auth method `{name}` uses unknown credential `{credential}`"),
                        "not a key of `credentials`",
                        Some(hint),
                    );
                }
                Some(c) if !c.secret && key != "client_id" => {
                    self.error(&pointer, Mark::Value, format!("auth method `{name}` sends credential `{credential}`, which is not marked secret"), "not secret", Some("add `secret: true` to the credential so it is never printed or logged".into()));
                }
                Some(_) => {}
            }
        }
        let kinds = [
            AuthType::ApiKey,
            AuthType::Bearer,
            AuthType::Basic,
            AuthType::Oauth2ClientCredentials,
        ];
        let mut wrong: Vec<&str> = kinds.iter().flat_map(|k| k.keys()).copied().collect();
        wrong.retain(|k| !auth.kind.keys().contains(k));
        wrong.sort_unstable();
        wrong.dedup();
        let present = serde_json::to_value(auth).unwrap_or_default();
        for key in wrong {
            if present.get(key).is_some() {
                self.error(
                    &format!("{base}/{key}"),
                    Mark::Key,
                    format!(
                        "`{key}` does not apply to auth method `{name}` of type `{}`",
                        present["type"].as_str().unwrap_or_default()
                    ),
                    "not used by this type",
                    Some("remove it".into()),
                );
            }
        }
        if auth.kind == AuthType::Basic && auth.username.is_none() && auth.password.is_none() {
            self.error(&format!("{base}/type"), Mark::Value, format!("auth method `{name}` of type `basic` names no credential"), "basic without credentials", Some("add `username: <credential>` (and `password: <credential>` unless the API takes an empty password)".into()));
        }
        if auth.kind == AuthType::Oauth2ClientCredentials
            && !spec.servers.values().any(|s| s.token_url.is_some())
        {
            self.error(&format!("{base}/type"), Mark::Value, format!("auth method `{name}` needs a token endpoint, but no server declares `token_url`"), "OAuth 2.0 without a token URL", Some("add `token_url: https://…/oauth2/token` to each server that supports it".into()));
        }
    }

    /// A server's URL and its `{variables}`: each placeholder declared, each variable used and
    /// filled from a known credential that is not secret (the URL is shown in dry runs and
    /// errors).
    fn server(
        &mut self,
        credentials: &IndexMap<String, crate::spec::Credential>,
        name: &str,
        server: &crate::spec::Server,
    ) {
        let base = format!("/servers/{}", escape_token(name));
        let placeholders = url_placeholders(&server.url);
        let mut sample = server.url.clone();
        for p in &placeholders {
            sample = sample.replace(&format!("{{{p}}}"), "host.example");
        }
        if url::Url::parse(&sample).is_err() {
            self.error(
                &format!("{base}/url"),
                Mark::Value,
                format!("server `{name}` has an invalid URL"),
                "not an absolute URL",
                Some("write a full URL such as https://api.example.com/v1".into()),
            );
        }
        for p in &placeholders {
            if !server.variables.contains_key(p) {
                self.error(
                    &format!("{base}/url"),
                    Mark::Value,
                    format!("server `{name}`: `{{{p}}}` in the URL has no variable"),
                    "undeclared variable",
                    Some(format!(
                        "add `variables: {{ {p}: {{ credential: … }} }}` to the server"
                    )),
                );
            }
        }
        for (var, v) in &server.variables {
            let pointer = format!("{base}/variables/{}", escape_token(var));
            if !placeholders.contains(var) {
                self.error(
                    &pointer,
                    Mark::Key,
                    format!("server `{name}`: variable `{var}` is not used in the URL"),
                    "unused variable",
                    Some(format!(
                        "write `{{{var}}}` in the URL, or remove the variable"
                    )),
                );
            }
            match credentials.get(&v.credential) {
                None => {
                    let hint = unknown_name_hint(
                        &v.credential,
                        "credential",
                        credentials.keys().map(String::as_str),
                    );
                    self.error(
                        &format!("{pointer}/credential"),
                        Mark::Value,
                        format!(
                            "server `{name}`: variable `{var}` uses unknown credential `{}`",
                            v.credential
                        ),
                        "not a key of `credentials`",
                        Some(hint),
                    );
                }
                Some(c) if c.secret => {
                    self.error(&format!("{pointer}/credential"), Mark::Value, format!("server `{name}`: variable `{var}` takes secret credential `{}`, but a URL is shown in dry runs and errors", v.credential), "secret in a URL", Some("fill URL variables from credentials that are not secret (a domain, a region)".into()));
                }
                Some(_) => {}
            }
        }
    }

    /// Headers the connector declares (top-level, per action, header inputs) that the engine
    /// must own: the HTTP layer's framing headers, and the header each auth method sets. Sending
    /// them as declared would corrupt the request or the credentials, so they are load errors.
    fn declared_headers(&mut self, spec: &ConnectorSpec) {
        let auth_headers: Vec<(String, &str)> = spec
            .auth
            .iter()
            .filter_map(|(m, a)| auth_header(a).map(|h| (h, m.as_str())))
            .collect();
        let mut declared: Vec<(String, &str)> = spec
            .headers
            .keys()
            .map(|h| (format!("/headers/{}", escape_token(h)), h.as_str()))
            .collect();
        for (id, a) in &spec.actions {
            let base = format!("/actions/{}", escape_token(id));
            declared.extend(
                a.headers
                    .keys()
                    .map(|h| (format!("{base}/headers/{}", escape_token(h)), h.as_str())),
            );
            declared.extend(
                a.inputs
                    .iter()
                    .filter(|(_, i)| i.placement == Placement::Header)
                    .map(|(iid, i)| {
                        (
                            format!("{base}/inputs/{}", escape_token(iid)),
                            i.wire_name(iid),
                        )
                    }),
            );
        }
        for (pointer, header) in declared {
            let lower = header.to_ascii_lowercase();
            if ENGINE_HEADERS.contains(&lower.as_str()) {
                self.error(
                    &pointer,
                    Mark::Key,
                    format!("header `{header}` is the HTTP layer's to set"),
                    "engine-owned header",
                    Some("remove it: the engine writes it for every request".into()),
                );
            } else if let Some((_, method)) = auth_headers.iter().find(|(h, _)| *h == lower) {
                self.error(
                    &pointer,
                    Mark::Key,
                    format!("header `{header}` is set by auth method `{method}`"),
                    "auth header",
                    Some(
                        "remove it: the auth method sends this header, with its credential".into(),
                    ),
                );
            }
        }
    }

    /// An input's `style`: for array or object inputs in the query or a form body; objects take
    /// only `bracket` or `json`.
    fn style(&mut self, base: &str, id: &str, input: &InputSpec, style: EncodingStyle, form: bool) {
        use crate::spec::InputType;
        let placed =
            input.placement == Placement::Query || (input.placement == Placement::Body && form);
        let problem = match input.kind {
            _ if !placed => Some("`style` applies only to query inputs and form body fields"),
            InputType::Array => None,
            InputType::Object if matches!(style, EncodingStyle::Bracket | EncodingStyle::Json) => {
                None
            }
            InputType::Object => Some("an object input takes `style: bracket` or `style: json`"),
            _ => Some("`style` applies only to array and object inputs"),
        };
        if let Some(problem) = problem {
            self.error(
                &format!("{base}/style"),
                Mark::Key,
                format!("input `{id}`: {problem}"),
                "style not applicable",
                Some("remove `style`, or change it".into()),
            );
        }
    }

    fn template(
        &mut self,
        pointer: &str,
        value: &Value,
        scope: &Scope<'_>,
    ) -> Option<ValueTemplate> {
        match self.templates.compile_value(value, scope) {
            Ok(t) => Some(t),
            Err(issues) => {
                for issue in issues {
                    self.error(
                        &format!("{pointer}{}", issue.pointer),
                        Mark::Value,
                        issue.message,
                        "in this template",
                        issue.hint,
                    );
                }
                None
            }
        }
    }

    /// Loads one action: its markers and pagination style; with [`Checks::All`] also its path,
    /// templates and input schema, each checked ([`Connector::compiled`] does the first two on
    /// first use otherwise, and [`Action::input_schema`] the last).
    fn action(
        &mut self,
        spec: &ConnectorSpec,
        id: &str,
        a: &Arc<ActionSpec>,
        plain: &[&str],
        secret: &[&str],
    ) -> Option<Action> {
        let base = format!("/actions/{}", escape_token(id));
        let before = self.diags.len();
        let (compiled, input_schema, validator) =
            (OnceLock::new(), OnceLock::new(), OnceLock::new());
        let pagination = if self.checks == Checks::All {
            let (c, pagination) = self.compile_action(spec, id, a, plain, secret);
            // Input schema, and every example against it.
            let schema = input::input_schema(&a.inputs);
            let checked = self.check_input_schema(&schema, a, id, &base)?;
            let _ = compiled.set(Ok(c));
            let _ = input_schema.set(schema);
            let _ = validator.set(Some(checked));
            pagination
        } else {
            // A trusted file: `compile_action` checks the style on first use.
            a.pagination
                .as_ref()
                .and_then(|name| spec.pagination.get(name).cloned())
        };
        if self.diags.len() > before {
            return None;
        }
        let markers = Markers::of(a);
        Some(Action {
            id: id.to_owned(),
            spec: Arc::clone(a),
            input_schema,
            read_only: markers.read_only,
            destructive: markers.destructive,
            idempotent: markers.idempotent,
            pagination,
            validator,
            compiled,
            load: 0,
        })
    }

    /// Checks an action against the rest of the file and compiles its path and templates; the
    /// problems go to `self.diags` (the result is incomplete when there are any).
    fn compile_action(
        &mut self,
        spec: &ConnectorSpec,
        id: &str,
        a: &ActionSpec,
        plain: &[&str],
        secret: &[&str],
    ) -> (Compiled, Option<PaginationStyle>) {
        let base = format!("/actions/{}", escape_token(id));
        let path = self.path_and_inputs(spec, id, a, &base);
        let pagination = self.pagination(spec, id, a, &base);
        for (i, h) in a.omit_headers.iter().enumerate() {
            if !spec.headers.keys().any(|k| k.eq_ignore_ascii_case(h)) {
                let hint =
                    unknown_name_hint(h, "default header", spec.headers.keys().map(String::as_str));
                self.error(
                    &format!("{base}/omit_headers/{i}"),
                    Mark::Value,
                    format!("`omit_headers` names `{h}`, which is not a default header"),
                    "not in the top-level `headers`",
                    Some(hint),
                );
            }
        }

        self.read_only_reason(&base, id, a);
        let (headers, query, body) = self.action_templates(id, a, &base, plain, secret);
        let compiled = Compiled {
            path,
            headers,
            query,
            body,
        };
        (compiled, pagination)
    }

    /// The action's tool name, its path (each `{name}` against the `in: path` inputs) and the
    /// placement of each input.
    fn path_and_inputs(
        &mut self,
        spec: &ConnectorSpec,
        id: &str,
        a: &ActionSpec,
        base: &str,
    ) -> Vec<PathPart> {
        let tool = format!("{}_{id}", spec.key);
        if tool.len() > 64 {
            self.error(base, Mark::Key, format!("tool name `{tool}` is longer than 64 characters"), "action id too long", Some("agent tool names are `{connector}_{action}` and must fit ^[a-zA-Z0-9_-]{1,64}$: shorten the action id".into()));
        }

        // Path parameters ↔ `in: path` inputs.
        let path = self.path(base, a);
        let used: Vec<&str> = path
            .iter()
            .filter_map(|p| {
                if let PathPart::Placeholder(n) = p {
                    Some(n.as_str())
                } else {
                    None
                }
            })
            .collect();
        for (input_id, input) in &a.inputs {
            if input.placement == Placement::Path {
                if !used.contains(&input_id.as_str()) {
                    self.error(&format!("{base}/inputs/{}/in", escape_token(input_id)), Mark::Value, format!("input `{input_id}` is placed in the path, but the path `{}` has no `{{{}}}`", a.path, input.wire_name(input_id)), "placed in the path", Some(format!("add `{{{}}}` to the path, or place the input elsewhere", input.wire_name(input_id))));
                }
                if input.kind != crate::spec::InputType::String
                    && input.kind != crate::spec::InputType::Integer
                {
                    self.error(
                        &format!("{base}/inputs/{}/type", escape_token(input_id)),
                        Mark::Value,
                        format!("path input `{input_id}` must be a string or an integer"),
                        "not a scalar",
                        None,
                    );
                }
                if !input.required {
                    self.error(
                        &format!("{base}/inputs/{}", escape_token(input_id)),
                        Mark::Key,
                        format!("path input `{input_id}` must be required"),
                        "optional path input",
                        Some("add `required: true`: a path cannot have an empty segment".into()),
                    );
                }
            }
            if input.placement == Placement::Header
                && reqwest::header::HeaderName::from_bytes(input.wire_name(input_id).as_bytes())
                    .is_err()
            {
                self.error(
                    &format!("{base}/inputs/{}", escape_token(input_id)),
                    Mark::Key,
                    format!("input `{input_id}` is not a valid header name"),
                    "invalid header name",
                    Some("set `name:` to a valid HTTP header name".into()),
                );
            }
            if let Some(style) = input.style {
                let form = a.body_format.or(spec.defaults.body_format) == Some(BodyFormat::Form);
                self.style(
                    &format!("{base}/inputs/{}", escape_token(input_id)),
                    input_id,
                    input,
                    style,
                    form,
                );
            }
        }
        path
    }

    /// The action's pagination style, which must exist and find its inputs.
    fn pagination(
        &mut self,
        spec: &ConnectorSpec,
        id: &str,
        a: &ActionSpec,
        base: &str,
    ) -> Option<PaginationStyle> {
        a.pagination
            .as_ref()
            .and_then(|name| match spec.pagination.get(name) {
                None => {
                    let hint = unknown_name_hint(
                        name,
                        "pagination style",
                        spec.pagination.keys().map(String::as_str),
                    );
                    self.error(
                        &format!("{base}/pagination"),
                        Mark::Value,
                        format!("action `{id}` uses unknown pagination style `{name}`"),
                        "not a key of `pagination`",
                        Some(hint),
                    );
                    None
                }
                Some(style) => {
                    for (role, input_id, kind) in crate::paginate::style_inputs(style) {
                        self.pagination_input(id, a, base, (name, style), (role, input_id, kind));
                    }
                    Some(style.clone())
                }
            })
    }

    /// One input a pagination style needs: declared, and of the type the kind sends. A wrong
    /// type says which kinds exist rather than only "make it an integer": a string page token
    /// usually means the API pages by cursor.
    fn pagination_input(
        &mut self,
        id: &str,
        a: &ActionSpec,
        base: &str,
        (name, style): (&str, &PaginationStyle),
        (role, input_id, kind): (&str, &str, crate::spec::InputType),
    ) {
        let t = kind.as_str();
        let kind_name = style.kind.as_str();
        match a.inputs.get(input_id) {
            Some(i) if i.kind == kind => {}
            Some(i) => {
                let pointer = format!("{base}/inputs/{}/type", escape_token(input_id));
                self.error(&pointer, Mark::Value, format!("pagination style `{name}` ({kind_name} pagination) sends {t} values in input `{input_id}` ({role}), but action `{id}` declares it as {}", article(i.kind.as_str())), "wrong type for the pagination kind", Some(format!("make it `type: {t}` if the API takes {t}s here; otherwise choose the pagination kind that matches the API: {}", crate::spec::PaginationType::ALL.iter().map(|k| format!("`{}`", k.as_str())).collect::<Vec<_>>().join(", "))));
            }
            None => {
                self.error(&format!("{base}/pagination"), Mark::Value, format!("pagination style `{name}` ({kind_name} pagination) needs {} input `{input_id}` ({role}), which action `{id}` does not declare", article(t)), "pagination used here", Some(format!("declare `{input_id}: {{ type: {t}, in: query }}` in the action's inputs")));
            }
        }
    }

    /// Compiles the action's header, query and body templates; a GET has no body.
    fn action_templates(
        &mut self,
        id: &str,
        a: &ActionSpec,
        base: &str,
        plain: &[&str],
        secret: &[&str],
    ) -> (Named, Named, Option<ValueTemplate>) {
        let input_ids: Vec<&str> = a.inputs.keys().map(String::as_str).collect();
        let scope = Scope {
            inputs: &input_ids,
            credentials: plain,
            secret_credentials: secret,
            names: &[],
        };
        let mut headers = Vec::new();
        for (name, t) in &a.headers {
            if let Some(c) = self.template(
                &format!("{base}/headers/{}", escape_token(name)),
                &Value::String(t.clone()),
                &scope,
            ) {
                headers.push((name.to_ascii_lowercase(), c));
            }
        }
        let mut query = Vec::new();
        for (name, t) in &a.query {
            if let Some(c) = self.template(
                &format!("{base}/query/{}", escape_token(name)),
                &Value::String(t.clone()),
                &scope,
            ) {
                query.push((name.clone(), c));
            }
        }
        let body = a
            .body
            .as_ref()
            .and_then(|b| self.template(&format!("{base}/body"), b, &scope));
        if a.body.is_some() && a.method == Method::Get {
            self.error(
                &format!("{base}/body"),
                Mark::Key,
                format!("action `{id}` is a GET and cannot have a body"),
                "body on a GET",
                None,
            );
        }
        if a.method == Method::Get && a.inputs.values().any(|i| i.placement == Placement::Body) {
            self.error(
                &format!("{base}/method"),
                Mark::Value,
                format!("action `{id}` is a GET but has `in: body` inputs"),
                "GET has no body",
                Some("place the inputs in the query, or use POST".into()),
            );
        }
        (headers, query, body)
    }

    /// Compiles an action's input schema and checks every example input against it.
    fn check_input_schema(
        &mut self,
        input_schema: &Value,
        a: &ActionSpec,
        id: &str,
        base: &str,
    ) -> Option<Arc<crate::schema::Schema>> {
        let validator = match input::compile(input_schema) {
            Ok(v) => Some(Arc::new(v)),
            Err(e) => {
                self.error(
                    &format!("{base}/inputs"),
                    Mark::Key,
                    format!("the inputs of action `{id}` do not form a valid JSON Schema: {e}"),
                    "invalid input schema",
                    Some("check `pattern`, `items`, `properties` and `format`".into()),
                );
                None
            }
        };
        if let Some(v) = &validator {
            for (n, example) in a.examples.iter().enumerate() {
                let input = Value::Object(example.input.clone());
                for violation in input::violations(v, &a.inputs, &input) {
                    let pointer = format!("{base}/examples/{n}/input{}", violation.pointer);
                    self.error(
                        &pointer,
                        Mark::Key,
                        format!(
                            "example {} of action `{id}` is not a valid input: {}",
                            n + 1,
                            violation.message
                        ),
                        "invalid example input",
                        Some("fix the example, or the input declaration it disagrees with".into()),
                    );
                }
            }
        }

        validator
    }

    /// `read_only: true` on a method that writes needs `read_only_reason`, so that a marker that
    /// skips confirmations and allows retries is a decision written down, not a slip.
    fn read_only_reason(&mut self, base: &str, id: &str, a: &ActionSpec) {
        let writes = a.method != Method::Get;
        match (a.read_only, &a.read_only_reason) {
            (Some(true), None) if writes => self.error(
                &format!("{base}/read_only"),
                Mark::Key,
                format!(
                    "action `{id}` is a {} marked `read_only: true` without a reason",
                    a.method.as_str()
                ),
                "read-only on a method that writes",
                Some("add `read_only_reason: <why this request changes nothing>` (e.g. a search endpoint that takes its query as a body), or remove `read_only`".into()),
            ),
            (Some(true), Some(_)) if writes => {}
            (_, Some(_)) => self.error(
                &format!("{base}/read_only_reason"),
                Mark::Key,
                format!(
                    "`read_only_reason` on action `{id}` explains nothing: it applies to a POST, PUT, PATCH or DELETE marked `read_only: true`"
                ),
                "no read-only marker to explain",
                Some("remove `read_only_reason`".into()),
            ),
            _ => {}
        }
    }

    /// Parses `/a/{b}/c` into parts ([`PathTemplate::parse`]), reporting each `{name}` without
    /// an `in: path` input.
    fn path(&mut self, base: &str, a: &ActionSpec) -> Vec<PathPart> {
        let pointer = format!("{base}/path");
        let (template, errors) = PathTemplate::parse_all(&a.path, &a.inputs);
        for e in errors {
            match e {
                PathError::NoInput { name } => self.placeholder_without_input(&pointer, a, &name),
                _ => self.error(
                    &pointer,
                    Mark::Value,
                    format!("unclosed `{{` in path `{}`", a.path),
                    "unclosed placeholder",
                    Some("write placeholders as `{name}`".into()),
                ),
            }
        }
        template.parts().to_vec()
    }

    fn placeholder_without_input(&mut self, pointer: &str, a: &ActionSpec, name: &str) {
        let path_inputs = path_input_names(&a.inputs);
        let hint = match did_you_mean(name, a.inputs.keys().map(String::as_str)) {
            Some(best)
                if a.inputs
                    .get(best)
                    .is_some_and(|i| i.placement != Placement::Path) =>
            {
                format!("input `{best}` exists but is not placed in the path: set `in: path` on it")
            }
            Some(best) => format!("did you mean `{best}`?"),
            None if path_inputs.is_empty() => format!(
                "declare `{name}: {{ type: string, in: path, required: true }}` in the action's inputs"
            ),
            None => format!(
                "declare `{name}: {{ type: string, in: path, required: true }}` in the action's inputs (declared path inputs: {})",
                path_inputs.join(", ")
            ),
        };
        self.error(
            pointer,
            Mark::Value,
            format!("path placeholder `{{{name}}}` has no `in: path` input"),
            "placeholder without an input",
            Some(hint),
        );
    }
}

/// Headers the HTTP layer writes itself (RFC 9110 §7.2, §8.6; RFC 9112 §6, §9.6), lowercase: a
/// connector declaring one is a load error.
pub const ENGINE_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
];

/// The header an auth method sets (lowercase), if it uses one.
fn auth_header(a: &crate::spec::AuthMethod) -> Option<String> {
    match a.kind {
        AuthType::ApiKey if a.placement == Some(crate::spec::KeyPlacement::Query) => None,
        AuthType::ApiKey => a.name.as_deref().map(str::to_ascii_lowercase),
        _ => Some("authorization".into()),
    }
}

/// The `{name}` placeholders of a server URL, in order.
fn url_placeholders(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    out
}

fn path_input_names(inputs: &IndexMap<String, InputSpec>) -> Vec<String> {
    inputs
        .iter()
        .filter(|(_, i)| i.placement == Placement::Path)
        .map(|(k, _)| format!("`{k}`"))
        .collect()
}
