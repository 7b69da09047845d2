//! The portable micro-kernel: plain Rust with independent accumulators, which
//! LLVM vectorizes for whatever SIMD the target has (SSE2, NEON, M4 FPU).
use super::{MicroKernel, Out, Panel};

pub(super) struct Portable;

const MR: usize = 4;
const NR: usize = 8;

impl MicroKernel for Portable {
    const MR: usize = MR;
    const NR: usize = NR;

    unsafe fn run(kc: usize, a: Panel, b: Panel, out: Out) {
        let mut acc = [[0.0f32; NR]; MR];
        for p in 0..kc {
            // SAFETY: the caller guarantees elements (p, i) of both panels are
            // readable for p < kc, i < MR (A) and i < NR (B, contiguous).
            let (ap, bp) = unsafe {
                let bp = &*b.ptr.add(p * b.step_p).cast::<[f32; NR]>();
                let a0 = a.ptr.add(p * a.step_p);
                (
                    core::array::from_fn::<f32, MR, _>(|i| *a0.add(i * a.step_i)),
                    bp,
                )
            };
            for (row, &ai) in acc.iter_mut().zip(&ap) {
                for (c, &bj) in row.iter_mut().zip(bp) {
                    *c += ai * bj;
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            // SAFETY: the caller guarantees MR writable rows of NR floats.
            let dst = unsafe { &mut *out.ptr.add(i * out.rs).cast::<[f32; NR]>() };
            if out.accumulate {
                dst.iter_mut().zip(row).for_each(|(d, v)| *d += v);
            } else {
                *dst = *row;
            }
        }
    }
}
