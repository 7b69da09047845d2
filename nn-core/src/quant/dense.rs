//! The int8 `Linear`.
use super::{Fold, Int8Forward, Params, Quantize};
use crate::layers::{BatchNorm, Linear};
use crate::mem::{Plain, Zeroable};
use nn_kernels::int8::{self, Channel, Requant, Stage};

/// An int8 [`Linear`]: per-output-channel symmetric weights (row-major, one
/// row of `I` per output), `i32` biases with the input's zero point folded
/// in, and each channel's requantization to the output.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int8Linear<const I: usize, const O: usize> {
    /// `weight[o][i]`, in `[−127, 127]`.
    pub weight: [[i8; I]; O],
    /// Per output.
    pub channels: [Channel; O],
    /// The output's zero point.
    pub zero: i8,
}

// SAFETY: bytes and packed integers (alignment 1): no padding, and zero
// (or any) bits are valid.
unsafe impl<const I: usize, const O: usize> Zeroable for Int8Linear<I, O> {}
// SAFETY: as above.
unsafe impl<const I: usize, const O: usize> Plain for Int8Linear<I, O> {}

impl<const I: usize, const O: usize> Int8Forward<[i8; I]> for Int8Linear<I, O> {
    type Out = [i8; O];
    fn forward_into(&self, x: &[i8; I], y: &mut [i8; O]) {
        let stage = Stage {
            channels: &self.channels,
            zero: self.zero as i32,
        };
        int8::dense(x, self.weight.as_flattened(), &stage, y);
    }
}

/// Symmetric int8 weights for one output channel (`taps` of them): the
/// scale, and the values in `[−127, 127]` written by `store(k, q)`.
pub(crate) fn quantize_channel(
    taps: impl Iterator<Item = f32> + Clone,
    mut store: impl FnMut(usize, i8),
) -> f32 {
    let largest = taps.clone().fold(0.0f32, |m, w| m.max(w.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    for (k, w) in taps.enumerate() {
        store(k, libm::roundf(w / scale).clamp(-127.0, 127.0) as i8);
    }
    scale
}

/// A channel's bias and multiplier for weights of `weight_scale`.
pub(crate) fn channel(bias: f32, input: Params, weight_scale: f32, output: Params) -> Channel {
    let acc_scale = input.scale() as f64 * weight_scale as f64;
    Channel {
        bias: libm::round(bias as f64 / acc_scale).clamp(i32::MIN as f64, i32::MAX as f64) as i32,
        requant: Requant::new(acc_scale / output.scale() as f64),
    }
}

/// The identity's channel affine: a layer quantized without a batch norm.
pub(crate) fn unscaled(_: usize) -> (f32, f32) {
    (1.0, 0.0)
}

impl<const I: usize, const O: usize> Linear<I, O> {
    /// The int8 layer computing `affine(o) = (a, b)` of each output:
    /// `a·(W x + bias)_o + b`.
    fn quantize_scaled(
        &self,
        affine: impl Fn(usize) -> (f32, f32),
        input: Params,
        output: Params,
    ) -> Int8Linear<I, O> {
        let mut q = Int8Linear::<I, O>::zeroed();
        q.zero = output.zero() as i8;
        for o in 0..O {
            let (a, b) = affine(o);
            let row = &mut q.weight[o];
            let scale = quantize_channel(self.weight.iter().map(|w| w[o] * a), |i, v| row[i] = v);
            let mut c = channel(self.bias[o] * a + b, input, scale, output);
            // Σ (x − z)·w = Σ x·w − z·Σ w: the kernel sums x·w only.
            let sum: i32 = row.iter().map(|&w| w as i32).sum();
            c.bias = c.bias.saturating_sub(input.zero().saturating_mul(sum));
            q.channels[o] = c;
        }
        q
    }
}

impl<const I: usize, const O: usize> Quantize<[f32; I]> for Linear<I, O> {
    type Int8 = Int8Linear<I, O>;

    fn quantize(&self, input: Params, output: Params) -> Int8Linear<I, O> {
        self.quantize_scaled(unscaled, input, output)
    }
}

impl<const I: usize, const O: usize> Fold<[f32; I], O> for Linear<I, O> {
    fn quantize_folded(
        &self,
        bn: &BatchNorm<O>,
        input: Params,
        output: Params,
    ) -> Int8Linear<I, O> {
        self.quantize_scaled(|o| bn.inference_affine(o), input, output)
    }
}
