//! Data: batching, splits and preprocessing ([`batch`]), and data set
//! loaders for CSV and IDX files (`std` feature).
//!
//! ```no_run
//! let digits = nn_core::data::idx::load_labeled::<784>(
//!     "data/mnist10k-images-idx3-ubyte.gz",
//!     "data/mnist10k-labels-idx1-ubyte.gz",
//! )?;
//! assert_eq!(digits.images.len(), digits.labels.len());
//! # Ok::<(), nn_core::data::idx::IdxError>(())
//! ```
pub mod batch;
#[cfg(feature = "std")]
pub mod csv;
#[cfg(feature = "std")]
pub mod idx;

#[cfg(feature = "std")]
use std::io::Read;
#[cfg(feature = "std")]
use std::vec::Vec;

/// Reads a whole file, inflating it if it starts with the gzip magic
/// `1f 8b` (whatever its name says).
///
/// ```no_run
/// let bytes = nn_core::data::read_maybe_gzip("data/mnist10k-labels-idx1-ubyte.gz")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn read_maybe_gzip(path: impl AsRef<std::path::Path>) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}
