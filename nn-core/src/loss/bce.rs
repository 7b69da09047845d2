//! Binary cross-entropy on logits.
use super::Loss;
use nn_kernels::activation::sigmoid_scalar;

/// Binary cross-entropy, averaged over the outputs, computed from logits:
/// `softplus(z) − t·z`, which never takes `log(0)` (PyTorch's
/// `BCEWithLogitsLoss`). On a network ending in `Sigmoid` it reads the
/// sigmoid's input; otherwise the output itself is taken as logits.
/// Targets are probabilities in `[0, 1]`.
///
/// ```
/// use nn_core::prelude::*;
/// let l = Bce.loss_grad(&[0.0], &[1.0], None);
/// assert!((l - core::f32::consts::LN_2).abs() < 1e-6);
/// assert!(Bce.loss_grad(&[-200.0], &[1.0], None).is_finite());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Bce;

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f32) -> f32 {
    z.max(0.0) + libm::log1pf(libm::expf(-z.abs()))
}

impl<const N: usize> Loss<N, [f32; N]> for Bce {
    fn loss_grad(&self, z: &[f32; N], t: &[f32; N], dz: Option<&mut [f32; N]>) -> f32 {
        let inv_n = 1.0 / N as f32;
        if let Some(dz) = dz {
            dz.iter_mut()
                .zip(z)
                .zip(t)
                .for_each(|((d, &z), t)| *d = (sigmoid_scalar(z) - t) * inv_n);
        }
        z.iter()
            .zip(t)
            .map(|(&z, t)| softplus(z) - t * z)
            .sum::<f32>()
            * inv_n
    }

    fn loss_grad_sigmoid(
        &self,
        z: &[f32; N],
        _y: &[f32; N],
        t: &[f32; N],
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        self.loss_grad(z, t, dz)
    }
}
