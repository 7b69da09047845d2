//! x86_64 vector registers behind one small trait, so a kernel is written
//! once and instantiated for AVX2 (`__m256`) and AVX-512 (`__m512`).
//!
//! Soundness by construction: every operation is a method of a *token*
//! ([`Avx2`], [`Avx512`]), a zero-sized value that can only be made where
//! the CPU is known to have the instruction set ([`Simd::detect`], or
//! `unsafe` [`Simd::new_unchecked`] under a caller's guarantee). Holding a
//! token is the proof the intrinsics need, so its safe methods are sound
//! wherever they are called; kernels are still compiled inside matching
//! `#[target_feature]` functions so the methods inline into vector code.
use core::arch::x86_64::*;

/// The vector operations a kernel needs, for one register width, as methods
/// of a proof token.
///
/// # Safety
/// A value of an implementing type may exist only if the running CPU
/// supports every instruction its methods execute: implementors make their
/// constructors check or require that.
pub(crate) unsafe trait Simd: Copy {
    /// The register type.
    type V: Copy;
    /// f32 lanes per register.
    const LANES: usize;
    /// The token, if this CPU has the instruction set.
    fn detect() -> Option<Self>;
    /// The token, without checking.
    ///
    /// # Safety
    /// The CPU supports the instruction set.
    unsafe fn new_unchecked() -> Self;
    /// # Safety
    /// `p` points at `LANES` readable floats.
    unsafe fn load(self, p: *const f32) -> Self::V;
    /// # Safety
    /// `p` points at `LANES` writable floats.
    unsafe fn store(self, p: *mut f32, v: Self::V);
    fn splat(self, v: f32) -> Self::V;
    fn zero(self) -> Self::V;
    /// `a·b + c` with one rounding.
    fn fma(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a·b + c` on scalars, with one rounding (both tokens imply FMA).
    fn fma_scalar(self, a: f32, b: f32, c: f32) -> f32;
}

/// Proof that the CPU has AVX2 and FMA.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

/// Proof that the CPU has AVX-512F.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

/// Implements [`Simd`] for a token: `$features` are what `$isa` checks and
/// what every intrinsic below needs.
macro_rules! simd_token {
    ($token:ident, $isa:ident, $v:ty, $lanes:literal,
     $load:ident, $store:ident, $set1:ident, $zero:ident, $fma:ident, $add:ident) => {
        // SAFETY: the only constructors are `detect`, which checks the CPU,
        // and `new_unchecked`, whose caller guarantees it.
        unsafe impl Simd for $token {
            type V = $v;
            const LANES: usize = $lanes;
            #[inline(always)]
            fn detect() -> Option<Self> {
                crate::isa::Isa::$isa.is_available().then_some(Self(()))
            }
            #[inline(always)]
            unsafe fn new_unchecked() -> Self {
                Self(())
            }
            #[inline(always)]
            unsafe fn load(self, p: *const f32) -> $v {
                // SAFETY: `self` proves the features; the caller, the bounds.
                unsafe { $load(p) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut f32, v: $v) {
                // SAFETY: as for `load`.
                unsafe { $store(p, v) }
            }
            #[inline(always)]
            fn splat(self, v: f32) -> $v {
                // SAFETY: `self` proves the CPU has the features.
                unsafe { $set1(v) }
            }
            #[inline(always)]
            fn zero(self) -> $v {
                // SAFETY: as above.
                unsafe { $zero() }
            }
            #[inline(always)]
            fn fma(self, a: $v, b: $v, c: $v) -> $v {
                // SAFETY: as above.
                unsafe { $fma(a, b, c) }
            }
            #[inline(always)]
            fn add(self, a: $v, b: $v) -> $v {
                // SAFETY: as above.
                unsafe { $add(a, b) }
            }
            #[inline(always)]
            fn fma_scalar(self, a: f32, b: f32, c: f32) -> f32 {
                // SAFETY: as above (AVX2+FMA, and AVX-512F implies FMA).
                unsafe { _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c))) }
            }
        }
    };
}

simd_token!(
    Avx2,
    Avx2,
    __m256,
    8,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps,
    _mm256_setzero_ps,
    _mm256_fmadd_ps,
    _mm256_add_ps
);
simd_token!(
    Avx512,
    Avx512,
    __m512,
    16,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_set1_ps,
    _mm512_setzero_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens exist exactly where the ISA does, and compute an FMA.
    #[test]
    fn tokens_follow_detection() {
        fn check<S: Simd>(isa: crate::isa::Isa) {
            assert_eq!(S::detect().is_some(), isa.is_available());
            if let Some(s) = S::detect() {
                let mut out = [0.0f32; 16];
                let v = s.fma(s.splat(2.0), s.splat(3.0), s.splat(1.0));
                // SAFETY: `out` holds 16 ≥ LANES floats.
                unsafe { s.store(out.as_mut_ptr(), s.add(v, s.zero())) };
                assert!(out[..S::LANES].iter().all(|&x| x == 7.0));
                // One rounding: (1 + 2⁻²³)(1 − 2⁻²³) − 1 = −2⁻⁴⁶, not 0.
                let e = f32::EPSILON;
                assert_eq!(s.fma_scalar(1.0 + e, 1.0 - e, -1.0), -e * e);
            }
        }
        check::<Avx2>(crate::isa::Isa::Avx2);
        check::<Avx512>(crate::isa::Isa::Avx512);
    }
}
