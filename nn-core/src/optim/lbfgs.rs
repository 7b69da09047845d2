//! L-BFGS: quasi-Newton steps from the last `M` gradient changes.
use super::second_order::{Objective, StepReport};

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4/7.5) over `N`
/// parameters with a history of `M` pairs `(s, y)` = (parameter change,
/// gradient change). Each step takes the direction `−H∇f` from the
/// two-loop recursion (initial scaling `γ = sᵀy / yᵀy` of the newest pair;
/// the first step is steepest descent) and a line search from `α = 1` that
/// bisects (or doubles) `α` until the weak Wolfe conditions hold:
/// sufficient decrease `f(θ + αd) ≤ f(θ) + c₁α∇fᵀd` and curvature
/// `∇f(θ + αd)ᵀd ≥ c₂∇fᵀd`. The curvature condition makes every pair's
/// `sᵀy` positive, which keeps `H` positive definite even where the loss is
/// not convex.
///
/// Its memory is `2·M·N + O(N)` values, fixed at compile time.
///
/// ```
/// use nn_core::optim::{Lbfgs, Objective};
/// struct Rosenbrock;
/// impl Objective<2> for Rosenbrock {
///     fn loss_grad(&mut self, t: &[f32; 2], g: &mut [f32; 2]) -> f64 {
///         let (x, y) = (t[0] as f64, t[1] as f64);
///         g[0] = (-2.0 * (1.0 - x) - 400.0 * x * (y - x * x)) as f32;
///         g[1] = (200.0 * (y - x * x)) as f32;
///         (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
///     }
/// }
/// let (mut theta, mut lbfgs) = ([-1.2f32, 1.0], Lbfgs::<2, 5>::new());
/// for _ in 0..100 {
///     lbfgs.step(&mut theta, &mut Rosenbrock);
/// }
/// assert!((theta[0] - 1.0).abs() < 1e-3 && (theta[1] - 1.0).abs() < 1e-3);
/// ```
pub struct Lbfgs<const N: usize, const M: usize> {
    /// Sufficient-decrease constant (1e-4).
    pub c1: f64,
    /// Curvature constant (0.9).
    pub c2: f64,
    /// Trial step lengths per line search (50).
    pub max_trials: usize,
    s: [[f32; N]; M],
    y: [[f32; N]; M],
    rho: [f64; M],
    /// Stored pairs (≤ M) and the slot the next one goes to.
    len: usize,
    next: usize,
    grad: [f32; N],
    direction: [f64; N],
    trial: [f32; N],
    trial_grad: [f32; N],
}

impl<const N: usize, const M: usize> Default for Lbfgs<N, M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const M: usize> Lbfgs<N, M> {
    /// An empty history.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Lbfgs::<4, 3>::new().history(), 0);
    /// ```
    pub fn new() -> Self {
        Self {
            c1: 1e-4,
            c2: 0.9,
            max_trials: 50,
            s: [[0.0; N]; M],
            y: [[0.0; N]; M],
            rho: [0.0; M],
            len: 0,
            next: 0,
            grad: [0.0; N],
            direction: [0.0; N],
            trial: [0.0; N],
            trial_grad: [0.0; N],
        }
    }

    /// How many `(s, y)` pairs the next direction uses.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Lbfgs::<1, 2>::default().history(), 0);
    /// ```
    pub fn history(&self) -> usize {
        self.len
    }

    /// Forgets the history (the next step is steepest descent again).
    ///
    /// ```
    /// let mut l = nn_core::optim::Lbfgs::<1, 2>::new();
    /// l.reset();
    /// assert_eq!(l.history(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.len = 0;
        self.next = 0;
    }

    /// One step from `θ`: direction, line search, history update. Returns
    /// the losses before and after and, as `lambda`, the step length `α`;
    /// if no step length lowers the loss, `θ` stays put and the history is
    /// cleared.
    ///
    /// ```
    /// use nn_core::optim::{Lbfgs, Objective};
    /// struct Bowl;
    /// impl Objective<1> for Bowl {
    ///     fn loss_grad(&mut self, t: &[f32; 1], g: &mut [f32; 1]) -> f64 {
    ///         g[0] = 2.0 * (t[0] - 3.0);
    ///         ((t[0] - 3.0) * (t[0] - 3.0)) as f64
    ///     }
    /// }
    /// let mut theta = [0.0f32];
    /// let r = Lbfgs::<1, 2>::new().step(&mut theta, &mut Bowl);
    /// assert!(r.accepted && r.loss_after < r.loss_before);
    /// ```
    pub fn step(&mut self, theta: &mut [f32; N], objective: &mut impl Objective<N>) -> StepReport {
        let loss = objective.loss_grad(theta, &mut self.grad);
        self.two_loop();
        let mut slope: f64 = self
            .grad
            .iter()
            .zip(&self.direction)
            .map(|(&g, &d)| g as f64 * d)
            .sum();
        if slope >= 0.0 {
            // Not a descent direction (rounding in a flat region): restart.
            self.reset();
            self.two_loop();
            slope = -self.grad.iter().map(|&g| g as f64 * g as f64).sum::<f64>();
        }
        // Bracket [lo, hi] around a step satisfying both Wolfe conditions.
        let (mut lo, mut hi, mut alpha) = (0.0f64, f64::INFINITY, 1.0f64);
        let mut best: Option<(f64, f64)> = None; // (α, loss) meeting sufficient decrease
        for _ in 0..self.max_trials {
            let trial_loss = self.try_step(theta, alpha, objective);
            if trial_loss > loss + self.c1 * alpha * slope || trial_loss.is_nan() {
                hi = alpha;
            } else {
                best = Some((alpha, trial_loss));
                let new_slope: f64 = self
                    .trial_grad
                    .iter()
                    .zip(&self.direction)
                    .map(|(&g, &d)| g as f64 * d)
                    .sum();
                if new_slope >= self.c2 * slope {
                    return self.accept(theta, loss, trial_loss, alpha);
                }
                lo = alpha;
            }
            alpha = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * lo
            };
        }
        // No Wolfe point found: take the best decreasing step, if any.
        match best {
            Some((alpha, _)) if alpha > 0.0 => {
                let trial_loss = self.try_step(theta, alpha, objective);
                self.accept(theta, loss, trial_loss, alpha)
            }
            _ => {
                self.reset();
                StepReport {
                    loss_before: loss,
                    loss_after: loss,
                    lambda: 0.0,
                    accepted: false,
                }
            }
        }
    }

    /// Evaluates `θ + α·direction` into `trial` and `trial_grad`.
    fn try_step(&mut self, theta: &[f32; N], alpha: f64, objective: &mut impl Objective<N>) -> f64 {
        for ((t, &th), &d) in self.trial.iter_mut().zip(theta.iter()).zip(&self.direction) {
            *t = (th as f64 + alpha * d) as f32;
        }
        objective.loss_grad(&self.trial, &mut self.trial_grad)
    }

    /// Moves to the evaluated trial point and records its `(s, y)` pair.
    fn accept(&mut self, theta: &mut [f32; N], before: f64, after: f64, alpha: f64) -> StepReport {
        self.remember(theta);
        *theta = self.trial;
        StepReport {
            loss_before: before,
            loss_after: after,
            lambda: alpha,
            accepted: true,
        }
    }

    /// `direction = −H·grad` by the two-loop recursion over the stored pairs.
    fn two_loop(&mut self) {
        let mut q: [f64; N] = core::array::from_fn(|i| self.grad[i] as f64);
        let mut alpha = [0.0f64; M];
        let slot = |k: usize| (self.next + M - 1 - k) % M; // k = 0 is the newest
        for (k, a) in alpha.iter_mut().enumerate().take(self.len) {
            let i = slot(k);
            *a = self.rho[i] * dot(&self.s[i], &q);
            axpy(-*a, &self.y[i], &mut q);
        }
        let gamma = if self.len > 0 {
            let i = slot(0);
            let yy: f64 = self.y[i].iter().map(|&v| v as f64 * v as f64).sum();
            1.0 / (self.rho[i] * yy)
        } else {
            1.0
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for k in (0..self.len).rev() {
            let i = slot(k);
            let beta = self.rho[i] * dot(&self.y[i], &q);
            axpy(alpha[k] - beta, &self.s[i], &mut q);
        }
        for (d, v) in self.direction.iter_mut().zip(&q) {
            *d = -v;
        }
    }

    /// Stores `s = trial − θ`, `y = ∇f(trial) − ∇f(θ)` if `sᵀy > 0`
    /// (rounding can still break the curvature condition's guarantee), over
    /// the oldest pair once `M` are stored.
    fn remember(&mut self, theta: &[f32; N]) {
        let s: [f32; N] = core::array::from_fn(|k| self.trial[k] - theta[k]);
        let y: [f32; N] = core::array::from_fn(|k| self.trial_grad[k] - self.grad[k]);
        let sy: f64 = s.iter().zip(&y).map(|(&s, &y)| s as f64 * y as f64).sum();
        if sy > 0.0 {
            let i = self.next;
            (self.s[i], self.y[i], self.rho[i]) = (s, y, 1.0 / sy);
            self.next = (i + 1) % M;
            self.len = (self.len + 1).min(M);
        }
    }
}

fn dot<const N: usize>(a: &[f32; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(&a, &b)| a as f64 * b).sum()
}

fn axpy<const N: usize>(alpha: f64, x: &[f32; N], y: &mut [f64; N]) {
    y.iter_mut()
        .zip(x)
        .for_each(|(y, &x)| *y += alpha * x as f64);
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // the textbook formulas read best with indices
mod tests {
    use super::*;
    use std::vec::Vec;

    /// f = ½θᵀQθ − bᵀθ.
    const Q: [[f64; 2]; 2] = [[3.0, 1.0], [1.0, 2.0]];
    const B: [f64; 2] = [1.0, 1.0];

    fn f(t: [f64; 2]) -> (f64, [f64; 2]) {
        let qt = [
            Q[0][0] * t[0] + Q[0][1] * t[1],
            Q[1][0] * t[0] + Q[1][1] * t[1],
        ];
        let loss = 0.5 * (t[0] * qt[0] + t[1] * qt[1]) - (B[0] * t[0] + B[1] * t[1]);
        (loss, [qt[0] - B[0], qt[1] - B[1]])
    }

    struct Quadratic;
    impl Objective<2> for Quadratic {
        fn loss_grad(&mut self, t: &[f32; 2], g: &mut [f32; 2]) -> f64 {
            let (loss, grad) = f([t[0] as f64, t[1] as f64]);
            *g = [grad[0] as f32, grad[1] as f32];
            loss
        }
    }

    fn dot(a: [f64; 2], b: [f64; 2]) -> f64 {
        a[0] * b[0] + a[1] * b[1]
    }

    /// The L-BFGS direction as Nocedal & Wright define it (eq. 7.19): the
    /// BFGS update `H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ` applied to
    /// `H₀ = γI` for every stored pair, oldest first; then `d = −Hg`.
    fn direction(pairs: &[([f64; 2], [f64; 2])], g: [f64; 2]) -> [f64; 2] {
        let gamma = pairs.last().map_or(1.0, |&(s, y)| dot(s, y) / dot(y, y));
        let mut h = [[gamma, 0.0], [0.0, gamma]];
        for &(s, y) in pairs {
            let rho = 1.0 / dot(s, y);
            let v = |i: usize, j: usize| (if i == j { 1.0 } else { 0.0 }) - rho * y[i] * s[j]; // (I − ρysᵀ)
            let mut hv = [[0.0; 2]; 2]; // H·V
            for i in 0..2 {
                for j in 0..2 {
                    hv[i][j] = (0..2).map(|k| h[i][k] * v(k, j)).sum();
                }
            }
            for i in 0..2 {
                for j in 0..2 {
                    // Vᵀ·(H·V) + ρ s sᵀ
                    h[i][j] = (0..2).map(|k| v(k, i) * hv[k][j]).sum::<f64>() + rho * s[i] * s[j];
                }
            }
        }
        [
            -(h[0][0] * g[0] + h[0][1] * g[1]),
            -(h[1][0] * g[0] + h[1][1] * g[1]),
        ]
    }

    #[test]
    fn steps_follow_the_textbook_direction_and_line_search() {
        let mut theta = [2.0f32, -1.0];
        let mut lbfgs = Lbfgs::<2, 5>::new();
        let (mut t, mut pairs) = ([2.0f64, -1.0], Vec::new());
        for step in 0..3 {
            lbfgs.step(&mut theta, &mut Quadratic);
            let (loss, g) = f(t);
            let d = direction(&pairs, g);
            let slope = dot(g, d);
            // Weak Wolfe by bisection from α = 1, doubling while too short.
            let (mut lo, mut hi, mut alpha) = (0.0f64, f64::INFINITY, 1.0f64);
            let next = loop {
                let trial = [t[0] + alpha * d[0], t[1] + alpha * d[1]];
                let (l, gt) = f(trial);
                if l > loss + 1e-4 * alpha * slope {
                    hi = alpha;
                } else if dot(gt, d) < 0.9 * slope {
                    lo = alpha;
                } else {
                    break trial;
                }
                alpha = if hi.is_finite() {
                    0.5 * (lo + hi)
                } else {
                    2.0 * lo
                };
            };
            let (_, g_next) = f(next);
            pairs.push((
                [next[0] - t[0], next[1] - t[1]],
                [g_next[0] - g[0], g_next[1] - g[1]],
            ));
            t = next;
            for i in 0..2 {
                assert!(
                    (theta[i] as f64 - t[i]).abs() < 1e-5,
                    "step {step}: {theta:?} vs {t:?}"
                );
            }
        }
        // And it converges to the minimum Q⁻¹b = (0.2, 0.4).
        for _ in 0..10 {
            lbfgs.step(&mut theta, &mut Quadratic);
        }
        assert!(
            (theta[0] - 0.2).abs() < 1e-5 && (theta[1] - 0.4).abs() < 1e-5,
            "{theta:?}"
        );
    }

    #[test]
    fn the_history_keeps_the_newest_m_pairs() {
        let mut theta = [2.0f32, -1.0];
        let mut lbfgs = Lbfgs::<2, 1>::new();
        lbfgs.step(&mut theta, &mut Quadratic);
        lbfgs.step(&mut theta, &mut Quadratic);
        assert_eq!(lbfgs.history(), 1);
    }
}
