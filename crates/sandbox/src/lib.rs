//! Actionspec sandbox: a local, stateful HTTP server that behaves like a connector's API,
//! generated from the connector YAML alone, so every connector gets one.
//!
//! From the connector's actions the sandbox derives its resources (a paginated `GET` lists a
//! collection, `GET`/`PUT`/`PATCH`/`DELETE` on `{collection}/{id}` read, replace, merge and
//! delete a record, `POST` on the collection creates one; anything else answers with the
//! action's documented response), seeds them with realistic deterministic records built from
//! the examples, and answers on 127.0.0.1 with the API's wire behaviour: list shapes, totals,
//! page counts, cursors and next links for every pagination kind, page-size limits, JSON and
//! form bodies, the record id member and its declared form, success statuses, 404/400/401/403
//! answers in the API's error body shape and status. It can add latency and simulated 429/503
//! failures. The rules and the optional `sandbox:` keys are documented in
//! `docs/connector-format.md`.
//!
//! ```
//! use actionspec_engine::{Client, Connector};
//! use actionspec_sandbox::{Options, Sandbox};
//! use serde_json::json;
//!
//! let yaml = r#"
//! spec_version: 1
//! key: notes
//! name: Notes
//! version: 1.0.0
//! servers: { prod: { url: "https://api.example.com/v1" } }
//! default_server: prod
//! credentials: { token: { env: NOTES_TOKEN, secret: true } }
//! auth: { token: { type: api_key, in: header, name: x-token, credential: token } }
//! pagination:
//!   pages: { type: offset, limit_input: limit, offset_input: skip, max_page_size: 50, records: /items, total: { body: /total } }
//! actions:
//!   list_notes:
//!     name: List Notes
//!     description: List notes.
//!     method: GET
//!     path: /notes
//!     pagination: pages
//!     inputs:
//!       limit: { type: integer, in: query }
//!       skip: { type: integer, in: query }
//!     examples:
//!       - input: { limit: 1 }
//!         response: { status: 200, body: { total: 1, items: [{ id: 64b2c1d0e9f8a7b6c5d4e3f2, title: Groceries }] } }
//! "#;
//! let connector = Connector::from_yaml("notes.yaml", yaml).expect("valid connector");
//! let options = Options { seed: 7, records: vec![("notes".into(), 12)], ..Options::default() };
//! let sandbox = Sandbox::new(&connector, &options).expect("a sandbox");
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! runtime.block_on(async {
//!     let running = sandbox.start(0).await.expect("listening on 127.0.0.1");
//!     let client = Client::new().expect("client");
//!     let action = connector.action("list_notes").expect("declared");
//!     let outcome = connector
//!         .run(&client, action, &json!({"limit": 5}), &running.config())
//!         .await
//!         .expect("a page");
//!     let page = outcome.page.expect("a list");
//!     assert_eq!(page.total, Some(12));
//!     assert_eq!(page.records.len(), 5);
//!     assert_eq!(page.records[0].value()["title"], "Groceries");
//! });
//! ```

mod form;
mod handler;
mod ids;
mod list;
mod model;
mod oauth;
mod query;
mod reply;
mod rng;
mod seed;
mod server;
mod state;
mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actionspec_engine::{Config, Connector, Credentials};
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::model::Model;
use crate::rng::{Rng, hash};
use crate::state::Shared;

/// Records per resource when [`Options::records`] does not name it.
pub const DEFAULT_RECORDS: usize = 25;

/// The most records one resource may be seeded with.
pub const MAX_RECORDS: usize = 1_000_000;

/// Why a sandbox could not be made or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector cannot be imitated as written (e.g. a `sandbox:` hint names a resource
    /// that does not exist).
    #[error("cannot make a sandbox of this connector: {0}")]
    Model(String),
    /// A record count names a resource the connector does not have.
    #[error("unknown resource `{name}`; the resources are: {known}")]
    UnknownResource {
        /// The name given.
        name: String,
        /// The resource names, comma-separated.
        known: String,
    },
    /// A record count is malformed or too large.
    #[error(
        "invalid record count `{0}`: expected RESOURCE=COUNT with COUNT at most 1000000, e.g. systemusers=250"
    )]
    Records(String),
    /// The failure rate is not a probability.
    #[error("the failure rate must be between 0 and 1, got {0}")]
    FailRate(f64),
    /// The listener could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0 = any).
        port: u16,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The lifetime of the sandbox's bearer tokens unless set: one hour, a common choice of OAuth 2.0 servers.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How to seed and run a sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// The seed of every generated value: records, ids, the API key, simulated failures. The
    /// same seed gives the same sandbox.
    pub seed: u64,
    /// Records per resource, by resource name (the last literal segment of its collection path,
    /// e.g. `systemusers` for `/systemusers`, `usergroups` for `/v2/usergroups`) or collection
    /// path. Exactly that many records: the examples' records first, then generated ones.
    pub records: Vec<(String, usize)>,
    /// Records for the resources `records` does not name.
    pub default_records: usize,
    /// Added to every response.
    pub latency: Duration,
    /// The probability, in `[0, 1]`, that a request fails with 429 (`Retry-After: 1`) or 503.
    pub fail_rate: f64,
    /// How long the bearer tokens of the OAuth token endpoint last (`expires_in`).
    pub token_lifetime: Duration,
}

impl Default for Options {
    /// Seed 1, [`DEFAULT_RECORDS`] per resource, no latency, no failures.
    fn default() -> Self {
        Options {
            seed: 1,
            records: Vec::new(),
            default_records: DEFAULT_RECORDS,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
        }
    }
}

impl Options {
    /// Parses record counts: `systemusers=25000`, several separated by commas.
    ///
    /// # Errors
    /// [`Error::Records`] for anything but `NAME=COUNT` pairs with a count up to
    /// [`MAX_RECORDS`].
    pub fn parse_records(text: &str) -> Result<Vec<(String, usize)>, Error> {
        text.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| {
                let (name, count) = pair
                    .split_once('=')
                    .ok_or_else(|| Error::Records(pair.to_owned()))?;
                let count: usize = count
                    .trim()
                    .parse()
                    .map_err(|_| Error::Records(pair.to_owned()))?;
                if name.trim().is_empty() || count > MAX_RECORDS {
                    return Err(Error::Records(pair.to_owned()));
                }
                Ok((name.trim().to_owned(), count))
            })
            .collect()
    }
}

/// A value the sandbox gives a connector credential: the API key, or a tenant id such as
/// an organization id (`x-org-id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialValue {
    /// The credential name in the connector.
    pub name: String,
    /// The environment variable the connector reads it from.
    pub env: String,
    /// The value.
    pub value: String,
}

/// One resource and how many records it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The name `Options::records` uses (`systemusers`).
    pub name: String,
    /// The collection path as the connector writes it (`/systemusers`).
    pub path: String,
    /// The record member that holds the id (`_id`).
    pub id_field: String,
    /// Records held now.
    pub records: usize,
}

/// A sandbox: the model of the API and its records. Cheap to clone (the state is shared); the
/// records live as long as any clone or running server.
#[derive(Debug, Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    credentials: Arc<Vec<CredentialValue>>,
    secret: Arc<Vec<String>>,
    conditions: server::Conditions,
}

/// Records per resource: the default, or what `options.records` asks for a named resource.
fn record_counts(model: &Model, options: &Options) -> Result<Vec<usize>, Error> {
    let mut counts = vec![options.default_records.min(MAX_RECORDS); model.resources.len()];
    for (name, count) in &options.records {
        let index = model
            .resource_named(name)
            .ok_or_else(|| Error::UnknownResource {
                name: name.clone(),
                known: model
                    .resources
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if *count > MAX_RECORDS {
            return Err(Error::Records(format!("{name}={count}")));
        }
        counts[index] = *count;
    }
    Ok(counts)
}

/// One value per tenant credential (an organization id), from the seed; each also added to
/// `values` for the caller.
fn tenant_values(
    model: &Model,
    spec: &actionspec_engine::spec::ConnectorSpec,
    seed: u64,
    values: &mut Vec<CredentialValue>,
) -> Vec<(String, String)> {
    let mut tenant_values: Vec<(String, String)> = Vec::new();
    for tenant in &model.tenants {
        if tenant_values.iter().any(|(c, _)| *c == tenant.credential) {
            continue;
        }
        let value = Rng::of(&[seed, hash(&tenant.credential)]).object_id();
        if let Some(c) = spec.credentials.get(&tenant.credential) {
            values.push(CredentialValue {
                name: tenant.credential.clone(),
                env: c.env.clone(),
                value: value.clone(),
            });
        }
        tenant_values.push((tenant.credential.clone(), value));
    }
    tenant_values
}

/// The OAuth 2.0 token endpoint, for a connector with an OAuth auth method; its client id and
/// secrets are added to `values` (the secrets also to `secret`).
fn with_oauth(
    connector: &Connector,
    options: &Options,
    values: &mut Vec<CredentialValue>,
    secret: &mut Vec<String>,
) -> Option<oauth::OAuth> {
    let spec = &connector.spec;
    let (oauth, (id_name, secret_name, secondary_name)) =
        oauth::OAuth::for_connector(connector, options.seed, options.token_lifetime)?;
    let mut add = |name: &str, value: &str, is_secret: bool| {
        if let Some(c) = spec.credentials.get(name) {
            values.push(CredentialValue {
                name: name.to_owned(),
                env: c.env.clone(),
                value: value.to_owned(),
            });
            if is_secret {
                secret.push(name.to_owned());
            }
        }
    };
    add(&id_name, &oauth.client_id, false);
    add(&secret_name, &oauth.secrets[0], true);
    if let Some(secondary) = &secondary_name {
        add(secondary, &oauth.secrets[1], true);
    }
    Some(oauth)
}

impl Sandbox {
    /// Derives the sandbox of a connector and seeds its records.
    ///
    /// # Errors
    /// [`Error::Model`] when the connector's `sandbox:` keys are inconsistent,
    /// [`Error::UnknownResource`] for a record count of a resource that does not exist,
    /// [`Error::FailRate`] for a failure rate outside `[0, 1]`.
    pub fn new(connector: &Connector, options: &Options) -> Result<Sandbox, Error> {
        if !(0.0..=1.0).contains(&options.fail_rate) {
            return Err(Error::FailRate(options.fail_rate));
        }
        let model = Model::build(connector)?;
        let counts = record_counts(&model, options)?;
        let store = seed::seed(&model, options.seed, &counts);

        let mut key_rng = Rng::of(&[options.seed, hash("api key")]);
        let api_key = format!(
            "sandbox-{:016x}{:016x}",
            key_rng.next_u64(),
            key_rng.next_u64()
        );
        let mut values = Vec::new();
        let mut secret = Vec::new();
        let spec = &connector.spec;
        for name in &model.key_credentials {
            if let Some(c) = spec.credentials.get(name) {
                values.push(CredentialValue {
                    name: name.clone(),
                    env: c.env.clone(),
                    value: api_key.clone(),
                });
                secret.push(name.clone());
            }
        }
        let tenant_values = tenant_values(&model, spec, options.seed, &mut values);
        let oauth = with_oauth(connector, options, &mut values, &mut secret);
        let shared = Shared {
            oauth,
            model,
            store: Mutex::new(store),
            seed: options.seed,
            api_key,
            tenant_values,
            creates: AtomicU64::new(0),
        };
        Ok(Sandbox {
            shared: Arc::new(shared),
            credentials: Arc::new(values),
            secret: Arc::new(secret),
            conditions: server::Conditions {
                latency: options.latency,
                fail_rate: options.fail_rate,
                seed: options.seed,
            },
        })
    }

    /// The connector key.
    pub fn connector(&self) -> &str {
        &self.shared.model.connector
    }

    /// The API key the sandbox accepts (derived from the seed; it is test data, not a secret).
    /// Requests without it, or with another, get 401.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// The values the sandbox gives the connector's credentials: the API key for every
    /// credential an `api_key` auth method sends, and an id for every non-secret credential a
    /// default header sends (e.g. an organization id sent as `x-org-id`; another value in
    /// that header gets 403).
    pub fn credential_values(&self) -> &[CredentialValue] {
        &self.credentials
    }

    /// [`Sandbox::credential_values`] as engine credentials, for [`Config::credentials`].
    pub fn credentials(&self) -> Credentials {
        let mut c = Credentials::default();
        for v in self.credentials.iter() {
            c.insert(
                v.name.clone(),
                SecretString::from(v.value.clone()),
                self.secret.contains(&v.name),
            );
        }
        c
    }

    /// The resources and their current record counts, in the order the connector first names
    /// them.
    pub fn resources(&self) -> Vec<ResourceInfo> {
        let store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        self.shared
            .model
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| ResourceInfo {
                name: r.name.clone(),
                path: r.path.clone(),
                id_field: r.id_field.clone(),
                records: store.count(i),
            })
            .collect()
    }

    /// Binds `127.0.0.1:port` (`0` picks a free port) and serves on the current Tokio runtime
    /// until the returned [`Running`] is dropped. Must be called within a runtime.
    ///
    /// # Errors
    /// [`Error::Bind`] when the port cannot be bound.
    pub async fn start(&self, port: u16) -> Result<Running, Error> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| Error::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { port, source })?;
        let task = tokio::spawn(server::accept_loop(
            listener,
            self.shared.clone(),
            self.conditions,
        ));
        Ok(Running {
            base_url: format!("http://{addr}{}", self.shared.model.base_path),
            addr,
            sandbox: self.clone(),
            task,
        })
    }
}

/// A sandbox serving HTTP on 127.0.0.1. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct Running {
    sandbox: Sandbox,
    addr: SocketAddr,
    base_url: String,
    task: JoinHandle<()>,
}

impl Running {
    /// The socket address (127.0.0.1 and the port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to send actions to: `http://127.0.0.1:PORT` plus the path of the
    /// connector's default server URL (e.g. `http://127.0.0.1:PORT/api`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The sandbox it serves.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The OAuth 2.0 token endpoint (`http://127.0.0.1:PORT/oauth2/token`), when the connector
    /// has an OAuth auth method.
    pub fn token_url(&self) -> Option<String> {
        self.sandbox
            .shared
            .oauth
            .as_ref()
            .map(|_| format!("http://{}{}", self.addr, oauth::TOKEN_PATH))
    }

    /// An engine configuration that sends actions here with the sandbox's credentials (and its
    /// token endpoint, for OAuth).
    pub fn config(&self) -> Config {
        Config {
            base_url: Some(self.base_url.clone()),
            token_url: self.token_url(),
            credentials: self.sandbox.credentials(),
            ..Config::default()
        }
    }

    /// Serves until the task ends (it does not end by itself: the process is interrupted).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}
