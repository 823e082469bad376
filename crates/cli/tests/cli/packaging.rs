//! Each package holds what it embeds: `cargo package --list` shows the meta-schema in the
//! engine's package and every connector file in the CLI's, and no crate embeds a file through
//! a path that leaves its own folder (each reaches the repository's `spec/` and `connectors/`
//! through a link inside it, which `cargo package` follows).

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::common::root;

/// The files `cargo package` would put in `package`'s archive (offline: nothing is fetched).
fn package_list(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--offline",
            "--allow-dirty",
            "-p",
            package,
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_engine_package_holds_the_meta_schema_it_embeds() {
    let list = package_list("actionspec-engine");
    assert!(
        list.iter().any(|f| f == "spec/connector.schema.json"),
        "{list:?}"
    );
}

#[test]
fn the_cli_package_holds_every_connector_file_it_embeds() {
    let list = package_list("actionspec");
    let mut shipped: Vec<String> = std::fs::read_dir(root().join("connectors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("connectors/{n}"))
        .collect();
    shipped.sort();
    assert!(!shipped.is_empty());
    for file in &shipped {
        assert!(list.contains(file), "{file} missing from {list:?}");
    }
}

/// `path` with `.` and `..` resolved lexically (links are not followed: a link inside the crate
/// counts as inside, which is what `cargo package` needs).
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every `include_str!("…")`/`include_bytes!("…")` path in the `.rs` files under `dir`, resolved
/// against the including file, with the file that names it.
fn embedded_paths(dir: &Path, found: &mut Vec<(PathBuf, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            embedded_paths(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for macro_call in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in text.match_indices(macro_call) {
                let rest = &text[at + macro_call.len()..];
                let Some(end) = rest.find('"') else { continue };
                let target = path.parent().unwrap().join(&rest[..end]);
                found.push((path.clone(), normalized(&target)));
            }
        }
    }
}

#[test]
fn no_crate_embeds_a_file_from_outside_its_folder() {
    let mut checked = 0;
    for krate in std::fs::read_dir(root().join("crates")).unwrap() {
        let krate = normalized(&krate.unwrap().path());
        let mut found = Vec::new();
        embedded_paths(&krate.join("src"), &mut found);
        for (file, target) in found {
            assert!(
                target.starts_with(&krate),
                "{} embeds {}, outside {}",
                file.display(),
                target.display(),
                krate.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the meta-schema at least is embedded");
}
