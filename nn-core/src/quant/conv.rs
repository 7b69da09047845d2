//! The int8 `Conv2d` (grouped and depthwise included).
use super::dense::{channel, quantize_channel, unscaled};
use super::{Fold, Int8Forward, Params, Quantize};
use crate::layers::{BatchNorm, Conv2d};
use crate::mem::{Plain, Zeroable};
use nn_kernels::int8::{self, Channel, Quantized, Stage};

/// An int8 [`Conv2d`] with the same sizes: per-output-channel symmetric
/// weights in PyTorch's layout, each channel's bias and requantization, and
/// both zero points (padding is the input's real zero, so the kernel
/// subtracts the input's zero point tap by tap).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int8Conv2d<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize = 1,
    const P: usize = 0,
    const D: usize = 1,
    const G: usize = 1,
    const CIG: usize = CI,
    const KW: usize = K,
    const SW: usize = S,
    const PW: usize = P,
> {
    /// `weight[co][ci][i][j]`, in `[−127, 127]`.
    pub weight: [[[[i8; KW]; K]; CIG]; CO],
    /// Per output channel.
    pub channels: [Channel; CO],
    /// The input's zero point.
    pub input_zero: i8,
    /// The output's zero point.
    pub zero: i8,
}

/// The impls of `Int8Conv2d`, written once over its parameter list.
macro_rules! int8_conv {
    ($($p:ident),*) => { int8_conv!(@ [$(const $p: usize),*] [$($p),*]); };
    (@ [$($g:tt)*] [$($n:ident),*]) => {
        // SAFETY: bytes and packed integers (alignment 1): no padding, and
        // zero (or any) bits are valid.
        unsafe impl<$($g)*> Zeroable for Int8Conv2d<$($n),*> {}
        // SAFETY: as above.
        unsafe impl<$($g)*> Plain for Int8Conv2d<$($n),*> {}

        impl<$($g)*, const H: usize, const W: usize> Int8Forward<[[[i8; W]; H]; CI]> for Int8Conv2d<$($n),*> {
            type Out = [[[i8; OW]; OH]; CO];
            fn forward_into(&self, x: &[[[i8; W]; H]; CI], y: &mut Self::Out) {
                let g =
                    const { Conv2d::<CI, CO, K, OH, OW, S, P, D, G, CIG, KW, SW, PW>::geometry::<H, W>() };
                let x = Quantized {
                    values: x.as_flattened().as_flattened(),
                    zero: self.input_zero as i32,
        };
        let stage = Stage {
            channels: &self.channels,
            zero: self.zero as i32,
        };
        let w = self.weight.as_flattened().as_flattened().as_flattened();
        int8::conv2d(&g, G, x, w, &stage, y.as_flattened_mut().as_flattened_mut());
    }
}

        impl<$($g)*> Conv2d<$($n),*> {
            /// The int8 layer computing `affine(co) = (a, b)` of each output
            /// channel: `a·(conv + bias) + b`.
            fn quantize_scaled(
                &self,
                affine: impl Fn(usize) -> (f32, f32),
                input: Params,
                output: Params,
            ) -> Int8Conv2d<$($n),*> {
                let mut q = Int8Conv2d::zeroed();
                q.input_zero = input.zero() as i8;
                q.zero = output.zero() as i8;
                for co in 0..CO {
                    let (a, b) = affine(co);
                    let filters = self.weight[co].as_flattened().as_flattened();
                    let into = q.weight[co].as_flattened_mut().as_flattened_mut();
                    let scale = quantize_channel(filters.iter().map(|w| w * a), |k, v| into[k] = v);
                    q.channels[co] = channel(self.bias[co] * a + b, input, scale, output);
                }
                q
            }
        }

        impl<$($g)*, const H: usize, const W: usize> Quantize<[[[f32; W]; H]; CI]> for Conv2d<$($n),*> {
            type Int8 = Int8Conv2d<$($n),*>;

            fn quantize(&self, input: Params, output: Params) -> Self::Int8 {
                self.quantize_scaled(unscaled, input, output)
            }
        }

        impl<$($g)*, const H: usize, const W: usize> Fold<[[[f32; W]; H]; CI], CO> for Conv2d<$($n),*> {
            fn quantize_folded(&self, bn: &BatchNorm<CO>, input: Params, output: Params) -> Self::Int8 {
                self.quantize_scaled(|co| bn.inference_affine(co), input, output)
            }
        }
    };
}
int8_conv!(CI, CO, K, OH, OW, S, P, D, G, CIG, KW, SW, PW);
