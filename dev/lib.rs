//! Host package for nn's criterion benches (`benches/`) and trybuild suite
//! (`tests/ui/`); it has no code of its own. Keeping their dev-dependencies
//! here keeps `cargo build --example mnist` from compiling criterion and
//! trybuild. Run them with `cargo bench --bench train_step` and
//! `cargo test --test ui`.
