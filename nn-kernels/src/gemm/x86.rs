//! x86_64 micro-kernels with explicit FMA intrinsics (LLVM does not contract
//! `a * b + c` into FMA on its own, and FMA doubles the peak). One generic
//! loop serves both instruction sets; the register type and its three
//! operations are all that differ.
use super::{MicroKernel, Panel};
use core::arch::x86_64::*;

/// The vector operations a kernel needs, for one register width.
trait Lanes: Copy {
    /// f32 lanes per register.
    const LANES: usize;
    /// # Safety
    /// `p` points at `LANES` readable floats; the CPU has the instruction set.
    unsafe fn load(p: *const f32) -> Self;
    /// # Safety
    /// `p` points at `LANES` writable floats; the CPU has the instruction set.
    unsafe fn store(self, p: *mut f32);
    fn splat(v: f32) -> Self;
    fn zero() -> Self;
    fn fma(a: Self, b: Self, c: Self) -> Self;
}

impl Lanes for __m256 {
    const LANES: usize = 8;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: per the trait contract.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: per the trait contract.
        unsafe { _mm256_storeu_ps(p, self) }
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        // SAFETY: only inlined into `avx2,fma` functions (see `avx2_6x16`).
        unsafe { _mm256_set1_ps(v) }
    }
    #[inline(always)]
    fn zero() -> Self {
        // SAFETY: as above.
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    fn fma(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: as above.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
}

impl Lanes for __m512 {
    const LANES: usize = 16;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: per the trait contract.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: per the trait contract.
        unsafe { _mm512_storeu_ps(p, self) }
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        // SAFETY: only inlined into `avx512f` functions (see `avx512_8x32`).
        unsafe { _mm512_set1_ps(v) }
    }
    #[inline(always)]
    fn zero() -> Self {
        // SAFETY: as above.
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    fn fma(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: as above.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
}

/// An `MR × 2·LANES` tile: two B registers per depth step, one broadcast of
/// A per row, `2·MR` accumulators.
///
/// # Safety
/// As [`MicroKernel::run`], with `tile.len() >= MR * 2 * V::LANES`.
#[inline(always)]
unsafe fn tile_kernel<V: Lanes, const MR: usize>(kc: usize, a: Panel, b: Panel, tile: &mut [f32]) {
    let mut acc = [[V::zero(); 2]; MR];
    let rows: [*const f32; MR] = core::array::from_fn(|i| a.ptr.wrapping_add(i * a.step_i));
    for p in 0..kc {
        // SAFETY: the caller guarantees elements (p, i) of both panels are
        // readable: 2·LANES contiguous floats of B, MR strided floats of A.
        unsafe {
            let bp = b.ptr.add(p * b.step_p);
            let (b0, b1) = (V::load(bp), V::load(bp.add(V::LANES)));
            for (row, ptr) in acc.iter_mut().zip(&rows) {
                let av = V::splat(*ptr.add(p * a.step_p));
                row[0] = V::fma(av, b0, row[0]);
                row[1] = V::fma(av, b1, row[1]);
            }
        }
    }
    for (dst, row) in tile[..MR * 2 * V::LANES]
        .chunks_exact_mut(2 * V::LANES)
        .zip(&acc)
    {
        // SAFETY: `dst` holds exactly 2·LANES floats.
        unsafe {
            row[0].store(dst.as_mut_ptr());
            row[1].store(dst.as_mut_ptr().add(V::LANES));
        }
    }
}

/// AVX2 + FMA: a 6×16 tile in 12 ymm accumulators.
pub(super) struct Avx2Fma;

#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_6x16(kc: usize, a: Panel, b: Panel, tile: &mut [f32]) {
    // SAFETY: forwarded contract; AVX2+FMA are enabled here.
    unsafe { tile_kernel::<__m256, 6>(kc, a, b, tile) }
}

impl MicroKernel for Avx2Fma {
    const MR: usize = 6;
    const NR: usize = 16;

    unsafe fn run(kc: usize, a: Panel, b: Panel, tile: &mut [f32]) {
        // SAFETY: the caller guarantees AVX2+FMA and the panel bounds.
        unsafe { avx2_6x16(kc, a, b, tile) }
    }
}

/// AVX-512F: an 8×32 tile in 16 zmm accumulators.
pub(super) struct Avx512;

#[target_feature(enable = "avx512f")]
unsafe fn avx512_8x32(kc: usize, a: Panel, b: Panel, tile: &mut [f32]) {
    // SAFETY: forwarded contract; AVX-512F is enabled here.
    unsafe { tile_kernel::<__m512, 8>(kc, a, b, tile) }
}

impl MicroKernel for Avx512 {
    const MR: usize = 8;
    const NR: usize = 32;

    unsafe fn run(kc: usize, a: Panel, b: Panel, tile: &mut [f32]) {
        // SAFETY: the caller guarantees AVX-512F and the panel bounds.
        unsafe { avx512_8x32(kc, a, b, tile) }
    }
}
