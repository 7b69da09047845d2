//! Layers, losses, optimizers and training utilities for `nn`.
//!
//! Everything here is `no_std` and allocation-free; the `alloc` feature adds
//! boxed constructors and the `std` feature adds file loaders. Most users reach
//! this crate through the `nn` facade and its `network!` macro; the traits here
//! are what that macro expands to, and they are usable by hand:
//!
//! ```
//! use nn_core::prelude::*;
//! let net = (Linear::<2, 3>::zeroed(), ReLU, Linear::<3, 1>::zeroed());
//! let y: [f32; 1] = net.forward(&[1.0, 2.0]);
//! assert_eq!(y, [0.0]);
//! ```
//!
//! A chain whose sizes disagree does not compile:
//!
//! ```compile_fail
//! use nn_core::prelude::*;
//! let net = (Linear::<2, 3>::zeroed(), Linear::<4, 1>::zeroed());
//! let y: [f32; 1] = net.forward(&[1.0, 2.0]);
//! ```
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

/// Plain-data casts: samples of every [`layer::Shape`] are `bytemuck::Pod`,
/// so `bytemuck::cast` reshapes them (e.g. a `[f32; 784]` to `[[[f32; 28]; 28]; 1]`).
pub use bytemuck;

pub mod data;
pub mod init;
pub mod io;
pub mod layer;
pub mod layers;
pub mod linalg;
pub mod loss;
pub mod mem;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod quant;
pub mod rng;
pub mod summary;
pub mod train;

/// The names most programs need.
///
/// ```
/// use nn_core::prelude::*;
/// let _ = (Sgd::new(0.1), CrossEntropy, Init::HeNormal);
/// ```
pub mod prelude {
    pub use crate::init::Init;
    pub use crate::io::image::Image;
    pub use crate::layer::{Context, Forward, Layer, Mode, Shape};
    pub use crate::layers::{
        ActivityL1, AvgPool2d, BatchNorm, BatchNorm1d, BatchNorm2d, BinaryStep, Conv1d, Conv2d,
        ConvTranspose2d, DepthwiseConv2d, Dropout, Dropout1d, Dropout2d, ELU, Flatten, GELU,
        GELUTanh, GaussianNoise, GlobalAvgPool2d, HardTanh, Identity, LayerNorm, LeakyReLU, Linear,
        MaxPool2d, MaxUnpool2d, Maxout, PReLU, ReLU, ReLU6, Reshape, SiLU, Sigmoid, Softmax,
        Softplus, Standardizer, Tanh,
    };
    pub use crate::loss::{Bce, CrossEntropy, Huber, KlDiv, L1, Loss, Mse};
    pub use crate::metrics::{accuracy, argmax};
    #[cfg(feature = "std")]
    pub use crate::model::Checkpoint;
    pub use crate::model::Model;
    pub use crate::optim::{AdaGrad, Adam, AdamW, AmsGrad, Momentum, Optimizer, RmsProp, Sgd};
}
