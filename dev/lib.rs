//! Host package for nn's criterion benches (`benches/`) and trybuild suite
//! (`tests/ui/`); it has no code of its own. Keeping their dev-dependencies
//! here keeps `cargo build --example mnist` from compiling criterion and
//! trybuild.
//!
//! ```
//! // Nothing to call: run `cargo bench --bench train_step` or `cargo test --test ui`.
//! ```
