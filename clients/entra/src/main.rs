//! entra-client binary.
fn main() {}
