//! The perceptron criterion.
use super::Loss;

/// The perceptron criterion, `(1/N) Σ max(0, −t·z)` for targets `t = ±1`
/// on pre-activations `z`. Its gradient is `−t` on every output that a
/// Heaviside step would misclassify (`z ≥ 0` predicts `+1`, as
/// [`crate::layers::BinaryStep`] does) and `0` elsewhere, so SGD with batch 1
/// on a `Linear` layer is Rosenblatt's rule `w ← w + η·t·x` on mistakes.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::loss::Perceptron;
/// let mut dz = [0.0; 2];
/// // The first output is right (z > 0, t = +1), the second wrong (z ≥ 0, t = −1).
/// let l = Perceptron.loss_grad(&[2.0, 0.5], &[1.0, -1.0], Some(&mut dz));
/// assert_eq!((l, dz), (0.25, [0.0, 0.5]));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Perceptron;

impl<const N: usize> Loss<N, [f32; N]> for Perceptron {
    fn loss_grad(&self, z: &[f32; N], t: &[f32; N], dz: Option<&mut [f32; N]>) -> f32 {
        let inv_n = 1.0 / N as f32;
        let wrong = |z: f32, t: f32| (z >= 0.0) != (t > 0.0);
        if let Some(dz) = dz {
            for ((d, &z), &t) in dz.iter_mut().zip(z).zip(t) {
                *d = if wrong(z, t) { -t * inv_n } else { 0.0 };
            }
        }
        z.iter()
            .zip(t)
            .map(|(&z, &t)| (-t * z).max(0.0))
            .sum::<f32>()
            * inv_n
    }
}
