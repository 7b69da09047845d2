//! Every file format nn reads or writes, and the atomic writes they share:
//! its own weights files ([`weights`]), flash images ([`image`]) and
//! training checkpoints ([`checkpoint`]), PyTorch interchange ([`torch`] layouts, and with the `safetensors`
//! feature, safetensors files) and [`atomic`] replacement of files. Data sets' loaders are in
//! [`crate::data`].
//!
//! ```
//! let mut out = [0u8; nn_core::io::weights::encoded_len("net", 2)];
//! nn_core::io::weights::write(&mut out, "net", &[&[1.0, 2.0]]).unwrap();
//! ```
#[cfg(feature = "std")]
pub mod atomic;
#[cfg(feature = "std")]
pub mod checkpoint;
pub mod image;
#[cfg(feature = "safetensors")]
pub mod safetensors;
pub mod torch;
pub mod weights;
