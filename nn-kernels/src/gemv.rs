//! Batch-1 dense product `y += xᵀ·W` without packing: at batch 1 every weight
//! is used once, so the kernel streams `W` row by row (the cost is bandwidth)
//! and keeps a block of `y` in registers while it does.
//!
//! It rounds like the batch path's GEMM, so a sample's outputs are as
//! accurate alone as in a batch: rows are summed in blocks of the GEMM's
//! depth [`KC`], each block from zero, the blocks added up,
//! and only then added to `y`; on x86_64 every product-sum is one fused
//! multiply-add, as in the GEMM's micro-kernels.
//!
//! ```
//! let w = [1.0, 2.0, 3.0, 4.0]; // 2x2, row-major: row i holds input i's weights
//! let mut y = [0.5, 0.5];
//! nn_kernels::gemv::vec_mat_acc(&[1.0, 1.0], &w, &mut y);
//! assert_eq!(y, [4.5, 6.5]);
//! ```
use crate::gemm::KC;
use crate::isa::Isa;

/// Outputs the portable loop keeps in locals (vector registers) per pass
/// over `W`; the x86 kernels choose their own widths below.
const BLOCK: usize = 64;

/// `y[o] += Σ_i x[i] · w[i][o]` for row-major `w` of `x.len()` rows and
/// `y.len()` columns.
///
/// # Panics
/// If `w.len() != x.len() * y.len()`.
///
/// ```
/// let mut y = [0.0];
/// nn_kernels::gemv::vec_mat_acc(&[1.0, 1.0], &[2.0, 3.0], &mut y);
/// assert_eq!(y, [5.0]);
/// ```
#[inline]
pub fn vec_mat_acc(x: &[f32], w: &[f32], y: &mut [f32]) {
    vec_mat_acc_on(Isa::active(), x, w, y);
}

/// [`vec_mat_acc`] on an explicitly chosen instruction set; a level this CPU
/// lacks falls back to the portable code.
///
/// # Panics
/// If `w.len() != x.len() * y.len()`.
///
/// ```
/// use nn_kernels::{gemv::vec_mat_acc_on, isa::Isa};
/// let mut y = [1.0];
/// vec_mat_acc_on(Isa::Portable, &[2.0], &[3.0], &mut y);
/// assert_eq!(y, [7.0]);
/// ```
pub fn vec_mat_acc_on(isa: Isa, x: &[f32], w: &[f32], y: &mut [f32]) {
    let n = y.len();
    assert_eq!(
        w.len(),
        x.len() * n,
        "gemv: W has {} elements, expected {}x{n}",
        w.len(),
        x.len()
    );
    if n == 0 {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        use crate::simd::{Avx2, Avx512, Simd};
        match isa {
            Isa::Avx512 => {
                if let Some(s) = Avx512::detect() {
                    // SAFETY: the token proves the CPU has AVX-512F.
                    return unsafe { x86::avx512(s, x, w, y) };
                }
            }
            Isa::Avx2 => {
                if let Some(s) = Avx2::detect() {
                    // SAFETY: the token proves the CPU has AVX2 and FMA.
                    return unsafe { x86::avx2(s, x, w, y) };
                }
            }
            Isa::Portable => {}
        }
    }
    let _ = isa;
    portable(x, w, y);
}

/// The portable loop: blocks of [`BLOCK`] outputs accumulated in locals,
/// which LLVM keeps in the target's vector registers.
fn portable(x: &[f32], w: &[f32], y: &mut [f32]) {
    let n = y.len();
    let mut c = 0;
    while c < n {
        let width = BLOCK.min(n - c);
        let mut sum = [0.0f32; BLOCK];
        for (xs, rows) in x.chunks(KC).zip(w.chunks(KC * n)) {
            let mut acc = [0.0f32; BLOCK];
            for (&xi, row) in xs.iter().zip(rows.chunks_exact(n)) {
                let row = &row[c..c + width];
                acc.iter_mut().zip(row).for_each(|(a, &wv)| *a += xi * wv);
            }
            sum.iter_mut().zip(&acc).for_each(|(s, a)| *s += a);
        }
        y[c..c + width]
            .iter_mut()
            .zip(&sum)
            .for_each(|(y, s)| *y += s);
        c += width;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::KC;
    use crate::simd::{Avx2, Avx512, Simd};

    /// AVX-512F: 128 outputs (eight registers) per pass, so a 128-wide
    /// layer streams each row of `W` whole and eight independent FMA
    /// chains cover the FMA latency on both ports.
    #[target_feature(enable = "avx512f")]
    pub(super) fn avx512(s: Avx512, x: &[f32], w: &[f32], y: &mut [f32]) {
        kernel::<_, 8>(s, x, w, y);
    }

    /// AVX2 + FMA: 64 outputs (eight registers) per pass.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2(s: Avx2, x: &[f32], w: &[f32], y: &mut [f32]) {
        kernel::<_, 8>(s, x, w, y);
    }

    /// Full blocks of `NV` registers, then single registers, then scalar
    /// FMAs for the last `< LANES` outputs.
    #[inline(always)]
    fn kernel<S: Simd, const NV: usize>(s: S, x: &[f32], w: &[f32], y: &mut [f32]) {
        let n = y.len();
        let mut c = 0;
        while c + NV * S::LANES <= n {
            columns::<S, NV>(s, x, w, y, c);
            c += NV * S::LANES;
        }
        while c + S::LANES <= n {
            columns::<S, 1>(s, x, w, y, c);
            c += S::LANES;
        }
        if c < n {
            tail(s, x, w, y, c);
        }
    }

    /// The last `< LANES` outputs, from `c`, by scalar FMAs: all of them in
    /// one pass over the rows, so their sums are independent chains (a
    /// 10-class output layer is all tail) rather than one FMA latency per
    /// product.
    #[inline(always)]
    fn tail<S: Simd>(s: S, x: &[f32], w: &[f32], y: &mut [f32], c: usize) {
        const MAX_LANES: usize = 16;
        let (n, width) = (y.len(), y.len() - c);
        debug_assert!(width < S::LANES && S::LANES <= MAX_LANES);
        let mut sum = [0.0f32; MAX_LANES];
        for (xs, rows) in x.chunks(KC).zip(w.chunks(KC * n)) {
            let mut acc = [0.0f32; MAX_LANES];
            for (&xi, row) in xs.iter().zip(rows.chunks_exact(n)) {
                for (a, &wv) in acc.iter_mut().zip(&row[c..]) {
                    *a = s.fma_scalar(xi, wv, *a);
                }
            }
            for (t, a) in sum.iter_mut().zip(acc).take(width) {
                *t += a;
            }
        }
        for (y, t) in y[c..].iter_mut().zip(sum) {
            *y += t;
        }
    }

    /// Outputs `c .. c + NV·LANES`.
    #[inline(always)]
    fn columns<S: Simd, const NV: usize>(s: S, x: &[f32], w: &[f32], y: &mut [f32], c: usize) {
        let n = y.len();
        let mut sum = [s.zero(); NV];
        for (xs, rows) in x.chunks(KC).zip(w.chunks(KC * n)) {
            let mut acc = [s.zero(); NV];
            for (&xi, row) in xs.iter().zip(rows.chunks_exact(n)) {
                let (xv, row) = (s.splat(xi), &row[c..c + NV * S::LANES]);
                for (j, a) in acc.iter_mut().enumerate() {
                    // SAFETY: `row` holds NV·LANES floats from `c` (sliced above).
                    *a = s.fma(xv, unsafe { s.load(row.as_ptr().add(j * S::LANES)) }, *a);
                }
            }
            for (t, a) in sum.iter_mut().zip(acc) {
                *t = s.add(*t, a);
            }
        }
        let out = &mut y[c..c + NV * S::LANES];
        for (j, t) in sum.into_iter().enumerate() {
            // SAFETY: `out` holds NV·LANES floats (sliced above).
            unsafe {
                let p = out.as_mut_ptr().add(j * S::LANES);
                s.store(p, s.add(s.load(p), t));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};

    #[test]
    fn vec_mat_matches_naive_on_every_isa() {
        let r = &mut rng(5);
        // SIZES plus depths past one KC block, so block sums are covered.
        let depths = SIZES.iter().copied().chain([KC + 3, 2 * KC + 1]);
        for isa in isas() {
            for i in depths.clone() {
                for &o in SIZES {
                    let w = random_slice(r, o * i);
                    let x = random_slice(r, i);
                    let y0 = random_slice(r, o);
                    let mut y = y0.clone();
                    vec_mat_acc_on(isa, &x, &w, &mut y);
                    let expected: std::vec::Vec<f32> = (0..o)
                        .map(|c| {
                            y0[c]
                                + (0..i)
                                    .map(|k| x[k] as f64 * w[k * o + c] as f64)
                                    .sum::<f64>() as f32
                        })
                        .collect();
                    assert_close(&y, &expected, 1e-5 * (i as f32).sqrt(), "vec_mat_acc");
                }
            }
        }
    }
}
