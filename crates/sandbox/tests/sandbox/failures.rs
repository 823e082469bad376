//! Simulated conditions: `fail_rate` answers 429 (`Retry-After: 1`) or 503, repeatably for a
//! seed; the engine retries them for idempotent actions and reports them as the API's errors
//! when the attempts run out; `latency` delays every answer.

use std::time::{Duration, Instant};

use actionspec_engine::ErrorKind;
use actionspec_sandbox::{Error, Options, Sandbox};
use serde_json::json;

use crate::common::{http, jumpcloud, records, run, start};

fn failing(rate: f64, seed: u64) -> Options {
    Options {
        fail_rate: rate,
        seed,
        ..Options::default()
    }
}

#[tokio::test]
async fn every_request_fails_at_rate_one_and_the_error_says_so() {
    let c = jumpcloud();
    let sandbox = start(&c, &failing(1.0, 1)).await;
    let mut kinds = Vec::new();
    let mut config = sandbox.config();
    config.options.attempts = Some(1);
    let client = actionspec_engine::Client::new().unwrap();
    let action = c.action("list_system_users").unwrap();
    for _ in 0..12 {
        let e = c
            .run(&client, action, &json!({"limit": 5}), &config)
            .await
            .unwrap_err();
        assert!(e.message.contains("simulated"), "{}", e.message);
        match e.status {
            Some(429) => {
                assert_eq!(e.kind, ErrorKind::RateLimited);
                let hint = e.hint.clone().unwrap_or_default();
                assert!(
                    hint.contains("1 s"),
                    "the Retry-After reaches the user: {hint}"
                );
            }
            Some(503) => assert_eq!(e.kind, ErrorKind::Upstream),
            other => panic!("unexpected status {other:?}"),
        }
        kinds.push(e.kind);
    }
    assert!(kinds.contains(&ErrorKind::RateLimited) && kinds.contains(&ErrorKind::Upstream));
}

/// With half the requests failing, retries (honouring `Retry-After: 1`) still deliver every
/// record exactly once.
#[tokio::test]
async fn retries_carry_a_list_through_simulated_failures() {
    let c = jumpcloud();
    let mut options = records(&[("systemusers", 250)]);
    options.fail_rate = 0.5;
    options.seed = 2;
    let sandbox = start(&c, &options).await;
    let mut config = sandbox.config();
    config.options.attempts = Some(8);
    let client = actionspec_engine::Client::new().unwrap();
    let mut ids = Vec::new();
    let summary = c
        .run_all(
            &client,
            c.action("list_system_users").unwrap(),
            &json!({}),
            &config,
            |p| {
                ids.extend(
                    p.records
                        .iter()
                        .map(|r| r.value()["_id"].as_str().unwrap_or_default().to_owned()),
                );
                Ok(())
            },
        )
        .await
        .unwrap();
    assert_eq!(summary.records, 250);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "each record once");
    // The control: the same sandbox (same seed) without retries fails part-way.
    let again = start(&c, &options).await;
    let mut config = again.config();
    config.options.attempts = Some(1);
    let action = c.action("list_system_users").unwrap();
    let e = c
        .run_all(&client, action, &json!({}), &config, |_| Ok(()))
        .await
        .unwrap_err();
    assert!(e.message.contains("simulated"), "{}", e.message);
}

/// The statuses of 40 requests.
async fn statuses(options: &Options) -> Vec<u16> {
    let sandbox = start(&jumpcloud(), options).await;
    let mut out = Vec::new();
    for _ in 0..40 {
        let r = http()
            .get(format!("{}/systemusers?limit=1", sandbox.base_url()))
            .header("x-api-key", sandbox.sandbox().api_key())
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            assert_eq!(r.headers()["retry-after"], "1");
        }
        out.push(r.status().as_u16());
    }
    out
}

#[tokio::test]
async fn failures_are_repeatable_for_a_seed() {
    let a = statuses(&failing(0.5, 42)).await;
    let b = statuses(&failing(0.5, 42)).await;
    assert_eq!(a, b);
    for status in [200, 429, 503] {
        assert!(a.contains(&status), "{a:?}");
    }
    assert_ne!(a, statuses(&failing(0.5, 43)).await);
    assert!(statuses(&failing(0.0, 42)).await.iter().all(|s| *s == 200));
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let c = jumpcloud();
    let options = Options {
        latency: Duration::from_millis(150),
        ..Options::default()
    };
    let sandbox = start(&c, &options).await;
    let t = Instant::now();
    run(
        &c,
        &sandbox,
        "get_system_user",
        json!({"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}),
    )
    .await
    .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_fail_rate_outside_zero_to_one_is_refused() {
    for rate in [-0.1, 1.5, f64::NAN] {
        let e = Sandbox::new(&jumpcloud(), &failing(rate, 1)).unwrap_err();
        assert!(matches!(e, Error::FailRate(_)), "{e}");
    }
}
