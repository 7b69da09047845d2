//! Reductions and broadcasts over row-major batches: dot products, bias add,
//! column sums.
//!
//! ```
//! let mut y = [1.0, 2.0, 3.0, 4.0]; // 2 rows of 2
//! nn_kernels::reduce::add_bias_rows(&[10.0, 20.0], &mut y);
//! assert_eq!(y, [11.0, 22.0, 13.0, 24.0]);
//! ```

/// Independent accumulator lanes: 16 floats fill one AVX-512 register, and
/// independent lanes let LLVM vectorize a float sum without reassociating.
pub(crate) const LANES: usize = 16;

/// Dot product with lane-wise accumulators (vectorizes under every ISA).
#[inline(always)]
pub(crate) fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    let (ac, ar) = a.as_chunks::<LANES>();
    let (bc, br) = b[..a.len()].as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in ac.iter().zip(bc) {
        for j in 0..LANES {
            acc[j] += x[j] * y[j];
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

dispatched! {
    /// `a · b`.
    ///
    /// # Panics
    /// If `b` is shorter than `a`.
    ///
    /// ```
    /// assert_eq!(nn_kernels::reduce::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
    /// ```
    pub fn dot / dot_on(a: &[f32], b: &[f32]) -> f32 {
        dot_lanes(a, b)
    }
}

dispatched! {
    /// Adds `bias` to every row of the row-major batch `y` (`y.len()` a
    /// multiple of `bias.len()`).
    ///
    /// ```
    /// let mut y = [0.0; 3];
    /// nn_kernels::reduce::add_bias_rows(&[1.0, 2.0, 3.0], &mut y);
    /// assert_eq!(y, [1.0, 2.0, 3.0]);
    /// ```
    pub fn add_bias_rows / add_bias_rows_on(bias: &[f32], y: &mut [f32]) {
        // Zero columns: nothing to add (and no row length to split by).
        if bias.is_empty() {
            return;
        }
        for row in y.chunks_exact_mut(bias.len()) {
            row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
        }
    }
}

dispatched! {
    /// `out[j] = Σ_i x[i][j]` over the rows of the row-major batch `x` whose
    /// rows have `out.len()` columns (the bias gradient of a dense layer).
    ///
    /// ```
    /// let mut s = [0.0; 2];
    /// nn_kernels::reduce::col_sums(&[1.0, 2.0, 3.0, 4.0], &mut s);
    /// assert_eq!(s, [4.0, 6.0]);
    /// ```
    pub fn col_sums / col_sums_on(x: &[f32], out: &mut [f32]) {
        out.fill(0.0);
        // Zero columns: nothing to sum (and no row length to split by).
        if out.is_empty() {
            return;
        }
        for row in x.chunks_exact(out.len()) {
            out.iter_mut().zip(row).for_each(|(o, v)| *o += v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};
    use std::vec;

    #[test]
    fn dot_bias_and_col_sums_match_naive_on_every_isa() {
        let r = &mut rng(3);
        for isa in isas() {
            for &n in SIZES {
                for rows in [1, 3, 8] {
                    let a = random_slice(r, n);
                    let b = random_slice(r, n);
                    let naive: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
                    assert_close(
                        &[dot_on(isa, &a, &b)],
                        &[naive as f32],
                        1e-5 * (n as f32).sqrt(),
                        "dot",
                    );

                    let x = random_slice(r, rows * n);
                    let mut sums = vec![f32::NAN; n];
                    col_sums_on(isa, &x, &mut sums);
                    let expected: std::vec::Vec<f32> = (0..n)
                        .map(|j| (0..rows).map(|i| x[i * n + j]).sum())
                        .collect();
                    assert_close(&sums, &expected, 1e-6, "col_sums");

                    let mut y = x.clone();
                    add_bias_rows_on(isa, &a, &mut y);
                    let expected: std::vec::Vec<f32> =
                        x.iter().enumerate().map(|(i, v)| v + a[i % n]).collect();
                    assert_close(&y, &expected, 0.0, "add_bias_rows");
                }
            }
        }
    }
}
