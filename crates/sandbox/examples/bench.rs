//! Load generator: how many list pages of 100 JumpCloud user records the sandbox serves per
//! second on one core.
//!
//! Run in release: `cargo run --release -p actionspec-sandbox --example bench [SECONDS] [CONNECTIONS]`
//! (defaults 5 s, 8 connections). The sandbox serves on a current-thread Tokio runtime on its own
//! thread (one core); the load generator runs on another thread with its own current-thread
//! runtime, keeping CONNECTIONS keep-alive requests in flight over loopback. It stops after
//! SECONDS or 200,000 pages, whichever comes first. Target (issue 3): at least 2,000 pages/s.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actionspec_engine::Connector;
use actionspec_sandbox::{Options, Sandbox};

/// Users in the sandbox, and the most pages the run may request.
const USERS: usize = 25_000;
const MAX_PAGES: u64 = 200_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .clamp(1, 60);
    let connections: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8)
        .clamp(1, 64);

    let text =
        std::fs::read_to_string("connectors/jumpcloud.yaml").expect("run from the workspace root");
    let connector =
        Connector::from_yaml("connectors/jumpcloud.yaml", &text).expect("valid connector");
    let t = Instant::now();
    let options = Options {
        records: vec![("systemusers".into(), USERS)],
        ..Options::default()
    };
    let sandbox = Sandbox::new(&connector, &options).expect("a sandbox");
    let seeded = t.elapsed();
    let key = sandbox.api_key().to_owned();

    // The server: one thread, one current-thread runtime.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let running = sandbox.start(0).await.unwrap();
            tx.send(running.base_url().to_owned()).unwrap();
            running.wait().await;
        });
    });
    let base = rx.recv().unwrap();

    actionspec_engine::install_tls_provider();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // One page, to check the shape and measure the page size.
    let sample = runtime.block_on(async {
        client
            .get(format!("{base}/systemusers?limit=100&skip=0"))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    let page: serde_json::Value = serde_json::from_slice(&sample).unwrap();
    assert_eq!(page["results"].as_array().unwrap().len(), 100);
    assert_eq!(page["totalCount"], USERS);

    let pages = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut latencies: Vec<Duration> = runtime.block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..connections {
            let (client, base, key) = (client.clone(), base.clone(), key.clone());
            let (pages, bytes, stop) = (pages.clone(), bytes.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = worker;
                while !stop.load(Ordering::Relaxed) {
                    if Instant::now() >= deadline
                        || pages.fetch_add(1, Ordering::Relaxed) >= MAX_PAGES
                    {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    let skip = (n * 100) % USERS;
                    n += connections;
                    let t = Instant::now();
                    let response = client
                        .get(format!("{base}/systemusers?limit=100&skip={skip}"))
                        .header("x-api-key", &key)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let body = response.bytes().await.unwrap();
                    latencies.push(t.elapsed());
                    bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed();
    latencies.sort();
    let served = latencies.len() as f64;
    let rate = served / elapsed.as_secs_f64();
    let mb = bytes.load(Ordering::Relaxed) as f64 / 1e6 / elapsed.as_secs_f64();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];

    println!("sandbox bench: {USERS} JumpCloud users seeded in {seeded:.2?}");
    println!(
        "page: 100 users, {} bytes ({} bytes per user)",
        sample.len(),
        sample.len() / 100
    );
    println!(
        "{served} pages in {elapsed:.2?} over {connections} connections: {rate:.0} pages/s, {mb:.0} MB/s"
    );
    println!(
        "latency: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "target: >= 2000 pages/s on one core: {}",
        if rate >= 2000.0 { "met" } else { "NOT met" }
    );
}
