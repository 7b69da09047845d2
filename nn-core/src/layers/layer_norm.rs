//! Layer normalization (Ba, Kiros & Hinton, 2016): each sample's features
//! are standardized with that sample's own mean and variance, then scaled
//! and shifted per feature, as PyTorch's `nn.LayerNorm(N)` on vectors. Unlike
//! batch normalization it needs no batch statistics, so training and
//! evaluation compute the same function, at any batch size.
//!
//! ```
//! use nn_core::prelude::*;
//! let y = LayerNorm::<2>::new().forward(&[1.0, 3.0]);
//! assert!((y[0] + 1.0).abs() < 1e-4 && (y[1] - 1.0).abs() < 1e-4);
//! ```
use crate::init::Init;
use crate::io::torch::TorchTensor;
use crate::layer::{Context, Forward, Layer};
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};

/// Layer normalization over `N` features: `y = (x − μ)/√(σ² + ε) · γ + β`,
/// with μ and σ² (biased) of the sample itself.
///
/// ```
/// use nn_core::prelude::*;
/// let ln = LayerNorm::<3>::new();
/// assert_eq!((ln.gamma, ln.beta, ln.eps), ([1.0; 3], [0.0; 3], 1e-5));
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerNorm<const N: usize> {
    /// Learned scale per feature (starts at 1; PyTorch's `weight`).
    pub gamma: [f32; N],
    /// Learned shift per feature (starts at 0; PyTorch's `bias`).
    pub beta: [f32; N],
    /// Added to the variance before the square root (default 1e-5).
    pub eps: f32,
}

// SAFETY: only f32 fields; all-zero bits are valid.
unsafe impl<const N: usize> Zeroable for LayerNorm<N> {}
// SAFETY: `repr(C)` of f32s: no padding, any bit pattern is valid.
unsafe impl<const N: usize> Plain for LayerNorm<N> {}
// SAFETY: `repr(C)` of f32 arrays and an f32: no padding, any bits are valid.
unsafe impl<const N: usize> bytemuck::Pod for LayerNorm<N> {}

impl<const N: usize> LayerNorm<N> {
    /// γ = 1, β = 0, ε = 1e-5 (PyTorch's defaults).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::LayerNorm::<2>::new().gamma, [1.0; 2]);
    /// ```
    pub const fn new() -> Self {
        Self {
            gamma: [1.0; N],
            beta: [0.0; N],
            eps: 1e-5,
        }
    }

    /// The sample's mean and `1/σ`.
    fn statistics(&self, x: &[f32; N]) -> (f32, f32) {
        let mean = x.iter().sum::<f32>() / N as f32;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / N as f32;
        (mean, 1.0 / nn_kernels::math::sqrt(var + self.eps))
    }

    fn normalize(&self, x: &[f32; N], y: &mut [f32; N]) -> f32 {
        let (mean, inv_std) = self.statistics(x);
        for i in 0..N {
            y[i] = (x[i] - mean) * inv_std * self.gamma[i] + self.beta[i];
        }
        inv_std
    }
}

impl<const N: usize> Default for LayerNorm<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Forward<[f32; N]> for LayerNorm<N> {
    type Out = [f32; N];
    fn forward_into(&self, x: &[f32; N], y: &mut [f32; N]) {
        self.normalize(x, y);
    }
}

impl<const N: usize> Layer<[f32; N]> for LayerNorm<N> {
    /// Each sample's `1/σ`.
    type Cache<const B: usize> = [f32; B];
    const NUM_PARAMS: usize = 2 * N;
    const TORCH: &'static [TorchTensor] = &[
        TorchTensor::new("weight", 0, &[N]),
        TorchTensor::new("bias", N, &[N]),
    ];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[f32; N]; B],
        y: &mut [[f32; N]; B],
        inv_std: &mut [f32; B],
        _: &mut Context,
    ) {
        for ((x, y), s) in x.iter().zip(y.iter_mut()).zip(inv_std) {
            *s = self.normalize(x, y);
        }
    }

    fn backward<const B: usize>(
        &self,
        x: &[[f32; N]; B],
        _y: &[[f32; N]; B],
        dy: &[[f32; N]; B],
        inv_std: &mut [f32; B],
        mut dx: Option<&mut [[f32; N]; B]>,
        grad: &mut [f32],
        _: &mut Context,
    ) {
        let (dgamma, dbeta) = grad.split_at_mut(N);
        dgamma.fill(0.0);
        dbeta.fill(0.0);
        for b in 0..B {
            let mean = x[b].iter().sum::<f32>() / N as f32;
            let s = inv_std[b];
            // With x̂ = (x − μ)/σ and g = γ·dy:
            //   dx = (g − mean(g) − x̂·mean(g·x̂)) / σ.
            let (mut mean_g, mut mean_gx) = (0.0f32, 0.0f32);
            for i in 0..N {
                let xhat = (x[b][i] - mean) * s;
                dgamma[i] += dy[b][i] * xhat;
                dbeta[i] += dy[b][i];
                let g = self.gamma[i] * dy[b][i];
                mean_g += g;
                mean_gx += g * xhat;
            }
            let Some(dx) = dx.as_deref_mut() else {
                continue;
            };
            let (mean_g, mean_gx) = (mean_g / N as f32, mean_gx / N as f32);
            for i in 0..N {
                let xhat = (x[b][i] - mean) * s;
                dx[b][i] = s * (self.gamma[i] * dy[b][i] - mean_g - xhat * mean_gx);
            }
        }
    }

    fn params(&self) -> &[f32] {
        &bytemuck::cast_slice(from_ref(self))[..2 * N]
    }

    fn params_mut(&mut self) -> &mut [f32] {
        &mut bytemuck::cast_slice_mut(from_mut(self))[..2 * N]
    }

    /// γ = 1, β = 0; `init` is not used (as PyTorch's `reset_parameters`).
    fn init_params<R: rand::Rng + ?Sized>(&mut self, _: Init, _: &mut R) {
        *self = Self {
            eps: self.eps,
            ..Self::new()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Mode;
    use crate::train::gradcheck::check_layer;

    #[test]
    fn gradients_match_finite_differences() {
        let mut ln = LayerNorm::<6>::new();
        ln.gamma = [0.5, -1.0, 2.0, 1.5, 0.25, 1.0];
        ln.beta = [0.1, 0.0, -0.3, 0.2, 0.0, 0.5];
        check_layer::<[f32; 6], _, 3>(ln, Mode::Train, &[], 4);
    }

    #[test]
    fn each_sample_is_standardized_on_its_own() {
        let ln = LayerNorm::<4>::new();
        for x in [[1.0, 2.0, 3.0, 4.0], [100.0, -50.0, 0.0, 7.0]] {
            let y = ln.forward(&x);
            let mean = y.iter().sum::<f32>() / 4.0;
            let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / 4.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
                "{mean} {var}"
            );
        }
    }
}
