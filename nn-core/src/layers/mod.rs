//! The layers. Each file holds one layer (or one family sharing code), its
//! shape rule, its docs and its gradient check.
//!
//! ```
//! use nn_core::prelude::*;
//! let net = (Linear::<2, 2>::zeroed(), Softmax);
//! assert_eq!(net.forward(&[3.0, 4.0]), [0.5, 0.5]);
//! ```
/// Declares a layer whose whole state is one finite, non-negative `f32`
/// setting (a noise level, a penalty strength): the struct, its `Zeroable`
/// and `Plain` impls (zero means "off"), a `const fn new` that rejects
/// negative or non-finite values, the getter, and inference as the identity
/// (such layers only act in training).
macro_rules! setting_layer {
    ($(#[$doc:meta])* $name:ident { $(#[$field_doc:meta])* $field:ident }, $error:literal) => {
        $(#[$doc])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name {
            $field: f32,
        }

        // SAFETY: a single f32; zero (off) is valid.
        unsafe impl crate::mem::Zeroable for $name {}
        // SAFETY: `repr(C)` of one f32; any bit pattern is a valid value.
        unsafe impl crate::mem::Plain for $name {}

        impl $name {
            #[doc = concat!("The layer with `", stringify!($field), "` set.")]
            ///
            /// # Panics
            #[doc = concat!("If `", stringify!($field), "` is negative or not finite (also at compile time in a `const`).")]
            ///
            /// ```
            #[doc = concat!("const LAYER: nn_core::layers::", stringify!($name), " = nn_core::layers::", stringify!($name), "::new(0.25);")]
            #[doc = concat!("assert_eq!(LAYER.", stringify!($field), "(), 0.25);")]
            /// ```
            pub const fn new($field: f32) -> Self {
                assert!($field >= 0.0 && $field < f32::INFINITY, $error);
                Self { $field }
            }

            $(#[$field_doc])*
            ///
            /// ```
            #[doc = concat!("assert_eq!(nn_core::layers::", stringify!($name), "::new(0.5).", stringify!($field), "(), 0.5);")]
            /// ```
            pub const fn $field(&self) -> f32 {
                self.$field
            }
        }

        impl<S: crate::layer::Shape> crate::layer::Forward<S> for $name {
            type Out = S;
            fn forward_into(&self, x: &S, y: &mut S) {
                *y = *x;
            }
        }
    };
}

mod activation;
mod activity;
mod batchnorm;
mod conv;
mod dropout;
mod global_pool;
mod layer_norm;
mod linear;
mod maxout;
mod noise;
mod pool;
mod prelu;
mod reshape;
mod smooth;
mod standardizer;

pub use activation::{
    Activation, BinaryStep, ELU, HardTanh, Identity, LeakyReLU, ReLU, ReLU6, Sigmoid, Softmax,
    Softplus, Tanh,
};
pub use activity::ActivityL1;
pub use batchnorm::{BatchNorm, BatchNorm1d, BatchNorm2d};
pub use conv::{Conv1d, Conv2d, ConvTranspose2d, DepthwiseConv2d};
pub use dropout::{Dropout, Dropout1d, Dropout2d, DropoutOver};
pub use global_pool::GlobalAvgPool2d;
pub use layer_norm::LayerNorm;
pub use linear::Linear;
pub use maxout::Maxout;
pub use nn_kernels::conv::PaddingMode;
pub use noise::GaussianNoise;
pub(crate) use pool::window;
pub use pool::{AvgPool2d, MaxPool2d, MaxUnpool2d, PoolIndices};
pub use prelu::PReLU;
pub use reshape::{Flatten, Reshape};
pub use smooth::{GELU, GELUTanh, SiLU};
pub use standardizer::Standardizer;
