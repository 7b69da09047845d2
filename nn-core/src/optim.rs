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
use crate::storage::Zeroable;

/// A first-order update rule `θ ← step(θ, ∇θ, state)`.
///
/// ```
/// use nn_core::prelude::*;
/// fn state_bytes<O: Optimizer>() -> usize { core::mem::size_of::<O::State<100>>() }
/// assert_eq!(state_bytes::<Sgd>(), 0);
/// ```
pub trait Optimizer {
    /// Per-tensor state for a tensor of `N` parameters (`()` for plain SGD).
    /// Starts zeroed.
    type State<const N: usize>: Zeroable;

    /// Updates `params` (length `N`) from `grads` (length `N`).
    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], state: &mut Self::State<N>);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_follows_the_textbook_update_for_three_steps() {
        let sgd = Sgd::new(0.1);
        let mut theta = [1.0f32, -2.0, 0.5];
        let grads = [[0.5f32, -1.0, 2.0], [1.0, 0.0, -0.5], [-2.0, 3.0, 0.25]];
        let mut expected = theta;
        for g in &grads {
            sgd.update::<3>(&mut theta, g, &mut ());
            for i in 0..3 {
                expected[i] -= 0.1 * g[i];
            }
            assert_eq!(theta, expected);
        }
        assert!((theta[0] - 1.05).abs() < 1e-6 && (theta[1] + 2.2).abs() < 1e-6);
    }
}
