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
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};
use nn_kernels::conv::Geometry;
use nn_kernels::pooling;

/// The pooling window over a `C × H × W` input, checked at compile time.
pub(crate) const fn window<const C: usize, const H: usize, const W: usize>(
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
// SAFETY: as above.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Plain
    for MaxPool2d<K, OH, OW, S>
{
}
// SAFETY: as above.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Plain
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
    fn forward_into(&self, x: &[[[f32; W]; H]; C], y: &mut Self::Out) {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        pooling::max_pool_values(&g, flat(from_ref(x)), flat_mut(from_mut(y)));
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
            pooling::max_pool(&g, flat(from_ref(x)), flat_mut(from_mut(y)), arg);
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
            pooling::scatter_add(flat(from_ref(dy)), arg, flat_mut(from_mut(dx)));
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
    fn forward_into(&self, x: &[[[f32; W]; H]; C], y: &mut Self::Out) {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        pooling::avg_pool(&g, flat(from_ref(x)), flat_mut(from_mut(y)));
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
        crate::layer::forward_each(self, x, y);
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
            pooling::avg_pool_backward(&g, flat(from_ref(dy)), flat_mut(from_mut(dx)));
        }
    }
}

/// The indices a [`MaxPool2d`] recorded for one sample: for each output, the
/// flat position of its maximum in the pooled input.
pub type PoolIndices<const C: usize, const H: usize, const W: usize> = [[[u32; W]; H]; C];

impl<const K: usize, const OH: usize, const OW: usize, const S: usize> MaxPool2d<K, OH, OW, S> {
    /// Pools one sample and also returns where each maximum came from, for
    /// a later [`MaxUnpool2d`].
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let (y, at) = MaxPool2d::<2, 1, 1>.forward_with_indices(&[[[1.0, 4.0], [3.0, 2.0]]]);
    /// assert_eq!((y, at), ([[[4.0]]], [[[1]]]));
    /// ```
    pub fn forward_with_indices<const C: usize, const H: usize, const W: usize>(
        &self,
        x: &[[[f32; W]; H]; C],
    ) -> ([[[f32; OW]; OH]; C], PoolIndices<C, OH, OW>) {
        let mut y = [[[0.0; OW]; OH]; C];
        let mut at = [[[0u32; OW]; OH]; C];
        self.forward_with_indices_into(x, &mut y, &mut at);
        (y, at)
    }

    /// [`Self::forward_with_indices`] into caller memory.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let (mut y, mut at) = ([[[0.0]]], [[[0]]]);
    /// MaxPool2d::<2, 1, 1>.forward_with_indices_into(&[[[1.0, 4.0], [3.0, 2.0]]], &mut y, &mut at);
    /// assert_eq!((y, at), ([[[4.0]]], [[[1]]]));
    /// ```
    pub fn forward_with_indices_into<const C: usize, const H: usize, const W: usize>(
        &self,
        x: &[[[f32; W]; H]; C],
        y: &mut [[[f32; OW]; OH]; C],
        at: &mut PoolIndices<C, OH, OW>,
    ) {
        let g = const { window::<C, H, W>(K, S, OH, OW) };
        pooling::max_pool(
            &g,
            flat(from_ref(x)),
            flat_mut(from_mut(y)),
            bytemuck::cast_slice_mut(from_mut(at)),
        );
    }
}

/// Max unpooling: the partial inverse of a [`MaxPool2d`] with the same
/// window `K` and stride `S`. Each value returns to the position its
/// maximum came from (the pool's indices) in an `OH × OW` map of zeros.
/// Where overlapping windows (`S < K`) chose the same position, the value of
/// the later window (in row-major output order) is kept and, in the backward
/// pass, each of them receives that position's gradient: PyTorch's
/// `max_unpool2d` in both directions.
///
/// It is not a chain link on its own: it needs the indices of the pooling
/// layer it undoes. `network!` pairs each `MaxUnpool2d` with the nearest
/// preceding unpaired `MaxPool2d` (like brackets) and passes them; by hand,
/// call [`MaxUnpool2d::unpool`] with [`MaxPool2d::forward_with_indices`]'s
/// indices.
///
/// ```
/// use nn_core::prelude::*;
/// let x = [[[1.0, 4.0], [3.0, 2.0]]];
/// let (y, at) = MaxPool2d::<2, 1, 1>.forward_with_indices(&x);
/// assert_eq!(MaxUnpool2d::<2, 2, 2>.unpool(&y, &at), [[[0.0, 4.0], [0.0, 0.0]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaxUnpool2d<const K: usize, const OH: usize, const OW: usize, const S: usize = K>;

// SAFETY: a unit struct has no bytes.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Zeroable
    for MaxUnpool2d<K, OH, OW, S>
{
}
// SAFETY: as above.
unsafe impl<const K: usize, const OH: usize, const OW: usize, const S: usize> Plain
    for MaxUnpool2d<K, OH, OW, S>
{
}

impl<const K: usize, const OH: usize, const OW: usize, const S: usize> MaxUnpool2d<K, OH, OW, S> {
    /// Places one sample's values at `indices` in a map of zeros. The sizes
    /// must be those of a `MaxPool2d<K, H, W, S>` on an `OH × OW` input
    /// (checked at compile time).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = MaxUnpool2d::<2, 2, 4>.unpool(&[[[5.0, 6.0]]], &[[[2, 7]]]);
    /// assert_eq!(y, [[[0.0, 0.0, 5.0, 0.0], [0.0, 0.0, 0.0, 6.0]]]);
    /// ```
    pub fn unpool<const C: usize, const H: usize, const W: usize>(
        &self,
        x: &[[[f32; W]; H]; C],
        indices: &PoolIndices<C, H, W>,
    ) -> [[[f32; OW]; OH]; C] {
        let mut y = [[[0.0; OW]; OH]; C];
        self.unpool_into(x, indices, &mut y);
        y
    }

    /// [`Self::unpool`] into caller memory.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut y = [[[9.0; 2]; 2]; 1];
    /// MaxUnpool2d::<2, 2, 2>.unpool_into(&[[[5.0]]], &[[[1]]], &mut y);
    /// assert_eq!(y, [[[0.0, 5.0], [0.0, 0.0]]]);
    /// ```
    pub fn unpool_into<const C: usize, const H: usize, const W: usize>(
        &self,
        x: &[[[f32; W]; H]; C],
        indices: &PoolIndices<C, H, W>,
        y: &mut [[[f32; OW]; OH]; C],
    ) {
        const { window::<C, OH, OW>(K, S, H, W) };
        let y = flat_mut(from_mut(y));
        y.fill(0.0);
        pooling::scatter(
            flat(from_ref(x)),
            bytemuck::cast_slice(from_ref(indices)),
            y,
        );
    }

    /// [`Self::unpool`] over a batch, with the pool's per-sample indices
    /// (its training cache).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut y = [[[[0.0; 2]; 2]; 1]; 2];
    /// MaxUnpool2d::<2, 2, 2>.forward_batch(&[[[[1.0]]], [[[2.0]]]], &[[[[1]]], [[[2]]]], &mut y);
    /// assert_eq!(y, [[[[0.0, 1.0], [0.0, 0.0]]], [[[0.0, 0.0], [2.0, 0.0]]]]);
    /// ```
    pub fn forward_batch<const C: usize, const H: usize, const W: usize, const B: usize>(
        &self,
        x: &[[[[f32; W]; H]; C]; B],
        indices: &[PoolIndices<C, H, W>; B],
        y: &mut [[[[f32; OW]; OH]; C]; B],
    ) {
        for ((x, at), y) in x.iter().zip(indices).zip(y.iter_mut()) {
            self.unpool_into(x, at, y);
        }
    }

    /// The backward pass: each input's gradient is the output gradient at
    /// the position it was placed.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut dx = [[[[0.0]]]; 1];
    /// MaxUnpool2d::<2, 2, 2>.backward(&[[[[1]]]], &[[[[3.0, 4.0], [5.0, 6.0]]]], &mut dx);
    /// assert_eq!(dx, [[[[4.0]]]]);
    /// ```
    pub fn backward<const C: usize, const H: usize, const W: usize, const B: usize>(
        &self,
        indices: &[PoolIndices<C, H, W>; B],
        dy: &[[[[f32; OW]; OH]; C]; B],
        dx: &mut [[[[f32; W]; H]; C]; B],
    ) {
        const { window::<C, OH, OW>(K, S, H, W) };
        for ((at, dy), dx) in indices.iter().zip(dy).zip(dx.iter_mut()) {
            pooling::gather(
                flat(from_ref(dy)),
                bytemuck::cast_slice(from_ref(at)),
                flat_mut(from_mut(dx)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrainRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn unpooling_inverts_pooling_at_the_maxima_and_its_backward_is_the_adjoint() {
        let rng = &mut TrainRng::seed_from_u64(5);
        // Positive values, so the zeros unpooling adds never win a re-pooling.
        let mut x = [[[0.0f32; 7]; 6]; 2];
        flat_mut(from_mut(&mut x))
            .iter_mut()
            .for_each(|v| *v = rng.random_range(0.1..1.0));
        let (y, at) = MaxPool2d::<2, 3, 3>.forward_with_indices(&x);
        assert_eq!(y, MaxPool2d::<2, 3, 3>.forward(&x));
        let up = MaxUnpool2d::<2, 6, 7>.unpool(&y, &at);
        // Pooling the unpooled map gives the pooled values back.
        assert_eq!(MaxPool2d::<2, 3, 3>.forward(&up), y);
        // Every nonzero lands where x had that value.
        for (u, v) in flat(from_ref(&up)).iter().zip(flat(from_ref(&x))) {
            assert!(*u == 0.0 || u == v);
        }
        // ⟨unpool(y), dy⟩ = ⟨y, unpool*(dy)⟩.
        let mut dy = [[[[0.0f32; 7]; 6]; 2]; 1];
        flat_mut(&mut dy)
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-1.0..1.0));
        let mut dx = [[[[0.0f32; 3]; 3]; 2]; 1];
        MaxUnpool2d::<2, 6, 7>.backward(&[at], &dy, &mut dx);
        let lhs: f32 = flat(from_ref(&up))
            .iter()
            .zip(flat(&dy))
            .map(|(a, b)| a * b)
            .sum();
        let rhs: f32 = flat(from_ref(&y))
            .iter()
            .zip(flat(&dx))
            .map(|(a, b)| a * b)
            .sum();
        assert!((lhs - rhs).abs() < 1e-5);
    }
}
