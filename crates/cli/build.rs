//! Embeds every connector file in `connectors/` into the binary, so adding a connector needs
//! YAML only.
//!
//! Each file is read here, at build time, with `actionspec-yaml` (the reader the engine loads
//! YAML with) and embedded as JSON as well, so that start-up deserializes the built-in connectors
//! without parsing YAML. The YAML is embedded too: a file that does not convert is loaded from it
//! at run time, with located diagnostics (and a build warning here).
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    shared_documents();
    git_commit();
    // `connectors` in this crate's folder is a link to the repository's `connectors/`, so that
    // `cargo package` ships the files it embeds.
    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("connectors");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed={}", dir.display());
    let files = connector_files(&dir);
    let mut out = String::from(
        "/// Connector files shipped with the binary, in file name order.\npub const EMBEDDED: &[Embedded] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        let (key, json) = convert(f, &name, &out_dir);
        let json = match json {
            Some(path) => format!("Some(include_str!({:?}))", path.display().to_string()),
            None => "None".to_owned(),
        };
        let _ = writeln!(
            out,
            "    Embedded {{ name: {name:?}, key: {key:?}, json: {json}, yaml: include_str!({:?}) }},",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = out_dir.join("embedded.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

/// The connector files in `dir`, sorted. A missing or empty folder stops the build: a binary
/// with no built-in connectors is never what was meant.
fn connector_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => fail(&format!(
            "cannot read the connectors folder {}: {e}",
            dir.display()
        )),
    };
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    files.sort();
    if files.is_empty() {
        fail(&format!("no connector files (*.yaml) in {}", dir.display()));
    }
    files
}

/// Stops the build with `message`.
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

/// Reads one connector file and writes its JSON form to `out_dir`: its key (the file stem when
/// it has none) and the JSON file's path (`None` when the file does not read as YAML).
fn convert(file: &Path, name: &str, out_dir: &Path) -> (String, Option<PathBuf>) {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            println!("cargo:warning=cannot read {}: {e}", file.display());
            return (stem, None);
        }
    };
    let doc = match actionspec_yaml::parse_untracked(&text) {
        Ok(doc) => doc,
        Err(issues) => {
            for i in issues {
                println!(
                    "cargo:warning=connectors/{name}:{}:{}: {}",
                    i.span.start.line, i.span.start.col, i.message
                );
            }
            return (stem, None);
        }
    };
    let key = doc.value["key"].as_str().map_or(stem, str::to_owned);
    let dest = out_dir.join(format!("{name}.json"));
    let written = serde_json::to_string(&doc.value)
        .map_err(|e| e.to_string())
        .and_then(|json| std::fs::write(&dest, json).map_err(|e| e.to_string()));
    match written {
        Ok(()) => (key, Some(dest)),
        Err(e) => {
            println!("cargo:warning=cannot write {}: {e}", dest.display());
            (key, None)
        }
    }
}

/// Sets `cfg(shared_documents)` when the vendors' OpenAPI documents are beside the workspace
/// (`../shared`) or this is CI (where their absence must fail): the import tests of the vendors'
/// documents are compiled `#[ignore]`d without it, as the conformance tests are.
fn shared_documents() {
    println!("cargo::rustc-check-cfg=cfg(shared_documents)");
    println!("cargo::rerun-if-env-changed=CI");
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    println!("cargo::rerun-if-changed={}", shared.display());
    if shared.is_dir() || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=shared_documents");
    }
}

/// `ACTIONSPEC_GIT_COMMIT` for `--version`: `git rev-parse --short HEAD`, or `unknown` outside a
/// git checkout (a crate from a registry, a source archive) or without git.
fn git_commit() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=ACTIONSPEC_GIT_COMMIT={commit}");
    // A new commit changes HEAD (or the branch it points to): build again then. Only files
    // that exist are named (a packed ref has none), since a missing one reruns every build.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &reference]));
    }
    for path in watched.into_iter().flatten() {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
