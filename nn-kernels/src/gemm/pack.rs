//! Packing: copy a block of a strided operand into the contiguous panel
//! layout the micro-kernels stream through, zero-padding partial panels so the
//! kernels never branch on edges.
//!
//! One routine serves both operands: a B block is packed as is, an A block as
//! its transpose (A's `MR`-tall row panels are Aᵀ's `MR`-wide column panels).
use super::MatRef;

/// Packs rows `p0..p0+kc`, columns `j0..j0+nc` of `m` into `width`-wide
/// panels: panel `q` holds, for each `p`, the `width` values
/// `m[p0 + p][j0 + q*width + j]` (zero past column `j0 + nc`).
pub(super) fn pack(
    width: usize,
    m: &MatRef,
    p0: usize,
    kc: usize,
    j0: usize,
    nc: usize,
    out: &mut [f32],
) {
    let panels = out[..nc.div_ceil(width) * width * kc].chunks_exact_mut(width * kc);
    for (q, panel) in panels.enumerate() {
        let col0 = j0 + q * width;
        let cols = width.min(j0 + nc - col0);
        if m.cs == 1 {
            // Rows are contiguous: one slice copy per row of the panel.
            for (p, dst) in panel.chunks_exact_mut(width).enumerate() {
                let start = (p0 + p) * m.rs + col0;
                dst[..cols].copy_from_slice(&m.data[start..start + cols]);
                dst[cols..].fill(0.0);
            }
        } else if m.rs == 1 {
            // Columns are contiguous: read each column once, scatter by row
            // (into a panel zeroed at once when it is partial, not row by row).
            if cols < width {
                panel.fill(0.0);
            }
            for j in 0..cols {
                let start = (col0 + j) * m.cs + p0;
                let column = &m.data[start..start + kc];
                for (dst, &v) in panel.chunks_exact_mut(width).zip(column) {
                    dst[j] = v;
                }
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(width).enumerate() {
                for (j, v) in dst.iter_mut().enumerate() {
                    *v = if j < cols {
                        m.get(p0 + p, col0 + j)
                    } else {
                        0.0
                    };
                }
            }
        }
    }
}
