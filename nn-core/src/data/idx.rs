//! The IDX format of MNIST (`*-idx3-ubyte` images, `*-idx1-ubyte` labels),
//! raw or gzip-compressed (detected from the first bytes, not the file name).
//!
//! Header: two zero bytes, a type byte (`0x08` = unsigned byte), the number
//! of dimensions, then one big-endian `u32` per dimension; then the data.
//!
//! ```
//! use nn_core::data::idx::parse;
//! let file = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
//! let labels = parse(&file, 1)?;
//! assert_eq!((labels.dims(), labels.data()), (&[2][..], &[7, 3][..]));
//! # Ok::<(), nn_core::data::idx::IdxError>(())
//! ```
use std::boxed::Box;
use std::fmt;
use std::path::Path;
use std::vec;
use std::vec::Vec;

/// Why an IDX file was refused.
///
/// ```
/// let err = nn_core::data::idx::parse(&[1, 2, 3, 4], 1).unwrap_err();
/// assert!(err.to_string().contains("magic"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum IdxError {
    /// The file could not be read (or its gzip stream is corrupt).
    Io(std::io::Error),
    /// The header is not `00 00 08 <ndims>` with the expected number of dimensions.
    BadMagic {
        /// The magic number expected, e.g. `0x00000803` for images.
        expected: u32,
        /// The first four bytes found.
        found: u32,
    },
    /// The file ends before its header or data does.
    Truncated {
        /// Bytes the header promises.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// More bytes than the header accounts for.
    TrailingBytes {
        /// Bytes the header promises.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Images are not the size the caller asked for.
    WrongDims {
        /// Pixels per image requested.
        expected: usize,
        /// Rows × columns in the file.
        found: (usize, usize),
    },
    /// Image and label files hold different numbers of items.
    CountMismatch {
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::Io(e) => write!(f, "cannot read IDX file: {e}"),
            IdxError::BadMagic { expected, found } => {
                write!(
                    f,
                    "bad IDX magic number: expected {expected:#010x}, found {found:#010x}"
                )
            }
            IdxError::Truncated { expected, found } => {
                write!(
                    f,
                    "truncated IDX file: header promises {expected} bytes, found {found}"
                )
            }
            IdxError::TrailingBytes { expected, found } => {
                write!(
                    f,
                    "IDX file too long: header promises {expected} bytes, found {found}"
                )
            }
            IdxError::WrongDims {
                expected,
                found: (r, c),
            } => {
                write!(
                    f,
                    "IDX images are {r}x{c} = {} pixels, expected {expected}",
                    r * c
                )
            }
            IdxError::CountMismatch { images, labels } => {
                write!(f, "{images} images but {labels} labels")
            }
        }
    }
}

impl std::error::Error for IdxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IdxError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for IdxError {
    fn from(e: std::io::Error) -> Self {
        IdxError::Io(e)
    }
}

/// A parsed unsigned-byte IDX array borrowed from its file's bytes.
///
/// ```
/// let a = nn_core::data::idx::parse(&[0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6], 2)?;
/// assert_eq!(a.dims(), &[1, 2]);
/// # Ok::<(), nn_core::data::idx::IdxError>(())
/// ```
#[derive(Debug)]
pub struct IdxArray<'a> {
    dims: Vec<usize>,
    data: &'a [u8],
}

impl<'a> IdxArray<'a> {
    /// Dimension sizes, outermost first.
    ///
    /// ```
    /// let a = nn_core::data::idx::parse(&[0, 0, 8, 1, 0, 0, 0, 0], 1)?;
    /// assert_eq!(a.dims(), &[0]);
    /// # Ok::<(), nn_core::data::idx::IdxError>(())
    /// ```
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The values, row-major.
    ///
    /// ```
    /// let a = nn_core::data::idx::parse(&[0, 0, 8, 1, 0, 0, 0, 1, 9], 1)?;
    /// assert_eq!(a.data(), &[9]);
    /// # Ok::<(), nn_core::data::idx::IdxError>(())
    /// ```
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

/// Parses an unsigned-byte IDX file with `ndims` dimensions.
///
/// ```
/// let err = nn_core::data::idx::parse(&[0, 0, 8, 1, 0, 0, 0, 3, 1], 1).unwrap_err();
/// assert!(matches!(err, nn_core::data::idx::IdxError::Truncated { expected: 11, found: 9 }));
/// ```
pub fn parse(bytes: &[u8], ndims: u8) -> Result<IdxArray<'_>, IdxError> {
    let expected_magic = 0x0800 | ndims as u32;
    let header_len = 4 + 4 * ndims as usize;
    let Some(magic) = bytes.first_chunk::<4>() else {
        return Err(IdxError::Truncated {
            expected: header_len as u64,
            found: bytes.len() as u64,
        });
    };
    let found = u32::from_be_bytes(*magic);
    if found != expected_magic {
        return Err(IdxError::BadMagic {
            expected: expected_magic,
            found,
        });
    }
    if bytes.len() < header_len {
        return Err(IdxError::Truncated {
            expected: header_len as u64,
            found: bytes.len() as u64,
        });
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    // Saturating u64 so a hostile header cannot overflow the size computation.
    let expected = dims
        .iter()
        .fold(1u64, |n, &d| n.saturating_mul(d as u64))
        .saturating_add(header_len as u64);
    let found = bytes.len() as u64;
    if found < expected {
        return Err(IdxError::Truncated { expected, found });
    }
    if found > expected {
        return Err(IdxError::TrailingBytes { expected, found });
    }
    Ok(IdxArray {
        dims,
        data: &bytes[header_len..],
    })
}

/// Images as `N`-pixel rows scaled to `[0, 1]`, with their labels.
///
/// ```
/// let set = nn_core::data::idx::Labeled::<1> { images: vec![[0.5]].into(), labels: vec![3].into() };
/// assert_eq!(set.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Labeled<const N: usize> {
    /// One row of `N` pixels per image, in `[0, 1]`.
    pub images: Box<[[f32; N]]>,
    /// One label per image.
    pub labels: Box<[u8]>,
}

impl<const N: usize> Labeled<N> {
    /// Number of examples.
    ///
    /// ```
    /// let set = nn_core::data::idx::Labeled::<1> { images: Box::new([]), labels: Box::new([]) };
    /// assert!(set.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    ///
    /// ```
    /// let set = nn_core::data::idx::Labeled::<1> { images: Box::new([]), labels: Box::new([]) };
    /// assert_eq!(set.is_empty(), set.len() == 0);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// Checks an image file's dims and writes its pixels, scaled to `[0, 1]`,
/// into `out` (one `N`-pixel row per image). Returns the image count.
///
/// ```
/// let file = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255];
/// let mut rows = [[9.0; 2]; 1];
/// let n = nn_core::data::idx::images_into(&nn_core::data::idx::parse(&file, 3)?, &mut rows)?;
/// assert_eq!((n, rows), (1, [[0.0, 1.0]]));
/// # Ok::<(), nn_core::data::idx::IdxError>(())
/// ```
pub fn images_into<const N: usize>(
    images: &IdxArray,
    out: &mut [[f32; N]],
) -> Result<usize, IdxError> {
    let (count, rows, cols) = match *images.dims() {
        [n, r, c] => (n, r, c),
        ref dims => {
            return Err(IdxError::BadMagic {
                expected: 0x0803,
                found: 0x0800 | dims.len() as u32,
            });
        }
    };
    if rows * cols != N {
        return Err(IdxError::WrongDims {
            expected: N,
            found: (rows, cols),
        });
    }
    if out.len() < count {
        return Err(IdxError::CountMismatch {
            images: count,
            labels: out.len(),
        });
    }
    for (row, pixels) in out.iter_mut().zip(images.data().chunks_exact(N)) {
        row.iter_mut()
            .zip(pixels)
            .for_each(|(v, &p)| *v = p as f32 / 255.0);
    }
    Ok(count)
}

/// Loads an image file and its label file (raw or gzip) into memory.
///
/// ```no_run
/// let set = nn_core::data::idx::load_labeled::<784>("train-images-idx3-ubyte", "train-labels-idx1-ubyte")?;
/// println!("{} digits", set.len());
/// # Ok::<(), nn_core::data::idx::IdxError>(())
/// ```
pub fn load_labeled<const N: usize>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Labeled<N>, IdxError> {
    let image_bytes = super::read_maybe_gzip(images)?;
    let label_bytes = super::read_maybe_gzip(labels)?;
    let images = parse(&image_bytes, 3)?;
    let labels = parse(&label_bytes, 1)?;
    if images.dims()[0] != labels.dims()[0] {
        return Err(IdxError::CountMismatch {
            images: images.dims()[0],
            labels: labels.dims()[0],
        });
    }
    let mut rows = vec![[0.0f32; N]; images.dims()[0]].into_boxed_slice();
    images_into(&images, &mut rows)?;
    Ok(Labeled {
        images: rows,
        labels: labels.data().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::io::Write;
    use std::string::ToString;

    fn images_file(n: u32, r: u32, c: u32) -> Vec<u8> {
        let mut f = vec![0, 0, 8, 3];
        for d in [n, r, c] {
            f.extend_from_slice(&d.to_be_bytes());
        }
        f.extend((0..n * r * c).map(|i| (i % 256) as u8));
        f
    }

    fn labels_file(n: u32) -> Vec<u8> {
        let mut f = vec![0, 0, 8, 1];
        f.extend_from_slice(&n.to_be_bytes());
        f.extend((0..n).map(|i| (i % 10) as u8));
        f
    }

    fn write_tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("nn-idx-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn reads_raw_and_gzip_files_alike() {
        let raw = write_tmp("raw-img", &images_file(3, 2, 2));
        let lab = write_tmp("raw-lab", &labels_file(3));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&images_file(3, 2, 2)).unwrap();
        let gz = write_tmp("gz-img", &gz.finish().unwrap());
        let a = load_labeled::<4>(&raw, &lab).unwrap();
        let b = load_labeled::<4>(&gz, &lab).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.images[1],
            [4.0 / 255.0, 5.0 / 255.0, 6.0 / 255.0, 7.0 / 255.0]
        );
        assert_eq!(&a.labels[..], &[0, 1, 2]);
    }

    #[test]
    fn bad_magic_is_refused() {
        let mut f = images_file(1, 1, 1);
        f[2] = 9;
        assert!(matches!(
            parse(&f, 3),
            Err(IdxError::BadMagic {
                expected: 0x803,
                found: 0x903
            })
        ));
        // a label file passed where images are expected
        assert!(matches!(
            parse(&labels_file(1), 3),
            Err(IdxError::BadMagic { found: 0x801, .. })
        ));
    }

    #[test]
    fn truncated_header_and_data_are_refused() {
        let f = images_file(2, 2, 2);
        assert!(matches!(
            parse(&f[..2], 3),
            Err(IdxError::Truncated {
                expected: 16,
                found: 2
            })
        ));
        assert!(matches!(
            parse(&f[..10], 3),
            Err(IdxError::Truncated {
                expected: 16,
                found: 10
            })
        ));
        assert!(matches!(
            parse(&f[..f.len() - 1], 3),
            Err(IdxError::Truncated {
                expected: 24,
                found: 23
            })
        ));
    }

    #[test]
    fn huge_header_counts_do_not_overflow() {
        let mut f = vec![0, 0, 8, 3];
        for _ in 0..3 {
            f.extend_from_slice(&u32::MAX.to_be_bytes());
        }
        assert!(matches!(parse(&f, 3), Err(IdxError::Truncated { .. })));
    }

    #[test]
    fn a_label_array_is_not_taken_for_images() {
        let labels = labels_file(2);
        let err = images_into::<1>(&parse(&labels, 1).unwrap(), &mut [[0.0]; 2]).unwrap_err();
        assert!(matches!(
            err,
            IdxError::BadMagic {
                expected: 0x803,
                found: 0x801
            }
        ));
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut f = labels_file(2);
        f.push(0);
        assert!(matches!(
            parse(&f, 1),
            Err(IdxError::TrailingBytes {
                expected: 10,
                found: 11
            })
        ));
    }

    #[test]
    fn count_mismatch_between_images_and_labels_is_refused() {
        let img = write_tmp("cm-img", &images_file(3, 1, 1));
        let lab = write_tmp("cm-lab", &labels_file(2));
        let err = load_labeled::<1>(&img, &lab).unwrap_err();
        assert!(
            matches!(
                err,
                IdxError::CountMismatch {
                    images: 3,
                    labels: 2
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn wrong_dims_are_refused() {
        let img = write_tmp("wd-img", &images_file(1, 2, 3));
        let lab = write_tmp("wd-lab", &labels_file(1));
        let err = load_labeled::<784>(&img, &lab).unwrap_err();
        assert!(matches!(
            err,
            IdxError::WrongDims {
                expected: 784,
                found: (2, 3)
            }
        ));
        assert_eq!(
            err.to_string(),
            "IDX images are 2x3 = 6 pixels, expected 784"
        );
    }

    #[test]
    fn missing_file_and_corrupt_gzip_are_io_errors() {
        assert!(matches!(
            super::super::read_maybe_gzip("/nonexistent/nn-idx").map_err(IdxError::from),
            Err(IdxError::Io(_))
        ));
        let bad = write_tmp("bad-gz", &[0x1f, 0x8b, 8, 0, 1, 2, 3]);
        assert!(matches!(
            load_labeled::<1>(&bad, &bad),
            Err(IdxError::Io(_))
        ));
    }
}
