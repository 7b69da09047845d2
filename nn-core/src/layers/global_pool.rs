//! Global average pooling: each channel of an image becomes its mean, so a
//! `C × H × W` image becomes a vector of `C` features (the head of ResNets
//! and MobileNets), as PyTorch's `AdaptiveAvgPool2d(1)` then `Flatten`.
//!
//! ```
//! use nn_core::prelude::*;
//! let y = GlobalAvgPool2d.forward(&[[[1.0, 3.0]], [[2.0, 2.0]]]);
//! assert_eq!(y, [2.0, 2.0]);
//! ```
use crate::layer::{Context, Forward, Layer};
use crate::mem::{Plain, Zeroable};

/// The mean of each channel over all its `H × W` positions: `C × H × W → C`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(<GlobalAvgPool2d as Layer<[[[f32; 4]; 4]; 3]>>::NUM_PARAMS, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalAvgPool2d;

// SAFETY: a unit struct has no bytes.
unsafe impl Zeroable for GlobalAvgPool2d {}
// SAFETY: as above.
unsafe impl Plain for GlobalAvgPool2d {}

impl<const C: usize, const H: usize, const W: usize> Forward<[[[f32; W]; H]; C]>
    for GlobalAvgPool2d
{
    type Out = [f32; C];
    fn forward_into(&self, x: &[[[f32; W]; H]; C], y: &mut [f32; C]) {
        let area = (H * W) as f32;
        for (y, x) in y.iter_mut().zip(x) {
            *y = x.as_flattened().iter().sum::<f32>() / area;
        }
    }
}

impl<const C: usize, const H: usize, const W: usize> Layer<[[[f32; W]; H]; C]> for GlobalAvgPool2d {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[[[f32; W]; H]; C]; B],
        y: &mut [[f32; C]; B],
        _: &mut (),
        _: &mut Context,
    ) {
        crate::layer::forward_each(self, x, y);
    }

    fn backward<const B: usize>(
        &self,
        _x: &[[[[f32; W]; H]; C]; B],
        _y: &[[f32; C]; B],
        dy: &[[f32; C]; B],
        _: &mut (),
        dx: Option<&mut [[[[f32; W]; H]; C]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        let area = (H * W) as f32;
        for (dx, dy) in dx.iter_mut().zip(dy) {
            for (channel, d) in dx.iter_mut().zip(dy) {
                channel.as_flattened_mut().fill(d / area);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Mode;
    use crate::train::gradcheck::check_layer;

    #[test]
    fn gradients_match_finite_differences() {
        check_layer::<[[[f32; 3]; 2]; 4], _, 3>(GlobalAvgPool2d, Mode::Train, &[], 7);
    }
}
