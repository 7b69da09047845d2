//! Training checkpoints (`std`): everything needed to resume training
//! bit-identically — the model's state, every optimizer state, the
//! trainer's seed and step counter, and the caller's epoch. Generated
//! trainers write and read them (`save_checkpoint` / `load_checkpoint`).
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `NNCK` |
//! | 2 + 2 | version 1, reserved |
//! | 8 | hash of the network's signature and the optimizer's type |
//! | 8 · 3 | seed, step, epoch |
//! | 8 · 2 | number of model values, number of optimizer-state bytes |
//! | … | model values (`f32` LE), optimizer states (raw) |
//! | 4 | CRC-32 of everything before it |
//!
//! ```
//! use nn_core::io::checkpoint::{decode, encode, Progress};
//! let bytes = encode(9, 42, Progress { epoch: 3, step: 750 }, &[&[1.0, 2.0]], &[&[7, 7, 7, 7]]);
//! let (mut model, mut opt) = ([0.0f32; 2], [0u8; 4]);
//! let (seed, progress) = decode(&bytes, 9, &mut [&mut model], &mut [&mut opt])?;
//! assert_eq!((seed, progress.epoch, model, opt), (42, 3, [1.0, 2.0], [7; 4]));
//! # Ok::<(), nn_core::io::weights::FormatError>(())
//! ```
use crate::io::weights::FormatError;
use std::vec::Vec;

/// The first four bytes of every checkpoint.
pub const MAGIC: [u8; 4] = *b"NNCK";
/// The checkpoint version this crate writes and reads.
pub const VERSION: u16 = 1;
const HEADER_LEN: usize = 56;

/// How far training has come.
///
/// ```
/// let p = nn_core::io::checkpoint::Progress { epoch: 1, step: 250 };
/// assert_eq!(p.step, 250);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The caller's epoch counter (what the next epoch is).
    pub epoch: u64,
    /// Training steps taken (the trainer's own counter).
    pub step: u64,
}

/// Encodes a checkpoint.
///
/// ```
/// let bytes = nn_core::io::checkpoint::encode(1, 2, nn_core::io::checkpoint::Progress { epoch: 0, step: 0 }, &[], &[]);
/// assert_eq!(&bytes[..4], b"NNCK");
/// ```
pub fn encode(
    signature: u64,
    seed: u64,
    progress: Progress,
    model: &[&[f32]],
    optimizer: &[&[u8]],
) -> Vec<u8> {
    let values: usize = model.iter().map(|t| t.len()).sum();
    let state_bytes: usize = optimizer.iter().map(|s| s.len()).sum();
    let mut out = Vec::with_capacity(HEADER_LEN + 4 * values + state_bytes + 4);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    for field in [
        signature,
        seed,
        progress.step,
        progress.epoch,
        values as u64,
        state_bytes as u64,
    ] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend(
        model
            .iter()
            .flat_map(|t| t.iter())
            .flat_map(|v| v.to_le_bytes()),
    );
    optimizer.iter().for_each(|s| out.extend_from_slice(s));
    let crc = crate::io::weights::crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Decodes a checkpoint into `model` and `optimizer` (whose lengths give
/// the expected sizes); returns the seed and progress. Everything is checked
/// first, so on error nothing is written.
///
/// # Errors
/// A [`FormatError`] for truncated, oversized, damaged or foreign bytes, a
/// checkpoint of another network or optimizer, or another version.
///
/// ```
/// let err = nn_core::io::checkpoint::decode(b"NNWT", 1, &mut [], &mut []).unwrap_err();
/// assert_eq!(err, nn_core::io::weights::FormatError::Truncated { needed: 56, got: 4 });
/// ```
pub fn decode(
    bytes: &[u8],
    signature: u64,
    model: &mut [&mut [f32]],
    optimizer: &mut [&mut [u8]],
) -> Result<(u64, Progress), FormatError> {
    let header = crate::io::weights::header(bytes, MAGIC, VERSION..=VERSION, HEADER_LEN)?;
    let field =
        |i: usize| u64::from_le_bytes(header[8 + 8 * i..16 + 8 * i].try_into().expect("8 bytes"));
    let (found_signature, seed, step, epoch, values, state_bytes) =
        (field(0), field(1), field(2), field(3), field(4), field(5));
    let expected_values = model.iter().map(|t| t.len()).sum::<usize>() as u64;
    let expected_state = optimizer.iter().map(|s| s.len()).sum::<usize>() as u64;
    if found_signature != signature || values != expected_values || state_bytes != expected_state {
        return Err(FormatError::WrongNetwork {
            expected_signature: signature,
            found_signature,
            expected_values,
            found_values: values,
        });
    }
    let body = crate::io::weights::sealed(
        bytes,
        HEADER_LEN + 4 * values as usize + state_bytes as usize + 4,
    )?;
    let (mut values, mut state) = body[HEADER_LEN..].split_at(4 * values as usize);
    for tensor in model.iter_mut() {
        let (head, tail) = values.split_at(4 * tensor.len());
        for (v, b) in tensor.iter_mut().zip(head.chunks_exact(4)) {
            *v = f32::from_le_bytes(b.try_into().expect("4 bytes"));
        }
        values = tail;
    }
    for s in optimizer.iter_mut() {
        let (head, tail) = state.split_at(s.len());
        s.copy_from_slice(head);
        state = tail;
    }
    Ok((seed, Progress { epoch, step }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        encode(
            5,
            6,
            Progress { epoch: 2, step: 9 },
            &[&[1.0], &[2.0, 3.0]],
            &[&[1, 2], &[3]],
        )
    }

    fn read(bytes: &[u8]) -> Result<(u64, Progress), FormatError> {
        let (mut a, mut b, mut s, mut t) = ([0.5f32; 1], [0.5f32; 2], [9u8; 2], [9u8; 1]);
        let r = decode(bytes, 5, &mut [&mut a, &mut b], &mut [&mut s, &mut t]);
        if r.is_err() {
            assert_eq!(
                (a, b, s, t),
                ([0.5], [0.5; 2], [9; 2], [9]),
                "nothing written on error"
            );
        } else {
            assert_eq!((a, b, s, t), ([1.0], [2.0, 3.0], [1, 2], [3]));
        }
        r
    }

    #[test]
    fn round_trip_and_every_refusal() {
        let good = sample();
        assert_eq!(read(&good), Ok((6, Progress { epoch: 2, step: 9 })));
        assert!(matches!(
            read(&good[..good.len() - 1]),
            Err(FormatError::Truncated { .. })
        ));
        assert!(matches!(
            read(&good[..20]),
            Err(FormatError::Truncated {
                needed: 56,
                got: 20
            })
        ));
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(
            read(&long),
            Err(FormatError::TrailingBytes { .. })
        ));
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(matches!(read(&bad), Err(FormatError::BadMagic(_))));
        let mut bad = good.clone();
        bad[4] = 2;
        assert!(matches!(
            read(&bad),
            Err(FormatError::UnsupportedVersion(2))
        ));
        let mut bad = good.clone();
        bad[HEADER_LEN + 1] ^= 1;
        assert!(matches!(read(&bad), Err(FormatError::Checksum { .. })));
        let other = encode(
            99,
            6,
            Progress { epoch: 2, step: 9 },
            &[&[1.0], &[2.0, 3.0]],
            &[&[1, 2], &[3]],
        );
        assert!(matches!(
            read(&other),
            Err(FormatError::WrongNetwork {
                found_signature: 99,
                ..
            })
        ));
        let huge = {
            let mut h = good.clone();
            h[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
            h
        };
        assert!(matches!(read(&huge), Err(FormatError::WrongNetwork { .. })));
    }
}
