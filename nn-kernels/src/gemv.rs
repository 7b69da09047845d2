//! Batch-1 dense product `y += W·x` without packing: at batch 1 every weight is
//! used once, so the kernel streams `W` row by row (the cost is bandwidth).
//!
//! ```
//! let w = [1.0, 2.0, 3.0, 4.0]; // 2x2, row-major
//! let mut y = [0.5, 0.5];
//! nn_kernels::gemv::gemv_acc(&w, &[1.0, 1.0], &mut y);
//! assert_eq!(y, [3.5, 7.5]);
//! ```
use crate::reduce::dot_lanes;

dispatched! {
    /// `y[o] += Σ_i w[o][i] · x[i]` for row-major `w` of `y.len()` rows and
    /// `x.len()` columns.
    ///
    /// # Panics
    /// If `w.len() != y.len() * x.len()`.
    ///
    /// ```
    /// let mut y = [0.0];
    /// nn_kernels::gemv::gemv_acc(&[2.0, 3.0], &[1.0, 1.0], &mut y);
    /// assert_eq!(y, [5.0]);
    /// ```
    pub fn gemv_acc / gemv_acc_on(w: &[f32], x: &[f32], y: &mut [f32]) {
        assert_eq!(w.len(), y.len() * x.len(), "gemv: W has {} elements, expected {}x{}", w.len(), y.len(), x.len());
        if x.is_empty() {
            return;
        }
        for (yo, row) in y.iter_mut().zip(w.chunks_exact(x.len())) {
            *yo += dot_lanes(row, x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Isa;
    use crate::testing::{SIZES, assert_close, random_vec, rng};

    #[test]
    fn gemv_matches_naive_on_every_isa() {
        let r = &mut rng(5);
        for isa in Isa::ALL {
            for &i in &SIZES {
                for &o in &SIZES[..6] {
                    let w = random_vec(r, o * i);
                    let x = random_vec(r, i);
                    let y0 = random_vec(r, o);
                    let mut y = y0.clone();
                    gemv_acc_on(isa, &w, &x, &mut y);
                    let expected: std::vec::Vec<f32> = (0..o)
                        .map(|r| {
                            y0[r]
                                + (0..i)
                                    .map(|c| w[r * i + c] as f64 * x[c] as f64)
                                    .sum::<f64>() as f32
                        })
                        .collect();
                    assert_close(&y, &expected, 1e-5 * (i as f32).sqrt(), "gemv");
                }
            }
        }
    }
}
