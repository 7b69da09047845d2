//! Batch-1 dense product `y += xᵀ·W` without packing: at batch 1 every weight
//! is used once, so the kernel streams `W` row by row (the cost is bandwidth)
//! and keeps a block of `y` in registers while it does.
//!
//! ```
//! let w = [1.0, 2.0, 3.0, 4.0]; // 2x2, row-major: row i holds input i's weights
//! let mut y = [0.5, 0.5];
//! nn_kernels::gemv::vec_mat_acc(&[1.0, 1.0], &w, &mut y);
//! assert_eq!(y, [4.5, 6.5]);
//! ```

/// Outputs kept in registers per pass over `W` (four AVX-512 registers).
const BLOCK: usize = 64;

dispatched! {
    /// `y[o] += Σ_i x[i] · w[i][o]` for row-major `w` of `x.len()` rows and
    /// `y.len()` columns.
    ///
    /// # Panics
    /// If `w.len() != x.len() * y.len()`.
    ///
    /// ```
    /// let mut y = [0.0];
    /// nn_kernels::gemv::vec_mat_acc(&[1.0, 1.0], &[2.0, 3.0], &mut y);
    /// assert_eq!(y, [5.0]);
    /// ```
    pub fn vec_mat_acc / vec_mat_acc_on(x: &[f32], w: &[f32], y: &mut [f32]) {
        let n = y.len();
        assert_eq!(w.len(), x.len() * n, "gemv: W has {} elements, expected {}x{n}", w.len(), x.len());
        if n == 0 {
            return;
        }
        let (blocks, tail) = y.as_chunks_mut::<BLOCK>();
        for (c, block) in blocks.iter_mut().enumerate() {
            let mut acc = *block;
            for (row, &xi) in w.chunks_exact(n).zip(x) {
                let row = row[c * BLOCK..].first_chunk::<BLOCK>().expect("full block");
                for (a, &wv) in acc.iter_mut().zip(row) {
                    *a += xi * wv;
                }
            }
            *block = acc;
        }
        let start = n - tail.len();
        for (row, &xi) in w.chunks_exact(n).zip(x) {
            tail.iter_mut().zip(&row[start..]).for_each(|(y, &wv)| *y += xi * wv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};

    #[test]
    fn vec_mat_matches_naive_on_every_isa() {
        let r = &mut rng(5);
        for isa in isas() {
            for &i in SIZES {
                for &o in SIZES {
                    let w = random_slice(r, o * i);
                    let x = random_slice(r, i);
                    let y0 = random_slice(r, o);
                    let mut y = y0.clone();
                    vec_mat_acc_on(isa, &x, &w, &mut y);
                    let expected: std::vec::Vec<f32> = (0..o)
                        .map(|c| {
                            y0[c]
                                + (0..i)
                                    .map(|k| x[k] as f64 * w[k * o + c] as f64)
                                    .sum::<f64>() as f32
                        })
                        .collect();
                    assert_close(&y, &expected, 1e-5 * (i as f32).sqrt(), "vec_mat_acc");
                }
            }
        }
    }
}
