//! Softmax and log-sum-exp over one row, both shifted by the row maximum so
//! `exp` never overflows.
//!
//! ```
//! let mut p = [0.0; 2];
//! nn_kernels::softmax::softmax(&[1000.0, 1000.0], &mut p);
//! assert_eq!(p, [0.5, 0.5]);
//! assert!((nn_kernels::softmax::log_sum_exp(&[1000.0, 1000.0]) - 1000.693).abs() < 1e-3);
//! ```

#[inline(always)]
fn max(x: &[f32]) -> f32 {
    x.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}

/// `ln Σ e^{x_i}`, computed as `m + ln Σ e^{x_i - m}` with `m = max x`.
/// An empty row gives `-inf` (the log of an empty sum).
///
/// ```
/// assert_eq!(nn_kernels::softmax::log_sum_exp(&[0.0]), 0.0);
/// ```
#[inline]
pub fn log_sum_exp(x: &[f32]) -> f32 {
    let (m, ln_sum) = max_and_log_sum_exp(x);
    m + ln_sum
}

dispatched! {
    /// `(m, ln Σ e^{x_i − m})` with `m = max x`: the two parts of
    /// [`log_sum_exp`], for callers that subtract one `x_k` from it.
    /// `lse − x_k = (m − x_k) + ln Σ…` keeps every digit where forming `lse`
    /// first would round it to the spacing of large logits (1e-3 at 1e4).
    /// A row with no finite maximum gives `(m, 0)`.
    ///
    /// ```
    /// let (m, l) = nn_kernels::softmax::max_and_log_sum_exp(&[1e4, 1e4]);
    /// assert_eq!((m, l), (1e4, core::f32::consts::LN_2));
    /// ```
    pub fn max_and_log_sum_exp / max_and_log_sum_exp_on(x: &[f32]) -> (f32, f32) {
        let m = max(x);
        if !m.is_finite() {
            return (m, 0.0);
        }
        let s: f32 = x.iter().map(|&v| crate::math::exp(v - m)).sum();
        (m, libm::logf(s))
    }
}

dispatched! {
    /// `y_i = e^{x_i - m} / Σ_j e^{x_j - m}` with `m = max x`.
    ///
    /// ```
    /// let mut y = [0.0; 3];
    /// nn_kernels::softmax::softmax(&[0.0, 0.0, 0.0], &mut y);
    /// assert!(y.iter().all(|&p| (p - 1.0 / 3.0).abs() < 1e-7));
    /// ```
    pub fn softmax / softmax_on(x: &[f32], y: &mut [f32]) {
        let m = max(x);
        let mut s = 0.0;
        y.iter_mut().zip(x).for_each(|(y, &x)| {
            *y = crate::math::exp(x - m);
            s += *y;
        });
        let inv = 1.0 / s;
        y.iter_mut().for_each(|y| *y *= inv);
    }
}

dispatched! {
    /// Softmax Jacobian-vector product in place: `d ← y ⊙ (d − ⟨y, d⟩)`,
    /// turning `∂L/∂y` into `∂L/∂x` for `y = softmax(x)`.
    ///
    /// ```
    /// let mut d = [1.0, 1.0]; // a constant shift of the loss: no gradient
    /// nn_kernels::softmax::softmax_backward(&[0.25, 0.75], &mut d);
    /// assert_eq!(d, [0.0, 0.0]);
    /// ```
    pub fn softmax_backward / softmax_backward_on(y: &[f32], d: &mut [f32]) {
        let yd: f32 = y.iter().zip(d.iter()).map(|(y, d)| y * d).sum();
        d.iter_mut().zip(y).for_each(|(d, &y)| *d = y * (*d - yd));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};
    use std::vec::Vec;

    #[test]
    fn softmax_lse_and_jvp_match_naive_on_every_isa() {
        let r = &mut rng(13);
        for isa in isas() {
            for &n in SIZES {
                let x: Vec<f32> = random_slice(r, n)
                    .iter()
                    .map(|v| v * 20.0 + 500.0)
                    .collect();
                let m = x
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, |a, b| a.max(b as f64));
                let s: f64 = x.iter().map(|&v| (v as f64 - m).exp()).sum();
                let (m32, ln_sum) = max_and_log_sum_exp_on(isa, &x);
                assert_eq!(m32 as f64, m, "max");
                assert_close(&[ln_sum], &[s.ln() as f32], 1e-6, "ln sum");
                assert_close(&[log_sum_exp(&x)], &[(m + s.ln()) as f32], 1e-6, "lse");
                let p: Vec<f32> = x
                    .iter()
                    .map(|&v| ((v as f64 - m).exp() / s) as f32)
                    .collect();
                let mut y = std::vec![0.0; n];
                softmax_on(isa, &x, &mut y);
                assert_close(&y, &p, 1e-5, "softmax");

                let d = random_slice(r, n);
                let yd: f64 = y.iter().zip(&d).map(|(y, d)| *y as f64 * *d as f64).sum();
                let expected: Vec<f32> = y
                    .iter()
                    .zip(&d)
                    .map(|(&y, &d)| (y as f64 * (d as f64 - yd)) as f32)
                    .collect();
                let mut g = d.clone();
                softmax_backward_on(isa, &y, &mut g);
                assert_close(&g, &expected, 1e-5, "softmax_backward");
            }
        }
    }

    #[test]
    fn lse_of_empty_and_infinite_rows() {
        assert_eq!(log_sum_exp(&[]), f32::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f32::INFINITY, 0.0]), f32::INFINITY);
    }
}
