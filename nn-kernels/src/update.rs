//! Fused parameter-update loops shared by the optimizers.
//!
//! ```
//! let mut p = [1.0, 1.0];
//! nn_kernels::update::axpy(-0.5, &[2.0, 4.0], &mut p); // an SGD step
//! assert_eq!(p, [0.0, -1.0]);
//! ```

dispatched! {
    /// `y += alpha · x`.
    ///
    /// ```
    /// let mut y = [1.0];
    /// nn_kernels::update::axpy(2.0, &[3.0], &mut y);
    /// assert_eq!(y, [7.0]);
    /// ```
    pub fn axpy / axpy_on(alpha: f32, x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, x)| *y += alpha * x);
    }
}

dispatched! {
    /// `x *= alpha`.
    ///
    /// ```
    /// let mut x = [2.0, -4.0];
    /// nn_kernels::update::scale(0.5, &mut x);
    /// assert_eq!(x, [1.0, -2.0]);
    /// ```
    pub fn scale / scale_on(alpha: f32, x: &mut [f32]) {
        x.iter_mut().for_each(|x| *x *= alpha);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};

    #[test]
    fn axpy_matches_naive_on_every_isa() {
        let r = &mut rng(9);
        for isa in isas() {
            for &n in SIZES {
                let x = random_slice(r, n);
                let y0 = random_slice(r, n);
                let mut y = y0.clone();
                axpy_on(isa, -0.3, &x, &mut y);
                let expected: std::vec::Vec<f32> =
                    x.iter().zip(&y0).map(|(x, y)| y - 0.3 * x).collect();
                assert_close(&y, &expected, 1e-7, "axpy");
                scale_on(isa, 3.0, &mut y);
                let expected: std::vec::Vec<f32> = expected.iter().map(|v| v * 3.0).collect();
                assert_close(&y, &expected, 1e-7, "scale");
            }
        }
    }
}
