//! Activations: elementwise (or, for softmax, per-sample) maps with no
//! trainable parameters. Each implements [`Activation`] on one sample; a
//! single blanket impl turns every activation into a [`Layer`] for any
//! [`Shape`], so they all share the batch loops and work on vectors, sequences
//! and images alike.
use crate::layer::{Context, Forward, Fusion, Layer, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};
use nn_kernels::{activation as act, softmax};

/// A shape-preserving map with no trainable parameters, applied to one sample.
///
/// ```
/// use nn_core::layers::{Activation, ReLU};
/// let mut y = [0.0; 2];
/// ReLU.apply(&[-1.0, 2.0], &mut y);
/// assert_eq!(y, [0.0, 2.0]);
/// ```
pub trait Activation: Copy + Zeroable {
    /// `y = f(x)` for one sample.
    fn apply(&self, x: &[f32], y: &mut [f32]);
    /// Turns `d = ∂L/∂y` into `∂L/∂x` in place, given the sample's input `x`
    /// and output `y` (each activation reads whichever gives the exact
    /// derivative most cheaply).
    fn backprop(&self, x: &[f32], y: &[f32], d: &mut [f32]);
    /// How a loss after this activation fuses with it (see [`Fusion`]).
    const FUSION: Fusion = Fusion::None;
}

// Errors about a layer that does not fit say so, not that it is no activation.
#[diagnostic::do_not_recommend]
impl<A: Activation, S: Shape> Forward<S> for A {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        self.apply(flat(from_ref(x)), flat_mut(from_mut(y)));
    }
}

#[diagnostic::do_not_recommend]
impl<A: Activation, S: Shape> Layer<S> for A {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;
    const FUSION: Fusion = A::FUSION;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        _: &mut (),
        _: &mut Context,
    ) {
        for (x, y) in x.iter().zip(y.iter_mut()) {
            self.apply(flat(from_ref(x)), flat_mut(from_mut(y)));
        }
    }

    fn backward<const B: usize>(
        &self,
        x: &[S; B],
        y: &[S; B],
        dy: &[S; B],
        _: &mut (),
        dx: Option<&mut [S; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        if let Some(dx) = dx {
            flat_mut(dx).copy_from_slice(flat(dy));
            for ((x, y), d) in x.iter().zip(y).zip(dx.iter_mut()) {
                self.backprop(flat(from_ref(x)), flat(from_ref(y)), flat_mut(from_mut(d)));
            }
        }
    }
}

/// A unit-struct activation from a forward kernel and a backward rule.
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident $(fuses $fusion:ident)?, |$s:ident, $x:ident, $y:ident| $forward:expr, |$bx:ident, $by:ident, $d:ident| $backward:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        // SAFETY: a unit struct has no bytes.
        unsafe impl Zeroable for $name {}
        // SAFETY: as above.
        unsafe impl Plain for $name {}

        impl Activation for $name {
            $(const FUSION: Fusion = Fusion::$fusion;)?
            #[inline]
            fn apply(&$s, $x: &[f32], $y: &mut [f32]) {
                $forward
            }
            #[inline]
            fn backprop(&self, $bx: &[f32], $by: &[f32], $d: &mut [f32]) {
                $backward
            }
        }
    };
}

activation!(
    /// The identity, `f(x) = x` (a linear unit: `Linear` followed by
    /// `Identity` is linear regression's model).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Identity.forward(&[-2.0, 3.0]), [-2.0, 3.0]);
    /// ```
    Identity, |self, x, y| y.copy_from_slice(x), |_x, _y, _d| {}
);
activation!(
    /// Rectified linear unit, `max(x, 0)` (subgradient 0 at 0, as PyTorch).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(ReLU.forward(&[-2.0, 3.0]), [0.0, 3.0]);
    /// ```
    ReLU, |self, x, y| act::relu(x, y), |_x, y, d| act::relu_backward(y, d)
);
activation!(
    /// ReLU capped at 6, `min(max(x, 0), 6)`, as PyTorch's `nn.ReLU6`
    /// (MobileNets' activation; subgradient 0 at both corners).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(ReLU6.forward(&[-1.0, 3.0, 7.0]), [0.0, 3.0, 6.0]);
    /// ```
    ReLU6, |self, x, y| act::hard_tanh(x, y, 0.0, 6.0), |x, _y, d| act::hard_tanh_backward(x, d, 0.0, 6.0)
);
activation!(
    /// Logistic sigmoid, `1 / (1 + e^-x)`, computed without overflow.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Sigmoid.forward(&[0.0]), [0.5]);
    /// ```
    Sigmoid fuses Sigmoid, |self, x, y| act::sigmoid(x, y), |_x, y, d| act::sigmoid_backward(y, d)
);
activation!(
    /// Hyperbolic tangent.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tanh.forward(&[0.0]), [0.0]);
    /// ```
    Tanh, |self, x, y| act::tanh(x, y), |_x, y, d| act::tanh_backward(y, d)
);
activation!(
    /// Softplus, `ln(1 + eˣ)`, a smooth ReLU; stable for any `|x|`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Softplus.forward(&[100.0]), [100.0]);
    /// ```
    Softplus, |self, x, y| act::softplus(x, y), |x, _y, d| act::softplus_backward(x, d)
);
activation!(
    /// The perceptron's Heaviside step: `1` for `x ≥ 0`, else `0`.
    ///
    /// Its derivative is zero wherever it exists, so backpropagation passes
    /// no gradient through it: train a perceptron with the perceptron learning
    /// rule on the pre-activation (or a smooth surrogate such as `Sigmoid`)
    /// and use `BinaryStep` at inference.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(BinaryStep.forward(&[-0.5, 0.0, 2.0]), [0.0, 1.0, 1.0]);
    /// ```
    BinaryStep, |self, x, y| act::binary_step(x, y), |_x, _y, d| d.fill(0.0)
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
    Softmax fuses Softmax, |self, x, y| softmax::softmax(x, y), |_x, y, d| softmax::softmax_backward(y, d)
);

/// Leaky ReLU: `x` for `x > 0`, else `slope·x`.
///
/// The default slope is PyTorch's 0.01; the course notes use 0.1 (write
/// `LeakyReLU::new(0.1)`, or `LeakyReLU<0.1>` in `network!`).
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(LeakyReLU::new(0.1).forward(&[-2.0, 3.0]), [-0.2, 3.0]);
/// assert_eq!(LeakyReLU::default().slope, 0.01);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyReLU {
    /// The slope for negative inputs.
    pub slope: f32,
}

impl LeakyReLU {
    /// A leaky ReLU with the given negative slope.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::LeakyReLU::new(0.2).slope, 0.2);
    /// ```
    pub const fn new(slope: f32) -> Self {
        Self { slope }
    }
}

impl Default for LeakyReLU {
    fn default() -> Self {
        Self::new(nn_shape::defaults::LEAKY_RELU_SLOPE)
    }
}

/// Exponential linear unit: `x` for `x > 0`, else `α(eˣ − 1)`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(ELU::new(1.0).forward(&[0.0, 2.0]), [0.0, 2.0]);
/// assert_eq!(ELU::default().alpha, 1.0);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ELU {
    /// The negative saturation value is `−α`.
    pub alpha: f32,
}

impl ELU {
    /// An ELU with the given `α` (PyTorch's default is 1).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::ELU::new(0.5).alpha, 0.5);
    /// ```
    pub const fn new(alpha: f32) -> Self {
        Self { alpha }
    }
}

impl Default for ELU {
    fn default() -> Self {
        Self::new(nn_shape::defaults::ELU_ALPHA)
    }
}

/// Hard tanh: `clamp(x, min, max)`, by default `[-1, 1]`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(HardTanh::default().forward(&[-3.0, 0.5, 3.0]), [-1.0, 0.5, 1.0]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HardTanh {
    /// Lower clamp.
    pub min: f32,
    /// Upper clamp.
    pub max: f32,
}

impl HardTanh {
    /// Clamps to `[min, max]`.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::HardTanh::new(0.0, 6.0).max, 6.0); // ReLU6
    /// ```
    pub const fn new(min: f32, max: f32) -> Self {
        Self { min, max }
    }
}

impl Default for HardTanh {
    fn default() -> Self {
        let (min, max) = nn_shape::defaults::HARD_TANH;
        Self::new(min, max)
    }
}

// SAFETY: these hold only f32 fields; zero bits are valid values.
unsafe impl Zeroable for LeakyReLU {}
// SAFETY: as above.
unsafe impl Zeroable for ELU {}
// SAFETY: as above.
unsafe impl Zeroable for HardTanh {}
// SAFETY: `repr(C)` of f32 fields: no padding, any bit pattern is valid.
unsafe impl Plain for LeakyReLU {}
// SAFETY: as above.
unsafe impl Plain for ELU {}
// SAFETY: as above.
unsafe impl Plain for HardTanh {}

impl Activation for LeakyReLU {
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        act::leaky_relu(x, y, self.slope)
    }
    fn backprop(&self, x: &[f32], _y: &[f32], d: &mut [f32]) {
        act::leaky_relu_backward(x, d, self.slope)
    }
}

impl Activation for ELU {
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        act::elu(x, y, self.alpha)
    }
    fn backprop(&self, x: &[f32], y: &[f32], d: &mut [f32]) {
        act::elu_backward(x, y, d, self.alpha)
    }
}

impl Activation for HardTanh {
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        act::hard_tanh(x, y, self.min, self.max)
    }
    fn backprop(&self, x: &[f32], _y: &[f32], d: &mut [f32]) {
        act::hard_tanh_backward(x, d, self.min, self.max)
    }
}
