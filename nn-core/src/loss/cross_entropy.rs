//! Categorical cross-entropy fused with softmax.
use super::Loss;
use nn_kernels::softmax::{max_and_log_sum_exp, softmax};

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
pub(super) fn fused<const N: usize>(
    z: &[f32; N],
    probs: Option<&[f32; N]>,
    target: impl Fn(usize) -> f32,
    dz: Option<&mut [f32; N]>,
) -> f32 {
    // lse − z_k as (m − z_k) + ln Σ e^{z−m}: no cancellation of large logits.
    let (m, ln_sum) = max_and_log_sum_exp(z);
    let mut loss = 0.0;
    let mut mass = 0.0;
    for (k, &zk) in z.iter().enumerate() {
        let tk = target(k);
        if tk != 0.0 {
            loss += tk * ((m - zk) + ln_sum);
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
/// (Plain cross-entropy is label smoothing with `ε = 0`.)
impl<const N: usize> Loss<N, usize> for CrossEntropy {
    fn loss_grad(&self, z: &[f32; N], t: &usize, dz: Option<&mut [f32; N]>) -> f32 {
        SmoothedCrossEntropy { epsilon: 0.0 }.loss_grad(z, t, dz)
    }

    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &usize,
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        SmoothedCrossEntropy { epsilon: 0.0 }.loss_grad_softmax(z, y, t, dz)
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

/// Cross-entropy against smoothed class targets (the course notes' "noisy
/// outputs"): class `t` gets `1 − ε + ε/N`, every other class `ε/N`, which
/// keeps the network from driving its logits to extremes. Fused with a final
/// `Softmax` like [`CrossEntropy`].
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::loss::SmoothedCrossEntropy;
/// let z = [1.0, 2.0, 0.5];
/// let smooth = SmoothedCrossEntropy { epsilon: 0.3 };
/// let as_distribution = [0.1, 0.8, 0.1]; // class 1 with ε = 0.3 over 3 classes
/// let a = smooth.loss_grad(&z, &1usize, None);
/// let b = CrossEntropy.loss_grad(&z, &as_distribution, None);
/// assert!((a - b).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SmoothedCrossEntropy {
    /// The probability mass `ε` spread evenly over all classes.
    pub epsilon: f32,
}

impl SmoothedCrossEntropy {
    fn target<const N: usize>(&self, t: usize) -> impl Fn(usize) -> f32 {
        assert!(t < N, "class index {t} out of range for {N} classes");
        let (off, on) = (
            self.epsilon / N as f32,
            1.0 - self.epsilon + self.epsilon / N as f32,
        );
        move |k| if k == t { on } else { off }
    }
}

impl<const N: usize> Loss<N, usize> for SmoothedCrossEntropy {
    fn loss_grad(&self, z: &[f32; N], t: &usize, dz: Option<&mut [f32; N]>) -> f32 {
        fused(z, None, self.target::<N>(*t), dz)
    }

    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &usize,
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        fused(z, Some(y), self.target::<N>(*t), dz)
    }
}
