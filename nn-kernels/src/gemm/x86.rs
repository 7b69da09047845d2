//! x86_64 micro-kernels with explicit FMA intrinsics (LLVM does not contract
//! `a * b + c` into FMA on its own, and FMA doubles the peak). One generic
//! loop serves every instruction set and tile shape; the instruction-set
//! token ([`Simd`]) and the const sizes are all that differ.
use super::{MicroKernel, Out, Panel};
use crate::simd::{Avx2, Avx512, Simd};

/// An `MR × NV·LANES` tile: `NV` B registers per depth step, one broadcast
/// of A per row, `NV·MR` accumulators.
///
/// # Safety
/// As [`MicroKernel::run`] with `NR = NV * S::LANES`, except the instruction
/// set, which the token `s` proves.
#[inline(always)]
unsafe fn tile_kernel<S: Simd, const MR: usize, const NV: usize>(
    s: S,
    kc: usize,
    a: Panel,
    b: Panel,
    out: Out,
) {
    let mut acc = [[s.zero(); NV]; MR];
    let rows: [*const f32; MR] = core::array::from_fn(|i| a.ptr.wrapping_add(i * a.step_i));
    for p in 0..kc {
        // SAFETY: the caller guarantees elements (p, i) of both panels are
        // readable: NV·LANES contiguous floats of B, MR strided floats of A.
        unsafe {
            let bp = b.ptr.add(p * b.step_p);
            let bv: [S::V; NV] = core::array::from_fn(|j| s.load(bp.add(j * S::LANES)));
            for (row, ptr) in acc.iter_mut().zip(&rows) {
                let av = s.splat(*ptr.add(p * a.step_p));
                for (c, &bj) in row.iter_mut().zip(&bv) {
                    *c = s.fma(av, bj, *c);
                }
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            // SAFETY: the caller guarantees MR writable rows of NV·LANES floats.
            unsafe {
                let dst = out.ptr.add(i * out.rs + j * S::LANES);
                let v = if out.accumulate {
                    s.add(v, s.load(dst))
                } else {
                    v
                };
                s.store(dst, v);
            }
        }
    }
}

/// A micro-kernel type running `tile_kernel` for token `$s` with `$mr`
/// rows and `$nv` registers per row, compiled with `$features`.
macro_rules! micro_kernel {
    ($(#[$doc:meta])* $name:ident, $features:literal, $s:ty, $mr:literal, $nv:literal) => {
        $(#[$doc])*
        pub(super) struct $name;

        impl MicroKernel for $name {
            const MR: usize = $mr;
            const NR: usize = $nv * <$s as Simd>::LANES;

            unsafe fn run(kc: usize, a: Panel, b: Panel, out: Out) {
                #[target_feature(enable = $features)]
                unsafe fn run(kc: usize, a: Panel, b: Panel, out: Out) {
                    // SAFETY: the caller guarantees the instruction set
                    // (which makes the token) and the bounds.
                    unsafe { tile_kernel::<$s, $mr, $nv>(<$s>::new_unchecked(), kc, a, b, out) }
                }
                // SAFETY: the caller guarantees the features and the bounds.
                unsafe { run(kc, a, b, out) }
            }
        }
    };
}

micro_kernel!(
    /// AVX2 + FMA: a 6×16 tile in 12 ymm accumulators.
    Avx2Fma, "avx2,fma", Avx2, 6, 2
);
micro_kernel!(
    /// AVX-512F: an 8×32 tile in 16 zmm accumulators.
    Avx512Wide, "avx512f", Avx512, 8, 2
);
micro_kernel!(
    /// AVX-512F for outputs at most 16 wide (a classifier's last layer): a
    /// 16×16 tile in 16 zmm accumulators, so a 10-wide product wastes 6
    /// lanes, not 22.
    Avx512Narrow, "avx512f", Avx512, 16, 1
);
