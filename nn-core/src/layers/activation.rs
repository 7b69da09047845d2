//! Parameter-free activations. Each is a unit struct implementing
//! [`Activation`] on one sample; a single blanket impl turns every activation
//! into a [`Layer`] for any width, so they all share the batch loops.
use crate::layer::{Context, Forward, Layer, flat, flat_mut};
use crate::storage::Zeroable;
use nn_kernels::{activation as act, softmax};

/// A parameter-free, shape-preserving map applied to one sample, whose
/// derivative can be computed from its output alone.
///
/// ```
/// use nn_core::layers::{Activation, ReLU};
/// let mut y = [0.0; 2];
/// ReLU::apply(&[-1.0, 2.0], &mut y);
/// assert_eq!(y, [0.0, 2.0]);
/// ```
pub trait Activation: Copy + Zeroable {
    /// `y = f(x)` for one sample.
    fn apply(x: &[f32], y: &mut [f32]);
    /// Turns `d = ∂L/∂y` into `∂L/∂x` in place, given the output `y`.
    fn backprop(y: &[f32], d: &mut [f32]);
}

impl<A: Activation, const N: usize> Forward<[f32; N]> for A {
    type Out = [f32; N];
    fn forward(&self, x: &[f32; N]) -> [f32; N] {
        let mut y = [0.0; N];
        A::apply(x, &mut y);
        y
    }
}

impl<A: Activation, const N: usize> Layer<[f32; N]> for A {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &self,
        x: &[[f32; N]; B],
        y: &mut [[f32; N]; B],
        _: &mut (),
        _: &mut Context,
    ) {
        x.iter().zip(y.iter_mut()).for_each(|(x, y)| A::apply(x, y));
    }

    fn backward<const B: usize>(
        &self,
        _x: &[[f32; N]; B],
        y: &[[f32; N]; B],
        dy: &[[f32; N]; B],
        _: &(),
        dx: Option<&mut [[f32; N]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        if let Some(dx) = dx {
            flat_mut(dx).copy_from_slice(flat(dy));
            y.iter()
                .zip(dx.iter_mut())
                .for_each(|(y, d)| A::backprop(y, d));
        }
    }
}

macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $forward:path, $backward:path) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        // SAFETY: a unit struct has no bytes.
        unsafe impl Zeroable for $name {}

        impl Activation for $name {
            #[inline]
            fn apply(x: &[f32], y: &mut [f32]) {
                $forward(x, y)
            }
            #[inline]
            fn backprop(y: &[f32], d: &mut [f32]) {
                $backward(y, d)
            }
        }
    };
}

activation!(
    /// Rectified linear unit, `max(x, 0)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(ReLU.forward(&[-2.0, 3.0]), [0.0, 3.0]);
    /// ```
    ReLU, act::relu, act::relu_backward
);
activation!(
    /// Logistic sigmoid, `1 / (1 + e^-x)`, computed without overflow.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Sigmoid.forward(&[0.0]), [0.5]);
    /// ```
    Sigmoid, act::sigmoid, act::sigmoid_backward
);
activation!(
    /// Hyperbolic tangent.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tanh.forward(&[0.0]), [0.0]);
    /// ```
    Tanh, act::tanh, act::tanh_backward
);
activation!(
    /// Softmax over the sample's features, shifted by the maximum so it never
    /// overflows. As the last layer before [`crate::loss::CrossEntropy`] or
    /// another loss, networks fuse it with the loss (see [`crate::loss::Loss`]).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Softmax.forward(&[5.0, 5.0]), [0.5, 0.5]);
    /// ```
    Softmax, softmax::softmax, softmax::softmax_backward
);
