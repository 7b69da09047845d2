//! Smooth gated activations, `x · g(x)` with a soft gate `g`: [`GELU`]
//! (exact, and [`GELUTanh`], PyTorch's `approximate='tanh'`) and [`SiLU`]
//! (swish). They share one forward and one backward loop, since
//! `d(x·g)/dx = g(x) + x·g'(x)`.
//!
//! ```
//! use nn_core::prelude::*;
//! let y = SiLU.forward(&[0.0, 1.0]);
//! assert!(y[0] == 0.0 && (y[1] - 0.7310586).abs() < 1e-6);
//! ```
use super::Activation;
use crate::mem::{Plain, Zeroable};
use core::f32::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};

/// `y = x · g(x)`.
fn gated(x: &[f32], y: &mut [f32], gate: impl Fn(f32) -> f32) {
    for (x, y) in x.iter().zip(y) {
        *y = x * gate(*x);
    }
}

/// `d ← d · (g(x) + x·g'(x))`, from `gate(x) = (g, g')`.
fn gated_backward(x: &[f32], d: &mut [f32], gate: impl Fn(f32) -> (f32, f32)) {
    for (x, d) in x.iter().zip(d) {
        let (g, dg) = gate(*x);
        *d *= g + x * dg;
    }
}

/// `1/√(2π)`, the standard normal density's peak.
const FRAC_1_SQRT_2PI: f32 = FRAC_2_SQRT_PI * FRAC_1_SQRT_2 * 0.5;

/// The standard normal CDF Φ and density φ.
fn normal(x: f32) -> (f32, f32) {
    let cdf = 0.5 * (1.0 + libm::erff(x * FRAC_1_SQRT_2));
    (cdf, FRAC_1_SQRT_2PI * libm::expf(-0.5 * x * x))
}

/// The tanh approximation of Φ, `(1 + tanh(√(2/π)(x + 0.044715x³)))/2`, and
/// its derivative.
fn normal_tanh(x: f32) -> (f32, f32) {
    const C: f32 = 0.044_715;
    let k = FRAC_2_SQRT_PI * FRAC_1_SQRT_2; // √(2/π)
    let t = libm::tanhf(k * (x + C * x * x * x));
    (
        0.5 * (1.0 + t),
        0.5 * (1.0 - t * t) * k * (1.0 + 3.0 * C * x * x),
    )
}

/// The logistic sigmoid and its derivative.
fn logistic(x: f32) -> (f32, f32) {
    let s = 1.0 / (1.0 + libm::expf(-x));
    (s, s * (1.0 - s))
}

/// Declares a gated activation: the unit struct, `Zeroable`, `Activation`.
macro_rules! gated_activation {
    ($(#[$doc:meta])* $name:ident, $gate:path) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        // SAFETY: a unit struct has no bytes.
        unsafe impl Zeroable for $name {}
        // SAFETY: as above.
        unsafe impl Plain for $name {}

        impl Activation for $name {
            fn apply(&self, x: &[f32], y: &mut [f32]) {
                gated(x, y, |x| $gate(x).0)
            }
            fn backprop(&self, x: &[f32], _y: &[f32], d: &mut [f32]) {
                gated_backward(x, d, $gate)
            }
        }
    };
}

gated_activation!(
    /// Gaussian error linear unit, `x · Φ(x)` with Φ the standard normal
    /// CDF (Hendrycks & Gimpel, 2016), as PyTorch's `nn.GELU()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!((GELU.forward(&[1.0])[0] - 0.8413447).abs() < 1e-6);
    /// ```
    GELU, normal
);
gated_activation!(
    /// GELU with Φ approximated by `(1 + tanh(√(2/π)(x + 0.044715x³)))/2`,
    /// as PyTorch's `nn.GELU(approximate='tanh')` (and GPT-2).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!((GELUTanh.forward(&[1.0])[0] - 0.8411920).abs() < 1e-6);
    /// ```
    GELUTanh, normal_tanh
);
gated_activation!(
    /// Sigmoid-weighted linear unit (swish), `x · σ(x)`, as PyTorch's `nn.SiLU()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!((SiLU.forward(&[-1.0])[0] + 0.2689414).abs() < 1e-6);
    /// ```
    SiLU, logistic
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Mode;
    use crate::train::gradcheck::check_layer;

    #[test]
    fn gradients_match_finite_differences() {
        check_layer::<[f32; 7], _, 3>(GELU, Mode::Train, &[], 1);
        check_layer::<[f32; 7], _, 3>(GELUTanh, Mode::Train, &[], 2);
        check_layer::<[[f32; 3]; 2], _, 3>(SiLU, Mode::Train, &[], 3);
    }

    #[test]
    fn the_approximation_stays_close_to_the_exact_gelu() {
        let x: [f32; 9] = core::array::from_fn(|i| i as f32 - 4.0);
        let (mut exact, mut approx) = ([0.0; 9], [0.0; 9]);
        GELU.apply(&x, &mut exact);
        GELUTanh.apply(&x, &mut approx);
        for (e, a) in exact.iter().zip(approx) {
            assert!((e - a).abs() < 1e-3, "{e} vs {a}");
        }
    }
}
