//! Test helpers: seeded random data, naive references, tolerant comparison.
use rand::{Rng, SeedableRng, rngs::SmallRng};
use std::vec::Vec;

/// The sizes every kernel test covers: tiny, odd, just off the block sizes.
/// Under Miri (an interpreter, ~1000x slower) the small ones only.
pub const SIZES: &[usize] = if cfg!(miri) {
    &[1, 2, 3, 7, 17]
} else {
    &[1, 2, 3, 7, 15, 17, 31, 33, 127, 129, 300]
};

/// The instruction sets this CPU runs (under Miri: the portable code only),
/// so each kernel test runs every dispatch path once.
pub fn isas() -> impl Iterator<Item = crate::isa::Isa> {
    crate::isa::Isa::ALL
        .into_iter()
        .filter(|isa| isa.is_available())
}

pub fn rng(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

pub fn random_vec(rng: &mut SmallRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Asserts `|a - b| <= tol * (1 + |b|)` elementwise.
pub fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}: element {i}: {x} vs {y}"
        );
    }
}
