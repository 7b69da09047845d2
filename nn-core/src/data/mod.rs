//! Data set loaders (`std` feature).
//!
//! ```no_run
//! let digits = nn_core::data::idx::load_labeled::<784>(
//!     "data/mnist10k-images-idx3-ubyte.gz",
//!     "data/mnist10k-labels-idx1-ubyte.gz",
//! )?;
//! assert_eq!(digits.images.len(), digits.labels.len());
//! # Ok::<(), nn_core::data::idx::IdxError>(())
//! ```
pub mod idx;
