//! Categorical cross-entropy fused with softmax.
use super::Loss;
use nn_kernels::softmax::{log_sum_exp, softmax};

/// Categorical cross-entropy over softmax probabilities, always computed
/// from logits: `−Σ t_k log p_k = Σ t_k (lse(z) − z_k)`, gradient
/// `p · Σt − t`. On a network ending in `Softmax` it reads the softmax input
/// and reuses its output; otherwise the output is taken as logits (PyTorch's
/// `CrossEntropyLoss`). Targets are a class index or a distribution.
///
/// ```
/// use nn_core::prelude::*;
/// let mut dz = [0.0; 2];
/// let l = CrossEntropy.loss_grad(&[0.0, 0.0], &1usize, Some(&mut dz));
/// assert!((l - core::f32::consts::LN_2).abs() < 1e-6);
/// assert_eq!(dz, [0.5, -0.5]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CrossEntropy;

/// The shared fused computation; `target(k)` is the target mass on class `k`
/// and `probs`, when known, is `softmax(z)`.
fn fused<const N: usize>(
    z: &[f32; N],
    probs: Option<&[f32; N]>,
    target: impl Fn(usize) -> f32,
    dz: Option<&mut [f32; N]>,
) -> f32 {
    let lse = log_sum_exp(z);
    let mut loss = 0.0;
    let mut mass = 0.0;
    for (k, &zk) in z.iter().enumerate() {
        let tk = target(k);
        if tk != 0.0 {
            loss += tk * (lse - zk);
            mass += tk;
        }
    }
    if let Some(dz) = dz {
        match probs {
            Some(p) => dz.copy_from_slice(p),
            None => softmax(z, dz),
        }
        dz.iter_mut()
            .enumerate()
            .for_each(|(k, d)| *d = *d * mass - target(k));
    }
    loss
}

/// Class-index targets.
///
/// # Panics
/// If the class index is `>= N`.
impl<const N: usize> Loss<N, usize> for CrossEntropy {
    fn loss_grad(&self, z: &[f32; N], t: &usize, dz: Option<&mut [f32; N]>) -> f32 {
        assert!(*t < N, "class index {t} out of range for {N} classes");
        fused(z, None, |k| (k == *t) as u8 as f32, dz)
    }

    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &usize,
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        assert!(*t < N, "class index {t} out of range for {N} classes");
        fused(z, Some(y), |k| (k == *t) as u8 as f32, dz)
    }
}

/// Distribution (e.g. one-hot or smoothed) targets.
impl<const N: usize> Loss<N, [f32; N]> for CrossEntropy {
    fn loss_grad(&self, z: &[f32; N], t: &[f32; N], dz: Option<&mut [f32; N]>) -> f32 {
        fused(z, None, |k| t[k], dz)
    }

    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &[f32; N],
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        fused(z, Some(y), |k| t[k], dz)
    }
}
