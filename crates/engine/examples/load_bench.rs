//! Micro-benchmark: load + validate + compile a connector, and plan every action.
//!
//! Run in release: `cargo run --release -p actionspec-engine --example load_bench [connector.yaml]`.
//! Targets (issue 2): load + compile under 20 ms; planning under 20 µs per action.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use actionspec_engine::{Config, Connector, Mode};
use serde_json::Value;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "connectors/jumpcloud.yaml".into());
    let text = std::fs::read_to_string(&path).expect("read the connector file");

    // Load + validate + compile: the first (cold) run and the median of 50 warm runs.
    let start = Instant::now();
    let connector = Connector::from_yaml(&path, &text).expect("valid connector");
    let cold = start.elapsed();
    let loads: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(Connector::from_yaml(&path, &text).expect("valid connector"));
            t.elapsed()
        })
        .collect();

    // Plan every action's first example, many rounds; report the median per-action time.
    let mut config = Config::default();
    config
        .credentials
        .insert("api_key", secrecy::SecretString::from("bench-key"), true);
    let cases: Vec<_> = connector
        .actions
        .values()
        .map(|a| (a, Value::Object(a.spec.examples[0].input.clone())))
        .collect();
    let rounds = 2000;
    let mut per_round = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for (action, input) in &cases {
            std::hint::black_box(
                connector
                    .plan(action, input, &config, Mode::Execute)
                    .expect("plan"),
            );
        }
        per_round.push(t.elapsed());
    }
    let round = median(per_round);
    let per_action = round / u32::try_from(cases.len()).unwrap_or(1);

    // The slowest single action, to show no action is an outlier.
    let mut slowest = (String::new(), Duration::ZERO);
    for (action, input) in &cases {
        let times: Vec<Duration> = (0..500)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(
                    connector
                        .plan(action, input, &config, Mode::Execute)
                        .expect("plan"),
                );
                t.elapsed()
            })
            .collect();
        let m = median(times);
        if m > slowest.1 {
            slowest = (action.id.clone(), m);
        }
    }

    println!(
        "connector: {path} ({} actions, {} bytes)",
        connector.actions.len(),
        text.len()
    );
    println!(
        "load + validate + compile: cold {:.2} ms, warm median {:.2} ms (target < 20 ms)",
        ms(cold),
        ms(median(loads))
    );
    println!(
        "plan, all {} actions once: median {:.1} µs",
        cases.len(),
        us(round)
    );
    println!(
        "plan, per action: median {:.2} µs (target < 20 µs); slowest action {} at {:.2} µs",
        us(per_action),
        slowest.0,
        us(slowest.1)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
