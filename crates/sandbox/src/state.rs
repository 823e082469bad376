//! The state behind a running sandbox, and a request as it arrived and as it was routed.

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use actionspec_engine::spec::Placement;
use hyper::HeaderMap;
use serde_json::Value;

use crate::model::{Model, Route, path_params};
use crate::store::Store;

/// The state behind a running sandbox.
#[derive(Debug)]
pub(crate) struct Shared {
    pub model: Model,
    pub store: Mutex<Store>,
    pub seed: u64,
    pub api_key: String,
    /// The value each tenant credential has (by credential name).
    pub tenant_values: Vec<(String, String)>,
    /// Records created so far, to derive new ids.
    pub creates: AtomicU64,
    /// The OAuth 2.0 token endpoint, when the connector has an OAuth auth method.
    pub oauth: Option<crate::oauth::OAuth>,
}

/// A request as it arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    /// The URL path as received (percent-encoded).
    pub path: &'a str,
    /// The raw query string.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// `http://127.0.0.1:PORT`: the origin of absolute next-page links.
    pub origin: &'a str,
}

/// A routed request: its path values, query pairs and parsed body.
#[derive(Debug)]
pub(crate) struct Req<'a> {
    pub path: &'a str,
    pub params: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: &'a HeaderMap,
    /// The JSON body, or a form body as a JSON object.
    pub body: Option<Value>,
    pub origin: &'a str,
}

impl Req<'_> {
    /// The values of query parameter `name` (none when the action does not declare it).
    pub(crate) fn values(&self, name: Option<&str>) -> Vec<&str> {
        values(&self.query, name)
    }

    /// The value of an input as text, wherever the action places it (a path value, the last
    /// query value, a header, a body member that is a string or a number).
    pub(crate) fn input_text(&self, route: &Route, input: &str) -> Option<String> {
        let spec = route.inputs.get(input)?;
        let wire = spec.wire_name(input);
        match spec.placement {
            Placement::Path => path_params(&route.segs)
                .into_iter()
                .zip(&self.params)
                .find(|(id, _)| *id == input)
                .map(|(_, v)| v.clone()),
            Placement::Query => self.values(Some(wire)).last().map(|s| (*s).to_owned()),
            Placement::Header => self
                .headers
                .get(wire)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            Placement::Body => match self.body.as_ref()?.get(wire)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
        }
    }
}

/// The values of query parameter `name` (none when the action does not declare it).
pub(crate) fn values<'a>(query: &'a [(String, String)], name: Option<&str>) -> Vec<&'a str> {
    let Some(name) = name else {
        return Vec::new();
    };
    query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}
