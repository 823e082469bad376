//! Sets `cfg(shared_documents)` when the vendors' OpenAPI documents are there to check the
//! shipped connectors against (`../shared` beside the workspace), or when this is CI (where
//! their absence must fail, not skip). Without it, the shipped-connector test is compiled
//! `#[ignore]`d, so that `cargo test` shows it as ignored rather than passing.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_documents)");
    println!("cargo::rerun-if-env-changed=CI");
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    println!("cargo::rerun-if-changed={}", shared.display());
    if shared.is_dir() || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=shared_documents");
    }
}
