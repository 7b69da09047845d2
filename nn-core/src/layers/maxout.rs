//! [`Maxout`]: the maximum of `K` linear pieces per output.
//!
//! ```
//! use nn_core::prelude::*;
//! // After Linear<4, 6>, Maxout<3, 2> takes the max of each 3 pieces.
//! assert_eq!(Maxout::<3, 2>.forward(&[1.0, 5.0, 2.0, -1.0, -3.0, -2.0]), [5.0, -1.0]);
//! ```
use crate::layer::{Context, Forward, Layer, flat_mut};
use crate::mem::{Plain, Zeroable};

/// Maxout (Goodfellow et al., 2013) with `K` pieces and `O` outputs: output
/// `j` is the largest of inputs `jK .. jK + K`, so a preceding
/// `Linear<I, {K·O}>` computes the `K` affine pieces of each unit. The
/// input must have exactly `K·O` features (checked at compile time); the
/// gradient flows to the winning piece (the first on ties).
///
/// ```
/// use nn_core::prelude::*;
/// let net = (Linear::<2, 4>::zeroed(), Maxout::<2, 2>);
/// assert_eq!(net.forward(&[1.0, 1.0]), [0.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Maxout<const K: usize, const O: usize>;

// SAFETY: a unit struct has no bytes.
unsafe impl<const K: usize, const O: usize> Zeroable for Maxout<K, O> {}
// SAFETY: as above.
unsafe impl<const K: usize, const O: usize> Plain for Maxout<K, O> {}

impl<const K: usize, const O: usize> Maxout<K, O> {
    /// Index of the first largest piece of each group.
    fn winner(pieces: &[f32]) -> usize {
        pieces.iter().enumerate().fold(0, |best, (i, &v)| {
            // A NaN piece wins, so it propagates instead of being skipped.
            if v > pieces[best] || v.is_nan() {
                i
            } else {
                best
            }
        })
    }
}

impl<const K: usize, const O: usize, const I: usize> Forward<[f32; I]> for Maxout<K, O> {
    type Out = [f32; O];
    fn forward_into(&self, x: &[f32; I], y: &mut [f32; O]) {
        const {
            assert!(
                K > 0 && I == K * O,
                "Maxout<K, O>: the input must have K·O features"
            )
        };
        for (y, pieces) in y.iter_mut().zip(x.chunks_exact(K)) {
            *y = pieces[Self::winner(pieces)];
        }
    }
}

impl<const K: usize, const O: usize, const I: usize> Layer<[f32; I]> for Maxout<K, O> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[f32; I]; B],
        y: &mut [[f32; O]; B],
        _: &mut (),
        _: &mut Context,
    ) {
        crate::layer::forward_each(self, x, y);
    }

    fn backward<const B: usize>(
        &self,
        x: &[[f32; I]; B],
        _y: &[[f32; O]; B],
        dy: &[[f32; O]; B],
        _: &mut (),
        dx: Option<&mut [[f32; I]; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        flat_mut(dx).fill(0.0);
        for ((x, dy), dx) in x.iter().zip(dy).zip(dx.iter_mut()) {
            for ((pieces, d), out) in x.chunks_exact(K).zip(dy).zip(dx.chunks_exact_mut(K)) {
                out[Self::winner(pieces)] = *d;
            }
        }
    }
}
