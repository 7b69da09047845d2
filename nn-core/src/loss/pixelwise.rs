//! Cross-entropy at every position of an image or sequence: segmentation.
use super::Loss;
use nn_kernels::softmax::max_and_log_sum_exp;

/// Pixel-wise classification (segmentation): the output holds `C` score
/// maps (`C × P` values, `P` positions: `C × H × W` or `C × L`, flattened)
/// and the target one class per position; the loss is the cross-entropy at
/// each position averaged over the positions, `(1/P) Σ_p (lse_c z[c][p] −
/// z[t_p][p])`, with gradient `(softmax_c(z)[·][p] − onehot(t_p)) / P`.
/// Averaged over the batch as the trainers do, it is PyTorch's
/// `cross_entropy` on `N × C × H × W` scores and `N × H × W` targets. The
/// output is raw scores: end the network with a convolution, not `Softmax`
/// (which would normalize over every value, not per position).
///
/// # Panics
/// If a class index is `>= C` (and, at compile time, unless `N = C · P`).
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::loss::PixelCrossEntropy;
/// // Two classes at two positions: scores [class][position].
/// let z = [[0.0, 2.0], [0.0, 0.0]];
/// let mut dz = [0.0; 4];
/// let l = PixelCrossEntropy::<2>.loss_grad(z.as_flattened().try_into().unwrap(), &[1, 0], Some(&mut dz));
/// // Position 0: ln 2; position 1: ln(1 + e^−2).
/// assert!((l - (2f32.ln() + (1.0 + (-2f32).exp()).ln()) / 2.0).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct PixelCrossEntropy<const C: usize>;

impl<const C: usize, const N: usize, const P: usize> Loss<N, [usize; P]> for PixelCrossEntropy<C> {
    fn loss_grad(&self, z: &[f32; N], t: &[usize; P], mut dz: Option<&mut [f32; N]>) -> f32 {
        const { assert!(N == C * P, "C score maps of P positions: N = C · P") };
        let inv_p = 1.0 / P as f32;
        let mut scores = [0.0f32; C];
        let mut total = 0.0;
        for (p, &class) in t.iter().enumerate() {
            assert!(
                class < C,
                "class index {class} out of range for {C} classes"
            );
            scores
                .iter_mut()
                .enumerate()
                .for_each(|(c, s)| *s = z[c * P + p]);
            let (m, ln_sum) = max_and_log_sum_exp(&scores);
            total += (m - scores[class]) + ln_sum;
            if let Some(dz) = dz.as_deref_mut() {
                for (c, &s) in scores.iter().enumerate() {
                    let softmax = libm::expf(s - m - ln_sum);
                    dz[c * P + p] = (softmax - (c == class) as u8 as f32) * inv_p;
                }
            }
        }
        total * inv_p
    }
}
