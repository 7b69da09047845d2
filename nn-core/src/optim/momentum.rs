//! Momentum methods: the velocity is one state vector per tensor.
use super::Optimizer;

/// Heavy-ball momentum, `v ← βv − α∇`, `θ ← θ + v` (β defaults to 0.9), or
/// with `nesterov`, Nesterov's accelerated gradient in the look-ahead form
/// that needs only the gradient at the stored parameters: `v ← βv − α∇`,
/// `θ ← θ + βv − α∇` (the stored `θ` is the look-ahead point `θ + βv` of the
/// textbook form `v ← βv − α∇f(θ + βv)`, `θ ← θ + v`).
///
/// ```
/// use nn_core::optim::{Momentum, Optimizer};
/// let (mut p, mut v) = ([1.0], [0.0]);
/// Momentum::new(0.5).update::<1>(&mut p, &[2.0], &mut v);
/// assert_eq!((p, v), ([0.0], [-1.0]));
///
/// let (mut p, mut v) = ([1.0], [0.0]);
/// Momentum::nesterov(0.5).update::<1>(&mut p, &[2.0], &mut v);
/// assert!((p[0] - (1.0 - 0.9 - 1.0)).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Momentum {
    /// Learning rate `α`.
    pub lr: f32,
    /// Momentum `β`.
    pub beta: f32,
    /// Nesterov's look-ahead update instead of the heavy ball.
    pub nesterov: bool,
}

impl Momentum {
    /// Heavy-ball momentum with learning rate `lr` and `β = 0.9`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Momentum::new(0.1).beta, 0.9);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            beta: 0.9,
            nesterov: false,
        }
    }

    /// Nesterov momentum with learning rate `lr` and `β = 0.9`.
    ///
    /// ```
    /// assert!(nn_core::optim::Momentum::nesterov(0.1).nesterov);
    /// ```
    pub const fn nesterov(lr: f32) -> Self {
        Self {
            lr,
            beta: 0.9,
            nesterov: true,
        }
    }
}

impl Optimizer for Momentum {
    type State<const N: usize> = [f32; N];

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], v: &mut [f32; N]) {
        nn_kernels::update::momentum(self.lr, self.beta, self.nesterov, grads, v, params);
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}
