//! The Huber loss: squared error near the target, absolute error far from it.
use super::Loss;
use super::regression::mean_elementwise;

/// Huber loss with threshold `delta`, averaged over the outputs as
/// PyTorch's `nn.HuberLoss(delta=δ)`: `½e²` for `|e| ≤ δ`, else
/// `δ(|e| − ½δ)`, with `e = y − t`. Quadratic near the target, linear beyond
/// it, so outliers pull with a bounded gradient (`±δ`).
///
/// ```
/// use nn_core::prelude::*;
/// let huber = Huber::new(1.0);
/// // ½·0.5² for the near output, 1·(3 − ½) for the far one, averaged.
/// assert_eq!(huber.loss_grad(&[0.5, 3.0], &[0.0, 0.0], None), (0.125 + 2.5) / 2.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber {
    /// Where the loss turns from quadratic to linear (PyTorch's default 1).
    pub delta: f32,
}

impl Huber {
    /// A Huber loss with threshold `delta`.
    ///
    /// # Panics
    /// If `delta` is not positive and finite (also at compile time in a `const`).
    ///
    /// ```
    /// assert_eq!(nn_core::loss::Huber::new(0.5).delta, 0.5);
    /// ```
    pub const fn new(delta: f32) -> Self {
        assert!(
            delta > 0.0 && delta.is_finite(),
            "the Huber threshold must be positive"
        );
        Self { delta }
    }
}

/// PyTorch's default, `δ = 1`.
///
/// ```
/// assert_eq!(nn_core::loss::Huber::default().delta, 1.0);
/// ```
impl Default for Huber {
    fn default() -> Self {
        Self::new(1.0)
    }
}

impl<const N: usize> Loss<N, [f32; N]> for Huber {
    fn loss_grad(&self, y: &[f32; N], t: &[f32; N], dy: Option<&mut [f32; N]>) -> f32 {
        let d = self.delta;
        mean_elementwise(y, t, dy, |e| {
            if e.abs() <= d {
                (0.5 * e * e, e)
            } else {
                (d * (e.abs() - 0.5 * d), d * e.signum())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_matches_finite_differences() {
        crate::train::gradcheck::check_loss::<5, _>(
            &Huber::new(0.7),
            &[0.3, -2.0, 0.0, 1.5, -0.1],
            3,
        );
    }
}
