//! The commented connector skeleton `actionspec init <key>` writes: a file that validates (lints
//! denied too) and whose one action runs against the sandbox, with a comment at each place an
//! author fills in.

/// Why a key cannot name a connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadKey(pub String);

impl std::fmt::Display for BadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadKey {}

/// The longest connector key (`spec/connector.schema.json`).
pub const MAX_KEY: usize = 40;

/// The skeleton of connector `key`.
///
/// # Errors
/// A key that is not snake_case (`^[a-z][a-z0-9_]*$`) or is longer than [`MAX_KEY`].
pub fn skeleton(key: &str) -> Result<String, BadKey> {
    let snake = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake {
        return Err(BadKey(format!(
            "`{key}` is not a connector key: use snake_case (a-z, 0-9 and _, starting with a letter)"
        )));
    }
    if key.len() > MAX_KEY {
        return Err(BadKey(format!(
            "`{key}` is longer than {MAX_KEY} characters"
        )));
    }
    let name: Vec<String> = key
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    Ok(TEMPLATE
        .replace("{{KEY}}", key)
        .replace("{{ENV}}", &key.to_ascii_uppercase())
        .replace("{{NAME}}", &name.join(" ")))
}

const TEMPLATE: &str = r#"# yaml-language-server: $schema=connector.schema.json
# (`actionspec schema > connector.schema.json` writes the meta-schema beside this file.)
#
# {{NAME}}: a connector skeleton written by `actionspec init {{KEY}}`. Replace each example value
# with your API's; docs/connector-format.md documents every key, docs/writing-a-connector.md
# walks through a whole connector. Check it as you go:
#   actionspec validate --deny-warnings {{KEY}}.yaml
#   actionspec --connectors . run {{KEY}} list_items --sandbox '{"limit": 2}'
spec_version: 1
key: {{KEY}}
name: {{NAME}}
version: 0.1.0
description: What the API is for, in one paragraph (shown by `actionspec connectors` and the docs).
docs_url: https://api.example.com/docs

# Named base URLs; action paths are appended to them (their own path is kept).
servers:
  prod:
    url: "https://api.example.com/v1"
    description: Production
default_server: prod

# What a linked account supplies, each from an environment variable. Secrets never reach
# templates, output or logs.
credentials:
  api_key:
    env: {{ENV}}_API_KEY
    secret: true
    description: An API key (say where in the vendor's console to create one).

# How the credentials are sent: api_key, bearer, basic or oauth2_client_credentials.
auth:
  api_key:
    type: api_key
    in: header
    name: x-api-key
    credential: api_key

# How lists page: offset, page_number, cursor, link_header or next_url.
pagination:
  items_offset:
    type: offset
    limit_input: limit
    offset_input: offset
    max_page_size: 100
    records: /items              # JSON pointer to the record array ("" when the body is one)
    total: { body: /total }      # omit when the API reports no total
    record_id: id

actions:
  list_items:
    name: List Items
    description: List the items, one page at a time; --all follows every page.
    method: GET
    path: /items
    scopes: [items.read]
    success: [200]
    pagination: items_offset
    inputs:
      limit: { type: integer, in: query, minimum: 1, maximum: 100, description: Items per page. }
      offset: { type: integer, in: query, minimum: 0, description: Items to skip. }
    examples:
      # The response seeds the sandbox and shows in the docs.
      - description: The first two items
        input: { limit: 2 }
        response:
          status: 200
          body:
            total: 2
            items:
              - { id: it_1, name: First item }
              - { id: it_2, name: Second item }
"#;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_skeleton_loads_without_lints() {
        let text = skeleton("my_api").unwrap();
        let c = actionspec_engine::Connector::from_yaml("my_api.yaml", &text)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.spec.name, "My Api");
        assert_eq!(c.spec.credentials["api_key"].env, "MY_API_API_KEY");
        let lints = crate::lint::check(&c.spec, &text);
        assert!(lints.is_empty(), "{lints:?}");
    }

    #[test]
    fn keys_are_snake_case_and_short() {
        assert!(skeleton("MyApi").is_err());
        assert!(skeleton("1api").is_err());
        assert!(skeleton(&"a".repeat(41)).is_err());
    }
}
