//! int8 max and average pooling: both keep their input's quantization.
use super::{Int8Forward, Params, Quantize};
use crate::layers::{AvgPool2d, GlobalAvgPool2d, MaxPool2d, window};
use crate::mem::{Plain, Zeroable};
use nn_kernels::conv::Geometry;
use nn_kernels::int8;

macro_rules! int8_pool {
    ($(#[$doc:meta])* $name:ident of $float:ident, $kernel:path) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name<const K: usize, const OH: usize, const OW: usize, const S: usize = K>;

        // SAFETY: a unit struct has no bytes.
        unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Zeroable
            for $name<K, OH, OW, S>
        {
        }
        // SAFETY: as above.
        unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Plain
            for $name<K, OH, OW, S>
        {
        }

        impl<const K: usize, const OH: usize, const OW: usize, const S: usize, const C: usize, const H: usize, const W: usize>
            Int8Forward<[[[i8; W]; H]; C]> for $name<K, OH, OW, S>
        {
            type Out = [[[i8; OW]; OH]; C];
            fn forward_into(&self, x: &[[[i8; W]; H]; C], y: &mut Self::Out) {
                let g = const { window::<C, H, W>(K, S, OH, OW) };
                $kernel(&g, x.as_flattened().as_flattened(), y.as_flattened_mut().as_flattened_mut());
            }
        }

        impl<const K: usize, const OH: usize, const OW: usize, const S: usize, const C: usize, const H: usize, const W: usize>
            Quantize<[[[f32; W]; H]; C]> for $float<K, OH, OW, S>
        {
            type Int8 = $name<K, OH, OW, S>;
            fn output_params(input: Params, _: Params) -> Params {
                input
            }
            fn quantize(&self, _: Params, _: Params) -> Self::Int8 {
                $name
            }
        }
    };
}

int8_pool!(
    /// An int8 [`MaxPool2d`]: the largest stored value of each window.
    Int8MaxPool2d of MaxPool2d, int8::max_pool
);
int8_pool!(
    /// An int8 [`AvgPool2d`]: each window's mean, rounded.
    Int8AvgPool2d of AvgPool2d, int8::avg_pool
);

/// An int8 [`GlobalAvgPool2d`]: each channel's mean, rounded, in its input's
/// quantization.
///
/// ```
/// use nn_core::quant::{Int8Forward, Int8GlobalAvgPool2d};
/// let mut y = [0i8; 2];
/// Int8GlobalAvgPool2d.forward_into(&[[[1, 2]], [[-3, -4]]], &mut y);
/// assert_eq!(y, [2, -4]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Int8GlobalAvgPool2d;

// SAFETY: a unit struct has no bytes.
unsafe impl Zeroable for Int8GlobalAvgPool2d {}
// SAFETY: as above.
unsafe impl Plain for Int8GlobalAvgPool2d {}

impl<const C: usize, const H: usize, const W: usize> Int8Forward<[[[i8; W]; H]; C]>
    for Int8GlobalAvgPool2d
{
    type Out = [i8; C];
    fn forward_into(&self, x: &[[[i8; W]; H]; C], y: &mut [i8; C]) {
        let whole = const { Geometry::new(C, [H, W], [H, W], [1, 1], [0, 0], 1) };
        int8::avg_pool(&whole, x.as_flattened().as_flattened(), y);
    }
}

impl<const C: usize, const H: usize, const W: usize> Quantize<[[[f32; W]; H]; C]>
    for GlobalAvgPool2d
{
    type Int8 = Int8GlobalAvgPool2d;
    fn output_params(input: Params, _: Params) -> Params {
        input
    }
    fn quantize(&self, _: Params, _: Params) -> Int8GlobalAvgPool2d {
        Int8GlobalAvgPool2d
    }
}
