//! Secret canaries: the API key, OAuth client secrets and `sensitive` input values must never
//! reach stdout or stderr — neither as they are nor Base64-, percent- or JSON-encoded — whatever
//! happens (success, dry-run, API and token endpoints that echo what they received, transport
//! errors, invalid input), whatever the log level and whichever `--output` format.
//!
//! The canaries hold characters that every encoding changes (space, `/`, `+`, `=`, `"`, `&`,
//! non-ASCII), so that each encoded form differs from the raw one. The MCP server's canary
//! (`mcp.rs`) reuses them.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{
    self, Cli, KEY_VAR, Output, Slices, actionspec, base_url, closed_base_url, received, server,
};

pub(crate) const CANARY: &str = "canary-SECRET 9f/8e+7d=\"q\"&x";
pub(crate) const PASSWORD_CANARY: &str = "PW-canary 5c/4b+3a=\"é\"&y";
const CLIENT_ID: &str = "echo client";
const PRIMARY: &str = "canary-PRIMARY 5e/6f+=\"ü\"&";
const SECONDARY: &str = "canary-SECONDARY 7a/8b+=&ß";

pub(crate) const OK_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e01";
pub(crate) const UNAUTHORIZED_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e02";
pub(crate) const NOT_FOUND_ID: &str = "5f1b2c3d4e5f6a7b8c9d0e05";

// ---------------------------------------------------------------- the forms of a secret

/// RFC 3986 percent-encoding: everything but the unreserved characters.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// `application/x-www-form-urlencoded` keeps these (and writes a space as `+`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

fn percent(s: &str, lower: bool) -> String {
    let upper = utf8_percent_encode(s, RFC3986).to_string();
    if !lower {
        return upper;
    }
    let mut out = String::new();
    let mut hex_left = 0;
    for c in upper.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn form_urlencoded(s: &str) -> String {
    // `%` itself is encoded as `%25`, so every `%20` left is a space.
    utf8_percent_encode(s, FORM).to_string().replace("%20", "+")
}

fn json_escaped(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

/// What an API might echo of a secret: as is, JSON-escaped, percent- and form-encoded, Base64 in
/// both alphabets with and without padding, and Base64 after a 1-, 2- or 3-byte prefix (an
/// HTTP Basic `id:secret`, at each alignment).
fn echoed_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        json_escaped(secret),
        percent(secret, false),
        percent(secret, true),
        form_urlencoded(secret),
    ];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(secret));
    }
    for prefix in ["a:", "ab:", "abc:"] {
        forms.push(format!(
            "Basic {}",
            STANDARD.encode(format!("{prefix}{secret}"))
        ));
    }
    forms
}

/// The Base64 characters that `bytes` alone decide at each of the 3 alignments inside a larger
/// text, in both alphabets: with 1 (2) bytes before, a group's first 2 (3) characters mix them in;
/// at the end, a partial group's last character mixes in the next byte.
fn base64_cores(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for offset in 0..3 {
        let mut shifted = vec![b'x'; offset];
        shifted.extend_from_slice(bytes);
        let encoded = STANDARD_NO_PAD.encode(&shifted);
        let len = shifted.len();
        let core = &encoded[[0, 2, 3][offset]..len / 3 * 4 + len % 3];
        out.push(core.to_owned());
        out.push(core.replace('+', "-").replace('/', "_"));
    }
    out
}

/// What must never be printed: every form of the secret, and the stable core of its Base64 (and
/// of the Base64 of its form-urlencoded text, which HTTP Basic auth for OAuth 2.0 encodes).
pub(crate) fn leaked_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        json_escaped(secret),
        format!("{secret:?}").trim_matches('"').to_owned(),
        percent(secret, false),
        percent(secret, true),
        form_urlencoded(secret),
    ];
    forms.extend(base64_cores(secret.as_bytes()));
    forms.extend(base64_cores(form_urlencoded(secret).as_bytes()));
    forms
}

/// The echoed forms packed into bodies short enough to be shown whole (an error shows at most
/// 200 characters of a body that is not JSON).
pub(crate) fn echo_groups(secret: &str) -> Vec<String> {
    let mut groups: Vec<String> = vec![String::new()];
    for form in echoed_forms(secret) {
        let last = groups.last_mut().unwrap();
        if !last.is_empty() && last.len() + form.len() > 120 {
            groups.push(form);
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(&form);
        }
    }
    groups
}

/// Answers with what it received (the `x-api-key` header, or the body's `password`) in every
/// form: all of them in a JSON error message, or one group in an HTML body.
pub(crate) struct Echo {
    pub(crate) status: u16,
    /// `None`: a JSON body with every form; `Some(i)`: group `i` in an HTML body.
    pub(crate) group: Option<usize>,
    /// Echo the body's `password` rather than the API key.
    pub(crate) password: bool,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let secret = if self.password {
            let body: serde_json::Value = request.body_json().unwrap_or_default();
            body["password"].as_str().unwrap_or_default().to_owned()
        } else {
            common::header(request, "x-api-key").unwrap_or_default()
        };
        match self.group {
            None => ResponseTemplate::new(self.status).set_body_json(
                json!({ "message": format!("rejected: {}", echoed_forms(&secret).join(" ")) }),
            ),
            Some(i) => ResponseTemplate::new(self.status).set_body_raw(
                format!("<pre>{}</pre>", echo_groups(&secret)[i]),
                "text/html",
            ),
        }
    }
}

/// A token endpoint refusing every client, with the `Authorization` header and the form body it
/// received in its error description.
struct TokenEcho {
    status: u16,
    error: &'static str,
}

impl Respond for TokenEcho {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let authorization = common::header(request, "authorization").unwrap_or_default();
        let body = String::from_utf8_lossy(&request.body);
        ResponseTemplate::new(self.status).set_body_json(json!({
            "error": self.error,
            "error_description": format!("got Authorization: {authorization}; body: {body}"),
        }))
    }
}

// ---------------------------------------------------------------- checking every output

/// How each case of [`assert_never_printed`] is run: `ACTIONSPEC_LOG`, `-v`/`-vv`, `--output`.
const VARIANTS: &[(Option<&str>, Option<&str>, &str)] = &[
    (None, None, "text"),
    (Some("trace"), None, "text"),
    (None, None, "json"),
    (Some("trace"), None, "json"),
    (None, Some("-vv"), "yaml"),
    (None, Some("-v"), "ndjson"),
    (None, Some("-vv"), "table"),
];

/// Asserts that no form of any of `secrets` is on either output stream, for each case in every
/// [`VARIANTS`] (default log level and trace, `-v` and `-vv`, every `--output` format). Returns
/// how many logged runs sent a request.
fn assert_never_printed(
    cases: &[(&str, Cli, i32)],
    env: &[(&str, &str)],
    secrets: &[&str],
) -> usize {
    let forms: Vec<String> = secrets.iter().flat_map(|s| leaked_forms(s)).collect();
    let mut sent = 0;
    for (what, cli, code) in cases {
        for &(log, verbose, output) in VARIANTS {
            let mut cli = cli.clone().arg("--output").arg(output);
            if let Some(flag) = verbose {
                cli = cli.arg(flag);
            }
            for (k, v) in env {
                cli = cli.env(k, v);
            }
            if let Some(level) = log {
                cli = cli.env("ACTIONSPEC_LOG", level);
            }
            let out = cli.run();
            let run = format!("{what} (log {log:?} {verbose:?}, output {output})");
            assert_eq!(out.code, *code, "{run}: exit code\n{}", out.render());
            assert_no_form(&run, &out, &forms);
            if (log.is_some() || verbose.is_some()) && out.stderr.contains("sending request") {
                sent += 1;
            }
        }
    }
    sent
}

#[track_caller]
fn assert_no_form(run: &str, out: &Output, forms: &[String]) {
    for form in forms {
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains(form.as_str()),
                "{run}: {form:?} is on {stream}:\n{text}"
            );
        }
    }
}

fn get_user(base: &str, id: &str) -> Cli {
    actionspec([
        "run",
        "jumpcloud",
        "get_system_user",
        "--base-url",
        base,
        &json!({ "id": id }).to_string(),
    ])
}

/// Mounts `GET /api/systemusers/{id}` answering with `responder`.
pub(crate) async fn mount(server: &MockServer, id: &str, responder: impl Respond + 'static) {
    Mock::given(method("GET"))
        .and(path(format!("/api/systemusers/{id}")))
        .respond_with(responder)
        .mount(server)
        .await;
}

// ---------------------------------------------------------------- the canaries

#[tokio::test(flavor = "multi_thread")]
async fn api_key_never_reaches_the_output() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/systemusers"))
        .respond_with(Slices {
            total: 150,
            v2: false,
            fail_at_skip: None,
        })
        .mount(&server)
        .await;
    mount(
        &server,
        OK_ID,
        ResponseTemplate::new(200).set_body_json(json!({ "_id": OK_ID, "username": "jdoe" })),
    )
    .await;
    // APIs sometimes echo the credential back in an error, encoded or not: it must be scrubbed.
    mount(
        &server,
        UNAUTHORIZED_ID,
        Echo {
            status: 401,
            group: None,
            password: false,
        },
    )
    .await;
    mount(
        &server,
        NOT_FOUND_ID,
        Echo {
            status: 404,
            group: None,
            password: false,
        },
    )
    .await;
    let groups = echo_groups(CANARY).len();
    for i in 0..groups {
        mount(
            &server,
            &format!("html500-{i}"),
            Echo {
                status: 500,
                group: Some(i),
                password: false,
            },
        )
        .await;
        mount(
            &server,
            &format!("html200-{i}"),
            Echo {
                status: 200,
                group: Some(i),
                password: false,
            },
        )
        .await;
    }
    let base = base_url(&server);
    let closed = closed_base_url();

    let mut cases = vec![
        (
            "dry-run list",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--dry-run",
                r#"{"limit": 5}"#,
            ]),
            0,
        ),
        (
            "dry-run --all",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--dry-run",
                "--all",
            ]),
            0,
        ),
        (
            "dry-run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--dry-run",
                r#"{"email": "a@example.com", "username": "a", "password": "p"}"#,
            ]),
            0,
        ),
        (
            "run list",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--base-url",
                &base,
                r#"{"limit": 5}"#,
            ]),
            0,
        ),
        (
            "run --all",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--all",
                "--base-url",
                &base,
            ]),
            0,
        ),
        ("run get", get_user(&base, OK_ID), 0),
        ("401 echoing the key", get_user(&base, UNAUTHORIZED_ID), 5),
        ("404 echoing the key", get_user(&base, NOT_FOUND_ID), 7),
        ("connection refused", get_user(&closed, OK_ID), 12),
        (
            "invalid input",
            actionspec([
                "run",
                "jumpcloud",
                "list_system_users",
                "--base-url",
                &base,
                r#"{"limit": "five"}"#,
            ]),
            4,
        ),
        // The key pasted into an input, echoed (escaped) by the input error.
        ("invalid input echoing the key", get_user(&base, CANARY), 4),
        (
            "destructive without --yes",
            actionspec([
                "run",
                "jumpcloud",
                "delete_system_user",
                "--base-url",
                &base,
                r#"{"id": "5f1b2c3d4e5f6a7b8c9d0e1f"}"#,
            ]),
            2,
        ),
    ];
    for i in 0..groups {
        cases.push((
            "500 HTML echoing the key",
            get_user(&base, &format!("html500-{i}")),
            11,
        ));
        cases.push((
            "200 not JSON echoing the key",
            get_user(&base, &format!("html200-{i}")),
            11,
        ));
    }
    let sent = assert_never_printed(&cases, &[(KEY_VAR, CANARY)], &[CANARY]);
    // The trace runs really did send requests (so there was something to leak).
    assert!(
        sent >= 2 * (6 + 2 * groups),
        "only {sent} trace runs logged a request"
    );

    // And the key really was sent, on every request.
    let requests = received(&server).await;
    assert!(requests.len() >= 4 * 8, "{} requests", requests.len());
    for r in &requests {
        assert_eq!(
            common::header(r, "x-api-key").as_deref(),
            Some(CANARY),
            "{}",
            r.url
        );
    }
}

fn create_input(password: &str) -> String {
    json!({ "email": "a@example.com", "username": "a", "password": password }).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn sensitive_input_never_reaches_the_output() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "_id": OK_ID, "username": "a" })),
        )
        .mount(&server)
        .await;
    let input = create_input(PASSWORD_CANARY);
    let cases = [
        (
            "dry-run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--dry-run",
                &input,
            ]),
            0,
        ),
        (
            "run create",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--base-url",
                &base_url(&server),
                &input,
            ]),
            0,
        ),
        (
            "transport error",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                "--base-url",
                &closed_base_url(),
                &input,
            ]),
            12,
        ),
        (
            "invalid input next to the password",
            actionspec([
                "run",
                "jumpcloud",
                "create_system_user",
                &json!({ "email": 5, "username": "a", "password": PASSWORD_CANARY }).to_string(),
            ]),
            4,
        ),
    ];
    assert_never_printed(&cases, &[(KEY_VAR, CANARY)], &[PASSWORD_CANARY, CANARY]);
    let requests = received(&server).await;
    // The one case that reaches the server, once per variant.
    assert_eq!(requests.len(), VARIANTS.len());
    assert_eq!(
        requests[0].body_json::<serde_json::Value>().unwrap()["password"],
        PASSWORD_CANARY
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sensitive_input_echoed_by_the_api_is_redacted() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/systemusers"))
        .respond_with(Echo {
            status: 400,
            group: None,
            password: true,
        })
        .mount(&server)
        .await;
    let cases = [(
        "400 echoing the password",
        actionspec([
            "run",
            "jumpcloud",
            "create_system_user",
            "--base-url",
            &base_url(&server),
            &create_input(PASSWORD_CANARY),
        ]),
        9,
    )];
    let env = [(KEY_VAR, CANARY)];
    assert_never_printed(&cases, &env, &[PASSWORD_CANARY, CANARY]);
}

/// A token endpoint that refuses the client and echoes what it received — the Basic header
/// (Base64 of the form-urlencoded `id:secret`) or the form body (`client_secret=…`) — for both
/// ways of client authentication, for a refused client (401, both secrets tried), another 4xx and
/// a 5xx.
#[tokio::test(flavor = "multi_thread")]
async fn token_endpoint_echoing_the_client_credentials_never_shows_them() {
    let server = server().await;
    let statuses = [
        ("invalid_client", 401, 5),
        ("invalid_scope", 400, 5),
        ("server_error", 500, 11),
    ];
    for (error, status, _) in statuses {
        Mock::given(method("POST"))
            .and(path(format!("/token/{status}")))
            .respond_with(TokenEcho { status, error })
            .mount(&server)
            .await;
    }
    let mut cases = Vec::new();
    for auth in ["basic", "post"] {
        for (_, status, code) in statuses {
            let cli = actionspec([
                "--connectors",
                "tests/fixtures/cli/oauth",
                "run",
                "tokenecho",
                "get_thing",
                r#"{"id": "t1"}"#,
                "--base-url",
                &format!("{}/v1", server.uri()),
                "--token-url",
                &format!("{}/token/{status}", server.uri()),
                "--no-token-cache",
                "--auth",
                auth,
            ]);
            cases.push(("token endpoint echoing the client", cli, code));
        }
    }
    let env = [
        ("TOKENECHO_CLIENT_ID", CLIENT_ID),
        ("TOKENECHO_CLIENT_SECRET", PRIMARY),
        ("TOKENECHO_CLIENT_SECRET_SECONDARY", SECONDARY),
    ];
    assert_never_printed(&cases, &env, &[PRIMARY, SECONDARY]);

    // The endpoint really received (and so echoed) both secrets, both ways.
    let requests = received(&server).await;
    let basic = |secret: &str| {
        format!(
            "Basic {}",
            STANDARD.encode(format!(
                "{}:{}",
                form_urlencoded(CLIENT_ID),
                form_urlencoded(secret)
            ))
        )
    };
    for secret in [PRIMARY, SECONDARY] {
        assert!(
            requests
                .iter()
                .any(|r| common::header(r, "authorization") == Some(basic(secret))),
            "no Basic header with {secret}"
        );
        let posted = format!("client_secret={}", form_urlencoded(secret));
        assert!(
            requests
                .iter()
                .any(|r| String::from_utf8_lossy(&r.body).contains(&posted)),
            "no form body with {posted}"
        );
    }
}

/// The forms the tests look for really are the encodings, and the echo carries each of them.
#[test]
fn the_forms_are_the_encodings() {
    assert_eq!(
        percent("a b/é", false),
        "a%20b%2F%C3%A9".to_owned(),
        "RFC 3986"
    );
    assert_eq!(percent("a b/é", true), "a%20b%2f%c3%a9");
    assert_eq!(form_urlencoded("a b/é*"), "a+b%2F%C3%A9*");
    assert_eq!(json_escaped("a\"b"), "a\\\"b");
    // The cores are inside the Base64 of the secret at each alignment.
    for (prefix, core) in ["", "a", "ab"]
        .iter()
        .zip(base64_cores(b"secret-value").iter().step_by(2))
    {
        let encoded = STANDARD.encode(format!("{prefix}secret-value!"));
        assert!(encoded.contains(core.as_str()), "{encoded} lacks {core}");
    }
    let echoed = echo_groups(CANARY).join(" ");
    for form in echoed_forms(CANARY) {
        assert!(echoed.contains(&form));
    }
}
