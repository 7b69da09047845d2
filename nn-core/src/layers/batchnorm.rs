//! Batch normalization over channels: [`BatchNorm`], with the aliases
//! [`BatchNorm1d`] (features of a vector, or channels of a sequence) and
//! [`BatchNorm2d`] (channels of an image).
//!
//! ```
//! use nn_core::prelude::*;
//! let mut bn = BatchNorm1d::<2>::new();
//! bn.running_mean = [1.0, 2.0];
//! // Evaluation normalizes with the running statistics: (x − μ)/√(σ² + ε).
//! let y = bn.forward(&[2.0, 2.0]);
//! assert!((y[0] - 1.0).abs() < 1e-4 && y[1] == 0.0);
//! ```
use crate::init::Init;
use crate::layer::{Context, Forward, Layer, Mode, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};

/// Batch normalization (Ioffe & Szegedy, 2015) over the `C` channels of a
/// sample ([`Shape::CHANNELS`]): in training, each channel is standardized
/// with the mean and (biased) variance over the batch and every position,
/// then scaled by `gamma` and shifted by `beta`; the running statistics move
/// toward the batch's by `momentum` (`r ← (1 − m)·r + m·batch`, the unbiased
/// variance, as PyTorch). Evaluation normalizes with the running statistics.
///
/// ```
/// use nn_core::prelude::*;
/// let bn = BatchNorm2d::<3>::new();
/// assert_eq!((bn.gamma, bn.running_var, bn.momentum), ([1.0; 3], [1.0; 3], 0.1));
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchNorm<const C: usize> {
    /// Learned scale per channel (starts at 1).
    pub gamma: [f32; C],
    /// Learned shift per channel (starts at 0).
    pub beta: [f32; C],
    /// Running mean used in evaluation.
    pub running_mean: [f32; C],
    /// Running variance used in evaluation.
    pub running_var: [f32; C],
    /// Weight of each new batch in the running statistics (default 0.1).
    pub momentum: f32,
    /// Added to the variance before the square root (default 1e-5).
    pub eps: f32,
}

/// Batch normalization over the features of a vector (or the channels of a
/// sequence), as PyTorch's `BatchNorm1d`.
///
/// ```
/// assert_eq!(nn_core::layers::BatchNorm1d::<4>::new().beta, [0.0; 4]);
/// ```
pub type BatchNorm1d<const C: usize> = BatchNorm<C>;

/// Batch normalization over the channels of an image, as PyTorch's `BatchNorm2d`.
///
/// ```
/// assert_eq!(nn_core::layers::BatchNorm2d::<4>::new().eps, 1e-5);
/// ```
pub type BatchNorm2d<const C: usize> = BatchNorm<C>;

// SAFETY: only f32 fields; all-zero bits are valid.
unsafe impl<const C: usize> Zeroable for BatchNorm<C> {}
// SAFETY: `repr(C)` of f32s: no padding, any bit pattern is valid.
unsafe impl<const C: usize> Plain for BatchNorm<C> {}
// SAFETY: `repr(C)` of f32 arrays and f32s: no padding, any bits are valid.
unsafe impl<const C: usize> bytemuck::Pod for BatchNorm<C> {}

impl<const C: usize> BatchNorm<C> {
    /// γ = 1, β = 0, running mean 0 and variance 1, momentum 0.1, ε = 1e-5
    /// (PyTorch's defaults).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::BatchNorm::<2>::new().running_mean, [0.0; 2]);
    /// ```
    pub const fn new() -> Self {
        Self {
            gamma: [1.0; C],
            beta: [0.0; C],
            running_mean: [0.0; C],
            running_var: [1.0; C],
            momentum: 0.1,
            eps: 1e-5,
        }
    }

    /// Normalizes one sample with the given per-channel mean and `1/σ`.
    fn normalize(&self, mean: &[f32; C], inv_std: &[f32; C], x: &[f32], y: &mut [f32]) {
        let per_channel = x.len() / C;
        for c in 0..C {
            let (scale, shift) = (self.gamma[c] * inv_std[c], self.beta[c]);
            let range = c * per_channel..(c + 1) * per_channel;
            for (y, x) in y[range.clone()].iter_mut().zip(&x[range]) {
                *y = (x - mean[c]) * scale + shift;
            }
        }
    }

    /// What channel `c` computes at inference, as `x·scale + shift` (the
    /// pair a batch norm folds into the layer before it as).
    ///
    /// ```
    /// let mut bn = nn_core::layers::BatchNorm::<1>::new();
    /// (bn.gamma, bn.beta, bn.running_mean, bn.running_var, bn.eps) = ([2.0], [1.0], [3.0], [4.0], 0.0);
    /// assert_eq!(bn.inference_affine(0), (1.0, -2.0)); // (x − 3)·2/2 + 1
    /// ```
    pub fn inference_affine(&self, c: usize) -> (f32, f32) {
        let scale = self.gamma[c] / nn_kernels::math::sqrt(self.running_var[c] + self.eps);
        (scale, self.beta[c] - self.running_mean[c] * scale)
    }

    /// `1/√(var + ε)` of the running variance.
    fn running_inv_std(&self) -> [f32; C] {
        core::array::from_fn(|c| 1.0 / nn_kernels::math::sqrt(self.running_var[c] + self.eps))
    }
}

impl<const C: usize> Default for BatchNorm<C> {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether `S` has `C` channels, checked at compile time.
const fn channels_match<S: Shape, const C: usize>() {
    assert!(
        S::CHANNELS == C,
        "BatchNorm<C>: C must equal the input's channel count"
    );
}

impl<S: Shape, const C: usize> Forward<S> for BatchNorm<C> {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        const { channels_match::<S, C>() };
        let x = flat(from_ref(x));
        self.normalize(
            &self.running_mean,
            &self.running_inv_std(),
            x,
            flat_mut(from_mut(y)),
        );
    }
}

impl<S: Shape, const C: usize> Layer<S> for BatchNorm<C> {
    /// The mean and `1/σ` each channel was normalized with.
    type Cache<const B: usize> = [[f32; C]; 2];
    const NUM_PARAMS: usize = 2 * C;
    const STATE_LEN: usize = 4 * C;
    const TORCH: &'static [crate::io::torch::TorchTensor] = &[
        crate::io::torch::TorchTensor::new("weight", 0, &[C]),
        crate::io::torch::TorchTensor::new("bias", C, &[C]),
        crate::io::torch::TorchTensor::new("running_mean", 2 * C, &[C]),
        crate::io::torch::TorchTensor::new("running_var", 3 * C, &[C]),
    ];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        cache: &mut [[f32; C]; 2],
        ctx: &mut Context,
    ) {
        const { channels_match::<S, C>() };
        let per_channel = S::LEN / C;
        let [mean, inv_std] = cache;
        if ctx.mode == Mode::Eval {
            *mean = self.running_mean;
            *inv_std = self.running_inv_std();
        } else {
            // The statistics of the real samples only (a short batch's
            // padding is left out).
            let real = &x[..ctx.real_rows::<B>()];
            let count = (real.len() * per_channel) as f32;
            let (mut sum, mut sq) = ([0.0f32; C], [0.0f32; C]);
            for x in real {
                for (c, xs) in flat(from_ref(x)).chunks_exact(per_channel).enumerate() {
                    sum[c] += xs.iter().sum::<f32>();
                }
            }
            *mean = sum.map(|s| s / count);
            for x in real {
                for (c, xs) in flat(from_ref(x)).chunks_exact(per_channel).enumerate() {
                    sq[c] += xs
                        .iter()
                        .map(|v| (v - mean[c]) * (v - mean[c]))
                        .sum::<f32>();
                }
            }
            let unbiased = if count > 1.0 {
                count / (count - 1.0)
            } else {
                1.0
            };
            let m = self.momentum;
            for c in 0..C {
                let var = sq[c] / count;
                inv_std[c] = 1.0 / nn_kernels::math::sqrt(var + self.eps);
                self.running_mean[c] = (1.0 - m) * self.running_mean[c] + m * mean[c];
                self.running_var[c] = (1.0 - m) * self.running_var[c] + m * var * unbiased;
            }
        }
        for (x, y) in x.iter().zip(y.iter_mut()) {
            self.normalize(mean, inv_std, flat(from_ref(x)), flat_mut(from_mut(y)));
        }
    }

    fn backward<const B: usize>(
        &self,
        x: &[S; B],
        _y: &[S; B],
        dy: &[S; B],
        cache: &mut [[f32; C]; 2],
        dx: Option<&mut [S; B]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let per_channel = S::LEN / C;
        let [mean, inv_std] = *cache;
        // Per channel: Σ dy and Σ dy·x̂ (the β and γ gradients).
        let (mut sum_dy, mut sum_dy_xhat) = ([0.0f32; C], [0.0f32; C]);
        let rows = ctx.real_rows::<B>();
        for (x, dy) in x[..rows].iter().zip(&dy[..rows]) {
            let chunks = flat(from_ref(x)).chunks_exact(per_channel);
            for (c, (xs, ds)) in chunks
                .zip(flat(from_ref(dy)).chunks_exact(per_channel))
                .enumerate()
            {
                for (x, d) in xs.iter().zip(ds) {
                    sum_dy[c] += d;
                    sum_dy_xhat[c] += d * (x - mean[c]) * inv_std[c];
                }
            }
        }
        let (dgamma, dbeta) = grad.split_at_mut(C);
        dgamma.copy_from_slice(&sum_dy_xhat);
        dbeta.copy_from_slice(&sum_dy);
        let Some(dx) = dx else { return };
        // Training: the batch statistics depend on x, which subtracts the
        // mean gradient and its projection on x̂:
        //   dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)).
        // Evaluation: the statistics are constants, dx = γ/σ · dy.
        let count = (rows * per_channel) as f32;
        let train = ctx.mode == Mode::Train;
        let (dx, padding) = dx.split_at_mut(rows);
        padding
            .iter_mut()
            .for_each(|d| flat_mut(from_mut(d)).fill(0.0));
        for ((x, dy), dx) in x.iter().zip(dy).zip(dx.iter_mut()) {
            let xs = flat(from_ref(x)).chunks_exact(per_channel);
            let ds = flat(from_ref(dy)).chunks_exact(per_channel);
            let outs = flat_mut(from_mut(dx)).chunks_exact_mut(per_channel);
            for (c, ((xs, ds), outs)) in xs.zip(ds).zip(outs).enumerate() {
                let scale = self.gamma[c] * inv_std[c];
                let (mean_dy, mean_dy_xhat) = if train {
                    (sum_dy[c] / count, sum_dy_xhat[c] / count)
                } else {
                    (0.0, 0.0)
                };
                for ((x, d), out) in xs.iter().zip(ds).zip(outs) {
                    let xhat = (x - mean[c]) * inv_std[c];
                    *out = scale * (d - mean_dy - xhat * mean_dy_xhat);
                }
            }
        }
    }

    fn params(&self) -> &[f32] {
        &bytemuck::cast_slice(from_ref(self))[..2 * C]
    }

    fn params_mut(&mut self) -> &mut [f32] {
        &mut bytemuck::cast_slice_mut(from_mut(self))[..2 * C]
    }

    /// γ and β, then the running mean and variance.
    fn state(&self) -> &[f32] {
        &bytemuck::cast_slice(from_ref(self))[..4 * C]
    }

    fn state_mut(&mut self) -> &mut [f32] {
        &mut bytemuck::cast_slice_mut(from_mut(self))[..4 * C]
    }

    /// γ = 1, β = 0 and fresh running statistics; `init` is not used.
    fn init_params<R: rand::Rng + ?Sized>(&mut self, _: Init, _: &mut R) {
        let (momentum, eps) = (self.momentum, self.eps);
        *self = Self {
            momentum,
            eps,
            ..Self::new()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrainRng;
    use rand::{Rng, SeedableRng};

    fn context<'a>(mode: Mode, rng: &'a mut TrainRng) -> Context<'a> {
        Context {
            mode,
            rng,
            workspace: &mut [],
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        }
    }

    #[test]
    fn training_standardizes_each_channel_and_tracks_running_statistics() {
        let rng = &mut TrainRng::seed_from_u64(1);
        let mut x = [[[[0.0f32; 3]; 2]; 2]; 4];
        for v in x.as_flattened_mut().as_flattened_mut().as_flattened_mut() {
            *v = rng.random_range(0.0..4.0);
        }
        let mut bn = BatchNorm2d::<2>::new();
        let (mut y, mut cache) = ([[[[0.0; 3]; 2]; 2]; 4], [[0.0; 2]; 2]);
        bn.forward_batch(&x, &mut y, &mut cache, &mut context(Mode::Train, rng));
        for c in 0..2 {
            let values: std::vec::Vec<f64> = (0..4)
                .flat_map(|b| y[b][c].as_flattened().to_vec())
                .map(f64::from)
                .collect();
            let inputs: std::vec::Vec<f64> = (0..4)
                .flat_map(|b| x[b][c].as_flattened().to_vec())
                .map(f64::from)
                .collect();
            let mean = values.iter().sum::<f64>() / 24.0;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 24.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
                "channel {c}: {mean} {var}"
            );
            let in_mean = inputs.iter().sum::<f64>() / 24.0;
            let in_var = inputs.iter().map(|v| (v - in_mean).powi(2)).sum::<f64>() / 23.0;
            assert!((bn.running_mean[c] as f64 - 0.1 * in_mean).abs() < 1e-5);
            assert!(
                (bn.running_var[c] as f64 - (0.9 + 0.1 * in_var)).abs() < 1e-5,
                "unbiased running variance"
            );
        }
        // Evaluation uses the running statistics, not the batch's, and does not update them.
        let before = bn;
        bn.forward_batch(&x, &mut y, &mut cache, &mut context(Mode::Eval, rng));
        assert_eq!(bn, before);
        let expected = (x[0][1][0][0] - bn.running_mean[1]) / (bn.running_var[1] + 1e-5).sqrt();
        assert!((y[0][1][0][0] - expected).abs() < 1e-5);
        assert_eq!(y[0], bn.forward(&x[0]));
    }
}
