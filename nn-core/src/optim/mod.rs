//! Optimizers. An optimizer's per-tensor state has a size fixed by the type
//! (`State<N>` for a tensor of `N` parameters) and lives inside the network's
//! trainer, so an update never allocates.
//!
//! ```
//! use nn_core::prelude::*;
//! let mut p = [1.0, 2.0];
//! Sgd::new(0.5).update::<2>(&mut p, &[2.0, 2.0], &mut ());
//! assert_eq!(p, [0.0, 1.0]);
//! ```

mod adam;
mod adaptive;
mod evolution;
mod lbfgs;
mod line_search;
mod momentum;
pub mod schedule;
mod second_order;

pub use adam::{Adam, AdamState, AdamW, AmsGrad, AmsGradState};
pub use adaptive::{AdaGrad, RmsProp};
pub use evolution::{EvolutionStrategy, Generation};
pub use lbfgs::Lbfgs;
pub use line_search::LineSearchGd;
pub use momentum::{Momentum, MomentumForm};
pub use second_order::{Damping, LeastSquares, Objective, SecondOrder, StepReport};

/// A first-order update rule `θ ← step(θ, ∇θ, state)`.
///
/// ```
/// use nn_core::prelude::*;
/// fn state_bytes<O: Optimizer>() -> usize { core::mem::size_of::<O::State<100>>() }
/// assert_eq!(state_bytes::<Sgd>(), 0);
/// ```
pub trait Optimizer {
    /// Per-tensor state for a tensor of `N` parameters (`()` for plain SGD).
    /// Starts zeroed; plain data, so checkpoints can store it.
    type State<const N: usize>: bytemuck::Pod;

    /// Updates `params` (length `N`) from `grads` (length `N`).
    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], state: &mut Self::State<N>);

    /// The learning rate (what a [`crate::optim::schedule::Schedule`] sets).
    fn lr(&self) -> f32;

    /// Sets the learning rate.
    fn set_lr(&mut self, lr: f32);
}

/// (Mini-batch) stochastic gradient descent: `θ ← θ − α ∇θ`.
///
/// ```
/// let sgd = nn_core::optim::Sgd::new(0.01);
/// assert_eq!(sgd.lr, 0.01);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// Learning rate `α`.
    pub lr: f32,
}

impl Sgd {
    /// SGD with learning rate `lr`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Sgd::new(0.1).lr, 0.1);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self { lr }
    }
}

impl Optimizer for Sgd {
    type State<const N: usize> = ();

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], _: &mut ()) {
        nn_kernels::update::axpy(-self.lr, grads, params);
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Zeroable;

    const THETA: [f32; 3] = [1.0, -2.0, 0.5];
    const GRADS: [[f32; 3]; 4] = [
        [0.5, -1.0, 2.0],
        [1.0, 0.0, -0.5],
        [-2.0, 3.0, 0.25],
        [0.1, 0.2, -0.3],
    ];

    /// Runs `opt` over `GRADS` and, after every step, compares θ with
    /// `textbook`, an independent f64 implementation of the published update
    /// (written out per optimizer below, not sharing nn's code).
    fn follows<O: Optimizer>(opt: O, mut textbook: impl FnMut(&mut [f64; 3], &[f64; 3], usize)) {
        let mut theta = THETA;
        let mut state = O::State::<3>::zeroed();
        let mut expected = THETA.map(f64::from);
        for (t, g) in GRADS.iter().enumerate() {
            opt.update::<3>(&mut theta, g, &mut state);
            textbook(&mut expected, &g.map(f64::from), t + 1);
            for (a, e) in theta.iter().zip(&expected) {
                assert!(
                    (*a as f64 - e).abs() < 1e-5 * (1.0 + e.abs()),
                    "step {}: {theta:?} vs {expected:?}",
                    t + 1
                );
            }
        }
    }

    #[test]
    fn sgd() {
        follows(Sgd::new(0.1), |th, g, _| {
            (0..3).for_each(|i| th[i] -= 0.1 * g[i])
        });
    }

    #[test]
    fn momentum() {
        let mut b = [0.0f64; 3];
        follows(Momentum::new(0.1), |th, g, _| {
            for i in 0..3 {
                b[i] = 0.9 * b[i] + g[i];
                th[i] -= 0.1 * b[i];
            }
        });
        let mut v = [0.0f64; 3];
        let velocity = Momentum {
            form: MomentumForm::Velocity,
            ..Momentum::new(0.1)
        };
        follows(velocity, |th, g, _| {
            for i in 0..3 {
                v[i] = 0.9 * v[i] - 0.1 * g[i];
                th[i] += v[i];
            }
        });
    }

    #[test]
    fn nesterov() {
        let mut b = [0.0f64; 3];
        follows(Momentum::nesterov(0.1), |th, g, _| {
            for i in 0..3 {
                b[i] = 0.9 * b[i] + g[i];
                th[i] -= 0.1 * (g[i] + 0.9 * b[i]);
            }
        });
        let mut v = [0.0f64; 3];
        let velocity = Momentum {
            form: MomentumForm::Velocity,
            ..Momentum::nesterov(0.1)
        };
        follows(velocity, |th, g, _| {
            for i in 0..3 {
                let v_prev = v[i];
                v[i] = 0.9 * v[i] - 0.1 * g[i];
                // Bengio et al. (2012): θ ← θ − β v_prev + (1 + β) v.
                th[i] += -0.9 * v_prev + 1.9 * v[i];
            }
        });
    }

    #[test]
    fn adagrad() {
        let mut sum = [0.0f64; 3];
        follows(AdaGrad::new(0.1), |th, g, _| {
            for i in 0..3 {
                sum[i] += g[i] * g[i];
                th[i] -= 0.1 * g[i] / (sum[i].sqrt() + 1e-8);
            }
        });
    }

    #[test]
    fn rmsprop() {
        let mut ms = [0.0f64; 3];
        follows(RmsProp::new(0.01), |th, g, _| {
            for i in 0..3 {
                ms[i] = 0.9 * ms[i] + 0.1 * g[i] * g[i];
                th[i] -= 0.01 * g[i] / (ms[i].sqrt() + 1e-8);
            }
        });
    }

    /// Adam as Kingma & Ba's Algorithm 1, with PyTorch's options.
    fn adam_textbook(
        lr: f64,
        l2: f64,
        decoupled: f64,
        amsgrad: bool,
        maximize: bool,
    ) -> impl FnMut(&mut [f64; 3], &[f64; 3], usize) {
        let (mut m, mut v, mut v_max) = ([0.0f64; 3], [0.0f64; 3], [0.0f64; 3]);
        move |th, g, t| {
            for i in 0..3 {
                let g = if maximize { -g[i] } else { g[i] } + l2 * th[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                let m_hat = m[i] / (1.0 - 0.9f64.powi(t as i32));
                let c2 = 1.0 - 0.999f64.powi(t as i32);
                // PyTorch keeps the maximum of the raw v, corrected afterwards.
                v_max[i] = v_max[i].max(v[i]);
                let v_hat = if amsgrad { v_max[i] } else { v[i] } / c2;
                th[i] -= lr * decoupled * th[i];
                th[i] -= lr * m_hat / (v_hat.sqrt() + 1e-8);
            }
        }
    }

    #[test]
    fn adam_and_its_options() {
        follows(Adam::new(0.1), adam_textbook(0.1, 0.0, 0.0, false, false));
        follows(
            Adam {
                weight_decay: 0.05,
                ..Adam::new(0.1)
            },
            adam_textbook(0.1, 0.05, 0.0, false, false),
        );
        follows(
            Adam {
                maximize: true,
                ..Adam::new(0.1)
            },
            adam_textbook(0.1, 0.0, 0.0, false, true),
        );
        follows(
            AmsGrad(Adam::new(0.1)),
            adam_textbook(0.1, 0.0, 0.0, true, false),
        );
        follows(
            AmsGrad(Adam {
                weight_decay: 0.05,
                ..Adam::new(0.1)
            }),
            adam_textbook(0.1, 0.05, 0.0, true, false),
        );
    }

    #[test]
    fn adamw() {
        follows(
            AdamW {
                weight_decay: 0.1,
                ..AdamW::new(0.1)
            },
            adam_textbook(0.1, 0.0, 0.1, false, false),
        );
    }
}
