//! Hand-written servers on 127.0.0.1 for what wiremock cannot do: TLS with a generated
//! certificate, connections reset mid-request, and bodies without end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A running server: its base URL, and the head (request line and headers) of every request.
pub struct Raw {
    pub url: String,
    pub heads: Arc<Mutex<Vec<String>>>,
    pub hits: Arc<AtomicUsize>,
}

impl Raw {
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// What the server does once it has read a request head.
#[derive(Clone)]
pub enum Reply {
    /// Writes these bytes and closes the connection.
    Bytes(Vec<u8>),
    /// Closes the connection at once, with a TCP reset.
    Reset,
    /// Writes this head, then zeros until the client goes away.
    Endless(String),
}

/// An HTTP/1.1 response with `Connection: close`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A plain-HTTP server answering every request with `reply`.
pub async fn http(reply: Reply) -> Raw {
    listen("http", reply, None).await
}

/// An HTTPS server for `https://127.0.0.1:PORT` with a fresh self-signed certificate, which it
/// returns so that the client can trust it.
pub async fn https(reply: Reply) -> (Raw, reqwest::Certificate) {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert_der = key.cert.der().clone();
    let key_der = rustls_pki_key(&key.signing_key);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key_der)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let raw = listen("https", reply, Some(acceptor)).await;
    (raw, reqwest::Certificate::from_der(&cert_der).unwrap())
}

/// Accepts connections on a fresh loopback port (over TLS with `tls`) and serves each one.
async fn listen(scheme: &str, reply: Reply, tls: Option<tokio_rustls::TlsAcceptor>) -> Raw {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let raw = Raw {
        url: format!("{scheme}://{}", listener.local_addr().unwrap()),
        heads: Arc::default(),
        hits: Arc::default(),
    };
    let (heads, hits) = (raw.heads.clone(), raw.hits.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (heads, hits, reply, tls) =
                (heads.clone(), hits.clone(), reply.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(stream, &heads, &hits, &reply).await;
                        }
                    }
                    None => {
                        if let Reply::Reset = reply {
                            let _ = stream.set_zero_linger();
                        }
                        serve(stream, &heads, &hits, &reply).await;
                    }
                }
            });
        }
    });
    raw
}

fn rustls_pki_key(key: &rcgen::KeyPair) -> rustls::pki_types::PrivateKeyDer<'static> {
    rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into())
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    heads: &Mutex<Vec<String>>,
    hits: &AtomicUsize,
    reply: &Reply,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    hits.fetch_add(1, Ordering::SeqCst);
    heads
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&head).into_owned());
    match reply {
        Reply::Bytes(bytes) => {
            let _ = stream.write_all(bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Reset => drop(stream),
        Reply::Endless(head) => {
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let zeros = vec![b'0'; 64 * 1024];
            // Bounded: stops when the client goes away, or after 1 GiB at the latest.
            for _ in 0..16_384 {
                if stream.write_all(&zeros).await.is_err() {
                    return;
                }
            }
        }
    }
}
