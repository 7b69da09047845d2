//! Elementwise activations and their derivatives.
//!
//! Forward kernels map `x` to `y`; backward kernels turn the gradient with
//! respect to the output into the gradient with respect to the input, in place,
//! using only the forward *output* `y` (so layers need not keep `x`).
//!
//! ```
//! use nn_kernels::activation::{relu, relu_backward};
//! let mut y = [0.0; 3];
//! relu(&[-1.0, 0.5, 2.0], &mut y);
//! let mut d = [1.0, 1.0, 1.0];
//! relu_backward(&y, &mut d);
//! assert_eq!((y, d), ([0.0, 0.5, 2.0], [0.0, 1.0, 1.0]));
//! ```

/// Logistic sigmoid, written so neither branch overflows: for `x < 0` it uses
/// `e^x / (1 + e^x)`, for `x >= 0` the usual `1 / (1 + e^-x)`.
///
/// ```
/// assert_eq!(nn_kernels::activation::sigmoid_scalar(0.0), 0.5);
/// assert!(nn_kernels::activation::sigmoid_scalar(-200.0) >= 0.0);
/// ```
#[inline(always)]
pub fn sigmoid_scalar(x: f32) -> f32 {
    let e = crate::math::exp(-x.abs());
    let s = 1.0 / (1.0 + e);
    if x >= 0.0 { s } else { e * s }
}

dispatched! {
    /// `y = max(x, 0)`; NaN stays NaN.
    ///
    /// ```
    /// let mut y = [9.0];
    /// nn_kernels::activation::relu(&[-3.0], &mut y);
    /// assert_eq!(y, [0.0]);
    /// ```
    pub fn relu / relu_on(x: &[f32], y: &mut [f32]) {
        // `x < 0` is false for NaN, which passes through (as PyTorch's).
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = if x < 0.0 { 0.0 } else { x });
    }
}

dispatched! {
    /// `d *= [y > 0]` (the subgradient at 0 is taken as 0, as PyTorch does).
    ///
    /// ```
    /// let mut d = [5.0, 5.0];
    /// nn_kernels::activation::relu_backward(&[0.0, 1.0], &mut d);
    /// assert_eq!(d, [0.0, 5.0]);
    /// ```
    pub fn relu_backward / relu_backward_on(y: &[f32], d: &mut [f32]) {
        d.iter_mut().zip(y).for_each(|(d, &y)| *d = if y > 0.0 { *d } else { 0.0 });
    }
}

dispatched! {
    /// `y = 1 / (1 + e^-x)`, stable for any finite `x`.
    ///
    /// ```
    /// let mut y = [0.0];
    /// nn_kernels::activation::sigmoid(&[0.0], &mut y);
    /// assert_eq!(y, [0.5]);
    /// ```
    pub fn sigmoid / sigmoid_on(x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = sigmoid_scalar(x));
    }
}

dispatched! {
    /// `d *= y (1 - y)`.
    ///
    /// ```
    /// let mut d = [1.0];
    /// nn_kernels::activation::sigmoid_backward(&[0.5], &mut d);
    /// assert_eq!(d, [0.25]);
    /// ```
    pub fn sigmoid_backward / sigmoid_backward_on(y: &[f32], d: &mut [f32]) {
        d.iter_mut().zip(y).for_each(|(d, &y)| *d *= y * (1.0 - y));
    }
}

dispatched! {
    /// `y = tanh(x)`, as `sign(x)·(1 − e)/(1 + e)` with `e = e^{−2|x|}`
    /// (vectorizable; absolute error below 1e-7).
    ///
    /// ```
    /// let mut y = [1.0];
    /// nn_kernels::activation::tanh(&[0.0], &mut y);
    /// assert_eq!(y, [0.0]);
    /// ```
    pub fn tanh / tanh_on(x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, &x)| {
            let e = crate::math::exp(-2.0 * x.abs());
            let t = (1.0 - e) / (1.0 + e);
            *y = if x < 0.0 { -t } else { t };
        });
    }
}

dispatched! {
    /// `d *= 1 - y²`.
    ///
    /// ```
    /// let mut d = [2.0];
    /// nn_kernels::activation::tanh_backward(&[0.5], &mut d);
    /// assert_eq!(d, [1.5]);
    /// ```
    pub fn tanh_backward / tanh_backward_on(y: &[f32], d: &mut [f32]) {
        d.iter_mut().zip(y).for_each(|(d, &y)| *d *= 1.0 - y * y);
    }
}

dispatched! {
    /// Leaky ReLU: `y = x` for `x > 0`, else `slope·x`.
    ///
    /// ```
    /// let mut y = [0.0; 2];
    /// nn_kernels::activation::leaky_relu(&[-2.0, 3.0], &mut y, 0.1);
    /// assert_eq!(y, [-0.2, 3.0]);
    /// ```
    pub fn leaky_relu / leaky_relu_on(x: &[f32], y: &mut [f32], slope: f32) {
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = if x > 0.0 { x } else { slope * x });
    }
}

dispatched! {
    /// `d *= 1` where `x > 0`, else `slope` (also the gradient of PReLU with
    /// respect to its input).
    ///
    /// ```
    /// let mut d = [1.0, 1.0];
    /// nn_kernels::activation::leaky_relu_backward(&[-2.0, 3.0], &mut d, 0.1);
    /// assert_eq!(d, [0.1, 1.0]);
    /// ```
    pub fn leaky_relu_backward / leaky_relu_backward_on(x: &[f32], d: &mut [f32], slope: f32) {
        d.iter_mut().zip(x).for_each(|(d, &x)| *d *= if x > 0.0 { 1.0 } else { slope });
    }
}

dispatched! {
    /// ELU: `y = x` for `x > 0`, else `α(eˣ − 1)` (computed as `expm1`, so
    /// it keeps full relative precision near 0).
    ///
    /// ```
    /// let mut y = [0.0; 2];
    /// nn_kernels::activation::elu(&[0.0, 2.0], &mut y, 1.0);
    /// assert_eq!(y, [0.0, 2.0]);
    /// ```
    pub fn elu / elu_on(x: &[f32], y: &mut [f32], alpha: f32) {
        y.iter_mut().zip(x).for_each(|(y, &x)| {
            let neg = alpha * crate::math::exp_m1(x);
            *y = if x > 0.0 { x } else { neg };
        });
    }
}

dispatched! {
    /// `d *= 1` where `x > 0`, else `y + α` (`= αeˣ`, reusing the output).
    ///
    /// ```
    /// let mut d = [1.0, 1.0];
    /// nn_kernels::activation::elu_backward(&[-1.0, 1.0], &[-0.5, 1.0], &mut d, 1.0);
    /// assert_eq!(d, [0.5, 1.0]);
    /// ```
    pub fn elu_backward / elu_backward_on(x: &[f32], y: &[f32], d: &mut [f32], alpha: f32) {
        d.iter_mut().zip(x.iter().zip(y)).for_each(|(d, (&x, &y))| *d *= if x > 0.0 { 1.0 } else { y + alpha });
    }
}

dispatched! {
    /// Hard tanh: `y = clamp(x, min, max)`.
    ///
    /// ```
    /// let mut y = [0.0; 3];
    /// nn_kernels::activation::hard_tanh(&[-3.0, 0.5, 3.0], &mut y, -1.0, 1.0);
    /// assert_eq!(y, [-1.0, 0.5, 1.0]);
    /// ```
    pub fn hard_tanh / hard_tanh_on(x: &[f32], y: &mut [f32], min: f32, max: f32) {
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = if x < min { min } else if x > max { max } else { x });
    }
}

dispatched! {
    /// `d *= 1` strictly inside `(min, max)`, else `0` (PyTorch's convention
    /// at the two kinks).
    ///
    /// ```
    /// let mut d = [1.0, 1.0, 1.0];
    /// nn_kernels::activation::hard_tanh_backward(&[-3.0, 0.5, 1.0], &mut d, -1.0, 1.0);
    /// assert_eq!(d, [0.0, 1.0, 0.0]);
    /// ```
    pub fn hard_tanh_backward / hard_tanh_backward_on(x: &[f32], d: &mut [f32], min: f32, max: f32) {
        d.iter_mut().zip(x).for_each(|(d, &x)| *d *= if x > min && x < max { 1.0 } else { 0.0 });
    }
}

dispatched! {
    /// Softplus `y = ln(1 + eˣ)`, as `max(x, 0) + ln(1 + e^{−|x|})` so it
    /// neither overflows for large `x` nor loses precision for very negative `x`.
    ///
    /// ```
    /// let mut y = [0.0; 2];
    /// nn_kernels::activation::softplus(&[1000.0, -1000.0], &mut y);
    /// assert_eq!(y, [1000.0, 0.0]);
    /// ```
    pub fn softplus / softplus_on(x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, &x)| {
            *y = x.max(0.0) + crate::math::ln_1p_unit(crate::math::exp(-x.abs()));
        });
    }
}

dispatched! {
    /// `d *= σ(x)`, the derivative of softplus.
    ///
    /// ```
    /// let mut d = [2.0];
    /// nn_kernels::activation::softplus_backward(&[0.0], &mut d);
    /// assert_eq!(d, [1.0]);
    /// ```
    pub fn softplus_backward / softplus_backward_on(x: &[f32], d: &mut [f32]) {
        d.iter_mut().zip(x).for_each(|(d, &x)| *d *= sigmoid_scalar(x));
    }
}

dispatched! {
    /// Heaviside step, the perceptron's activation: `1` for `x ≥ 0`, else `0`.
    ///
    /// ```
    /// let mut y = [9.0; 3];
    /// nn_kernels::activation::binary_step(&[-0.5, 0.0, 2.0], &mut y);
    /// assert_eq!(y, [0.0, 1.0, 1.0]);
    /// ```
    pub fn binary_step / binary_step_on(x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = if x >= 0.0 { 1.0 } else { 0.0 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Isa;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};
    use std::vec::Vec;

    type Kernel = fn(Isa, &[f32], &mut [f32]);
    type Reference = fn(f64) -> f64;

    #[test]
    fn activations_and_derivatives_match_naive_on_every_isa() {
        let cases: [(Kernel, Kernel, Reference, Reference); 3] = [
            (
                relu_on,
                relu_backward_on,
                |x| x.max(0.0),
                |y| if y > 0.0 { 1.0 } else { 0.0 },
            ),
            (
                sigmoid_on,
                sigmoid_backward_on,
                |x| 1.0 / (1.0 + (-x).exp()),
                |y| y * (1.0 - y),
            ),
            (tanh_on, tanh_backward_on, f64::tanh, |y| 1.0 - y * y),
        ];
        let r = &mut rng(11);
        for isa in isas() {
            for &n in SIZES {
                let x: Vec<f32> = random_slice(r, n).iter().map(|v| v * 30.0).collect();
                let d = random_slice(r, n);
                for (fwd, bwd, f, df) in cases {
                    let mut y = std::vec![0.0; n];
                    fwd(isa, &x, &mut y);
                    let expected: Vec<f32> = x.iter().map(|&v| f(v as f64) as f32).collect();
                    assert_close(&y, &expected, 1e-6, "forward");
                    let mut g = d.clone();
                    bwd(isa, &y, &mut g);
                    let expected: Vec<f32> = d
                        .iter()
                        .zip(&y)
                        .map(|(&d, &y)| (d as f64 * df(y as f64)) as f32)
                        .collect();
                    assert_close(&g, &expected, 1e-6, "backward");
                }
            }
        }
    }

    type ParamKernel = fn(Isa, &[f32], &mut [f32], f32);

    #[test]
    fn parameterized_activations_match_naive_on_every_isa() {
        let r = &mut rng(12);
        for isa in isas() {
            for &n in SIZES {
                let x: Vec<f32> = random_slice(r, n).iter().map(|v| v * 30.0).collect();
                let d = random_slice(r, n);
                let check = |got: &[f32], f: &dyn Fn(f64, f64) -> f64, what: &str| {
                    let want: Vec<f32> = x
                        .iter()
                        .zip(d.iter())
                        .map(|(&x, &d)| f(x as f64, d as f64) as f32)
                        .collect();
                    assert_close(got, &want, 1e-6, what);
                };
                let mut y = std::vec![0.0; n];
                let leaky: ParamKernel = leaky_relu_on;
                leaky(isa, &x, &mut y, 0.1);
                check(&y, &|x, _| if x > 0.0 { x } else { 0.1 * x }, "leaky");
                let mut g = d.to_vec();
                leaky_relu_backward_on(isa, &x, &mut g, 0.1);
                check(
                    &g,
                    &|x, d| if x > 0.0 { d } else { 0.1 * d },
                    "leaky backward",
                );

                elu_on(isa, &x, &mut y, 0.7);
                check(
                    &y,
                    &|x, _| if x > 0.0 { x } else { 0.7 * x.exp_m1() },
                    "elu",
                );
                let mut g = d.to_vec();
                elu_backward_on(isa, &x, &y, &mut g, 0.7);
                check(
                    &g,
                    &|x, d| if x > 0.0 { d } else { d * 0.7 * x.exp() },
                    "elu backward",
                );

                hard_tanh_on(isa, &x, &mut y, -2.0, 3.0);
                check(&y, &|x, _| x.clamp(-2.0, 3.0), "hard tanh");
                let mut g = d.to_vec();
                hard_tanh_backward_on(isa, &x, &mut g, -2.0, 3.0);
                check(
                    &g,
                    &|x, d| if x > -2.0 && x < 3.0 { d } else { 0.0 },
                    "hard tanh backward",
                );

                softplus_on(isa, &x, &mut y);
                check(
                    &y,
                    &|x, _| x.max(0.0) + (-x.abs()).exp().ln_1p(),
                    "softplus",
                );
                let mut g = d.to_vec();
                softplus_backward_on(isa, &x, &mut g);
                check(&g, &|x, d| d / (1.0 + (-x).exp()), "softplus backward");

                binary_step_on(isa, &x, &mut y);
                check(&y, &|x, _| if x >= 0.0 { 1.0 } else { 0.0 }, "binary step");
            }
        }
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid_scalar(1e30), 1.0);
        assert_eq!(sigmoid_scalar(-1e30), 0.0);
        assert!(
            sigmoid_scalar(-80.0) > 0.0,
            "no flush to zero while e^x is a normal float"
        );
        assert_eq!(sigmoid_scalar(-100.0), 0.0);
    }
}
