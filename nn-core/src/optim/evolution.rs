//! A gradient-free optimizer: the (μ/μ, λ) evolution strategy.
use crate::rng::TrainRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

/// The (μ/μ_I, λ) evolution strategy with self-adaptive mutation strength
/// (Beyer & Schwefel, "Evolution strategies: a comprehensive introduction",
/// 2002), one of the gradient-free ways to a minimum the course notes list.
/// Each generation draws `LAMBDA` offspring around the parent `m`, each
/// with its own strength `σₖ = σ · e^{τ·N(0,1)}` (`τ = 1/√(2N)`) and
/// position `xₖ = m + σₖ · N(0, I)`; the `MU` best by `f` (lowest) are
/// averaged into the next parent and the next `σ` (geometrically). Only
/// `f` is evaluated: it works where no gradient exists (a `BinaryStep`
/// network, a non-differentiable score).
///
/// Its memory is `LAMBDA · N` offspring values, fixed at compile time;
/// runs are seeded and deterministic.
///
/// ```
/// use nn_core::optim::EvolutionStrategy;
/// // Minimize a shifted bowl in 5 dimensions.
/// let f = |t: &[f32; 5]| t.iter().map(|v| ((v - 1.0) * (v - 1.0)) as f64).sum::<f64>();
/// let mut es = EvolutionStrategy::<5, 3, 12>::new([0.0; 5], 1.0, 7);
/// for _ in 0..300 {
///     es.generation(f);
/// }
/// assert!(f(es.parent()) < 1e-6);
/// ```
pub struct EvolutionStrategy<const N: usize, const MU: usize, const LAMBDA: usize> {
    parent: [f32; N],
    sigma: f64,
    offspring: [[f32; N]; LAMBDA],
    strengths: [f64; LAMBDA],
    rng: TrainRng,
}

/// What one [`EvolutionStrategy::generation`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Generation {
    /// The lowest `f` among the offspring.
    pub best: f64,
    /// The mean `f` of the `MU` selected.
    pub selected_mean: f64,
    /// The mutation strength for the next generation.
    pub sigma: f64,
}

impl<const N: usize, const MU: usize, const LAMBDA: usize> EvolutionStrategy<N, MU, LAMBDA> {
    /// A search from `start` with mutation strength `sigma`, seeded.
    ///
    /// # Panics
    /// Unless `0 < MU < LAMBDA` (selection needs more offspring than
    /// parents; checked at compile time) and `sigma` is positive.
    ///
    /// ```
    /// let es = nn_core::optim::EvolutionStrategy::<2, 1, 4>::new([1.0, 2.0], 0.5, 1);
    /// assert_eq!((*es.parent(), es.sigma()), ([1.0, 2.0], 0.5));
    /// ```
    pub fn new(start: [f32; N], sigma: f64, seed: u64) -> Self {
        const { assert!(0 < MU && MU < LAMBDA, "the (μ/μ, λ)-ES needs 0 < μ < λ") };
        assert!(
            sigma > 0.0 && sigma.is_finite(),
            "a mutation strength is positive"
        );
        Self {
            parent: start,
            sigma,
            offspring: [[0.0; N]; LAMBDA],
            strengths: [0.0; LAMBDA],
            rng: TrainRng::seed_from_u64(seed),
        }
    }

    /// The current parent: the search's estimate of the minimum.
    pub fn parent(&self) -> &[f32; N] {
        &self.parent
    }

    /// The current mutation strength.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// One generation: `LAMBDA` evaluations of `f`, selection of the best
    /// `MU`, recombination into the next parent and strength. Offspring
    /// whose `f` is NaN rank last.
    ///
    /// ```
    /// use nn_core::optim::EvolutionStrategy;
    /// let mut es = EvolutionStrategy::<1, 2, 8>::new([5.0], 1.0, 3);
    /// let g = es.generation(|t| (t[0] * t[0]) as f64);
    /// assert!(g.best <= g.selected_mean);
    /// ```
    pub fn generation(&mut self, mut f: impl FnMut(&[f32; N]) -> f64) -> Generation {
        let tau = 1.0 / libm::sqrt(2.0 * N as f64);
        let mut scores = [(0.0f64, 0usize); LAMBDA];
        for (k, entry) in scores.iter_mut().enumerate() {
            let normal: f64 = self.rng.sample(StandardNormal);
            let sigma = self.sigma * libm::exp(tau * normal);
            for (x, &m) in self.offspring[k].iter_mut().zip(&self.parent) {
                let z: f64 = self.rng.sample(StandardNormal);
                *x = (m as f64 + sigma * z) as f32;
            }
            self.strengths[k] = sigma;
            let score = f(&self.offspring[k]);
            *entry = (if score.is_nan() { f64::INFINITY } else { score }, k);
        }
        scores.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let selected = &scores[..MU];
        let mut mean = [0.0f64; N];
        let mut log_sigma = 0.0;
        for &(_, k) in selected {
            mean.iter_mut()
                .zip(&self.offspring[k])
                .for_each(|(m, &x)| *m += x as f64 / MU as f64);
            log_sigma += libm::log(self.strengths[k]) / MU as f64;
        }
        self.parent = mean.map(|m| m as f32);
        self.sigma = libm::exp(log_sigma);
        Generation {
            best: scores[0].0,
            selected_mean: selected.iter().map(|s| s.0).sum::<f64>() / MU as f64,
            sigma: self.sigma,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley: curved and badly scaled, minimum 0 at (1, 1).
    fn rosenbrock(t: &[f32; 2]) -> f64 {
        let (x, y) = (t[0] as f64, t[1] as f64);
        100.0 * (y - x * x) * (y - x * x) + (1.0 - x) * (1.0 - x)
    }

    #[test]
    fn the_strategy_descends_rosenbrocks_valley_deterministically() {
        let run = || {
            let mut es = EvolutionStrategy::<2, 3, 12>::new([-1.2, 1.0], 0.5, 11);
            let start = rosenbrock(es.parent());
            for _ in 0..2000 {
                es.generation(rosenbrock);
            }
            (start, rosenbrock(es.parent()), *es.parent())
        };
        let (start, end, theta) = run();
        // Isotropic mutations crawl along the curved valley: slow, but down.
        assert!(end < 1e-3 * start, "{start} -> {end} at {theta:?}");
        assert_eq!(run().2, theta, "same seed, same search");
    }

    #[test]
    fn nan_scores_rank_last() {
        let mut es = EvolutionStrategy::<1, 1, 4>::new([0.0], 1.0, 2);
        // Only positive x are defined; the parent moves to the defined side.
        for _ in 0..20 {
            es.generation(|t| {
                if t[0] > 0.0 {
                    (t[0] - 2.0).abs() as f64
                } else {
                    f64::NAN
                }
            });
        }
        assert!(es.parent()[0] > 0.0);
    }
}
