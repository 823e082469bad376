//! Scratch.
fn main() {
    let src = std::fs::read_to_string(std::env::args().nth(1).unwrap_or_default()).unwrap_or_default();
    match actionspec_engine::Connector::from_yaml("connectors/jumpcloud.yaml", &src) {
        Ok(c) => println!("ok: {} actions", c.actions.len()),
        Err(e) => println!("{e}"),
    }
}
