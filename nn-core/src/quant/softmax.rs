//! The int8 softmax: integer arithmetic through a table of exponentials,
//! into TFLite's fixed output quantization (scale 1/256, zero −128).
use super::{Int8Forward, Params, Quantize};
use crate::layers::Softmax;
use crate::mem::{Plain, Zeroable};

/// Fraction bits of the exponential table.
const ONE: f64 = (1u32 << 16) as f64;

/// An int8 [`Softmax`]: `exp[k]` is `e^(−k·scale)` of the input's scale in
/// 16-bit fixed point, so each output is `e[max − q] / Σ e`, in integers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int8Softmax {
    /// Little-endian `u32`s (bytes, so the layer has no padding).
    pub exp: [[u8; 4]; 256],
}

// SAFETY: bytes only: no padding, any bits are valid.
unsafe impl Zeroable for Int8Softmax {}
// SAFETY: as above.
unsafe impl Plain for Int8Softmax {}

/// The output quantization of every int8 softmax: probabilities in steps of 1/256.
pub(crate) fn probabilities() -> Params {
    Params::new(1.0 / 256.0, -128)
}

impl<const N: usize> Int8Forward<[i8; N]> for Int8Softmax {
    type Out = [i8; N];
    fn forward_into(&self, x: &[i8; N], y: &mut [i8; N]) {
        // Each e is at most 2^16, so for up to 2^15 classes 256 · e + Σ / 2
        // fits a u32: 32-bit division, which microcontrollers do in hardware.
        const { assert!(N <= 1 << 15, "an int8 softmax takes at most 32,768 classes") };
        let max = x.iter().copied().max().unwrap_or(0) as i32;
        let e = |q: i8| u32::from_le_bytes(self.exp[(max - q as i32) as usize]);
        let sum: u32 = x.iter().map(|&q| e(q)).sum();
        for (y, &q) in y.iter_mut().zip(x) {
            // round(256 · e / Σ) − 128, in [−128, 127].
            let p = (e(q) * 256 + sum / 2) / sum;
            *y = (p as i32 - 128).min(127) as i8;
        }
    }
}

impl<const N: usize> Quantize<[f32; N]> for Softmax {
    type Int8 = Int8Softmax;
    fn output_params(_: Params, _: Params) -> Params {
        probabilities()
    }
    fn quantize(&self, input: Params, _: Params) -> Int8Softmax {
        Int8Softmax {
            exp: core::array::from_fn(|k| {
                let e = libm::exp(-(k as f64) * input.scale() as f64);
                (libm::round(e * ONE) as u32).to_le_bytes()
            }),
        }
    }
}
