//! Kullback–Leibler divergence, PyTorch's `KLDivLoss`.
use super::Loss;
use super::cross_entropy::fused;
use crate::metrics::entropy;

/// The Kullback–Leibler divergence of the network's distribution from the
/// target distribution `t`: `KL(t ‖ p) = Σ_k t_k (ln t_k − ln p_k)`, with
/// `0 · ln 0 = 0`. As PyTorch's `KLDivLoss`, the output is read in log
/// space (`y = ln p`, gradient `−t`) and per sample the terms are summed, so
/// the trainers' average over the batch is `reduction="batchmean"`.
///
/// On a network ending in `Softmax` it reads the softmax's input `z` and
/// takes `ln p = z − lse(z)`, PyTorch's `kl_div(log_softmax(z), t,
/// reduction="batchmean")`: then `KL(t ‖ p) = Σ t ln t + cross-entropy`,
/// with gradient `p · Σt − t`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::loss::KlDiv;
/// let t = [0.25, 0.75];
/// // Log-probabilities equal to the target's: no divergence.
/// let same = KlDiv.loss_grad(&[0.25f32.ln(), 0.75f32.ln()], &t, None);
/// assert!(same.abs() < 1e-6);
/// let mut dy = [0.0; 2];
/// let uniform = KlDiv.loss_grad(&[0.5f32.ln(); 2], &t, Some(&mut dy));
/// assert!((uniform - (0.25 * 0.5f32.ln() + 0.75 * 1.5f32.ln())).abs() < 1e-6);
/// assert_eq!(dy, [-0.25, -0.75]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct KlDiv;

impl<const N: usize> Loss<N, [f32; N]> for KlDiv {
    fn loss_grad(&self, y: &[f32; N], t: &[f32; N], dy: Option<&mut [f32; N]>) -> f32 {
        if let Some(dy) = dy {
            dy.iter_mut().zip(t).for_each(|(d, &t)| *d = -t);
        }
        // Σ t ln t (0 · ln 0 = 0) is minus the target's entropy.
        -entropy(t) - y.iter().zip(t).map(|(y, t)| y * t).sum::<f32>()
    }

    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &[f32; N],
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        -entropy(t) + fused(z, Some(y), |k| t[k], dz)
    }
}
