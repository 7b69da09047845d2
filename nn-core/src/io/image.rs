//! Flash images: a [`Plain`] model's own bytes behind a small header, so
//! firmware runs a network straight from flash — the parameters are read
//! where the image lies, nothing is copied into RAM, and the image is
//! validated while the firmware compiles (`nn::include_model!`) or once at
//! start-up ([`view`]).
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `NNIM` |
//! | 2 | format version (little-endian `u16`, now 1) |
//! | 2 | reserved, zero |
//! | 8 | hash of the network's signature ([`weights::signature_hash`]) |
//! | 8 | payload length: `size_of` the model |
//! | 4 | reserved, zero |
//! | 4 | CRC-32 of the 28 bytes before it and of the payload |
//! | n | payload: the model's memory (`repr(C)`, `f32`s little-endian) |
//!
//! A weights file ([`weights`]) holds what a model *learned* and loads into
//! any model of the architecture; an image is the whole model — layer
//! settings included — exactly as it lies in memory, so it can be used in
//! place. The header is 32 bytes, so a payload behind a 16-byte-aligned
//! header ([`Aligned`]) is aligned for every `Plain` type.
//!
//! ```
//! use nn_core::io::image::{self, Aligned};
//! use nn_core::io::weights::signature_hash;
//! use nn_core::prelude::*;
//!
//! const NET: u64 = signature_hash("[f32;2]|Linear<2,1>");
//! let mut net = Linear::<2, 1>::zeroed();
//! net.weight = [[0.5], [-1.0]];
//! let mut bytes = Aligned([0u8; image::encoded_len::<Linear<2, 1>>()]);
//! image::write(&net, NET, &mut bytes.0)?;
//! let in_place: &Linear<2, 1> = image::view(&bytes.0, NET)?; // borrows the bytes
//! assert_eq!(in_place.forward(&[2.0, 1.0]), [0.0]);
//! # Ok::<(), nn_core::io::weights::FormatError>(())
//! ```
//!
//! A `network!` model does the same through [`Image::save_image`] and
//! [`Image::from_image`], and `nn::include_model!` embeds an image in
//! firmware, checked at compile time.
use crate::io::weights::{self, FormatError};
use crate::mem::Plain;
use core::mem::{align_of, size_of};

/// A type with flash images: [`Plain`], and the architecture its images
/// are for. `network!` implements it for every network whose layers are
/// `Plain` (and for its int8 version).
///
/// ```
/// use nn_core::io::image::{Aligned, Image};
/// use nn_core::prelude::*;
///
/// #[repr(C)]
/// struct Net(Linear<2, 1>);
/// // SAFETY: a `repr(C)` wrapper of a `Plain` layer.
/// unsafe impl nn_core::mem::Zeroable for Net {}
/// // SAFETY: as above.
/// unsafe impl nn_core::mem::Plain for Net {}
/// impl Image for Net {
///     const SIGNATURE: &'static str = "[f32;2]|Linear<2,1>";
/// }
///
/// let mut net = Net(Linear::zeroed());
/// net.0.bias = [0.5];
/// let mut bytes = Aligned([0u8; nn_core::io::image::encoded_len::<Net>()]);
/// net.save_image_to(&mut bytes.0)?;
/// assert_eq!(Net::from_image(&bytes.0)?.0.bias, [0.5]);
/// # Ok::<(), nn_core::io::weights::FormatError>(())
/// ```
pub trait Image: Plain + Sized {
    /// The architecture, as weights files and images identify it.
    const SIGNATURE: &'static str;

    /// Writes the image (`encoded_len::<Self>()` bytes) to the start of
    /// `out`, without allocating; returns the bytes written. Firmware
    /// embeds it with `nn::include_model!` and runs the model from it in
    /// place.
    ///
    /// # Errors
    /// If `out` is shorter than the image.
    fn save_image_to(&self, out: &mut [u8]) -> Result<usize, FormatError> {
        write(self, weights::signature_hash(Self::SIGNATURE), out)
    }

    /// Writes the image to `path` atomically.
    ///
    /// # Errors
    /// Any I/O error.
    #[cfg(feature = "std")]
    fn save_image(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        save_file(self, weights::signature_hash(Self::SIGNATURE), path)
    }

    /// The model in `bytes`, an image written by [`Image::save_image_to`],
    /// validated once and borrowed in place: nothing is copied.
    ///
    /// # Errors
    /// As [`view`]: a damaged, foreign or misaligned image, or one written
    /// for another network.
    fn from_image(bytes: &[u8]) -> Result<&Self, FormatError> {
        view(bytes, weights::signature_hash(Self::SIGNATURE))
    }
}

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"NNIM";
/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 32;
/// Offset of the CRC-32 in the header (it covers the bytes before it).
const CRC_AT: usize = 28;

/// Size of the image of a `T`.
///
/// ```
/// use nn_core::layers::Linear;
/// assert_eq!(nn_core::io::image::encoded_len::<Linear<2, 3>>(), 32 + 4 * 9);
/// ```
pub const fn encoded_len<T>() -> usize {
    HEADER_LEN + size_of::<T>()
}

/// Bytes aligned to 16: wrap `*include_bytes!(…)` in it (as
/// `nn::include_model!` does) and the payload behind the 32-byte header is
/// aligned for any [`Plain`] model.
///
/// ```
/// static IMAGE: &nn_core::io::image::Aligned<[u8]> = &nn_core::io::image::Aligned([0; 48]);
/// assert_eq!(IMAGE.0.as_ptr() as usize % 16, 0);
/// ```
#[repr(C, align(16))]
pub struct Aligned<B: ?Sized>(pub B);

impl Aligned<[u8]> {
    /// The `T` in this image of the network with `signature`, validated
    /// and borrowed in place ([`check`] lists what is checked); usable in
    /// `const` and `static` items, so a bad image can stop compilation.
    ///
    /// # Errors
    /// As [`check`].
    ///
    /// ```
    /// use nn_core::layers::Linear;
    /// static IMAGE: &nn_core::io::image::Aligned<[u8]> = &nn_core::io::image::Aligned([0; 4]);
    /// assert!(IMAGE.model::<Linear<1, 1>>(7).is_err());
    /// ```
    pub const fn model<T: Plain>(&self, signature: u64) -> Result<&T, FormatError> {
        match check::<T>(&self.0, signature) {
            // SAFETY: `check` proved the payload is `size_of::<T>()`
            // initialized bytes at offset 32 of a 16-aligned buffer, so it is
            // aligned for `T` (`Plain`: alignment at most 4, checked there),
            // and `T: Plain` makes any such bytes a valid `T`. The reference
            // borrows `self`, so the bytes outlive it and stay unchanged.
            Ok(()) => Ok(unsafe { &*(self.0.as_ptr().add(HEADER_LEN) as *const T) }),
            Err(e) => Err(e),
        }
    }
}

/// Writes the image of `model`, for the network with `signature`, to the
/// start of `out` without allocating; returns the bytes written
/// ([`encoded_len`]).
///
/// # Errors
/// [`FormatError::OutputTooSmall`] if `out` is shorter than the image.
///
/// ```
/// use nn_core::io::{image, weights::FormatError};
/// use nn_core::prelude::*;
/// let mut out = [0u8; 16];
/// let err = image::write(&Linear::<2, 1>::zeroed(), 7, &mut out).unwrap_err();
/// assert_eq!(err, FormatError::OutputTooSmall { needed: 44, got: 16 });
/// ```
pub fn write<T: Plain>(model: &T, signature: u64, out: &mut [u8]) -> Result<usize, FormatError> {
    let () = T::UNPADDED;
    let needed = encoded_len::<T>();
    if out.len() < needed {
        return Err(FormatError::OutputTooSmall {
            needed,
            got: out.len(),
        });
    }
    // SAFETY: `T: Plain` has no padding (for a struct of `Plain` fields,
    // asserted by `UNPADDED` above), so all `size_of::<T>()` bytes of
    // `*model` are initialized; the slice borrows `model` for its lifetime.
    let payload =
        unsafe { core::slice::from_raw_parts((model as *const T).cast::<u8>(), size_of::<T>()) };
    let out = &mut out[..needed];
    out[..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6..8].fill(0);
    out[8..16].copy_from_slice(&signature.to_le_bytes());
    out[16..24].copy_from_slice(&(size_of::<T>() as u64).to_le_bytes());
    out[24..CRC_AT].fill(0);
    out[HEADER_LEN..].copy_from_slice(payload);
    let crc = crc(&out[..CRC_AT], &out[HEADER_LEN..]);
    out[CRC_AT..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
    Ok(needed)
}

/// Writes the image of `model` to `path` atomically ([`crate::io::atomic`]):
/// a failed save leaves the previous file intact.
///
/// # Errors
/// Any I/O error.
///
/// ```
/// use nn_core::prelude::*;
/// let path = std::env::temp_dir().join("nn-image-doc.nni");
/// nn_core::io::image::save_file(&Linear::<2, 1>::zeroed(), 7, &path)?;
/// assert_eq!(std::fs::read(&path)?.len(), 32 + 12);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn save_file<T: Plain>(
    model: &T,
    signature: u64,
    path: impl AsRef<std::path::Path>,
) -> std::io::Result<()> {
    let mut bytes = std::vec![0u8; encoded_len::<T>()];
    write(model, signature, &mut bytes).expect("the buffer is sized by encoded_len");
    crate::io::atomic::write(path, &bytes)
}

/// The `T` in `bytes`, an image of the network with `signature`, validated
/// ([`check`]) and borrowed in place: for an image that is not known at
/// compile time (a flash partition, a file read into memory).
///
/// # Errors
/// As [`check`], and [`FormatError::Misaligned`] if the payload is not
/// aligned for `T`.
///
/// ```
/// use nn_core::io::{image, weights::FormatError};
/// let err = image::view::<nn_core::layers::Linear<1, 1>>(b"PK\x03\x04", 7).unwrap_err();
/// assert_eq!(err, FormatError::Truncated { needed: 40, got: 4 });
/// ```
pub fn view<T: Plain>(bytes: &[u8], signature: u64) -> Result<&T, FormatError> {
    check::<T>(bytes, signature)?;
    let payload = bytes[HEADER_LEN..].as_ptr();
    if payload.align_offset(align_of::<T>()) != 0 {
        return Err(FormatError::Misaligned {
            required: align_of::<T>(),
        });
    }
    // SAFETY: `check` proved `size_of::<T>()` initialized bytes follow the
    // header, the payload is aligned for `T` (just checked), and `T: Plain`
    // makes any such bytes a valid `T`; the result borrows `bytes`.
    Ok(unsafe { &*payload.cast::<T>() })
}

/// Checks that `bytes` is the image of a `T` for the network with
/// `signature`: exact length, magic, version, the signature, the payload's
/// size, and the CRC-32 — everything but the payload's address. A `const fn`, so images embedded in firmware are
/// checked at compile time.
///
/// # Errors
/// [`FormatError::Truncated`], [`FormatError::TrailingBytes`],
/// [`FormatError::BadMagic`], [`FormatError::UnsupportedVersion`],
/// [`FormatError::WrongNetwork`], [`FormatError::Checksum`]; and
/// [`FormatError::Misaligned`] on a big-endian target (the payload is
/// little-endian) or for a type aligned to more than 4 bytes (not `Plain`).
///
/// ```
/// use nn_core::io::{image, weights::FormatError};
/// let mut bytes = [0u8; 40];
/// bytes[..4].copy_from_slice(b"NNWT");
/// let err = image::check::<nn_core::layers::Linear<1, 1>>(&bytes, 7).unwrap_err();
/// assert_eq!(err, FormatError::BadMagic(*b"NNWT"));
/// let err = image::check::<nn_core::layers::Linear<1, 1>>(&bytes[..8], 7).unwrap_err();
/// assert_eq!(err, FormatError::Truncated { needed: 40, got: 8 });
/// ```
pub const fn check<T: Plain>(bytes: &[u8], signature: u64) -> Result<(), FormatError> {
    let () = T::UNPADDED;
    let needed = encoded_len::<T>();
    if align_of::<T>() > 4 || cfg!(target_endian = "big") {
        return Err(FormatError::Misaligned {
            required: align_of::<T>(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(FormatError::Truncated {
            needed,
            got: bytes.len(),
        });
    }
    let magic = [bytes[0], bytes[1], bytes[2], bytes[3]];
    if u32::from_le_bytes(magic) != u32::from_le_bytes(MAGIC) {
        return Err(FormatError::BadMagic(magic));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    let found_signature = u64_at(bytes, 8);
    let payload_len = u64_at(bytes, 16);
    if found_signature != signature || payload_len != size_of::<T>() as u64 {
        return Err(FormatError::WrongNetwork {
            expected_signature: signature,
            found_signature,
            expected_values: (size_of::<T>() / 4) as u64,
            found_values: payload_len / 4,
        });
    }
    if let Err(e) = weights::exactly(bytes, needed) {
        return Err(e);
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    let (covered, _) = header.split_at(CRC_AT);
    let stored = u32::from_le_bytes([
        bytes[CRC_AT],
        bytes[CRC_AT + 1],
        bytes[CRC_AT + 2],
        bytes[CRC_AT + 3],
    ]);
    let computed = crc(covered, payload);
    if stored != computed {
        return Err(FormatError::Checksum { stored, computed });
    }
    Ok(())
}

/// The little-endian `u64` at `at`.
const fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    let mut i = 0;
    while i < 8 {
        word[i] = bytes[at + i];
        i += 1;
    }
    u64::from_le_bytes(word)
}

/// CRC-32 of the header's first 28 bytes followed by the payload.
const fn crc(header: &[u8], payload: &[u8]) -> u32 {
    let mut digest = weights::CRC32.digest();
    digest.update(header);
    digest.update(payload);
    digest.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Zeroable;
    use crate::prelude::*;
    use std::vec;

    /// A layer with parameters and one with a setting, as a network holds them.
    #[repr(C)]
    #[derive(Clone, Debug, PartialEq)]
    struct Net(Linear<3, 2>, LeakyReLU);
    // SAFETY: both fields are `Plain`.
    unsafe impl Zeroable for Net {}
    // SAFETY: `repr(C)` of `Plain` fields.
    unsafe impl Plain for Net {}

    const NET: u64 = weights::signature_hash("net");

    fn net() -> Net {
        let mut linear = Linear::zeroed();
        linear.weight = [[1.0, -2.0], [0.5, 0.25], [-3.0, 4.0]];
        linear.bias = [0.125, -1.0];
        Net(linear, LeakyReLU::new(0.2))
    }

    /// An image of `net()` in an aligned buffer.
    fn image() -> Aligned<[u8; encoded_len::<Net>()]> {
        let mut bytes = Aligned([0u8; encoded_len::<Net>()]);
        assert_eq!(write(&net(), NET, &mut bytes.0), Ok(encoded_len::<Net>()));
        bytes
    }

    #[test]
    fn the_image_is_the_model_in_place() {
        let bytes = image();
        let model = view::<Net>(&bytes.0, NET).unwrap();
        assert_eq!(*model, net());
        assert!(core::ptr::eq(
            (model as *const Net).cast::<u8>(),
            bytes.0[HEADER_LEN..].as_ptr()
        ));
        let aligned: &Aligned<[u8]> = &bytes;
        assert_eq!(aligned.model::<Net>(NET).unwrap(), model);
    }

    #[test]
    fn damaged_foreign_and_misplaced_images_are_refused() {
        let good = image();
        for at in [HEADER_LEN + 5, 10, CRC_AT] {
            let mut bytes = good.0;
            bytes[at] ^= 1;
            assert!(
                matches!(
                    view::<Net>(&bytes, NET),
                    Err(FormatError::Checksum { .. } | FormatError::WrongNetwork { .. })
                ),
                "byte {at}"
            );
        }
        let mut bytes = good.0;
        bytes[0] = b'X';
        assert_eq!(
            view::<Net>(&bytes, NET).unwrap_err(),
            FormatError::BadMagic(*b"XNIM")
        );
        let mut bytes = good.0;
        bytes[4] = 2;
        assert_eq!(
            view::<Net>(&bytes, NET).unwrap_err(),
            FormatError::UnsupportedVersion(2)
        );
        assert_eq!(
            view::<Net>(&good.0[..40], NET).unwrap_err(),
            FormatError::Truncated {
                needed: encoded_len::<Net>(),
                got: 40
            }
        );
        let mut long = vec![0u8; encoded_len::<Net>() + 4];
        long[..encoded_len::<Net>()].copy_from_slice(&good.0);
        assert!(matches!(
            check::<Net>(&long, NET),
            Err(FormatError::TrailingBytes { .. })
        ));
        // Another network, or another type of the same size, is refused.
        assert!(matches!(
            view::<Net>(&good.0, NET + 1),
            Err(FormatError::WrongNetwork { .. })
        ));
        assert!(matches!(
            view::<[Linear<1, 1>; 2]>(&good.0[..32 + 16], NET),
            Err(FormatError::WrongNetwork { .. })
        ));
        // A payload off its alignment.
        let mut shifted = Aligned([0u8; encoded_len::<Net>() + 1]);
        shifted.0[1..].copy_from_slice(&good.0);
        assert_eq!(
            view::<Net>(&shifted.0[1..], NET).unwrap_err(),
            FormatError::Misaligned { required: 4 }
        );
    }

    #[test]
    fn a_bad_image_is_caught_in_a_const() {
        const EMPTY: Aligned<[u8; 0]> = Aligned([]);
        const {
            let image: &Aligned<[u8]> = &EMPTY;
            assert!(image.model::<Net>(NET).is_err());
        }
    }
}
