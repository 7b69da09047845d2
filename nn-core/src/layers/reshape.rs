//! [`Reshape`] and [`Flatten`]: the same numbers viewed as another shape.
//!
//! ```
//! use nn_core::prelude::*;
//! let flat: [f32; 4] = Flatten::<4>::default().forward(&[[[1.0, 2.0], [3.0, 4.0]]]);
//! assert_eq!(flat, [1.0, 2.0, 3.0, 4.0]);
//! ```
use crate::layer::{Context, Forward, Layer, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use core::marker::PhantomData;
use core::slice::{from_mut, from_ref};

/// Reinterprets a sample as shape `T` (row-major, so nothing moves): e.g.
/// a 512-vector as a `32 × 4 × 4` image before a transposed convolution.
/// Both shapes must hold the same number of values, checked at compile time.
///
/// ```
/// use nn_core::prelude::*;
/// let img: [[[f32; 2]; 1]; 2] = Reshape::<[[[f32; 2]; 1]; 2]>::default().forward(&[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(img, [[[1.0, 2.0]], [[3.0, 4.0]]]);
/// ```
pub struct Reshape<T: Shape>(PhantomData<T>);

/// Flattens an image or sequence into `N = C·H·W` features (`C·L` for a
/// sequence), the bridge from convolutions to `Linear` layers.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(Flatten::<2>::default().forward(&[[5.0], [6.0]]), [5.0, 6.0]);
/// ```
pub type Flatten<const N: usize> = Reshape<[f32; N]>;

impl<T: Shape> Default for Reshape<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: Shape> Clone for Reshape<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Shape> Copy for Reshape<T> {}

impl<T: Shape> core::fmt::Debug for Reshape<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Reshape<{}>", core::any::type_name::<T>())
    }
}

impl<T: Shape> PartialEq for Reshape<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

// SAFETY: a zero-sized marker.
unsafe impl<T: Shape> Zeroable for Reshape<T> {}
// SAFETY: as above.
unsafe impl<T: Shape> Plain for Reshape<T> {}

impl<S: Shape, T: Shape> Forward<S> for Reshape<T> {
    type Out = T;
    fn forward_into(&self, x: &S, y: &mut T) {
        const {
            assert!(
                S::LEN == T::LEN,
                "Reshape/Flatten: the input and output sizes differ"
            )
        };
        flat_mut(from_mut(y)).copy_from_slice(flat(from_ref(x)));
    }
}

impl<S: Shape, T: Shape> Layer<S> for Reshape<T> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [T; B],
        _: &mut (),
        _: &mut Context,
    ) {
        const {
            assert!(
                S::LEN == T::LEN,
                "Reshape/Flatten: the input and output sizes differ"
            )
        };
        flat_mut(y).copy_from_slice(flat(x));
    }

    fn backward<const B: usize>(
        &self,
        _x: &[S; B],
        _y: &[T; B],
        dy: &[T; B],
        _: &mut (),
        dx: Option<&mut [S; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        crate::layer::pass_gradient(dy, dx);
    }
}
