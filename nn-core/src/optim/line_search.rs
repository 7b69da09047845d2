//! Full-batch gradient descent with a backtracking (Armijo) line search.
use super::second_order::{Objective, StepReport};

/// Gradient descent whose step length is chosen by a line search each
/// iteration, as the course notes suggest ("the learning rate could be
/// calculated using line search"): from `α = initial` (or, with `warm`,
/// twice the last accepted step), `α ← shrink · α` until the Armijo
/// sufficient-decrease condition
/// `f(θ − α∇f) ≤ f(θ) − c · α · ‖∇f‖²` holds, then `θ ← θ − α∇f`. No
/// learning rate to tune; each accepted step lowers the loss.
///
/// Its memory is `2·N` values, fixed at compile time.
///
/// ```
/// use nn_core::optim::{LineSearchGd, Objective};
/// struct Valley;
/// impl Objective<2> for Valley {
///     fn loss_grad(&mut self, t: &[f32; 2], g: &mut [f32; 2]) -> f64 {
///         (g[0], g[1]) = (2.0 * t[0], 20.0 * t[1]);
///         (t[0] * t[0] + 10.0 * t[1] * t[1]) as f64
///     }
/// }
/// let (mut theta, mut gd) = ([3.0f32, 1.0], LineSearchGd::<2>::new());
/// for _ in 0..100 {
///     assert!(gd.step(&mut theta, &mut Valley).accepted);
/// }
/// assert!(theta[0].abs() < 1e-3 && theta[1].abs() < 1e-3);
/// ```
#[derive(Clone, Debug)]
pub struct LineSearchGd<const N: usize> {
    /// The first trial step length (1.0).
    pub initial: f64,
    /// The factor a rejected step length is multiplied by (0.5).
    pub shrink: f64,
    /// The sufficient-decrease constant `c` (1e-4).
    pub c: f64,
    /// Trial step lengths per search (50).
    pub max_trials: usize,
    /// Start each search from twice the last accepted step rather than
    /// `initial` (false).
    pub warm: bool,
    last: f64,
    grad: [f32; N],
    trial: [f32; N],
}

impl<const N: usize> Default for LineSearchGd<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> LineSearchGd<N> {
    /// Backtracking from `α = 1` by halves, `c = 1e-4`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::LineSearchGd::<3>::new().shrink, 0.5);
    /// ```
    pub fn new() -> Self {
        Self {
            initial: 1.0,
            shrink: 0.5,
            c: 1e-4,
            max_trials: 50,
            warm: false,
            last: 0.0,
            grad: [0.0; N],
            trial: [0.0; N],
        }
    }

    /// One step from `θ`. Returns the losses before and after and, as
    /// `lambda`, the accepted step length `α`; if no trial length gives
    /// sufficient decrease (a stationary point, or `max_trials` too few),
    /// `θ` stays put and `accepted` is false.
    ///
    /// ```
    /// use nn_core::optim::{LineSearchGd, Objective};
    /// struct Bowl;
    /// impl Objective<1> for Bowl {
    ///     fn loss_grad(&mut self, t: &[f32; 1], g: &mut [f32; 1]) -> f64 {
    ///         g[0] = 2.0 * (t[0] - 3.0);
    ///         ((t[0] - 3.0) * (t[0] - 3.0)) as f64
    ///     }
    /// }
    /// let mut theta = [0.0f32];
    /// let r = LineSearchGd::<1>::new().step(&mut theta, &mut Bowl);
    /// // α = 1 overshoots to 6 (no decrease); α = 0.5 lands on the minimum.
    /// assert_eq!((r.lambda, theta), (0.5, [3.0]));
    /// ```
    pub fn step(&mut self, theta: &mut [f32; N], objective: &mut impl Objective<N>) -> StepReport {
        let loss = objective.loss_grad(theta, &mut self.grad);
        let squared: f64 = self.grad.iter().map(|&g| g as f64 * g as f64).sum();
        let mut alpha = if self.warm && self.last > 0.0 {
            2.0 * self.last
        } else {
            self.initial
        };
        for _ in 0..self.max_trials {
            for ((t, &th), &g) in self.trial.iter_mut().zip(theta.iter()).zip(&self.grad) {
                *t = (th as f64 - alpha * g as f64) as f32;
            }
            let trial_loss = objective.loss(&self.trial);
            // Strictly lower, too: in rounding, a step too small to move θ
            // would otherwise pass as "sufficient decrease".
            if trial_loss <= loss - self.c * alpha * squared && trial_loss < loss {
                *theta = self.trial;
                self.last = alpha;
                return StepReport {
                    loss_before: loss,
                    loss_after: trial_loss,
                    lambda: alpha,
                    accepted: true,
                };
            }
            alpha *= self.shrink;
        }
        StepReport {
            loss_before: loss,
            loss_after: loss,
            lambda: 0.0,
            accepted: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(θ) = Σ aᵢθᵢ²/2 + bᵢθᵢ`, computed in f64 from f32 parameters.
    struct Quadratic;
    const A: [f64; 3] = [1.0, 4.0, 0.25];
    const B: [f64; 3] = [0.5, -1.0, 0.2];

    impl Objective<3> for Quadratic {
        fn loss_grad(&mut self, t: &[f32; 3], g: &mut [f32; 3]) -> f64 {
            let mut f = 0.0;
            for i in 0..3 {
                let x = t[i] as f64;
                g[i] = (A[i] * x + B[i]) as f32;
                f += A[i] * x * x / 2.0 + B[i] * x;
            }
            f
        }
    }

    /// The textbook backtracking search, written out independently in f64.
    fn reference_alpha(theta: [f64; 3]) -> f64 {
        let f = |t: [f64; 3]| {
            (0..3)
                .map(|i| A[i] * t[i] * t[i] / 2.0 + B[i] * t[i])
                .sum::<f64>()
        };
        let g: [f64; 3] = core::array::from_fn(|i| A[i] * theta[i] + B[i]);
        let gg: f64 = g.iter().map(|g| g * g).sum();
        let mut alpha = 1.0;
        while f(core::array::from_fn(|i| theta[i] - alpha * g[i])) > f(theta) - 1e-4 * alpha * gg {
            alpha *= 0.5;
        }
        alpha
    }

    #[test]
    fn steps_follow_the_armijo_rule_and_lower_the_loss() {
        let (mut theta, mut gd) = ([2.0f32, -1.0, 3.0], LineSearchGd::<3>::new());
        for _ in 0..20 {
            let expected = reference_alpha(theta.map(|t| t as f64));
            let r = gd.step(&mut theta, &mut Quadratic);
            assert!(r.accepted && r.loss_after < r.loss_before, "{r:?}");
            assert_eq!(r.lambda, expected);
        }
        // On to convergence, until rounding leaves no step that lowers f.
        while gd.step(&mut theta, &mut Quadratic).accepted {}
        // The minimum is θ = −b/a.
        for i in 0..3 {
            assert!((theta[i] as f64 + B[i] / A[i]).abs() < 1e-3, "{theta:?}");
        }
    }

    #[test]
    fn a_stationary_point_takes_no_step() {
        let mut theta = [-0.5f32, 0.25, -0.8];
        let r = LineSearchGd::<3>::new().step(&mut theta, &mut Quadratic);
        assert!(!r.accepted);
        assert_eq!(theta, [-0.5, 0.25, -0.8]);
    }
}
