//! A minimal hand-written client that lists every JumpCloud user, the yardstick for
//! `actionspec run jumpcloud list_system_users --all` in `bench/listing.py`.
//!
//! Build in release: `cargo build --release --locked -p actionspec-sandbox --example baseline`,
//! then `target/release/examples/baseline BASE_URL API_KEY PAGE_SIZE TOTAL [IN_FLIGHT]`
//! (`BASE_URL` and `API_KEY` as `actionspec sandbox jumpcloud` prints them).
//!
//! It does what a person would write by hand and nothing more: one reqwest client, `GET
//! {BASE_URL}/systemusers?limit=PAGE_SIZE&skip=K` with the `x-api-key` header for K = 0,
//! PAGE_SIZE, … below TOTAL, each body parsed with serde_json (into `Value`, as the engine does)
//! and each record written as one JSON line to a buffered stdout, in the API's order. With
//! IN_FLIGHT above 1 (default 1, one page after another), that many pages are requested at once
//! and still written in order. Like the CLI, it runs on a current-thread Tokio runtime, so the
//! comparison is of the work done, not of the number of threads. Stderr gets
//! `N records in P pages`.
#![allow(missing_docs)]

use std::collections::VecDeque;
use std::error::Error;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use serde_json::Value;
use tokio::task::JoinHandle;

type BoxError = Box<dyn Error + Send + Sync>;

/// The command line.
struct Args {
    base: String,
    key: String,
    page_size: usize,
    total: usize,
    in_flight: usize,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: baseline BASE_URL API_KEY PAGE_SIZE TOTAL [IN_FLIGHT]";
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !(4..=5).contains(&args.len()) {
        return Err(usage.to_owned());
    }
    let number = |i: usize, name: &str| -> Result<usize, String> {
        args[i]
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                format!(
                    "{name} must be a positive integer, not `{}`\n{usage}",
                    args[i]
                )
            })
    };
    Ok(Args {
        base: args[0].trim_end_matches('/').to_owned(),
        key: args[1].clone(),
        page_size: number(2, "PAGE_SIZE")?,
        total: number(3, "TOTAL")?,
        in_flight: if args.len() == 5 {
            number(4, "IN_FLIGHT")?
        } else {
            1
        },
    })
}

/// GETs one page, a JumpCloud v1 list (`{"totalCount": N, "results": [...]}`), and returns
/// its records.
async fn page(client: reqwest::Client, url: String, key: String) -> Result<Vec<Value>, BoxError> {
    let response = client.get(&url).header("x-api-key", key).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {}", String::from_utf8_lossy(&body)).into());
    }
    let mut page: Value = serde_json::from_slice(&body)?;
    match page.get_mut("results").map(Value::take) {
        Some(Value::Array(records)) => Ok(records),
        _ => Err(format!("GET {url}: no `results` array").into()),
    }
}

async fn list(args: &Args) -> Result<(usize, usize), BoxError> {
    actionspec_engine::install_tls_provider();
    let client = reqwest::Client::new();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut skips = (0..args.total).step_by(args.page_size);
    // The pages in flight, oldest first: awaiting the front keeps the output in order.
    let mut pending: VecDeque<JoinHandle<Result<Vec<Value>, BoxError>>> = VecDeque::new();
    let (mut records, mut pages) = (0, 0);
    loop {
        while pending.len() < args.in_flight {
            let Some(skip) = skips.next() else { break };
            let url = format!(
                "{}/systemusers?limit={}&skip={skip}",
                args.base, args.page_size
            );
            pending.push_back(tokio::spawn(page(client.clone(), url, args.key.clone())));
        }
        let Some(next) = pending.pop_front() else {
            break;
        };
        let page = next.await??;
        pages += 1;
        records += page.len();
        for record in &page {
            serde_json::to_writer(&mut out, record)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok((records, pages))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(list(&args)) {
        Ok((records, pages)) => {
            eprintln!("{records} records in {pages} pages");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
