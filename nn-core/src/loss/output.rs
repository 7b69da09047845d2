//! A network's own output, as the quantity to differentiate.
use super::Loss;

/// Output `k` itself, `L = y_k`: backpropagating it gives `∂y_k/∂θ`, one row
/// of the network's Jacobian. Second-order least-squares methods
/// ([`crate::optim::SecondOrder`]) build `JᵀJ` from these rows, one per
/// sample and output (use a batch-1 trainer's `gradient` with target `k`).
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::loss::Output;
/// let mut dy = [9.0; 3];
/// assert_eq!(Output.loss_grad(&[1.0, 2.0, 3.0], &1usize, Some(&mut dy)), 2.0);
/// assert_eq!(dy, [0.0, 1.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Output;

impl<const N: usize> Loss<N, usize> for Output {
    /// # Panics
    /// If `k >= N`.
    fn loss_grad(&self, y: &[f32; N], &k: &usize, dy: Option<&mut [f32; N]>) -> f32 {
        assert!(k < N, "output {k} of {N}");
        if let Some(dy) = dy {
            *dy = [0.0; N];
            dy[k] = 1.0;
        }
        y[k]
    }
}
