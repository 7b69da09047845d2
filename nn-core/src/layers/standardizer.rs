//! Feature standardization fitted on training data, `(x − μ) / σ` per
//! feature. Used up front ([`Standardizer::apply`] on the rows) or as a
//! network's first layer — Keras' `Normalization` with `adapt` — where its
//! μ and σ are part of the model's state: weights files, checkpoints and
//! safetensors carry them, so a reloaded model standardizes as it did in
//! training without a second file to keep beside it.
//!
//! ```
//! use nn_core::prelude::*;
//! let s = Standardizer::fit(&[[1.0f32, 5.0], [3.0, 5.0]]);
//! assert_eq!(s.forward(&[2.0, 7.0]), [0.0, 2.0]); // a constant feature is only centered
//! ```
use crate::io::torch::TorchTensor;
use crate::layer::{Context, Forward, Layer};
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};

/// Per-feature standardization `(x − μ) / σ`, with `μ` and `σ` fitted on
/// training rows only and then applied to every split (or, as a layer, to
/// every input). A constant feature (σ = 0) is only centered.
///
/// ```
/// use nn_core::layers::Standardizer;
/// let train = [[1.0f32, 5.0], [3.0, 5.0]];
/// let s = Standardizer::fit(&train);
/// let mut test = [[2.0f32, 7.0]];
/// s.apply(&mut test);
/// assert_eq!(test, [[0.0, 2.0]]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<const N: usize> {
    /// Per-feature mean.
    pub mean: [f32; N],
    /// Per-feature standard deviation (population).
    pub std: [f32; N],
}

// SAFETY: only f32 arrays; all-zero bits are valid (σ = 0 only centers).
unsafe impl<const N: usize> Zeroable for Standardizer<N> {}
// SAFETY: `repr(C)` of f32 arrays: no padding, any bit pattern is valid.
unsafe impl<const N: usize> Plain for Standardizer<N> {}
// SAFETY: as `Plain`.
unsafe impl<const N: usize> bytemuck::Pod for Standardizer<N> {}

impl<const N: usize> Standardizer<N> {
    /// The identity (μ = 0, σ = 1), until [`Standardizer::fit`] replaces it.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Standardizer::<2>::new().std, [1.0; 2]);
    /// ```
    pub const fn new() -> Self {
        Self {
            mean: [0.0; N],
            std: [1.0; N],
        }
    }

    /// Fits mean and standard deviation (accumulated in f64) on `rows`.
    ///
    /// ```
    /// let s = nn_core::layers::Standardizer::fit(&[[0.0f32], [2.0]]);
    /// assert_eq!((s.mean, s.std), ([1.0], [1.0]));
    /// ```
    pub fn fit(rows: &[[f32; N]]) -> Self {
        let n = rows.len().max(1) as f64;
        let mean: [f64; N] =
            core::array::from_fn(|j| rows.iter().map(|r| r[j] as f64).sum::<f64>() / n);
        let std = core::array::from_fn(|j| {
            let var = rows
                .iter()
                .map(|r| (r[j] as f64 - mean[j]) * (r[j] as f64 - mean[j]))
                .sum::<f64>()
                / n;
            libm::sqrt(var) as f32
        });
        Self {
            mean: mean.map(|m| m as f32),
            std,
        }
    }

    /// Standardizes `rows` in place.
    ///
    /// ```
    /// let mut rows = [[4.0f32]];
    /// nn_core::layers::Standardizer::fit(&[[0.0f32], [2.0]]).apply(&mut rows);
    /// assert_eq!(rows, [[3.0]]);
    /// ```
    pub fn apply(&self, rows: &mut [[f32; N]]) {
        for row in rows {
            let x = *row;
            self.forward_into(&x, row);
        }
    }

    /// The divisor of feature `j`: σ, or 1 for a constant feature.
    fn divisor(&self, j: usize) -> f32 {
        if self.std[j] > 0.0 { self.std[j] } else { 1.0 }
    }
}

impl<const N: usize> Default for Standardizer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Forward<[f32; N]> for Standardizer<N> {
    type Out = [f32; N];
    fn forward_into(&self, x: &[f32; N], y: &mut [f32; N]) {
        for j in 0..N {
            y[j] = (x[j] - self.mean[j]) / self.divisor(j);
        }
    }
}

/// μ and σ are fitted, not learned: no parameters, no gradient of its own,
/// but both are state, saved and loaded with the model.
impl<const N: usize> Layer<[f32; N]> for Standardizer<N> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;
    const STATE_LEN: usize = 2 * N;
    /// Buffers, as a PyTorch module would `register_buffer` them.
    const TORCH: &'static [TorchTensor] = &[
        TorchTensor::new("mean", 0, &[N]),
        TorchTensor::new("std", N, &[N]),
    ];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[f32; N]; B],
        y: &mut [[f32; N]; B],
        _: &mut (),
        _: &mut Context,
    ) {
        crate::layer::forward_each(self, x, y);
    }

    fn backward<const B: usize>(
        &self,
        _x: &[[f32; N]; B],
        _y: &[[f32; N]; B],
        dy: &[[f32; N]; B],
        _: &mut (),
        dx: Option<&mut [[f32; N]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        for (dx, dy) in dx.iter_mut().zip(dy) {
            for j in 0..N {
                dx[j] = dy[j] / self.divisor(j);
            }
        }
    }

    /// μ, then σ.
    fn state(&self) -> &[f32] {
        bytemuck::cast_slice(from_ref(self))
    }

    fn state_mut(&mut self) -> &mut [f32] {
        bytemuck::cast_slice_mut(from_mut(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Mode;
    use crate::train::gradcheck::check_layer;

    #[test]
    fn gradients_match_finite_differences() {
        let s = Standardizer::<4> {
            mean: [0.5, -1.0, 0.0, 2.0],
            std: [2.0, 0.25, 0.0, 1.5],
        };
        check_layer::<[f32; 4], _, 3>(s, Mode::Train, &[], 4);
    }

    #[test]
    fn fitted_features_have_zero_mean_and_unit_variance() {
        let mut rows = [[1.0f32, 10.0, 3.0], [2.0, 30.0, 3.0], [6.0, -5.0, 3.0]];
        let s = Standardizer::fit(&rows);
        s.apply(&mut rows);
        for j in 0..3 {
            let mean = rows.iter().map(|r| r[j]).sum::<f32>() / 3.0;
            let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f32>() / 3.0;
            let want = if j == 2 { 0.0 } else { 1.0 };
            assert!(
                mean.abs() < 1e-6 && (var - want).abs() < 1e-5,
                "{j}: {mean} {var}"
            );
        }
    }
}
