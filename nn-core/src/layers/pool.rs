//! Pooling: [`MaxPool2d`] and [`AvgPool2d`] over `K × K` windows with stride
//! `S` (default `K`), per channel. As with convolutions, the output size
//! `OH × OW` is a type parameter checked at compile time against
//! `⌊(n − K)/S⌋ + 1`; `network!` computes it.
//!
//! ```
//! use nn_core::prelude::*;
//! let pool = MaxPool2d::<2, 1, 1>;
//! assert_eq!(pool.forward(&[[[1.0, 4.0], [3.0, 2.0]]]), [[[4.0]]]);
//! ```
use super::conv::fits;
use crate::layer::{Context, Forward, Layer, flat, flat_mut};
use crate::storage::Zeroable;
use core::slice::{from_mut, from_ref};
use nn_kernels::conv::Geometry;
use nn_kernels::pool;

/// The pooling window over a `C × H × W` input, checked at compile time.
const fn window<const C: usize, const H: usize, const W: usize>(
    k: usize,
    s: usize,
    oh: usize,
    ow: usize,
) -> Geometry {
    assert!(
        fits(H, k, s, 0, 1, oh) && fits(W, k, s, 0, 1, ow),
        "pooling: OH×OW must be ⌊(n − K)/S⌋ + 1 of the input's H×W"
    );
    Geometry::square(C, H, W, k, s, 0, 1)
}

/// Max pooling: each output is the largest input in its `K × K` window
/// (stride `S`); the gradient flows only to that input (the first one on ties).
///
/// ```
/// use nn_core::prelude::*;
/// let y = MaxPool2d::<2, 1, 2>.forward(&[[[1.0, 0.0, 5.0, 6.0], [2.0, 3.0, 7.0, 0.0]]]);
/// assert_eq!(y, [[[3.0, 7.0]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaxPool2d<const K: usize, const OH: usize, const OW: usize, const S: usize = K>;

/// Average pooling: each output is the mean of its `K × K` window (stride `S`).
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(AvgPool2d::<2, 1, 1>.forward(&[[[1.0, 2.0], [3.0, 6.0]]]), [[[3.0]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AvgPool2d<const K: usize, const OH: usize, const OW: usize, const S: usize = K>;

// SAFETY: unit structs have no bytes.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Zeroable
    for MaxPool2d<K, OH, OW, S>
{
}
// SAFETY: as above.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Zeroable
    for AvgPool2d<K, OH, OW, S>
{
}

impl<
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const C: usize,
    const H: usize,
    const W: usize,
> Forward<[[[f32; W]; H]; C]> for MaxPool2d<K, OH, OW, S>
{
    type Out = [[[f32; OW]; OH]; C];
    fn forward(&self, x: &[[[f32; W]; H]; C]) -> Self::Out {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        let mut y = [[[0.0; OW]; OH]; C];
        let mut argmax = [[[0u32; OW]; OH]; C];
        pool::max_pool(
            &g,
            flat(from_ref(x)),
            flat_mut(from_mut(&mut y)),
            argmax.as_flattened_mut().as_flattened_mut(),
        );
        y
    }
}

impl<
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const C: usize,
    const H: usize,
    const W: usize,
> Layer<[[[f32; W]; H]; C]> for MaxPool2d<K, OH, OW, S>
{
    /// For every output, the index of its maximum within the sample's input.
    type Cache<const B: usize> = [[[[u32; OW]; OH]; C]; B];
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[[[f32; W]; H]; C]; B],
        y: &mut [Self::Out; B],
        argmax: &mut Self::Cache<B>,
        _: &mut Context,
    ) {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        for ((x, y), arg) in x.iter().zip(y.iter_mut()).zip(argmax.iter_mut()) {
            let arg: &mut [u32] = bytemuck::cast_slice_mut(from_mut(arg));
            pool::max_pool(&g, flat(from_ref(x)), flat_mut(from_mut(y)), arg);
        }
    }

    fn backward<const B: usize>(
        &self,
        _x: &[[[[f32; W]; H]; C]; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        argmax: &mut Self::Cache<B>,
        dx: Option<&mut [[[[f32; W]; H]; C]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        flat_mut(dx).fill(0.0);
        for ((dy, arg), dx) in dy.iter().zip(argmax.iter()).zip(dx.iter_mut()) {
            let arg: &[u32] = bytemuck::cast_slice(from_ref(arg));
            pool::scatter_add(flat(from_ref(dy)), arg, flat_mut(from_mut(dx)));
        }
    }
}

impl<
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const C: usize,
    const H: usize,
    const W: usize,
> Forward<[[[f32; W]; H]; C]> for AvgPool2d<K, OH, OW, S>
{
    type Out = [[[f32; OW]; OH]; C];
    fn forward(&self, x: &[[[f32; W]; H]; C]) -> Self::Out {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        let mut y = [[[0.0; OW]; OH]; C];
        pool::avg_pool(&g, flat(from_ref(x)), flat_mut(from_mut(&mut y)));
        y
    }
}

impl<
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const C: usize,
    const H: usize,
    const W: usize,
> Layer<[[[f32; W]; H]; C]> for AvgPool2d<K, OH, OW, S>
{
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[[[f32; W]; H]; C]; B],
        y: &mut [Self::Out; B],
        _: &mut (),
        _: &mut Context,
    ) {
        for (x, y) in x.iter().zip(y.iter_mut()) {
            *y = self.forward(x);
        }
    }

    fn backward<const B: usize>(
        &self,
        _x: &[[[[f32; W]; H]; C]; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        _: &mut (),
        dx: Option<&mut [[[[f32; W]; H]; C]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        flat_mut(dx).fill(0.0);
        for (dy, dx) in dy.iter().zip(dx.iter_mut()) {
            pool::avg_pool_backward(&g, flat(from_ref(dy)), flat_mut(from_mut(dx)));
        }
    }
}
