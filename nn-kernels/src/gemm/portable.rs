//! The portable micro-kernel: plain Rust with independent accumulators, which
//! LLVM vectorizes for whatever SIMD the target has (SSE2, NEON, M4 FPU).
use super::MicroKernel;

pub(super) struct Portable;

const MR: usize = 4;
const NR: usize = 8;

impl MicroKernel for Portable {
    const MR: usize = MR;
    const NR: usize = NR;

    unsafe fn run(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32]) {
        let mut acc = [[0.0f32; NR]; MR];
        for (ap, bp) in a[..kc * MR]
            .chunks_exact(MR)
            .zip(b[..kc * NR].chunks_exact(NR))
        {
            for (row, &ai) in acc.iter_mut().zip(ap) {
                for (c, &bj) in row.iter_mut().zip(bp) {
                    *c += ai * bj;
                }
            }
        }
        for (dst, row) in tile.chunks_exact_mut(NR).zip(&acc) {
            dst.copy_from_slice(row);
        }
    }
}
