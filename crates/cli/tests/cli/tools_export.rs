//! `actionspec tools`: the tool definitions of every shipped connector in every format, each
//! passing its format's lint (the command lints before printing, and fails on a problem), as
//! reviewed snapshots.

use crate::common::{actionspec, shipped_actions, shipped_connectors, snapshot_text};

const FORMATS: [&str; 4] = ["mcp", "openai", "anthropic", "gemini"];

#[test]
fn every_shipped_connector_in_every_format() {
    for key in shipped_connectors() {
        for format in FORMATS {
            let out = actionspec(["tools", &key, "--format", format]).run();
            assert_eq!(out.code, 0, "{}", out.render());
            assert!(out.stderr.is_empty(), "{}", out.render());
            let v = out.json();
            let tools = match format {
                "mcp" => &v["tools"],
                "gemini" => &v["functionDeclarations"],
                _ => &v,
            };
            assert_eq!(
                tools.as_array().unwrap().len(),
                shipped_actions(&key),
                "{key} {format}"
            );
            snapshot_text(&format!("tools_{key}_{format}"), &out.stdout);
        }
    }
}

/// OpenAI strict mode, checked here too: every object closed, every property required.
#[test]
fn openai_exports_are_strict() {
    fn walk(s: &serde_json::Value, at: &str) {
        if let Some(props) = s["properties"].as_object() {
            assert_eq!(s["additionalProperties"], false, "{at}");
            let required = s["required"].as_array().unwrap();
            for (k, v) in props {
                assert!(required.contains(&serde_json::json!(k)), "{at}/{k}");
                walk(v, &format!("{at}/{k}"));
            }
        }
        if s.get("items").is_some() {
            walk(&s["items"], &format!("{at}/items"));
        }
    }
    for key in shipped_connectors() {
        let out = actionspec(["tools", &key, "--format", "openai"]).run();
        for t in out.json().as_array().unwrap() {
            assert_eq!(t["function"]["strict"], true);
            walk(
                &t["function"]["parameters"],
                t["function"]["name"].as_str().unwrap(),
            );
        }
    }
}
