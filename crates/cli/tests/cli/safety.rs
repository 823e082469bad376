//! What may run without asking: actions that run scripts on devices need `--yes`, and a health
//! check that writes is refused at load, so `auth check` never sends it.

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{actionspec, base_url, check, received, server};

/// A mock server that fails the test if it receives any request.
async fn silent_server() -> MockServer {
    let server = server().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// Regression: JumpCloud's `run_command` and `trigger_command` ran scripts on devices without
/// `--yes`.
#[tokio::test(flavor = "multi_thread")]
async fn actions_that_run_scripts_on_devices_need_yes() {
    let server = silent_server().await;
    for (action, input) in [
        (
            "run_command",
            r#"{"command_id": "65f1a2b3c4d5e6f708192a3b"}"#,
        ),
        ("trigger_command", r#"{"triggername": "diskreport"}"#),
    ] {
        let cli = actionspec([
            "run",
            "jumpcloud",
            action,
            "--base-url",
            &base_url(&server),
            input,
        ])
        .key();
        let out = check(&format!("safety_needs_yes@{action}"), &cli, 2);
        assert!(out.stderr.contains("is destructive"), "{}", out.stderr);
        assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    }
    assert_eq!(received(&server).await.len(), 0);
}

/// Regression: `auth check` sent the DELETE that a connector's `health_check` named.
#[tokio::test(flavor = "multi_thread")]
async fn auth_check_never_sends_a_health_check_that_writes() {
    let server = silent_server().await;
    let cli = actionspec([
        "--connectors",
        "tests/fixtures/cli/unsafe",
        "auth",
        "check",
        "wipe",
        "--base-url",
        &format!("{}/v1", server.uri()),
    ])
    .env("WIPE_API_KEY", "wipe-key-1");
    let out = check("safety_health_check_that_deletes", &cli, 3);
    assert!(
        out.stderr
            .contains("health check action `delete_account` is destructive"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("tests/fixtures/cli/unsafe/wipe.yaml:15:11"),
        "{}",
        out.stderr
    );
    assert_eq!(received(&server).await.len(), 0);
}
