//! The layers. Each file holds one layer (or one family sharing code), its
//! shape rule, its docs and its gradient check.
//!
//! ```
//! use nn_core::prelude::*;
//! let net = (Linear::<2, 2>::zeroed(), Softmax);
//! assert_eq!(net.forward(&[3.0, 4.0]), [0.5, 0.5]);
//! ```
mod activation;
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

pub use activation::{
    Activation, BinaryStep, ELU, HardTanh, Identity, LeakyReLU, ReLU, ReLU6, Sigmoid, Softmax,
    Softplus, Tanh,
};
pub use batchnorm::{BatchNorm, BatchNorm1d, BatchNorm2d};
pub use conv::{Conv1d, Conv2d, ConvTranspose2d, DepthwiseConv2d};
pub use dropout::{Dropout, Dropout1d, Dropout2d, DropoutOver};
pub use global_pool::GlobalAvgPool2d;
pub use layer_norm::LayerNorm;
pub use linear::Linear;
pub use maxout::Maxout;
pub use noise::GaussianNoise;
pub(crate) use pool::window;
pub use pool::{AvgPool2d, MaxPool2d, MaxUnpool2d, PoolIndices};
pub use prelu::PReLU;
pub use reshape::{Flatten, Reshape};
pub use smooth::{GELU, GELUTanh, SiLU};
