//! x86_64 micro-kernels with explicit FMA intrinsics (LLVM does not contract
//! `a * b + c` into FMA on its own, and FMA doubles the peak).
use super::MicroKernel;
use core::arch::x86_64::*;

/// AVX2 + FMA: a 6×16 tile in 12 ymm accumulators.
pub(super) struct Avx2Fma;

impl MicroKernel for Avx2Fma {
    const MR: usize = 6;
    const NR: usize = 16;

    unsafe fn run(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32]) {
        // SAFETY: the caller guarantees AVX2+FMA and the slice lengths.
        unsafe { avx2_6x16(kc, a, b, tile) }
    }
}

#[target_feature(enable = "avx2,fma")]
fn avx2_6x16(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32]) {
    const MR: usize = 6;
    let mut acc = [[_mm256_setzero_ps(); 2]; MR];
    for (ap, bp) in a[..kc * MR]
        .chunks_exact(MR)
        .zip(b[..kc * 16].chunks_exact(16))
    {
        // SAFETY: `bp` has exactly 16 floats; unaligned loads are allowed.
        let (b0, b1) = unsafe {
            (
                _mm256_loadu_ps(bp.as_ptr()),
                _mm256_loadu_ps(bp.as_ptr().add(8)),
            )
        };
        for (row, &ai) in acc.iter_mut().zip(ap) {
            let av = _mm256_set1_ps(ai);
            row[0] = _mm256_fmadd_ps(av, b0, row[0]);
            row[1] = _mm256_fmadd_ps(av, b1, row[1]);
        }
    }
    for (dst, row) in tile[..MR * 16].chunks_exact_mut(16).zip(&acc) {
        // SAFETY: `dst` has exactly 16 floats.
        unsafe {
            _mm256_storeu_ps(dst.as_mut_ptr(), row[0]);
            _mm256_storeu_ps(dst.as_mut_ptr().add(8), row[1]);
        }
    }
}

/// AVX-512F: an 8×32 tile in 16 zmm accumulators.
pub(super) struct Avx512;

impl MicroKernel for Avx512 {
    const MR: usize = 8;
    const NR: usize = 32;

    unsafe fn run(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32]) {
        // SAFETY: the caller guarantees AVX-512F and the slice lengths.
        unsafe { avx512_8x32(kc, a, b, tile) }
    }
}

#[target_feature(enable = "avx512f")]
fn avx512_8x32(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32]) {
    const MR: usize = 8;
    let mut acc = [[_mm512_setzero_ps(); 2]; MR];
    for (ap, bp) in a[..kc * MR]
        .chunks_exact(MR)
        .zip(b[..kc * 32].chunks_exact(32))
    {
        // SAFETY: `bp` has exactly 32 floats; unaligned loads are allowed.
        let (b0, b1) = unsafe {
            (
                _mm512_loadu_ps(bp.as_ptr()),
                _mm512_loadu_ps(bp.as_ptr().add(16)),
            )
        };
        for (row, &ai) in acc.iter_mut().zip(ap) {
            let av = _mm512_set1_ps(ai);
            row[0] = _mm512_fmadd_ps(av, b0, row[0]);
            row[1] = _mm512_fmadd_ps(av, b1, row[1]);
        }
    }
    for (dst, row) in tile[..MR * 32].chunks_exact_mut(32).zip(&acc) {
        // SAFETY: `dst` has exactly 32 floats.
        unsafe {
            _mm512_storeu_ps(dst.as_mut_ptr(), row[0]);
            _mm512_storeu_ps(dst.as_mut_ptr().add(16), row[1]);
        }
    }
}
