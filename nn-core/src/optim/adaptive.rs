//! Per-parameter learning rates from accumulated squared gradients.
use super::Optimizer;
use nn_kernels::update::{adagrad, rmsprop};

/// AdaGrad: `G ← G + ∇²`, `θ ← θ − α ∇ / (√G + ε)` (ε defaults to 1e-8).
///
/// ```
/// use nn_core::optim::{AdaGrad, Optimizer};
/// let (mut p, mut g2) = ([1.0], [0.0]);
/// AdaGrad::new(0.1).update::<1>(&mut p, &[2.0], &mut g2);
/// assert!((p[0] - 0.9).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdaGrad {
    /// Learning rate `α`.
    pub lr: f32,
    /// `ε` in the denominator.
    pub eps: f32,
}

impl AdaGrad {
    /// AdaGrad with learning rate `lr` and `ε = 1e-8`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::AdaGrad::new(0.1).eps, 1e-8);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self { lr, eps: 1e-8 }
    }
}

impl Optimizer for AdaGrad {
    type State<const N: usize> = [f32; N];

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], sum_sq: &mut [f32; N]) {
        adagrad(self.lr, self.eps, grads, sum_sq, params);
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}

/// RMSProp: `s ← βs + (1 − β)∇²`, `θ ← θ − α ∇ / (√s + ε)` (β 0.9, ε 1e-8).
///
/// ```
/// use nn_core::optim::{Optimizer, RmsProp};
/// let (mut p, mut s) = ([1.0], [0.0]);
/// RmsProp::new(0.1).update::<1>(&mut p, &[2.0], &mut s);
/// assert!((s[0] - 0.4).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmsProp {
    /// Learning rate `α`.
    pub lr: f32,
    /// Decay `β` of the mean square.
    pub beta: f32,
    /// `ε` in the denominator.
    pub eps: f32,
}

impl RmsProp {
    /// RMSProp with learning rate `lr`, `β = 0.9`, `ε = 1e-8`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::RmsProp::new(0.01).beta, 0.9);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            beta: 0.9,
            eps: 1e-8,
        }
    }
}

impl Optimizer for RmsProp {
    type State<const N: usize> = [f32; N];

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], mean_sq: &mut [f32; N]) {
        rmsprop(self.lr, self.beta, self.eps, grads, mean_sq, params);
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}
