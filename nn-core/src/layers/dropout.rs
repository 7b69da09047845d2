//! Inverted dropout.
use crate::layer::{Context, Forward, Layer, Mode, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use rand::Rng;

/// Inverted dropout: in training each feature is zeroed with probability `p`
/// and the survivors are scaled by `1 / (1 - p)`; in evaluation it is the
/// identity.
///
/// Scaling at training time makes the expected training activation equal the
/// evaluation activation, which is exactly what the classic formulation gets
/// by instead multiplying the weights by `1 - p` at inference (the
/// weight-scaling rule). Both give the same network function; the inverted
/// form leaves inference untouched.
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout::new(0.5);
/// assert_eq!(d.forward(&[1.0, 2.0]), [1.0, 2.0]); // evaluation: identity
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    p: f32,
}

// SAFETY: a single f32; zero (p = 0, no dropout) is a valid value.
unsafe impl Zeroable for Dropout {}
// SAFETY: `repr(C)` of one f32; any bit pattern is a valid value.
unsafe impl Plain for Dropout {}

impl Dropout {
    /// Dropout with drop probability `p` (PyTorch's default is 0.5).
    ///
    /// # Panics
    /// If `p` is not in `[0, 1)` (also at compile time in a `const`).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Dropout::new(0.2).p(), 0.2);
    /// ```
    pub const fn new(p: f32) -> Self {
        assert!(p >= 0.0 && p < 1.0, "dropout probability must be in [0, 1)");
        Self { p }
    }

    /// The drop probability.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Dropout::new(0.0).p(), 0.0);
    /// ```
    pub const fn p(&self) -> f32 {
        self.p
    }
}

/// PyTorch's default, `p = 0.5`.
///
/// ```
/// assert_eq!(nn_core::layers::Dropout::default().p(), 0.5);
/// ```
impl Default for Dropout {
    fn default() -> Self {
        Self::new(nn_shape::defaults::DROPOUT)
    }
}

impl<S: Shape> Forward<S> for Dropout {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        *y = *x;
    }
}

impl<S: Shape> Layer<S> for Dropout {
    /// The mask: `0` for dropped features, `1 / (1 - p)` for kept ones.
    type Cache<const B: usize> = [S; B];
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        mask: &mut [S; B],
        ctx: &mut Context,
    ) {
        let mask = flat_mut(mask);
        if ctx.mode == Mode::Eval || self.p == 0.0 {
            mask.fill(1.0);
        } else {
            let keep = 1.0 / (1.0 - self.p);
            mask.iter_mut().for_each(|m| {
                *m = if ctx.rng.random::<f32>() < self.p {
                    0.0
                } else {
                    keep
                }
            });
        }
        flat_mut(y)
            .iter_mut()
            .zip(flat(x))
            .zip(mask.iter())
            .for_each(|((y, x), m)| *y = x * m);
    }

    fn backward<const B: usize>(
        &self,
        _x: &[S; B],
        _y: &[S; B],
        dy: &[S; B],
        mask: &mut [S; B],
        dx: Option<&mut [S; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        if let Some(dx) = dx {
            flat_mut(dx)
                .iter_mut()
                .zip(flat(dy))
                .zip(flat(mask))
                .for_each(|((dx, dy), m)| *dx = dy * m);
        }
    }
}
