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

/// Random values at a random offset (0 to 3 floats) into their buffer, so
/// kernels see every alignment.
#[derive(Clone, Debug)]
pub struct Unaligned {
    buf: Vec<f32>,
    offset: usize,
}

impl core::ops::Deref for Unaligned {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        &self.buf[self.offset..]
    }
}

impl core::ops::DerefMut for Unaligned {
    fn deref_mut(&mut self) -> &mut [f32] {
        &mut self.buf[self.offset..]
    }
}

pub fn random_slice(rng: &mut SmallRng, n: usize) -> Unaligned {
    let offset = rng.random_range(0..4);
    let mut buf = random_vec(rng, n + offset);
    buf[..offset].fill(f32::NAN); // never read
    Unaligned { buf, offset }
}

impl<'a> IntoIterator for &'a Unaligned {
    type Item = &'a f32;
    type IntoIter = core::slice::Iter<'a, f32>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
