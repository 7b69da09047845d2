//! The nn weights format: a network's parameters (and statistics such as
//! batch norm's running means) as little-endian `f32`s behind a small
//! versioned header, checked by CRC-32. Reading and writing need no
//! allocator, so firmware can `include_bytes!` weights trained on a host.
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `NNWT` |
//! | 2 | format version (little-endian `u16`, now 2) |
//! | 2 | length `s` of the signature text (0 in version 1, or if it is longer than 65 535 bytes) |
//! | 8 | hash of the network's signature (its layer types and shapes) |
//! | 8 | number of values |
//! | s | the signature text, UTF-8 (`[f32;784]\|Linear<784,128>\|ReLU\|…`) |
//! | 4·n | the values, little-endian `f32`, layer by layer |
//! | 4 | CRC-32 of everything before it |
//!
//! A file made for another architecture is refused with
//! [`FormatError::WrongNetwork`], which names both signature hashes and
//! value counts; [`saved_signature`] reads the file's architecture in words,
//! and loading a file ([`load_file`]) says both architectures
//! ([`LoadError::WrongNetwork`]). Loading validates everything before
//! writing a single value, so a refused file leaves the model untouched.
//! Version 1 files (no text) still load.
//!
//! ```
//! use nn_core::io::weights::{encoded_len, read_into, write, NonFinite};
//! const NET: &str = "[f32;2]|Linear<2,1>";
//! let (weights, bias) = ([0.5f32, -1.0], [0.25f32]);
//! let mut bytes = [0u8; encoded_len(NET, 3)];
//! write(&mut bytes, NET, &[&weights, &bias])?;
//! let (mut w, mut b) = ([0.0f32; 2], [0.0f32; 1]);
//! read_into(&bytes, NET, &mut [&mut w, &mut b], NonFinite::Refuse)?;
//! assert_eq!((w, b), (weights, bias));
//! # Ok::<(), nn_core::io::weights::FormatError>(())
//! ```

/// The first four bytes of every weights file.
pub const MAGIC: [u8; 4] = *b"NNWT";
/// The format version this crate writes (it reads version 1 as well).
pub const VERSION: u16 = 2;
/// Bytes before the signature text and the values.
pub const HEADER_LEN: usize = 24;
/// Bytes after the values (the CRC-32).
pub const TRAILER_LEN: usize = 4;

/// The standard CRC-32 (as zlib), from a 1 KiB table built at compile
/// time: small enough for microcontroller flash.
pub(crate) const CRC32: crc::Crc<u32, crc::Table<1>> =
    crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32 of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    CRC32.checksum(bytes)
}

/// Size of a weights file holding `values` numbers for the network with
/// `signature`.
///
/// ```
/// assert_eq!(nn_core::io::weights::encoded_len("net", 10), 24 + 3 + 40 + 4);
/// ```
pub const fn encoded_len(signature: &str, values: usize) -> usize {
    file_len(text_len(signature), values)
}

/// Size of a file holding `text` bytes of signature and `values` numbers.
const fn file_len(text: usize, values: usize) -> usize {
    HEADER_LEN + text + 4 * values + TRAILER_LEN
}

/// How many bytes of `signature` a file stores: all of it, or none if its
/// length does not fit the header's 16-bit field.
const fn text_len(signature: &str) -> usize {
    if signature.len() <= u16::MAX as usize {
        signature.len()
    } else {
        0
    }
}

/// The 64-bit FNV-1a hash of a network's signature, computed at compile
/// time by `network!` (and usable in `const` contexts).
///
/// ```
/// use nn_core::io::weights::signature_hash;
/// assert_ne!(signature_hash("Linear<784, 128>"), signature_hash("Linear<784, 64>"));
/// ```
pub const fn signature_hash(signature: &str) -> u64 {
    let bytes = signature.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Whether loading accepts NaN and infinite values.
///
/// ```
/// assert_ne!(nn_core::io::weights::NonFinite::Refuse, nn_core::io::weights::NonFinite::Allow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonFinite {
    /// Refuse the file ([`FormatError::NonFinite`]): the default, since a
    /// NaN weight silently poisons every output.
    Refuse,
    /// Load them as stored.
    Allow,
}

/// Why weights could not be written or read.
///
/// ```
/// let err = nn_core::io::weights::FormatError::BadMagic(*b"PK\x03\x04");
/// assert_eq!(err.to_string(), "not an nn file of this kind: it starts with [50, 4b, 03, 04]");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The output buffer is smaller than the encoding.
    OutputTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The input ends before the header or the values it announces.
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// The input has bytes after the checksum.
    TrailingBytes {
        /// Bytes expected.
        expected: usize,
        /// Bytes present.
        got: usize,
    },
    /// The input does not start with [`MAGIC`].
    BadMagic([u8; 4]),
    /// A version this crate cannot read.
    UnsupportedVersion(u16),
    /// The weights were saved for a different network.
    WrongNetwork {
        /// This network's signature hash.
        expected_signature: u64,
        /// The file's.
        found_signature: u64,
        /// This network's value count.
        expected_values: u64,
        /// The file's.
        found_values: u64,
    },
    /// The bytes were damaged: the stored and computed CRC-32 differ.
    Checksum {
        /// CRC-32 stored in the file.
        stored: u32,
        /// CRC-32 of the bytes read.
        computed: u32,
    },
    /// Value `index` is NaN or infinite (and [`NonFinite::Refuse`] was asked).
    NonFinite {
        /// Position among all values.
        index: usize,
    },
    /// A flash image ([`crate::io::image`]) cannot be used in place here:
    /// its payload is not at an address aligned to `required` bytes (or the
    /// target is big-endian, or the type is aligned to more than 4 bytes).
    Misaligned {
        /// The alignment the model needs.
        required: usize,
    },
}

impl FormatError {
    /// What is wrong, in words without numbers: a `const fn`, so a compile-time
    /// check can stop compilation with it (`nn::include_model!`).
    ///
    /// ```
    /// use nn_core::io::weights::FormatError;
    /// assert_eq!(FormatError::UnsupportedVersion(9).summary(), "unsupported format version");
    /// ```
    pub const fn summary(&self) -> &'static str {
        match self {
            FormatError::OutputTooSmall { .. } => "the output buffer is too small",
            FormatError::Truncated { .. } => "the file is too short for this network",
            FormatError::TrailingBytes { .. } => "the file is too long for this network",
            FormatError::BadMagic(_) => "not an nn file of this kind (wrong magic bytes)",
            FormatError::UnsupportedVersion(_) => "unsupported format version",
            FormatError::WrongNetwork { .. } => {
                "the file was saved for another network architecture (its signature differs)"
            }
            FormatError::Checksum { .. } => "the file is damaged (CRC-32 mismatch)",
            FormatError::NonFinite { .. } => "the file holds a NaN or infinite value",
            FormatError::Misaligned { .. } => {
                "the image's payload is not aligned for the model (or the target is big-endian)"
            }
        }
    }
}

impl core::fmt::Display for FormatError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            FormatError::OutputTooSmall { needed, got } => {
                write!(
                    f,
                    "the output buffer holds {got} bytes; the weights need {needed}"
                )
            }
            FormatError::Truncated { needed, got } => {
                write!(f, "truncated weights: {got} bytes, need {needed}")
            }
            FormatError::TrailingBytes { expected, got } => {
                write!(
                    f,
                    "{} unexpected bytes after the weights ({got} bytes, expected {expected})",
                    got - expected
                )
            }
            FormatError::BadMagic(m) => write!(
                f,
                "not an nn file of this kind: it starts with [{:02x}, {:02x}, {:02x}, {:02x}]",
                m[0], m[1], m[2], m[3]
            ),
            FormatError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "format version {v}, which this build of nn does not read (a newer nn wrote it?)"
                )
            }
            FormatError::WrongNetwork {
                expected_signature,
                found_signature,
                expected_values,
                found_values,
            } => write!(
                f,
                "the weights were saved for a different network: signature {found_signature:#018x} with {found_values} values, \
                 but this network is {expected_signature:#018x} with {expected_values} values"
            ),
            FormatError::Checksum { stored, computed } => {
                write!(
                    f,
                    "damaged weights: CRC-32 {computed:#010x} does not match the stored {stored:#010x}"
                )
            }
            FormatError::NonFinite { index } => write!(f, "value {index} is NaN or infinite"),
            FormatError::Misaligned { required } => write!(
                f,
                "the image cannot be used in place: its payload is not {required}-byte aligned \
                 (or the target is big-endian)"
            ),
        }
    }
}

impl core::error::Error for FormatError {}

/// The first `len` bytes, once they are known to start with `magic` and a
/// version among `versions` (the layout every nn file shares).
pub(crate) fn header(
    bytes: &[u8],
    magic: [u8; 4],
    versions: core::ops::RangeInclusive<u16>,
    len: usize,
) -> Result<&[u8], FormatError> {
    let header = bytes.get(..len).ok_or(FormatError::Truncated {
        needed: len,
        got: bytes.len(),
    })?;
    let found: [u8; 4] = header[..4].try_into().expect("4 bytes");
    if found != magic {
        return Err(FormatError::BadMagic(found));
    }
    let found = u16::from_le_bytes([header[4], header[5]]);
    if !versions.contains(&found) {
        return Err(FormatError::UnsupportedVersion(found));
    }
    Ok(header)
}

/// Whether `bytes` is exactly `needed` long ([`FormatError::Truncated`] or
/// [`FormatError::TrailingBytes`] if not).
pub(crate) const fn exactly(bytes: &[u8], needed: usize) -> Result<(), FormatError> {
    if bytes.len() < needed {
        Err(FormatError::Truncated {
            needed,
            got: bytes.len(),
        })
    } else if bytes.len() > needed {
        Err(FormatError::TrailingBytes {
            expected: needed,
            got: bytes.len(),
        })
    } else {
        Ok(())
    }
}

/// Everything before the trailing CRC-32, once the input is exactly
/// `needed` bytes long and the checksum matches.
pub(crate) fn sealed(bytes: &[u8], needed: usize) -> Result<&[u8], FormatError> {
    exactly(bytes, needed)?;
    let (body, trailer) = bytes.split_at(needed - TRAILER_LEN);
    let stored = u32::from_le_bytes(trailer.try_into().expect("4 bytes"));
    let computed = crate::io::weights::crc32(body);
    if stored != computed {
        return Err(FormatError::Checksum { stored, computed });
    }
    Ok(body)
}

/// Encodes `tensors` (in order) for the network with `signature` (the text
/// it is checked against on loading, e.g. a model's `SIGNATURE`) into the
/// start of `out`; returns the bytes written.
///
/// # Errors
/// [`FormatError::OutputTooSmall`] if `out` is shorter than
/// [`encoded_len`] of the signature and the value count.
///
/// ```
/// let mut out = [0u8; 8];
/// let err = nn_core::io::weights::write(&mut out, "net", &[&[1.0]]).unwrap_err();
/// assert_eq!(err, nn_core::io::weights::FormatError::OutputTooSmall { needed: 35, got: 8 });
/// ```
pub fn write(out: &mut [u8], signature: &str, tensors: &[&[f32]]) -> Result<usize, FormatError> {
    let count: usize = tensors.iter().map(|t| t.len()).sum();
    let needed = encoded_len(signature, count);
    if out.len() < needed {
        return Err(FormatError::OutputTooSmall {
            needed,
            got: out.len(),
        });
    }
    let out = &mut out[..needed];
    let text = &signature.as_bytes()[..text_len(signature)];
    out[..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6..8].copy_from_slice(&(text.len() as u16).to_le_bytes());
    out[8..16].copy_from_slice(&signature_hash(signature).to_le_bytes());
    out[16..24].copy_from_slice(&(count as u64).to_le_bytes());
    let (text_out, values_out) = out[HEADER_LEN..needed - TRAILER_LEN].split_at_mut(text.len());
    text_out.copy_from_slice(text);
    for (slot, v) in values_out
        .chunks_exact_mut(4)
        .zip(tensors.iter().flat_map(|t| t.iter()))
    {
        slot.copy_from_slice(&v.to_le_bytes());
    }
    let crc = crate::io::weights::crc32(&out[..needed - TRAILER_LEN]);
    out[needed - TRAILER_LEN..].copy_from_slice(&crc.to_le_bytes());
    Ok(needed)
}

/// The header of a weights file: `(signature hash, value count, text length)`.
fn fields(bytes: &[u8]) -> Result<(u64, u64, usize), FormatError> {
    let header = header(bytes, MAGIC, 1..=VERSION, HEADER_LEN)?;
    let text = u16::from_le_bytes([header[6], header[7]]) as usize;
    let word = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    Ok((word(8), word(16), text))
}

/// The architecture a weights file was saved for, in words (its network's
/// `SIGNATURE`), if the file records it (version 2) and it is readable —
/// what to show beside a [`FormatError::WrongNetwork`]. Nothing is checked
/// but the header and the text itself.
///
/// ```
/// use nn_core::io::weights::{encoded_len, saved_signature, write};
/// let mut bytes = [0u8; encoded_len("[f32;1]|Linear<1,1>", 2)];
/// write(&mut bytes, "[f32;1]|Linear<1,1>", &[&[0.5, 0.0]]).unwrap();
/// assert_eq!(saved_signature(&bytes), Some("[f32;1]|Linear<1,1>"));
/// assert_eq!(saved_signature(b"not weights"), None);
/// ```
pub fn saved_signature(bytes: &[u8]) -> Option<&str> {
    let (_, _, len) = fields(bytes).ok()?;
    let text = bytes.get(HEADER_LEN..HEADER_LEN + len)?;
    core::str::from_utf8(text).ok().filter(|t| !t.is_empty())
}

/// Decodes weights for the network with `signature` into `tensors` (whose
/// lengths give the expected count). Everything is checked first — length,
/// magic, version, network, checksum, and (unless allowed) finiteness — so
/// on any error `tensors` are untouched.
///
/// # Errors
/// Every way the bytes can be wrong has its [`FormatError`].
///
/// ```
/// use nn_core::io::weights::{read_into, FormatError, NonFinite};
/// let mut w = [0.0f32; 1];
/// let err = read_into(b"NNWT", "net", &mut [&mut w], NonFinite::Refuse).unwrap_err();
/// assert_eq!(err, FormatError::Truncated { needed: 24, got: 4 });
/// ```
pub fn read_into(
    bytes: &[u8],
    signature: &str,
    tensors: &mut [&mut [f32]],
    non_finite: NonFinite,
) -> Result<(), FormatError> {
    let (found_signature, found_values, text) = fields(bytes)?;
    let expected_signature = signature_hash(signature);
    let expected_values = tensors.iter().map(|t| t.len()).sum::<usize>() as u64;
    if found_signature != expected_signature || found_values != expected_values {
        return Err(FormatError::WrongNetwork {
            expected_signature,
            found_signature,
            expected_values,
            found_values,
        });
    }
    let body = sealed(bytes, file_len(text, expected_values as usize))?;
    let values = || {
        body[HEADER_LEN + text..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    if non_finite == NonFinite::Refuse
        && let Some(index) = values().position(|v| !v.is_finite())
    {
        return Err(FormatError::NonFinite { index });
    }
    let mut values = values();
    for tensor in tensors.iter_mut() {
        for (slot, v) in tensor.iter_mut().zip(&mut values) {
            *slot = v;
        }
    }
    Ok(())
}

/// Why a weights file could not be loaded (`std`).
///
/// ```
/// let err = nn_core::io::weights::LoadError::Format(nn_core::io::weights::FormatError::UnsupportedVersion(9));
/// assert!(err.to_string().contains("version 9"));
/// ```
#[cfg(feature = "std")]
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why not.
        source: std::io::Error,
    },
    /// The file holds weights for another architecture: both, in words.
    WrongNetwork {
        /// The file.
        path: std::path::PathBuf,
        /// The architecture loading into (the model's `SIGNATURE`).
        expected: std::string::String,
        /// The architecture the file was saved for.
        found: std::string::String,
    },
    /// Its contents were refused.
    Format(FormatError),
}

#[cfg(feature = "std")]
impl LoadError {
    /// The error of reading `path`.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads the whole file at `path`, naming it in the error.
///
/// # Errors
/// [`LoadError::Io`] if it cannot be read.
#[cfg(feature = "std")]
pub(crate) fn read_file(path: &std::path::Path) -> Result<std::vec::Vec<u8>, LoadError> {
    std::fs::read(path).map_err(LoadError::io(path))
}

#[cfg(feature = "std")]
impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            LoadError::WrongNetwork {
                path,
                expected,
                found,
            } => write!(
                f,
                "`{}` holds weights for another network: it was saved for `{found}`, this network is `{expected}`",
                path.display()
            ),
            LoadError::Format(e) => e.fmt(f),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::WrongNetwork { .. } => None,
            LoadError::Format(e) => Some(e),
        }
    }
}

/// Encodes `tensors` and writes them to `path` atomically
/// ([`crate::io::atomic`]): a failed save leaves the old file intact.
///
/// # Errors
/// Any I/O error.
///
/// ```
/// use nn_core::io::weights::{load_file, save_file, LoadError, NonFinite};
/// let path = std::env::temp_dir().join("nn-weights-doc.nnw");
/// save_file(&path, "[f32;1]|Linear<1,1>", &[&[1.0, 2.0]])?;
/// let mut back = [0.0f32; 2];
/// load_file(&path, "[f32;1]|Linear<1,1>", &mut [&mut back], NonFinite::Refuse).unwrap();
/// assert_eq!(back, [1.0, 2.0]);
/// let err = load_file(&path, "[f32;2]|Linear<2,1>", &mut [&mut [0.0; 3]], NonFinite::Refuse).unwrap_err();
/// assert!(matches!(&err, LoadError::WrongNetwork { found, .. } if found == "[f32;1]|Linear<1,1>"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn save_file(
    path: impl AsRef<std::path::Path>,
    signature: &str,
    tensors: &[&[f32]],
) -> std::io::Result<()> {
    let count: usize = tensors.iter().map(|t| t.len()).sum();
    let mut bytes = std::vec![0u8; encoded_len(signature, count)];
    write(&mut bytes, signature, tensors).expect("the buffer is sized by encoded_len");
    crate::io::atomic::write(path, &bytes)
}

/// Reads `path` and decodes it with [`read_into`].
///
/// # Errors
/// [`LoadError::Io`] if the file cannot be read,
/// [`LoadError::WrongNetwork`] if it records another architecture, and
/// [`LoadError::Format`] if its contents are refused otherwise (the tensors
/// are then untouched).
///
/// ```
/// let err = nn_core::io::weights::load_file("/no/such.nnw", "net", &mut [], nn_core::io::weights::NonFinite::Refuse);
/// let err = err.unwrap_err();
/// assert!(matches!(err, nn_core::io::weights::LoadError::Io { .. }));
/// assert!(err.to_string().starts_with("cannot read `/no/such.nnw`: "));
/// ```
#[cfg(feature = "std")]
pub fn load_file(
    path: impl AsRef<std::path::Path>,
    signature: &str,
    tensors: &mut [&mut [f32]],
    non_finite: NonFinite,
) -> Result<(), LoadError> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    read_into(&bytes, signature, tensors, non_finite).map_err(|e| {
        match (e, saved_signature(&bytes)) {
            (FormatError::WrongNetwork { .. }, Some(found)) => LoadError::WrongNetwork {
                path: path.to_path_buf(),
                expected: signature.into(),
                found: found.into(),
            },
            _ => LoadError::Format(e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    const NET: &str = "test network";
    /// Where the values start: after the header and the signature text.
    const VALUES: usize = HEADER_LEN + NET.len();

    fn encoded(values: &[f32]) -> Vec<u8> {
        let mut out = vec![0u8; encoded_len(NET, values.len())];
        write(&mut out, NET, &[values]).unwrap();
        out
    }

    /// Reads into a 3-value model; the model must stay untouched on error.
    fn read(bytes: &[u8], policy: NonFinite) -> Result<[f32; 3], FormatError> {
        let mut model = [7.0f32; 3];
        let (head, tail) = model.split_at_mut(1);
        let result = read_into(bytes, NET, &mut [head, tail], policy);
        if result.is_err() {
            assert_eq!(model, [7.0; 3], "a refused file must not change the model");
        }
        result.map(|()| model)
    }

    /// Rewrites the checksum after editing the body.
    fn reseal(bytes: &mut [u8]) {
        let end = bytes.len() - TRAILER_LEN;
        let crc = crate::io::weights::crc32(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    }

    #[test]
    fn round_trip_across_tensor_boundaries() {
        assert_eq!(
            read(&encoded(&[1.5, -2.0, 1e-30]), NonFinite::Refuse),
            Ok([1.5, -2.0, 1e-30])
        );
    }

    #[test]
    fn truncated_and_oversized_inputs_are_refused() {
        let good = encoded(&[1.0, 2.0, 3.0]);
        assert_eq!(
            read(&good[..10], NonFinite::Refuse),
            Err(FormatError::Truncated {
                needed: 24,
                got: 10
            })
        );
        assert_eq!(
            read(&good[..good.len() - 1], NonFinite::Refuse),
            Err(FormatError::Truncated {
                needed: 52,
                got: 51
            })
        );
        assert_eq!(
            read(&[], NonFinite::Refuse),
            Err(FormatError::Truncated { needed: 24, got: 0 })
        );
        let mut long = good.clone();
        long.push(0);
        assert_eq!(
            read(&long, NonFinite::Refuse),
            Err(FormatError::TrailingBytes {
                expected: 52,
                got: 53
            })
        );
    }

    #[test]
    fn wrong_magic_and_version_are_refused() {
        let mut bytes = encoded(&[1.0, 2.0, 3.0]);
        bytes[0] = b'X';
        assert_eq!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::BadMagic(*b"XNWT"))
        );
        let mut bytes = encoded(&[1.0, 2.0, 3.0]);
        bytes[4..6].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::UnsupportedVersion(3))
        );
    }

    #[test]
    fn version_1_files_without_the_text_still_load() {
        let v2 = encoded(&[1.0, 2.0, 3.0]);
        let mut v1 = v2[..HEADER_LEN].to_vec();
        v1[4..8].copy_from_slice(&[1, 0, 0, 0]);
        v1.extend_from_slice(&v2[VALUES..]);
        reseal(&mut v1);
        assert_eq!(read(&v1, NonFinite::Refuse), Ok([1.0, 2.0, 3.0]));
        assert_eq!(saved_signature(&v1), None);
        assert_eq!(saved_signature(&v2), Some(NET));
    }

    #[test]
    fn another_network_is_refused_with_both_signatures() {
        let mut other = vec![0u8; encoded_len("another network", 3)];
        write(&mut other, "another network", &[&[1.0, 2.0, 3.0]]).unwrap();
        let err = read(&other, NonFinite::Refuse).unwrap_err();
        assert_eq!(
            err,
            FormatError::WrongNetwork {
                expected_signature: signature_hash(NET),
                found_signature: signature_hash("another network"),
                expected_values: 3,
                found_values: 3
            }
        );
        assert!(std::format!("{err}").contains("different network"));
        assert_eq!(saved_signature(&other), Some("another network"));
        // Same network name, different size (a huge count must not overflow).
        let mut bytes = encoded(&[1.0, 2.0, 3.0]);
        bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::WrongNetwork {
                found_values: u64::MAX,
                ..
            })
        ));
    }

    #[test]
    fn damaged_bytes_fail_the_checksum() {
        let mut bytes = encoded(&[1.0, 2.0, 3.0]);
        bytes[VALUES + 5] ^= 0x10;
        assert!(matches!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::Checksum { .. })
        ));
    }

    #[test]
    fn non_finite_values_are_refused_unless_allowed() {
        let mut bytes = encoded(&[1.0, 2.0, 3.0]);
        bytes[VALUES + 8..VALUES + 12].copy_from_slice(&f32::NAN.to_le_bytes());
        reseal(&mut bytes);
        assert_eq!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::NonFinite { index: 2 })
        );
        assert!(read(&bytes, NonFinite::Allow).unwrap()[2].is_nan());
        bytes[VALUES..VALUES + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
        reseal(&mut bytes);
        assert_eq!(
            read(&bytes, NonFinite::Refuse),
            Err(FormatError::NonFinite { index: 0 })
        );
    }

    #[test]
    fn a_short_output_buffer_is_an_error_not_a_panic() {
        let mut out = [0u8; 30];
        assert_eq!(
            write(&mut out, NET, &[&[1.0, 2.0]]),
            Err(FormatError::OutputTooSmall {
                needed: 48,
                got: 30
            })
        );
    }
}
