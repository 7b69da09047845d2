//! Compile-fail and compile-pass cases for `network!` and hand-written
//! chains. Each `fail/*.rs` has a reviewed `.stderr`: the messages name the
//! layers and the sizes. Refresh with `TRYBUILD=overwrite cargo test --test ui`.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("../tests/ui/fail/*.rs");
    t.pass("../tests/ui/pass/*.rs");
}
