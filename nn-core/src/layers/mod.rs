//! The layers. Each file holds one layer (or one family sharing code), its
//! shape rule, its docs and its gradient check.
//!
//! ```
//! use nn_core::prelude::*;
//! let net = (Linear::<2, 2>::zeroed(), Softmax);
//! assert_eq!(net.forward(&[3.0, 4.0]), [0.5, 0.5]);
//! ```
mod activation;
mod conv;
mod dropout;
mod linear;
mod pool;
mod reshape;

pub use activation::{
    Activation, BinaryStep, ELU, HardTanh, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus,
    Tanh,
};
pub use conv::{Conv1d, Conv2d, ConvTranspose2d};
pub use dropout::Dropout;
pub use linear::Linear;
pub use pool::{AvgPool2d, MaxPool2d};
pub use reshape::{Flatten, Reshape};
