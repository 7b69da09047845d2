//! Full-batch second-order methods: see [`SecondOrder`].
use crate::linalg::{NotPositiveDefinite, cholesky_solve};

/// A full-batch objective of `N` parameters with its gradient (for a
/// network: its mean loss over the data, through the trainer's `gradient`).
///
/// ```
/// use nn_core::optim::Objective;
/// struct Bowl;
/// impl Objective<1> for Bowl {
///     fn loss_grad(&mut self, t: &[f32; 1], g: &mut [f32; 1]) -> f64 {
///         g[0] = 2.0 * t[0];
///         (t[0] * t[0]) as f64
///     }
/// }
/// assert_eq!(Bowl.loss(&[3.0]), 9.0);
/// ```
pub trait Objective<const N: usize> {
    /// `f(θ)`, writing `∇f(θ)` into `grad`.
    fn loss_grad(&mut self, theta: &[f32; N], grad: &mut [f32; N]) -> f64;

    /// `f(θ)` alone; by default through [`Objective::loss_grad`].
    fn loss(&mut self, theta: &[f32; N]) -> f64 {
        let mut grad = [0.0; N];
        self.loss_grad(theta, &mut grad)
    }
}

/// A least-squares objective `½ Σ rᵢ(θ)²` that lists its residuals with their
/// gradients (the rows of the Jacobian `J`). For a network, a residual is
/// one output of one sample minus its target, and its gradient comes from
/// backpropagating that output alone.
///
/// ```
/// use nn_core::optim::LeastSquares;
/// struct One;
/// impl LeastSquares<1> for One {
///     fn residuals(&mut self, t: &[f32; 1], row: &mut dyn FnMut(f64, &[f32; 1])) {
///         row((t[0] - 1.0) as f64, &[1.0]);
///     }
/// }
/// assert_eq!(One.loss(&[3.0]), 2.0);
/// ```
pub trait LeastSquares<const N: usize> {
    /// Calls `row(rᵢ, ∇rᵢ)` for every residual at `θ`.
    fn residuals(&mut self, theta: &[f32; N], row: &mut dyn FnMut(f64, &[f32; N]));

    /// `½ Σ rᵢ²` at `θ`; by default through [`LeastSquares::residuals`]
    /// (override it when residuals are cheaper without their gradients).
    fn loss(&mut self, theta: &[f32; N]) -> f64 {
        let mut sum = 0.0;
        self.residuals(theta, &mut |r, _| sum += r * r);
        0.5 * sum
    }
}

/// How the curvature is damped; see [`SecondOrder`].
///
/// ```
/// assert_eq!(nn_core::optim::SecondOrder::<3>::levenberg_marquardt(1e-3).damping, nn_core::optim::Damping::Diagonal);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Damping {
    /// The undamped step, halved until the loss falls (Newton, Gauss–Newton).
    None,
    /// `A + λI` (Levenberg).
    Identity,
    /// `A + λ·diag(A)` (Marquardt): invariant to the parameters' scales.
    Diagonal,
}

/// What one step did.
///
/// ```
/// let r = nn_core::optim::StepReport { loss_before: 2.0, loss_after: 1.0, lambda: 0.1, accepted: true };
/// assert!(r.accepted && r.loss_after < r.loss_before);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The loss at the starting point.
    pub loss_before: f64,
    /// The loss where the step ended (equal to `loss_before` if rejected).
    pub loss_after: f64,
    /// The damping `λ` after the step (0 without damping); for [`super::Lbfgs`],
    /// the accepted step length `α`.
    pub lambda: f64,
    /// Whether the parameters moved (some trial lowered the loss).
    pub accepted: bool,
}

/// A Newton-type solver over `N` parameters, for small networks and
/// regression: Newton's method, Gauss–Newton, Levenberg and
/// Levenberg–Marquardt.
///
/// All four take the step `δ` that solves `(A + λD) δ = −g` by Cholesky,
/// where `g` is the gradient and `A` the curvature: the Hessian for Newton,
/// `JᵀJ` (the Gauss–Newton approximation of the Hessian of `½ Σ rᵢ²`) for the
/// least-squares methods. They differ in the damping `λD`:
///
/// | method | damping | when the loss would rise |
/// |---|---|---|
/// | Newton, Gauss–Newton | none | the step is halved |
/// | Levenberg | `λI` | the step is retried with `λ ← λ·factor` |
/// | Levenberg–Marquardt | `λ·diag(A)` | the same |
///
/// An accepted damped step divides `λ` by `factor`, so the methods move
/// between gradient descent (large `λ`) and Gauss–Newton (small `λ`), and the
/// loss never increases. `A` is `N × N` in `f64`, stored in the solver: these
/// methods suit networks of up to a few hundred parameters.
///
/// ```
/// use nn_core::optim::{LeastSquares, SecondOrder};
/// // Fit y = a·x + b to three points: a linear least-squares problem,
/// // which one Gauss–Newton step solves exactly.
/// struct Line;
/// impl LeastSquares<2> for Line {
///     fn residuals(&mut self, t: &[f32; 2], row: &mut dyn FnMut(f64, &[f32; 2])) {
///         for (x, y) in [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)] {
///             row((t[0] * x + t[1] - y) as f64, &[x, 1.0]);
///         }
///     }
/// }
/// let mut theta = [0.0f32; 2];
/// let mut gn = SecondOrder::<2>::gauss_newton();
/// gn.least_squares_step(&mut theta, &mut Line)?;
/// assert!((theta[0] - 2.0).abs() < 1e-5 && (theta[1] - 1.0).abs() < 1e-5);
/// # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
/// ```
pub struct SecondOrder<const N: usize> {
    /// The damping rule.
    pub damping: Damping,
    /// The current damping `λ` (adapted by damped steps).
    pub lambda: f64,
    /// What `λ` is multiplied by after a failed trial and divided by after a
    /// success (10, as Marquardt suggested).
    pub factor: f64,
    /// Trials per step before giving up (the parameters then stay put).
    pub max_trials: usize,
    /// Relative finite-difference step for Newton's Hessian
    /// (`h = hessian_step · max(1, |θᵢ|)`).
    pub hessian_step: f32,
    curvature: [[f64; N]; N],
    factored: [[f64; N]; N],
    gradient: [f64; N],
    step: [f64; N],
    trial: [f32; N],
    grad_plus: [f32; N],
    grad_minus: [f32; N],
}

impl<const N: usize> SecondOrder<N> {
    fn with(damping: Damping, lambda: f64) -> Self {
        Self {
            damping,
            lambda,
            factor: 10.0,
            max_trials: 30,
            hessian_step: 1e-3,
            curvature: [[0.0; N]; N],
            factored: [[0.0; N]; N],
            gradient: [0.0; N],
            step: [0.0; N],
            trial: [0.0; N],
            grad_plus: [0.0; N],
            grad_minus: [0.0; N],
        }
    }

    /// Newton's method: `θ ← θ − H⁻¹∇f` with the Hessian `H` from central
    /// differences of the gradient (use [`Self::newton_step`]).
    ///
    /// ```
    /// assert_eq!(nn_core::optim::SecondOrder::<2>::newton().damping, nn_core::optim::Damping::None);
    /// ```
    pub fn newton() -> Self {
        Self::with(Damping::None, 0.0)
    }

    /// Gauss–Newton: `θ ← θ − (JᵀJ)⁻¹Jᵀr` (use [`Self::least_squares_step`]).
    ///
    /// ```
    /// assert_eq!(nn_core::optim::SecondOrder::<2>::gauss_newton().lambda, 0.0);
    /// ```
    pub fn gauss_newton() -> Self {
        Self::with(Damping::None, 0.0)
    }

    /// Levenberg: `(JᵀJ + λI) δ = −Jᵀr`, starting from `lambda`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::SecondOrder::<2>::levenberg(1.0).damping, nn_core::optim::Damping::Identity);
    /// ```
    pub fn levenberg(lambda: f64) -> Self {
        Self::with(Damping::Identity, lambda)
    }

    /// Levenberg–Marquardt: `(JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr`, starting from `lambda`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::SecondOrder::<2>::levenberg_marquardt(1e-3).lambda, 1e-3);
    /// ```
    pub fn levenberg_marquardt(lambda: f64) -> Self {
        Self::with(Damping::Diagonal, lambda)
    }

    /// One step on a least-squares problem with curvature `JᵀJ`
    /// (Gauss–Newton, Levenberg, Levenberg–Marquardt).
    ///
    /// # Errors
    /// Undamped only: `JᵀJ` is singular (fewer independent residuals than
    /// parameters); damping makes every system solvable.
    ///
    /// ```
    /// use nn_core::optim::{LeastSquares, SecondOrder};
    /// struct Root; // r = θ² − 2: LM walks θ to √2
    /// impl LeastSquares<1> for Root {
    ///     fn residuals(&mut self, t: &[f32; 1], row: &mut dyn FnMut(f64, &[f32; 1])) {
    ///         row((t[0] * t[0] - 2.0) as f64, &[2.0 * t[0]]);
    ///     }
    /// }
    /// let (mut theta, mut lm) = ([1.0f32], SecondOrder::<1>::levenberg_marquardt(1e-3));
    /// for _ in 0..10 {
    ///     lm.least_squares_step(&mut theta, &mut Root)?;
    /// }
    /// assert!((theta[0] - 2f32.sqrt()).abs() < 1e-5);
    /// # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
    /// ```
    pub fn least_squares_step(
        &mut self,
        theta: &mut [f32; N],
        problem: &mut impl LeastSquares<N>,
    ) -> Result<StepReport, NotPositiveDefinite> {
        let (a, g) = (&mut self.curvature, &mut self.gradient);
        *a = [[0.0; N]; N];
        *g = [0.0; N];
        let mut sum = 0.0;
        problem.residuals(theta, &mut |r, row| {
            sum += r * r;
            for (i, &ri) in row.iter().enumerate() {
                let ri = ri as f64;
                g[i] += r * ri;
                // Cholesky reads the lower triangle only.
                for (j, &rj) in row[..=i].iter().enumerate() {
                    a[i][j] += ri * rj as f64;
                }
            }
        });
        self.damped_step(theta, 0.5 * sum, &mut |t| problem.loss(t))
    }

    /// One step of Newton's method on `objective`, with the Hessian from
    /// central differences of its gradient (`2N` gradient evaluations).
    ///
    /// # Errors
    /// Undamped only: the Hessian is not positive definite (not a
    /// minimum's neighbourhood); a damped solver raises `λ` until it is.
    ///
    /// ```
    /// use nn_core::optim::{Objective, SecondOrder};
    /// // f = (θ₀ − 1)² + 10(θ₁ + 2)²: a Newton step with the exact Hessian lands
    /// // on the minimum; with the f32 difference Hessian, a second step polishes.
    /// struct Quadratic;
    /// impl Objective<2> for Quadratic {
    ///     fn loss_grad(&mut self, t: &[f32; 2], g: &mut [f32; 2]) -> f64 {
    ///         *g = [2.0 * (t[0] - 1.0), 20.0 * (t[1] + 2.0)];
    ///         ((t[0] - 1.0).powi(2) + 10.0 * (t[1] + 2.0).powi(2)) as f64
    ///     }
    /// }
    /// let (mut theta, mut newton) = ([5.0f32, 5.0], SecondOrder::<2>::newton());
    /// newton.newton_step(&mut theta, &mut Quadratic)?;
    /// assert!((theta[0] - 1.0).abs() < 1e-2 && (theta[1] + 2.0).abs() < 1e-2);
    /// newton.newton_step(&mut theta, &mut Quadratic)?;
    /// assert!((theta[0] - 1.0).abs() < 1e-5 && (theta[1] + 2.0).abs() < 1e-5);
    /// # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
    /// ```
    pub fn newton_step(
        &mut self,
        theta: &mut [f32; N],
        objective: &mut impl Objective<N>,
    ) -> Result<StepReport, NotPositiveDefinite> {
        let loss = objective.loss_grad(theta, &mut self.grad_plus);
        for (g, &v) in self.gradient.iter_mut().zip(&self.grad_plus) {
            *g = v as f64;
        }
        for i in 0..N {
            // Relative steps keep the f32 rounding of θ ± h small against h.
            let h = self.hessian_step * theta[i].abs().max(1.0);
            self.trial = *theta;
            self.trial[i] = theta[i] + h;
            objective.loss_grad(&self.trial, &mut self.grad_plus);
            self.trial[i] = theta[i] - h;
            objective.loss_grad(&self.trial, &mut self.grad_minus);
            let width = (theta[i] + h) as f64 - (theta[i] - h) as f64;
            for j in 0..N {
                self.factored[j][i] =
                    (self.grad_plus[j] as f64 - self.grad_minus[j] as f64) / width;
            }
        }
        // Symmetrize: differences make H only nearly symmetric.
        for i in 0..N {
            for j in 0..=i {
                self.curvature[i][j] = 0.5 * (self.factored[i][j] + self.factored[j][i]);
            }
        }
        self.damped_step(theta, loss, &mut |t| objective.loss(t))
    }

    /// Solves `(A + λD) δ = −g` and tries `θ + δ`, adapting `λ` (or halving
    /// the undamped step) until the loss falls or the trials run out.
    fn damped_step(
        &mut self,
        theta: &mut [f32; N],
        loss_before: f64,
        loss: &mut dyn FnMut(&[f32; N]) -> f64,
    ) -> Result<StepReport, NotPositiveDefinite> {
        let mut scale = 1.0;
        if self.damping == Damping::None {
            self.solve(0.0)?;
        }
        for _ in 0..self.max_trials {
            if self.damping != Damping::None && self.solve(self.lambda).is_err() {
                self.lambda *= self.factor;
                continue;
            }
            for ((t, &th), &d) in self.trial.iter_mut().zip(theta.iter()).zip(&self.step) {
                *t = (th as f64 + scale * d) as f32;
            }
            let loss_after = loss(&self.trial);
            if loss_after < loss_before {
                *theta = self.trial;
                if self.damping != Damping::None {
                    self.lambda /= self.factor;
                }
                return Ok(self.report(loss_before, loss_after, true));
            }
            match self.damping {
                Damping::None => scale *= 0.5,
                _ => self.lambda *= self.factor,
            }
        }
        Ok(self.report(loss_before, loss_before, false))
    }

    /// `step = −(A + λD)⁻¹ g`.
    fn solve(&mut self, lambda: f64) -> Result<(), NotPositiveDefinite> {
        for i in 0..N {
            self.factored[i][..=i].copy_from_slice(&self.curvature[i][..=i]);
            self.factored[i][i] += lambda
                * match self.damping {
                    Damping::Diagonal => self.curvature[i][i].max(f64::MIN_POSITIVE),
                    _ => 1.0,
                };
            self.step[i] = -self.gradient[i];
        }
        cholesky_solve(self.factored.as_flattened_mut(), &mut self.step)
    }

    fn report(&self, loss_before: f64, loss_after: f64, accepted: bool) -> StepReport {
        StepReport {
            loss_before,
            loss_after,
            lambda: if self.damping == Damping::None {
                0.0
            } else {
                self.lambda
            },
            accepted,
        }
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // the textbook formulas read best with indices
mod tests {
    use super::*;
    use std::vec::Vec;

    /// y = a·e^{b·x} sampled with noise: a small nonlinear least-squares fit.
    const XS: [f64; 6] = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
    const YS: [f64; 6] = [2.1, 2.9, 4.2, 5.8, 8.3, 11.9];

    struct Exponential;
    impl LeastSquares<2> for Exponential {
        fn residuals(&mut self, t: &[f32; 2], row: &mut dyn FnMut(f64, &[f32; 2])) {
            let (a, b) = (t[0] as f64, t[1] as f64);
            for (&x, &y) in XS.iter().zip(&YS) {
                let e = (b * x).exp();
                row(a * e - y, &[e as f32, (a * x * e) as f32]);
            }
        }
    }

    /// The textbook quantities in f64: ½Σr², JᵀJ and Jᵀr.
    fn normal_system(a: f64, b: f64) -> (f64, [[f64; 2]; 2], [f64; 2]) {
        let (mut loss, mut jtj, mut jtr) = (0.0, [[0.0; 2]; 2], [0.0; 2]);
        for (&x, &y) in XS.iter().zip(&YS) {
            let e = (b * x).exp();
            let (r, j) = (a * e - y, [e, a * x * e]);
            loss += 0.5 * r * r;
            for i in 0..2 {
                jtr[i] += j[i] * r;
                for k in 0..2 {
                    jtj[i][k] += j[i] * j[k];
                }
            }
        }
        (loss, jtj, jtr)
    }

    /// `−M⁻¹g` for a 2×2 `M` by the adjugate formula.
    fn solve2(m: [[f64; 2]; 2], g: [f64; 2]) -> [f64; 2] {
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        [
            -(m[1][1] * g[0] - m[0][1] * g[1]) / det,
            -(m[0][0] * g[1] - m[1][0] * g[0]) / det,
        ]
    }

    fn loss_at(t: [f64; 2]) -> f64 {
        normal_system(t[0], t[1]).0
    }

    #[test]
    fn gauss_newton_steps_follow_the_textbook_update() {
        let mut theta = [1.0f32, 0.5];
        let mut expected = [1.0f64, 0.5];
        let mut gn = SecondOrder::<2>::gauss_newton();
        for step in 0..4 {
            gn.least_squares_step(&mut theta, &mut Exponential).unwrap();
            let (loss, jtj, jtr) = normal_system(expected[0], expected[1]);
            // θ ← θ − (JᵀJ)⁻¹Jᵀr, halved while the loss rises.
            let d = solve2(jtj, jtr);
            let mut scale = 1.0;
            while loss_at([expected[0] + scale * d[0], expected[1] + scale * d[1]]) >= loss {
                scale *= 0.5;
            }
            expected = [expected[0] + scale * d[0], expected[1] + scale * d[1]];
            for i in 0..2 {
                assert!(
                    (theta[i] as f64 - expected[i]).abs() < 1e-4 * (1.0 + expected[i].abs()),
                    "step {step}: {theta:?} vs {expected:?}"
                );
            }
        }
    }

    /// Levenberg (`D = I`) and Marquardt (`D = diag(JᵀJ)`) with λ adapted by
    /// ×10 / ÷10, written out independently.
    fn damped_reference(diagonal: bool, steps: usize) -> Vec<[f64; 2]> {
        let (mut t, mut lambda, mut out) = ([1.0f64, 0.5], 10.0f64, Vec::new());
        for _ in 0..steps {
            let (loss, jtj, jtr) = normal_system(t[0], t[1]);
            loop {
                let mut m = jtj;
                for i in 0..2 {
                    m[i][i] += lambda * if diagonal { jtj[i][i] } else { 1.0 };
                }
                let d = solve2(m, jtr);
                let trial = [t[0] + d[0], t[1] + d[1]];
                if loss_at(trial) < loss {
                    t = trial;
                    lambda /= 10.0;
                    break;
                }
                lambda *= 10.0;
            }
            out.push(t);
        }
        out
    }

    #[test]
    fn levenberg_and_marquardt_steps_follow_the_textbook_update() {
        for (diagonal, mut solver) in [
            (false, SecondOrder::<2>::levenberg(10.0)),
            (true, SecondOrder::<2>::levenberg_marquardt(10.0)),
        ] {
            let mut theta = [1.0f32, 0.5];
            for (step, expected) in damped_reference(diagonal, 5).iter().enumerate() {
                let r = solver
                    .least_squares_step(&mut theta, &mut Exponential)
                    .unwrap();
                assert!(r.accepted && r.loss_after < r.loss_before);
                for i in 0..2 {
                    assert!(
                        (theta[i] as f64 - expected[i]).abs() < 1e-4 * (1.0 + expected[i].abs()),
                        "diagonal {diagonal}, step {step}: {theta:?} vs {expected:?}"
                    );
                }
            }
        }
    }

    /// Logistic regression on a tiny 1-D data set: mean log-loss in (w, b).
    const LX: [f64; 6] = [-2.0, -1.0, -0.5, 0.3, 1.0, 2.5];
    const LY: [f64; 6] = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];

    struct Logistic;
    impl Objective<2> for Logistic {
        fn loss_grad(&mut self, t: &[f32; 2], g: &mut [f32; 2]) -> f64 {
            let (loss, grad, _) = logistic(t[0] as f64, t[1] as f64);
            *g = [grad[0] as f32, grad[1] as f32];
            loss
        }
    }

    /// Loss, gradient and Hessian of the mean log-loss, by the formulas
    /// `∇ = mean((p − y)·x̃)`, `H = mean(p(1 − p)·x̃x̃ᵀ)`, `x̃ = (x, 1)`.
    fn logistic(w: f64, b: f64) -> (f64, [f64; 2], [[f64; 2]; 2]) {
        let (mut loss, mut g, mut h) = (0.0, [0.0; 2], [[0.0; 2]; 2]);
        let n = LX.len() as f64;
        for (&x, &y) in LX.iter().zip(&LY) {
            let p = 1.0 / (1.0 + (-(w * x + b)).exp());
            loss -= (y * p.ln() + (1.0 - y) * (1.0 - p).ln()) / n;
            let xt = [x, 1.0];
            for i in 0..2 {
                g[i] += (p - y) * xt[i] / n;
                for k in 0..2 {
                    h[i][k] += p * (1.0 - p) * xt[i] * xt[k] / n;
                }
            }
        }
        (loss, g, h)
    }

    #[test]
    fn newton_steps_follow_the_textbook_update() {
        let mut theta = [0.0f32, 0.0];
        let mut expected = [0.0f64, 0.0];
        let mut newton = SecondOrder::<2>::newton();
        for step in 0..4 {
            newton.newton_step(&mut theta, &mut Logistic).unwrap();
            // θ ← θ − H⁻¹∇f (the loss falls at every full step here).
            let (_, g, h) = logistic(expected[0], expected[1]);
            let d = solve2(h, g);
            expected = [expected[0] + d[0], expected[1] + d[1]];
            for i in 0..2 {
                // The Hessian comes from f32 gradient differences.
                assert!(
                    (theta[i] as f64 - expected[i]).abs() < 2e-3 * (1.0 + expected[i].abs()),
                    "step {step}: {theta:?} vs {expected:?}"
                );
            }
        }
        let (_, g, _) = logistic(theta[0] as f64, theta[1] as f64);
        assert!(
            g[0].abs() < 1e-4 && g[1].abs() < 1e-4,
            "converged: ∇ = {g:?}"
        );
    }

    #[test]
    fn an_undamped_step_on_a_singular_system_is_an_error_and_damping_fixes_it() {
        struct Flat; // one residual, two parameters: JᵀJ has rank 1
        impl LeastSquares<2> for Flat {
            fn residuals(&mut self, t: &[f32; 2], row: &mut dyn FnMut(f64, &[f32; 2])) {
                row((t[0] + t[1] - 1.0) as f64, &[1.0, 1.0]);
            }
        }
        let mut theta = [0.0f32; 2];
        assert!(
            SecondOrder::<2>::gauss_newton()
                .least_squares_step(&mut theta, &mut Flat)
                .is_err()
        );
        let r = SecondOrder::<2>::levenberg(1e-3)
            .least_squares_step(&mut theta, &mut Flat)
            .unwrap();
        assert!(r.accepted && (theta[0] + theta[1] - 1.0).abs() < 1e-2);
    }
}
