//! int8 inference in TensorFlow Lite's scheme: post-training quantization
//! from a calibration set, and the quantized layers.
//!
//! A real value `r` is stored as an int8 `q` with `r = scale · (q − zero)`
//! ([`Params`]). Weights are symmetric per output channel (zero 0, range
//! ±127), activations asymmetric per tensor with the range a calibration
//! set produced ([`Range`]), biases `i32` in the accumulator's scale, and
//! every layer runs in integers only (`nn_kernels::int8`): the same bits on
//! every target.
//!
//! A layer that can be quantized implements [`Quantize`]: given the
//! quantization of its input and output, it makes its int8 counterpart, an
//! [`Int8Forward`]. `network!` with `#[nn(int8)]` generates a network's
//! int8 type, its calibration and its quantization from these.
//!
//! ```
//! use nn_core::prelude::*;
//! use nn_core::quant::{Int8Forward, Params, Quantize};
//! let mut linear = Linear::<2, 1>::zeroed();
//! linear.weight = [[0.5], [-0.25]];
//! let (input, output) = (Params::from_range(-1.0, 1.0), Params::from_range(-1.0, 1.0));
//! let q = linear.quantize(input, output);
//! let mut y = [0i8];
//! q.forward_into(&[input.quantize(1.0), input.quantize(1.0)], &mut y);
//! assert!((output.dequantize(y[0]) - 0.25).abs() < 0.02);
//! ```
mod add;
mod conv;
mod dense;
mod elementwise;
mod params;
mod pool;
mod softmax;

pub use add::Int8Add;
pub use conv::Int8Conv2d;
pub use dense::Int8Linear;
pub use elementwise::{Int8Copy, Int8Lookup, Int8Reshape};
pub use params::{Params, Range};
pub use pool::{Int8AvgPool2d, Int8GlobalAvgPool2d, Int8MaxPool2d};
pub use softmax::Int8Softmax;

use crate::layer::{Forward, Shape};
use crate::layers::BatchNorm;
use crate::mem::Plain;

/// An int8 layer: one quantized sample in, one out.
///
/// ```
/// use nn_core::quant::{Int8Copy, Int8Forward};
/// let mut y = [0i8; 2];
/// Int8Copy.forward_into(&[3, -4], &mut y);
/// assert_eq!(y, [3, -4]);
/// ```
pub trait Int8Forward<In> {
    /// The output's int8 shape.
    type Out;
    /// Runs one sample, writing every value of `y`.
    fn forward_into(&self, x: &In, y: &mut Self::Out);
}

/// A layer with an int8 counterpart.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::quant::{Params, Quantize};
/// // Pooling keeps its input's quantization; a linear layer has its own.
/// let p = Params::from_range(-1.0, 3.0);
/// assert_eq!(<MaxPool2d<2, 1, 1> as Quantize<[[[f32; 2]; 2]; 1]>>::output_params(p, Params::from_range(0.0, 1.0)), p);
/// ```
pub trait Quantize<In: Shape>: Forward<In> {
    /// The int8 layer.
    type Int8: Int8Forward<In::Int8, Out = <Self::Out as Shape>::Int8>
        + Plain
        + Clone
        + core::fmt::Debug
        + PartialEq;

    /// The quantization of the output, given the input's and the range the
    /// calibration set produced: `calibrated` for a layer that computes new
    /// values; layers that only move or select values (pooling, reshapes,
    /// dropout) keep `input`, and a softmax has a fixed one.
    fn output_params(input: Params, calibrated: Params) -> Params {
        let _ = input;
        calibrated
    }

    /// The int8 layer for this input and output quantization.
    fn quantize(&self, input: Params, output: Params) -> Self::Int8;
}

/// A layer that a batch norm after it folds into for int8 inference (a
/// convolution or linear layer with `C` output channels): each channel's
/// weights and bias take the batch norm's scale and shift, so the pair is one
/// int8 layer, as TFLite converts `Conv2D → BatchNorm`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::quant::{Fold, Int8Forward, Params};
/// let mut linear = Linear::<1, 1>::zeroed();
/// linear.weight = [[0.5]];
/// let mut bn = BatchNorm1d::<1>::new();
/// (bn.gamma, bn.beta) = ([2.0], [0.25]);
/// let p = Params::from_range(-2.0, 2.0);
/// let q = linear.quantize_folded(&bn, p, p);
/// let mut y = [0i8];
/// q.forward_into(&[p.quantize(1.0)], &mut y);
/// let exact = bn.forward(&linear.forward(&[1.0]))[0];
/// assert!((p.dequantize(y[0]) - exact).abs() <= p.scale());
/// ```
pub trait Fold<In: Shape, const C: usize>: Quantize<In> {
    /// The int8 layer computing this layer, then `bn` in evaluation mode.
    fn quantize_folded(&self, bn: &BatchNorm<C>, input: Params, output: Params) -> Self::Int8;
}
