//! What a trainer does around a step's gradient: weight penalties (L1, L2 —
//! on weights, not biases, as the course notes say), gradient clipping (by
//! value, by global norm) and noise on the weights the gradient is taken at.
//! All zero is off, which is what a freshly built trainer has.
//!
//! ```
//! use nn_core::train::regularize::Regularization;
//! let r = Regularization { clip_norm: 1.0, ..Default::default() };
//! let (w, mut g) = ([0.0f32; 2], [3.0f32, 4.0]);
//! r.apply(&mut [(&w[..], &mut g[..], 2)]);
//! assert_eq!(g, [0.6, 0.8]); // rescaled to norm 1
//! ```
use crate::mem::Zeroable;
use nn_kernels::reduce::dot;
use nn_kernels::update::scale;

/// Penalties and clipping, applied in that order: the penalties' gradients
/// join the data gradient, then the total is clipped.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Regularization {
    /// L1 penalty `λ1 Σ|w|` on weights: adds `λ1·sign(w)` to their gradient.
    pub l1: f32,
    /// L2 penalty `(λ2/2) Σ w²` on weights: adds `λ2·w` to their gradient.
    pub l2: f32,
    /// Clip every gradient component to `[−clip_value, clip_value]` (0: off).
    pub clip_value: f32,
    /// Rescale all gradients together so their joint L2 norm is at most
    /// `clip_norm` (0: off).
    pub clip_norm: f32,
    /// Standard deviation σ of the course notes' noise injection into
    /// weights (0: off). Each training step evaluates its gradient at
    /// weights `w + ε`, `ε ~ N(0, σ²)` fresh per weight and step (biases are
    /// left alone), then removes the noise and updates the clean weights
    /// with that gradient, which favours minima where small weight changes
    /// cost little. The noise is drawn with [`perturb_weights`] from the
    /// step's random stream, so it is seeded and reproducible, and removing
    /// it regenerates it instead of storing it: no memory, no allocation.
    pub weight_noise: f32,
}

// SAFETY: five f32s; all zero means "off".
unsafe impl Zeroable for Regularization {}

impl Regularization {
    /// Whether anything is switched on.
    ///
    /// ```
    /// assert!(!nn_core::train::regularize::Regularization::default().is_active());
    /// ```
    pub fn is_active(&self) -> bool {
        *self != Self::default()
    }

    /// Applies penalties and clipping to `(params, grads, weights)` triples,
    /// where the first `weights` entries of each tensor are weights (the rest,
    /// biases, get no penalty).
    ///
    /// ```
    /// use nn_core::train::regularize::Regularization;
    /// let r = Regularization { l2: 0.5, ..Default::default() };
    /// let (p, mut g) = ([2.0f32, 2.0], [0.0f32, 0.0]);
    /// r.apply(&mut [(&p[..], &mut g[..], 1)]); // one weight, one bias
    /// assert_eq!(g, [1.0, 0.0]);
    /// ```
    pub fn apply(&self, tensors: &mut [(&[f32], &mut [f32], usize)]) {
        if self.l1 != 0.0 || self.l2 != 0.0 {
            for (p, g, weights) in tensors.iter_mut() {
                for (g, &w) in g[..*weights].iter_mut().zip(&p[..*weights]) {
                    let sign = if w > 0.0 {
                        1.0
                    } else if w < 0.0 {
                        -1.0
                    } else {
                        0.0
                    };
                    *g += self.l1 * sign + self.l2 * w;
                }
            }
        }
        if self.clip_value > 0.0 {
            let c = self.clip_value;
            tensors
                .iter_mut()
                .for_each(|(_, g, _)| g.iter_mut().for_each(|v| *v = v.clamp(-c, c)));
        }
        if self.clip_norm > 0.0 {
            let norm = nn_kernels::math::sqrt(tensors.iter().map(|(_, g, _)| dot(g, g)).sum());
            if norm > self.clip_norm {
                let s = self.clip_norm / norm;
                tensors.iter_mut().for_each(|(_, g, _)| scale(s, g));
            }
        }
    }
}

/// Adds `sigma · z` to the first `weights` entries of each `(tensor,
/// weights)` pair, in order, with `z` standard normal draws from a
/// [`TrainRng`](crate::rng::TrainRng) seeded with `seed`: the perturbation
/// behind [`Regularization::weight_noise`]. The same call with `-sigma`
/// subtracts the identical noise, restoring every weight up to one rounding
/// of `w + σz`.
///
/// ```
/// use nn_core::train::regularize::perturb_weights;
/// let mut w = [1.0f32, 2.0, 3.0];
/// perturb_weights(&mut [(&mut w[..], 2)], 0.1, 7); // two weights, one bias
/// assert!(w[0] != 1.0 && w[1] != 2.0 && w[2] == 3.0);
/// perturb_weights(&mut [(&mut w[..], 2)], -0.1, 7);
/// assert!((w[0] - 1.0).abs() < 1e-6 && (w[1] - 2.0).abs() < 1e-6);
/// ```
pub fn perturb_weights(tensors: &mut [(&mut [f32], usize)], sigma: f32, seed: u64) {
    use rand::SeedableRng;
    let rng = &mut crate::rng::TrainRng::seed_from_u64(seed);
    for (tensor, weights) in tensors.iter_mut() {
        for w in &mut tensor[..*weights] {
            let z: f32 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng);
            *w += sigma * z;
        }
    }
}

/// The seed of the weight noise of training step `step` of a trainer built
/// with `seed`: a stream of its own, so turning the noise on leaves the
/// dropout masks unchanged.
///
/// ```
/// use nn_core::train::regularize::weight_noise_seed;
/// assert_ne!(weight_noise_seed(1, 0), weight_noise_seed(1, 1));
/// assert_ne!(weight_noise_seed(1, 0), weight_noise_seed(2, 0));
/// ```
pub const fn weight_noise_seed(seed: u64, step: u64) -> u64 {
    // Distinct odd constants from the dropout stream's; `TrainRng`'s
    // SplitMix64 seeding scrambles the result.
    seed.rotate_left(29) ^ step.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ 0x6a09_e667_f3bc_c909
}

/// The parameter-sharing penalty of the course notes (§11.3),
/// `Ω(θ, θ_ref) = (strength/2) · ‖θ − θ_ref‖²`, which pulls a network
/// toward reference parameters (fine-tuning that stays near pre-trained
/// weights, or two models kept alike): adds its gradient `strength · (θ −
/// θ_ref)` to `grads`, for every parameter (weights and biases).
///
/// # Panics
/// If the slices' lengths differ.
///
/// ```
/// use nn_core::train::regularize::pull_toward;
/// let mut g = [0.0f32, 1.0];
/// pull_toward(&[2.0, 0.0], &[1.0, 0.0], 0.5, &mut g);
/// assert_eq!(g, [0.5, 1.0]);
/// ```
pub fn pull_toward(params: &[f32], reference: &[f32], strength: f32, grads: &mut [f32]) {
    assert!(
        params.len() == reference.len() && params.len() == grads.len(),
        "one reference value and one gradient per parameter"
    );
    for ((g, &p), &r) in grads.iter_mut().zip(params).zip(reference) {
        *g += strength * (p - r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalties_reach_weights_only_then_clipping_bounds_the_total() {
        let p = [[1.0f32, -2.0, 0.0, 5.0], [3.0, -1.0, 0.0, 0.0]];
        let g0 = [[0.5f32, 0.5, 0.5, 0.5], [-1.0, 2.0, 0.0, 9.0]];
        let r = Regularization {
            l1: 0.1,
            l2: 0.2,
            ..Default::default()
        };
        let mut g = g0;
        let [g_a, g_b] = &mut g;
        r.apply(&mut [(&p[0][..], &mut g_a[..], 3), (&p[1][..], &mut g_b[..], 2)]);
        let expected = [
            [0.5 + 0.1 + 0.2, 0.5 - 0.1 - 0.4, 0.5, 0.5],
            [-1.0 + 0.1 + 0.6, 2.0 - 0.1 - 0.2, 0.0, 9.0],
        ];
        for (row, e) in g.iter().zip(&expected) {
            for (a, b) in row.iter().zip(e) {
                assert!((a - b).abs() < 1e-6, "{g:?} vs {expected:?}");
            }
        }

        let r = Regularization {
            clip_value: 1.0,
            ..Default::default()
        };
        let mut g = g0;
        let [g_a, g_b] = &mut g;
        r.apply(&mut [(&p[0][..], &mut g_a[..], 4), (&p[1][..], &mut g_b[..], 4)]);
        assert_eq!(g, [[0.5; 4], [-1.0, 1.0, 0.0, 1.0]]);

        let r = Regularization {
            clip_norm: 2.0,
            ..Default::default()
        };
        let mut g = g0;
        let [g_a, g_b] = &mut g;
        r.apply(&mut [(&p[0][..], &mut g_a[..], 4), (&p[1][..], &mut g_b[..], 4)]);
        let norm: f32 = g.as_flattened().iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 2.0).abs() < 1e-5, "joint norm {norm}");
        let ratio = g[1][3] / g0[1][3];
        assert!(
            g.as_flattened()
                .iter()
                .zip(g0.as_flattened())
                .all(|(a, b)| (a - b * ratio).abs() < 1e-6)
        );
    }

    #[test]
    fn a_small_gradient_is_not_rescaled() {
        let r = Regularization {
            clip_norm: 10.0,
            ..Default::default()
        };
        let mut g = [3.0f32, 4.0];
        r.apply(&mut [(&[0.0, 0.0][..], &mut g[..], 2)]);
        assert_eq!(g, [3.0, 4.0]);
    }
}
