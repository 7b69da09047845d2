//! Packing: copy a block of a strided operand into the contiguous panel
//! layout the micro-kernels stream through, zero-padding partial panels so the
//! kernels never branch on edges.
use super::MatRef;

/// Packs rows `ic..ic+mc`, columns `pc..pc+kc` of `a` into `mr`-tall panels:
/// panel `r` holds, for each `p`, the `mr` values `a[ic + r*mr + i][pc + p]`.
pub(super) fn pack_a(
    mr: usize,
    a: &MatRef,
    ic: usize,
    mc: usize,
    pc: usize,
    kc: usize,
    out: &mut [f32],
) {
    for (panel, out) in out[..mc.div_ceil(mr) * mr * kc]
        .chunks_exact_mut(mr * kc)
        .enumerate()
    {
        let row0 = ic + panel * mr;
        let rows = mr.min(ic + mc - row0);
        for (p, col) in out.chunks_exact_mut(mr).enumerate() {
            for (i, v) in col.iter_mut().enumerate() {
                *v = if i < rows {
                    a.get(row0 + i, pc + p)
                } else {
                    0.0
                };
            }
        }
    }
}

/// Packs rows `pc..pc+kc`, columns `jc..jc+nc` of `b` into `nr`-wide panels:
/// panel `q` holds, for each `p`, the `nr` values `b[pc + p][jc + q*nr + j]`.
pub(super) fn pack_b(
    nr: usize,
    b: &MatRef,
    pc: usize,
    kc: usize,
    jc: usize,
    nc: usize,
    out: &mut [f32],
) {
    for (panel, out) in out[..nc.div_ceil(nr) * nr * kc]
        .chunks_exact_mut(nr * kc)
        .enumerate()
    {
        let col0 = jc + panel * nr;
        let cols = nr.min(jc + nc - col0);
        for (p, row) in out.chunks_exact_mut(nr).enumerate() {
            let (live, pad) = row.split_at_mut(cols);
            if b.cs == 1 {
                let start = (pc + p) * b.rs + col0;
                live.copy_from_slice(&b.data[start..start + cols]);
            } else {
                for (j, v) in live.iter_mut().enumerate() {
                    *v = b.get(pc + p, col0 + j);
                }
            }
            pad.fill(0.0);
        }
    }
}
