//! x86_64 vector registers behind one small trait, so a kernel is written
//! once and instantiated for AVX2 (`__m256`) and AVX-512 (`__m512`).
//!
//! The trait's methods are intrinsics: call them only from functions
//! compiled with the matching `#[target_feature]`, which the kernels guarantee
//! by being `#[inline(always)]` into such functions.
use core::arch::x86_64::*;

/// The vector operations a kernel needs, for one register width.
pub(crate) trait Lanes: Copy {
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
    fn add(a: Self, b: Self) -> Self;
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
    #[inline(always)]
    fn add(a: Self, b: Self) -> Self {
        // SAFETY: as above.
        unsafe { _mm256_add_ps(a, b) }
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
    #[inline(always)]
    fn add(a: Self, b: Self) -> Self {
        // SAFETY: as above.
        unsafe { _mm512_add_ps(a, b) }
    }
}
