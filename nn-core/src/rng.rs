//! The random stream of training: dropout masks, noise, the trainers'
//! seeding, and what users should draw shuffles and initializations from
//! when a host and a device must agree.
//!
//! [`TrainRng`] is xoshiro256++ by name, the same algorithm with the same
//! output on every target. (`rand`'s `SmallRng` is not: it is xoshiro256++
//! on 64-bit targets and xoshiro128++ on 32-bit ones, so the same seed gave a
//! Cortex-M4F and a PC different dropout masks.) A training run with a seed
//! therefore draws the same numbers on x86_64, `thumbv7em` and `riscv32`;
//! the firmware in `embedded/` checks it against the host.
//!
//! ```
//! use nn_core::rng::TrainRng;
//! use rand::{Rng, SeedableRng};
//! let mut a = TrainRng::seed_from_u64(7);
//! let mut b = TrainRng::seed_from_u64(7);
//! assert_eq!(a.random::<u64>(), b.random::<u64>());
//! ```

/// The generator nn trains with: xoshiro256++ (Blackman & Vigna), 256 bits
/// of state, seeded through `SeedableRng::seed_from_u64` (SplitMix64).
pub type TrainRng = rand_xoshiro::Xoshiro256PlusPlus;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    /// xoshiro256++ and its SplitMix64 seeding written out from the
    /// authors' reference C code, independently of `rand_xoshiro`.
    fn reference(seed: u64, n: usize) -> std::vec::Vec<u64> {
        let mut z = seed;
        let mut splitmix = || {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        };
        let mut s: [u64; 4] = core::array::from_fn(|_| splitmix());
        (0..n)
            .map(|_| {
                let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
                let t = s[1] << 17;
                s[2] ^= s[0];
                s[3] ^= s[1];
                s[1] ^= s[2];
                s[0] ^= s[3];
                s[2] ^= t;
                s[3] = s[3].rotate_left(45);
                out
            })
            .collect()
    }

    #[test]
    fn the_stream_is_xoshiro256_plus_plus_seeded_by_splitmix64() {
        for seed in [0, 1, 42, u64::MAX] {
            let mut rng = TrainRng::seed_from_u64(seed);
            let ours: std::vec::Vec<u64> = (0..64).map(|_| rng.next_u64()).collect();
            assert_eq!(ours, reference(seed, 64), "seed {seed}");
        }
    }
}
