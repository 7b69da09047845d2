//! Branch-free elementary functions that LLVM can vectorize (a call to
//! `libm::expf` in a loop stays a scalar call per element).
//!
//! ```
//! let e = nn_kernels::math::exp(1.0);
//! assert!((e - core::f32::consts::E).abs() < 1e-6);
//! ```

/// Largest `x` with finite `e^x` in f32.
const EXP_HI: f32 = 88.722_83;
/// Below this `e^x` is under the smallest normal f32; the result is 0.
const EXP_LO: f32 = -87.336_54;

/// `e^x` to within 2 ulp (Cephes' `expf` polynomial after the reduction
/// `x = n·ln2 + r`, `|r| ≤ ln2/2`). `+inf` past the f32 range, `0` below
/// the smallest normal, NaN for NaN.
///
/// ```
/// use nn_kernels::math::exp;
/// assert_eq!(exp(0.0), 1.0);
/// assert_eq!(exp(-1000.0), 0.0);
/// assert_eq!(exp(1000.0), f32::INFINITY);
/// assert!(exp(f32::NAN).is_nan());
/// ```
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let (n, r) = reduce(x);
    // e^r = 1 + (r + r²·p(r)); the parenthesis is e^r − 1, which `exp_m1` keeps.
    let y = (r + r * r * poly(r)) + 1.0;
    // 2^n via exponent bits, in two halves: n spans [-126, 128] and each
    // half stays a normal power of two.
    let half = n >> 1;
    let v = y * pow2(half) * pow2(n - half);
    if x > EXP_HI {
        f32::INFINITY
    } else if x < EXP_LO {
        0.0
    } else {
        v
    }
}

/// `e^x − 1` to within 3 ulp, without the cancellation of `exp(x) − 1` near
/// 0 (where it is `x` to full precision). `+inf` past the f32 range, `−1`
/// far below 0, NaN for NaN.
///
/// ```
/// use nn_kernels::math::exp_m1;
/// assert_eq!(exp_m1(0.0), 0.0);
/// assert!((exp_m1(-1e-7) / -1e-7 - 1.0).abs() < 1e-6); // exp(x) − 1 is off by 20% here
/// assert_eq!(exp_m1(-1000.0), -1.0);
/// assert!(exp_m1(f32::NAN).is_nan());
/// ```
#[inline(always)]
pub fn exp_m1(x: f32) -> f32 {
    let (n, r) = reduce(x);
    // e^x − 1 = 2^n·(e^r − 1) + (2^n − 1); for n = 0 the second term
    // vanishes and the first is e^r − 1 itself. 2^n − 1 is exact for
    // −24 ≤ n ≤ 24 and rounds to −1 below, where e^x − 1 is −1 in f32
    // anyway; above, the −1 is below e^x's precision and 2^n may overflow
    // (n = 128), so e^x is formed as in `exp`.
    let em1 = r + r * r * poly(r);
    let half = n >> 1;
    let (a, b) = (pow2(half), pow2(n - half));
    let v = if n > 24 {
        (em1 + 1.0) * a * b
    } else {
        em1 * a * b + (a * b - 1.0)
    };
    if x > EXP_HI {
        f32::INFINITY
    } else if x < EXP_LO {
        -1.0
    } else {
        v
    }
}

/// `x = n·ln2 + r` with `|r| ≤ ln2/2` (`x` clamped to the finite range; NaN
/// stays NaN in `r`).
#[inline(always)]
fn reduce(x: f32) -> (i32, f32) {
    // `clamp` keeps NaN (unlike max/min).
    let xc = x.clamp(EXP_LO, EXP_HI);
    // Round to nearest with the 1.5·2^23 trick: no `round` in core, and it vectorizes.
    const SHIFT: f32 = 12_582_912.0;
    let n = (xc * core::f32::consts::LOG2_E + SHIFT) - SHIFT;
    // r = x − n·ln2 in two steps (ln2 = C1 + C2) to keep r exact.
    let r = (xc - n * 0.693_359_4) - n * -2.121_944_4e-4;
    (n as i32, r)
}

/// Cephes' `expf` polynomial: `e^r = 1 + r + r²·poly(r)` on `|r| ≤ ln2/2`.
#[inline(always)]
fn poly(r: f32) -> f32 {
    let mut p = 1.987_569_2e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p * r + 0.5
}

/// `2^e` for `e` in the normal exponent range.
#[inline(always)]
fn pow2(e: i32) -> f32 {
    f32::from_bits(((e + 127) as u32) << 23)
}

/// `ln(1 + u)` for `u` in `[0, 1]`, to within 3 ulp: `2·atanh(s)` with
/// `s = u / (2 + u) ≤ 1/3`, summed as an odd series. Forming `s` directly
/// (never `1 + u`) keeps full precision for tiny `u`, where `ln(1+u) ≈ u`.
///
/// ```
/// let v = nn_kernels::math::ln_1p_unit(1.0);
/// assert!((v - core::f32::consts::LN_2).abs() < 1e-7);
/// assert_eq!(nn_kernels::math::ln_1p_unit(1e-30), 1e-30);
/// ```
#[inline(always)]
pub fn ln_1p_unit(u: f32) -> f32 {
    let s = u / (2.0 + u);
    let s2 = s * s;
    // atanh(s)/s = 1 + s²/3 + s⁴/5 + …; s² ≤ 1/9, so terms past s¹² are below f32 precision.
    let mut p = 1.0 / 13.0;
    p = p * s2 + 1.0 / 11.0;
    p = p * s2 + 1.0 / 9.0;
    p = p * s2 + 1.0 / 7.0;
    p = p * s2 + 1.0 / 5.0;
    p = p * s2 + 1.0 / 3.0;
    2.0 * s + 2.0 * s * s2 * p
}

/// `√x`. With `std` this is the hardware instruction LLVM vectorizes; a
/// `no_std` build (where `core` has no `sqrt`) calls `libm`.
///
/// ```
/// assert_eq!(nn_kernels::math::sqrt(9.0), 3.0);
/// ```
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    #[cfg(feature = "std")]
    {
        x.sqrt()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::sqrtf(x)
    }
}

/// `x`, or zero of its sign if `x` is subnormal: flush-to-zero done in
/// arithmetic, not by the FPU's mode bits, so it gives the same result on
/// every target (RISC-V has no flush mode) and leaves the caller's
/// floating-point state alone. Stored state that decays geometrically
/// (optimizer moments of a parameter whose gradient is zero) would
/// otherwise spend thousands of steps in the subnormal range, where each
/// operation costs about 100× on Intel cores. Branch-free: it vectorizes.
///
/// ```
/// use nn_kernels::math::flush_subnormal;
/// assert_eq!(flush_subnormal(1e-40), 0.0);
/// assert_eq!(flush_subnormal(-1e-40).to_bits(), (-0.0f32).to_bits());
/// assert_eq!(flush_subnormal(f32::MIN_POSITIVE), f32::MIN_POSITIVE);
/// assert_eq!(flush_subnormal(-3.5), -3.5);
/// ```
#[inline(always)]
pub fn flush_subnormal(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent_is_zero = bits & 0x7f80_0000 == 0;
    f32::from_bits(if exponent_is_zero {
        bits & 0x8000_0000
    } else {
        bits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_over_the_whole_range() {
        let mut worst = 0.0f64;
        let mut x = EXP_LO;
        while x < EXP_HI {
            let got = exp(x) as f64;
            let want = (x as f64).exp();
            worst = worst.max(((got - want) / want).abs());
            x += if cfg!(miri) { 1.37 } else { 0.0013 };
        }
        assert!(
            worst < 2.0 * f32::EPSILON as f64,
            "max relative error {worst}"
        );
    }

    #[test]
    fn ln_1p_unit_is_within_three_ulp() {
        let mut worst = 0.0f64;
        let mut u = 0.0f32;
        while u <= 1.0 {
            let got = ln_1p_unit(u) as f64;
            let want = (u as f64).ln_1p();
            if want > 0.0 {
                worst = worst.max(((got - want) / want).abs());
            }
            u += if cfg!(miri) { 0.0731 } else { 1.3e-5 };
        }
        assert!(
            worst < 3.0 * f32::EPSILON as f64,
            "max relative error {worst}"
        );
        for tiny in [1e-30f32, 1e-10, 1e-6] {
            assert!(((ln_1p_unit(tiny) as f64 - (tiny as f64).ln_1p()) / tiny as f64).abs() < 1e-7);
        }
    }

    #[test]
    fn exp_m1_is_within_three_ulp_over_the_whole_range() {
        let mut worst = 0.0f64;
        let mut x = EXP_LO;
        while x < EXP_HI {
            let want = (x as f64).exp_m1();
            if want != 0.0 {
                worst = worst.max(((exp_m1(x) as f64 - want) / want).abs());
            }
            x += if cfg!(miri) { 1.37 } else { 0.0013 };
        }
        assert!(
            worst < 3.0 * f32::EPSILON as f64,
            "max relative error {worst}"
        );
        // Near 0, where `exp(x) − 1` loses every digit.
        for tiny in [-1e-7f32, 1e-7, -3e-5, 2e-3, -0.2, 1e-30, -1e-30] {
            let want = (tiny as f64).exp_m1();
            assert!(((exp_m1(tiny) as f64 - want) / want).abs() < 2e-7, "{tiny}");
        }
        assert_eq!(exp_m1(-100.0), -1.0);
        assert_eq!(exp_m1(100.0), f32::INFINITY);
        assert!(exp_m1(f32::NAN).is_nan());
    }

    #[test]
    fn exp_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(EXP_HI + 1.0), f32::INFINITY);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(-90.0), 0.0);
        assert!(exp(EXP_HI).is_finite());
        assert!(exp(f32::NAN).is_nan());
    }
}
