//! The sandbox's OAuth 2.0 token endpoint: it issues bearer tokens to its client with either of
//! its two secrets, the API accepts them until they expire, and the engine's OAuth client works
//! against it end to end.

use std::time::Duration;

use actionspec_engine::SecretSlot;
use actionspec_engine::{Client, Config};
use actionspec_sandbox::Options;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::{http, jumpcloud, start};

fn oauth_config(running: &actionspec_sandbox::Running) -> Config {
    Config {
        auth: Some("oauth2".into()),
        ..running.config()
    }
}

fn credential(running: &actionspec_sandbox::Running, name: &str) -> String {
    running
        .sandbox()
        .credential_values()
        .iter()
        .find(|v| v.name == name)
        .unwrap()
        .value
        .clone()
}

async fn token(running: &actionspec_sandbox::Running, secret: &str) -> reqwest::Response {
    http()
        .post(running.token_url().unwrap())
        .basic_auth(credential(running, "client_id"), Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "api")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_engine_runs_an_action_with_a_sandbox_token() {
    let c = jumpcloud();
    let running = start(&c, &Options::default()).await;
    let outcome = c
        .run(
            &Client::new().unwrap(),
            c.action("list_system_users").unwrap(),
            &json!({"limit": 3}),
            &oauth_config(&running),
        )
        .await
        .unwrap();
    assert_eq!(outcome.page.unwrap().records.len(), 3);
    assert_eq!(
        outcome.auth.unwrap().secret,
        Some(("client_secret".to_owned(), SecretSlot::Primary))
    );
}

#[tokio::test]
async fn both_secrets_get_tokens_and_a_wrong_one_gets_invalid_client() {
    let c = jumpcloud();
    let running = start(&c, &Options::default()).await;
    for name in ["client_secret", "client_secret_secondary"] {
        let r = token(&running, &credential(&running, name)).await;
        assert_eq!(r.status(), 200, "{name}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            (body["token_type"].as_str(), body["expires_in"].as_u64()),
            (Some("bearer"), Some(3600))
        );
    }
    let r = token(&running, "wrong").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
}

#[tokio::test]
async fn the_api_accepts_issued_tokens_and_rejects_expired_and_foreign_ones() {
    let c = jumpcloud();
    let running = start(
        &c,
        &Options {
            token_lifetime: Duration::from_secs(1),
            ..Options::default()
        },
    )
    .await;
    let body: Value = token(&running, &credential(&running, "client_secret"))
        .await
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let url = format!("{}/systemusers?limit=1", running.base_url());
    let get = |auth: String| http().get(&url).header("authorization", auth).send();
    assert_eq!(get(bearer.clone()).await.unwrap().status(), 200);
    assert_eq!(get("Bearer made-up".into()).await.unwrap().status(), 401);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = get(bearer).await.unwrap();
    assert_eq!(expired.status(), 401);
    let message = expired.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("expired"), "{message}");
    // The API key still works alongside OAuth.
    let with_key = http()
        .get(&url)
        .header("x-api-key", running.sandbox().api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), 200);
}

#[tokio::test]
async fn the_engine_refreshes_short_lived_tokens_across_pages() {
    let c = jumpcloud();
    let options = Options {
        token_lifetime: Duration::from_secs(1),
        records: vec![("systemusers".into(), 250)],
        ..Options::default()
    };
    let running = start(&c, &options).await;
    let client = Client::new().unwrap();
    let config = oauth_config(&running);
    let mut ids = std::collections::HashSet::new();
    let mut pages = 0;
    c.run_all(
        &client,
        c.action("list_system_users").unwrap(),
        &json!({"limit": 100}),
        &config,
        |page| {
            pages += 1;
            // Slow consumer: every token expires between pages.
            std::thread::sleep(Duration::from_millis(600));
            ids.extend(
                page.records
                    .iter()
                    .map(|r| r.value()["_id"].as_str().unwrap().to_owned()),
            );
            Ok(())
        },
    )
    .await
    .unwrap();
    assert_eq!((pages, ids.len()), (3, 250), "every record once");
}

#[tokio::test]
async fn a_revoked_primary_falls_back_to_the_secondary() {
    let c = jumpcloud();
    let running = start(&c, &Options::default()).await;
    let mut config = oauth_config(&running);
    let secondary = credential(&running, "client_secret_secondary");
    config
        .credentials
        .insert("client_secret", SecretString::from("revoked-primary"), true);
    config.credentials.insert(
        "client_secret_secondary",
        SecretString::from(secondary.clone()),
        true,
    );
    let outcome = c
        .run(
            &Client::new().unwrap(),
            c.action("list_systems").unwrap(),
            &json!({}),
            &config,
        )
        .await
        .unwrap();
    assert_eq!(
        outcome.auth.unwrap().secret,
        Some(("client_secret_secondary".to_owned(), SecretSlot::Secondary))
    );
}
