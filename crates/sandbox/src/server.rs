//! The HTTP/1.1 server: accepts connections on a loopback listener, applies the simulated
//! conditions (latency, failures), and hands each request to [`Shared::handle`].

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::reply::Reply;
use crate::rng::{Rng, hash};
use crate::state::{Incoming as Arrived, Shared};

/// The largest request body the sandbox reads (16 MiB); larger ones get 413.
const MAX_BODY: usize = 16 << 20;

/// What the sandbox simulates besides the API.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conditions {
    pub latency: Duration,
    pub fail_rate: f64,
    pub seed: u64,
}

/// Accepts connections forever, one task per connection.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    conditions: Conditions,
) {
    let requests = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let origin: Arc<str> = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}").into(),
        Err(_) => "http://127.0.0.1".into(),
    };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "sandbox: cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let requests = requests.clone();
        let origin = origin.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                let origin = origin.clone();
                let n = requests.fetch_add(1, Ordering::Relaxed);
                async move {
                    Ok::<_, Infallible>(answer(&shared, request, n, conditions, &origin).await)
                }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "sandbox: connection ended with an error");
            }
        });
    }
}

/// Answers request number `n`.
async fn answer(
    shared: &Shared,
    request: Request<Incoming>,
    n: u64,
    conditions: Conditions,
    origin: &str,
) -> Response<Full<Bytes>> {
    if !conditions.latency.is_zero() {
        tokio::time::sleep(conditions.latency).await;
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return to_response(shared.error(413, "the request body is larger than 16 MiB")),
    };
    if let Some(reply) = simulated_failure(shared, n, conditions) {
        return to_response(reply);
    }
    let reply = shared.handle(&Arrived {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
        origin,
    });
    tracing::debug!(method = %parts.method, path = parts.uri.path(), status = reply.status, "sandbox request");
    to_response(reply)
}

/// With probability `fail_rate` (decided by the seed and the request number, so a run is
/// repeatable): half the time 429 with `Retry-After: 1`, half the time 503.
fn simulated_failure(shared: &Shared, n: u64, conditions: Conditions) -> Option<Reply> {
    if conditions.fail_rate <= 0.0 {
        return None;
    }
    let mut rng = Rng::of(&[conditions.seed, hash("failure"), n]);
    if !rng.chance(conditions.fail_rate) {
        return None;
    }
    if rng.chance(0.5) {
        let mut reply = shared.error_keeping_status(
            429,
            "too many requests (simulated by the sandbox's --fail-rate)",
        );
        reply
            .headers
            .push((RETRY_AFTER.as_str().to_owned(), "1".to_owned()));
        Some(reply)
    } else {
        Some(shared.error_keeping_status(
            503,
            "service unavailable (simulated by the sandbox's --fail-rate)",
        ))
    }
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
