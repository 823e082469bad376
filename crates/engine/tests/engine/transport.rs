//! A call that gets no response says why: refused, DNS, TLS and timeout are told apart by
//! [`actionspec_engine::TransportFailure`], and the error's `source()` chain keeps the
//! underlying cause (an I/O error, the TLS library's error, the timer) without the URL.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use actionspec_engine::{Client, Error, ErrorKind, RunOptions, TransportFailure};
use serde_json::json;

use crate::common;
use crate::raw_server::{self, Reply};

const USER: &str = "5f1b2c3d4e5f6a7b8c9d0e1f";

async fn get_user(client: &Client, base: &str, options: RunOptions) -> Error {
    let c = common::jumpcloud();
    let mut config = common::api_key_config(base);
    config.options = options;
    let action = c.action("get_system_user").unwrap();
    c.run(client, action, &json!({ "id": USER }), &config)
        .await
        .unwrap_err()
}

fn once() -> RunOptions {
    RunOptions {
        attempts: Some(1),
        ..RunOptions::default()
    }
}

/// Each error in `e`'s `source()` chain, outermost first, looking into I/O errors' payloads
/// (whose own `source()` skips them).
fn chain(e: &Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut next = e.source();
    while let Some(s) = next {
        out.push(s);
        let mut payload = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        while let Some(inner) = payload {
            let inner = inner as &(dyn std::error::Error + 'static);
            out.push(inner);
            payload = inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref());
        }
        next = s.source();
    }
    out
}

fn assert_transport(e: &Error, failure: TransportFailure) {
    assert_eq!(e.kind, ErrorKind::Transport, "{e}");
    assert_eq!(e.transport, Some(failure), "{e}");
    assert_eq!(e.to_json()["error"]["transport"], failure.as_str());
    assert!(
        chain(e).iter().all(|s| !s.to_string().contains("://")),
        "no cause shows the URL"
    );
}

#[tokio::test]
async fn a_refused_connection_keeps_the_io_error_as_its_source() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let e = get_user(
        &Client::new().unwrap(),
        &format!("http://127.0.0.1:{port}"),
        once(),
    )
    .await;
    assert_transport(&e, TransportFailure::Refused);
    let refused = chain(&e).into_iter().any(|s| {
        s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    });
    assert!(
        refused,
        "an io::Error of kind ConnectionRefused in the chain"
    );
}

/// A resolver that knows no name, so the lookup fails without asking any DNS server.
struct NoNames;

impl reqwest::dns::Resolve for NoNames {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let e: Box<dyn std::error::Error + Send + Sync> =
                format!("no address for {name}").into();
            Err(e)
        })
    }
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_dns_failure() {
    let client =
        Client::with_builder(|| reqwest::Client::builder().dns_resolver(Arc::new(NoNames)))
            .unwrap();
    let e = get_user(&client, "http://api.unresolvable.test", once()).await;
    assert_transport(&e, TransportFailure::Dns);
    let lookup = chain(&e).iter().any(|s| {
        s.to_string()
            .contains("no address for api.unresolvable.test")
    });
    assert!(lookup, "the resolver's own error in the chain: {e}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_failure_with_the_tls_error_as_source() {
    let (tls, _cert) = raw_server::https(Reply::Bytes(Vec::new())).await;
    let e = get_user(&Client::new().unwrap(), &tls.url, once()).await;
    assert_transport(&e, TransportFailure::Tls);
    let rustls = chain(&e)
        .into_iter()
        .find_map(|s| s.downcast_ref::<rustls::Error>());
    assert!(
        matches!(rustls, Some(rustls::Error::InvalidCertificate(_))),
        "{rustls:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    let silent = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&silent)
        .await;
    let options = RunOptions {
        attempt_timeout: Some(Duration::from_millis(300)),
        ..once()
    };
    let e = get_user(&Client::new().unwrap(), &silent.uri(), options).await;
    assert_transport(&e, TransportFailure::Timeout);
    assert!(!chain(&e).is_empty(), "the timer's or the client's error");
}
