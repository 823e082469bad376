//! Authoring Actionspec connectors: lints beyond the meta-schema ([`lint`]), Markdown
//! documentation generated from a connector ([`docs`]), a commented skeleton to start from
//! ([`skeleton`]), and a first draft imported from the vendor's OpenAPI documents ([`import`]).
//!
//! Nothing here is vendor-specific: every fact comes from the connector file or the documents.
//!
//! ```
//! use actionspec_author::lint::{Code, check};
//! use actionspec_engine::Connector;
//!
//! let yaml = r#"
//! spec_version: 1
//! key: demo
//! name: Demo
//! version: 1.0.0
//! servers: { prod: { url: "https://api.example.com/v1" } }
//! default_server: prod
//! actions:
//!   delete_user:
//!     name: Delete User
//!     description: Delete User
//!     method: DELETE
//!     path: /users/{id}
//!     destructive: false
//!     lints: { allow: { L001: "the API answers 204 with no body" } }
//!     inputs: { id: { type: string, in: path, required: true } }
//!     examples: [ { input: { id: u1 } } ]
//! "#;
//! let connector = Connector::from_yaml("demo.yaml", yaml).expect("valid connector");
//! let codes: Vec<Code> = check(&connector.spec, yaml).iter().map(|l| l.code).collect();
//! assert_eq!(codes, [Code::DeleteNotDestructive, Code::Description]);
//! ```

pub mod docs;
pub mod import;
pub mod lint;
pub mod skeleton;
