//! Elementwise activations through a 256-entry table, and the layers that
//! only move values (reshapes, dropout and noise at inference).
use super::{Int8Forward, Params, Quantize};
use crate::layer::Shape;
use crate::layers::{
    Activation, BinaryStep, Dropout, ELU, GELU, GELUTanh, GaussianNoise, HardTanh, Identity,
    LeakyReLU, ReLU, ReLU6, Reshape, SiLU, Sigmoid, Softplus, Tanh,
};
use crate::mem::{Plain, Zeroable};
use core::marker::PhantomData;

/// An elementwise function of int8 values: `table[q as u8]` is the output
/// for input `q` — exactly the float activation between the two
/// quantizations, as TFLite evaluates int8 tanh, logistic and ELU.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int8Lookup {
    /// Outputs indexed by the input's byte.
    pub table: [i8; 256],
}

// SAFETY: bytes only: no padding, any bits are valid.
unsafe impl Zeroable for Int8Lookup {}
// SAFETY: as above.
unsafe impl Plain for Int8Lookup {}

impl<S: bytemuck::Pod> Int8Forward<S> for Int8Lookup {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        nn_kernels::int8::lookup(
            &self.table,
            bytemuck::cast_slice(core::slice::from_ref(x)),
            bytemuck::cast_slice_mut(core::slice::from_mut(y)),
        );
    }
}

impl Int8Lookup {
    /// The table of `f` between `input` and `output` quantizations.
    pub fn of(f: impl Fn(&[f32], &mut [f32]), input: Params, output: Params) -> Int8Lookup {
        let x: [f32; 256] = core::array::from_fn(|b| input.dequantize(b as u8 as i8));
        let mut y = [0.0; 256];
        f(&x, &mut y);
        Int8Lookup {
            table: y.map(|v| output.quantize(v)),
        }
    }
}

macro_rules! by_table {
    ($($name:ty),*) => {$(
        impl<S: Shape> Quantize<S> for $name {
            type Int8 = Int8Lookup;
            fn quantize(&self, input: Params, output: Params) -> Int8Lookup {
                Int8Lookup::of(|x, y| self.apply(x, y), input, output)
            }
        }
    )*};
}
by_table!(
    Identity, ReLU, ReLU6, Sigmoid, Tanh, Softplus, BinaryStep, LeakyReLU, ELU, HardTanh, GELU,
    GELUTanh, SiLU
);

/// A layer whose int8 output is its input (dropout and noise at inference).
///
/// ```
/// use nn_core::quant::{Int8Copy, Int8Forward};
/// let mut y = [[0i8; 2]; 1];
/// Int8Copy.forward_into(&[[1, 2]], &mut y);
/// assert_eq!(y, [[1, 2]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Int8Copy;

// SAFETY: a unit struct has no bytes.
unsafe impl Zeroable for Int8Copy {}
// SAFETY: as above.
unsafe impl Plain for Int8Copy {}

impl<S: Copy> Int8Forward<S> for Int8Copy {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        *y = *x;
    }
}

macro_rules! by_copy {
    ($($name:ty),*) => {$(
        impl<S: Shape> Quantize<S> for $name {
            type Int8 = Int8Copy;
            fn output_params(input: Params, _: Params) -> Params {
                input
            }
            fn quantize(&self, _: Params, _: Params) -> Int8Copy {
                Int8Copy
            }
        }
    )*};
}
by_copy!(Dropout, GaussianNoise);

/// [`Reshape`] (and `Flatten`) on int8 values: the same bytes, another shape.
#[repr(C)]
pub struct Int8Reshape<T>(PhantomData<T>);

impl<T> Clone for Int8Reshape<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Int8Reshape<T> {}
impl<T> core::fmt::Debug for Int8Reshape<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Int8Reshape")
    }
}
impl<T> PartialEq for Int8Reshape<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

// SAFETY: a zero-sized marker.
unsafe impl<T> Zeroable for Int8Reshape<T> {}
// SAFETY: as above.
unsafe impl<T: 'static> Plain for Int8Reshape<T> {}

impl<S: bytemuck::Pod, T: bytemuck::Pod> Int8Forward<S> for Int8Reshape<T> {
    type Out = T;
    fn forward_into(&self, x: &S, y: &mut T) {
        bytemuck::bytes_of_mut(y).copy_from_slice(bytemuck::bytes_of(x));
    }
}

impl<S: Shape, T: Shape> Quantize<S> for Reshape<T> {
    type Int8 = Int8Reshape<T::Int8>;
    fn output_params(input: Params, _: Params) -> Params {
        input
    }
    fn quantize(&self, _: Params, _: Params) -> Self::Int8 {
        Int8Reshape(PhantomData)
    }
}
