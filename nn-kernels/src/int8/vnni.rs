//! The int8 dense kernel on AVX-512 VNNI: `vpdpbusd` multiplies 64 unsigned
//! by 64 signed bytes and adds them in fours into 16 `i32` lanes. The
//! inputs are signed, so each is offset by 128 into `u8` (a flip of the top
//! bit) and the offset's share, `128 · Σ w`, comes off the sum; `Σ w` is a
//! second `vpdpbusd` against ones.
use super::Stage;
use core::arch::x86_64::*;

/// Proof that the CPU has AVX-512F, AVX-512BW and AVX-512 VNNI.
#[derive(Clone, Copy, Debug)]
pub(super) struct Vnni(());

impl Vnni {
    /// The token, if this CPU has the instructions.
    pub(super) fn detect() -> Option<Vnni> {
        crate::isa::has_avx512_vnni().then_some(Vnni(()))
    }

    /// [`super::dense`]: `y[o] = stage.channel(o, Σ_i x[i] · w[o·n + i])`,
    /// for `w` holding `y.len()` rows of `x.len()` weights.
    pub(super) fn dense(self, x: &[i8], w: &[i8], stage: &Stage, y: &mut [i8]) {
        // SAFETY: `self` proves the CPU has the features `dense` enables.
        unsafe { dense(x, w, stage, y) }
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
fn dense(x: &[i8], w: &[i8], stage: &Stage, y: &mut [i8]) {
    // Four rows at a time share each load of `x` and keep eight
    // independent accumulator chains in flight (`vpdpbusd` has a latency of
    // several cycles).
    let mut o = 0;
    while o + 4 <= y.len() {
        rows::<4>(x, w, o, stage, y);
        o += 4;
    }
    while o < y.len() {
        rows::<1>(x, w, o, stage, y);
        o += 1;
    }
}

/// Outputs `o .. o + R`.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[inline]
fn rows<const R: usize>(x: &[i8], w: &[i8], o: usize, stage: &Stage, y: &mut [i8]) {
    let n = x.len();
    let rows: [&[i8]; R] = core::array::from_fn(|r| &w[(o + r) * n..(o + r + 1) * n]);
    let (offset, ones) = (_mm512_set1_epi8(i8::MIN), _mm512_set1_epi8(1));
    let mut products = [_mm512_setzero_si512(); R];
    let mut weights = [_mm512_setzero_si512(); R];
    for start in (0..n).step_by(64) {
        let left = n - start;
        let mask = if left >= 64 {
            u64::MAX
        } else {
            (1u64 << left) - 1
        };
        // SAFETY: the masked loads touch only the `min(64, left)` bytes from
        // `start`, inside `x` and each row (all `n` long); masked-off lanes
        // read as 0, so their weights and products are 0.
        let xs = unsafe { _mm512_maskz_loadu_epi8(mask, x.as_ptr().add(start)) };
        let xs = _mm512_xor_si512(xs, offset);
        for r in 0..R {
            // SAFETY: as above.
            let ws = unsafe { _mm512_maskz_loadu_epi8(mask, rows[r].as_ptr().add(start)) };
            products[r] = _mm512_dpbusd_epi32(products[r], xs, ws);
            weights[r] = _mm512_dpbusd_epi32(weights[r], ones, ws);
        }
    }
    for r in 0..R {
        let dot = _mm512_reduce_add_epi32(products[r])
            .wrapping_sub(_mm512_reduce_add_epi32(weights[r]).wrapping_mul(128));
        y[o + r] = stage.channel(o + r, dot);
    }
}
