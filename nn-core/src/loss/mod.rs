//! Losses. A [`Loss`] scores one sample's output against its target and
//! gives the gradient; trainers average over the batch.
//!
//! Networks ending in `Softmax` (or `Sigmoid`) hand the loss both the layer's
//! input `z` and output `y`, so losses that have a stable fused form use it:
//! cross-entropy after softmax is `lse(z) − z_t` with gradient `y − t`, never
//! `log(softmax)` and never a Jacobian product.
//!
//! ```
//! use nn_core::prelude::*;
//! let z = [2.0, 1.0, 0.1];
//! let loss = CrossEntropy.loss_grad(&z, &0usize, None);
//! assert!((loss - 0.4170).abs() < 1e-4);
//! ```
mod bce;
mod cross_entropy;
mod huber;
mod kl_div;
mod output;
mod perceptron;
mod pixelwise;
mod regression;

pub use bce::Bce;
pub use cross_entropy::{CrossEntropy, SmoothedCrossEntropy};
pub use huber::Huber;
pub use kl_div::KlDiv;
pub use output::Output;
pub use perceptron::Perceptron;
pub use pixelwise::PixelCrossEntropy;
pub use regression::{L1, Mse};

use crate::layer::Fusion;
use nn_kernels::{activation::sigmoid_backward, softmax::softmax_backward};

/// A per-sample loss of an `N`-feature output against a target of type `T`.
///
/// ```
/// use nn_core::prelude::*;
/// let mut dy = [0.0; 2];
/// let l = Mse.loss_grad(&[1.0, 3.0], &[1.0, 1.0], Some(&mut dy));
/// assert_eq!((l, dy), (2.0, [0.0, 2.0]));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot score `[f32; {N}]` outputs against `{T}` targets",
    label = "the target's type or size does not match the network's output",
    note = "regression losses take `[f32; N]` targets of the output's size (a one-output network also takes `f32`); `CrossEntropy` also takes a class index `usize`; `Bce` on one output also takes a `bool` or `usize` label"
)]
pub trait Loss<const N: usize, T> {
    /// The loss of output `y` against target `t`; when `dy` is given, also
    /// writes `∂L/∂y` there.
    fn loss_grad(&self, y: &[f32; N], t: &T, dy: Option<&mut [f32; N]>) -> f32;

    /// The loss when `y = softmax(z)`, and `∂L/∂z`. The default applies the
    /// softmax Jacobian to `∂L/∂y`; losses with a fused form override it.
    fn loss_grad_softmax(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &T,
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        let _ = z;
        through(y, dz, softmax_backward, |dy| self.loss_grad(y, t, dy))
    }

    /// The loss when `y = sigmoid(z)`, and `∂L/∂z`. The default multiplies
    /// `∂L/∂y` by `y (1 − y)`; losses with a fused form override it.
    fn loss_grad_sigmoid(
        &self,
        z: &[f32; N],
        y: &[f32; N],
        t: &T,
        dz: Option<&mut [f32; N]>,
    ) -> f32 {
        let _ = z;
        through(y, dz, sigmoid_backward, |dy| self.loss_grad(y, t, dy))
    }

    /// The loss of a network whose last layer maps `z` to `y` and fuses as
    /// `fusion` says, with `∂L/∂z` for fused layers and `∂L/∂y` for
    /// [`Fusion::None`] (which ignores `z`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::layer::Fusion;
    /// let (z, y) = ([0.0, 0.0], [0.5, 0.5]);
    /// let loss = CrossEntropy.loss_grad_after(Fusion::Softmax, &z, &y, &0usize, None);
    /// assert!((loss - 2.0f32.ln()).abs() < 1e-6);
    /// ```
    fn loss_grad_after(
        &self,
        fusion: Fusion,
        z: &[f32; N],
        y: &[f32; N],
        t: &T,
        d: Option<&mut [f32; N]>,
    ) -> f32 {
        match fusion {
            Fusion::None => self.loss_grad(y, t, d),
            Fusion::Softmax => self.loss_grad_softmax(z, y, t, d),
            Fusion::Sigmoid => self.loss_grad_sigmoid(z, y, t, d),
        }
    }
}

/// Targets of a one-output network as loaders return them: a regression
/// value `f32` for `Mse`, `L1`, `Huber` and `Bce` (a probability), and a
/// binary label `bool` or `usize` (0 or 1) for `Bce`. Each is the `[f32; 1]`
/// target it stands for, fused paths included.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(Mse.loss_grad(&[3.0], &1.0f32, None), Mse.loss_grad(&[3.0], &[1.0], None));
/// assert_eq!(Bce.loss_grad(&[0.5], &true, None), Bce.loss_grad(&[0.5], &[1.0], None));
/// assert_eq!(Bce.loss_grad(&[0.5], &0usize, None), Bce.loss_grad(&[0.5], &[0.0], None));
/// ```
macro_rules! scalar_targets {
    ($($loss:ty: $target:ty => |$t:ident| $value:expr;)*) => {$(
        impl Loss<1, $target> for $loss {
            fn loss_grad(&self, y: &[f32; 1], $t: &$target, dy: Option<&mut [f32; 1]>) -> f32 {
                self.loss_grad(y, &[$value], dy)
            }
            fn loss_grad_softmax(&self, z: &[f32; 1], y: &[f32; 1], $t: &$target, dz: Option<&mut [f32; 1]>) -> f32 {
                self.loss_grad_softmax(z, y, &[$value], dz)
            }
            fn loss_grad_sigmoid(&self, z: &[f32; 1], y: &[f32; 1], $t: &$target, dz: Option<&mut [f32; 1]>) -> f32 {
                self.loss_grad_sigmoid(z, y, &[$value], dz)
            }
        }
    )*};
}

scalar_targets! {
    Mse: f32 => |t| *t;
    L1: f32 => |t| *t;
    Huber: f32 => |t| *t;
    Bce: f32 => |t| *t;
    Bce: bool => |t| f32::from(u8::from(*t));
    // A class index: 0 or 1 (anything else counts as the positive class).
    Bce: usize => |t| f32::from(u8::from(*t != 0));
}

/// Chain rule through a final activation: loss gradient w.r.t. its output,
/// then the activation's backward in place.
fn through<const N: usize>(
    y: &[f32; N],
    dz: Option<&mut [f32; N]>,
    backward: fn(&[f32], &mut [f32]),
    loss_grad: impl FnOnce(Option<&mut [f32; N]>) -> f32,
) -> f32 {
    match dz {
        None => loss_grad(None),
        Some(dz) => {
            let loss = loss_grad(Some(&mut *dz));
            backward(y, dz);
            loss
        }
    }
}
