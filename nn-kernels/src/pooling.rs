//! Max and average pooling over the windows of a [`Geometry`], per channel.
//!
//! Max pooling records, for every output, the flat input index it came from;
//! its backward pass and max-unpooling scatter through those indices.
//!
//! ```
//! use nn_kernels::{conv::Geometry, pooling::max_pool};
//! let g = Geometry::square(1, 2, 2, 2, 2, 0, 1);
//! let (mut y, mut arg) = ([0.0], [0]);
//! max_pool(&g, &[1., 4., 3., 2.], &mut y, &mut arg);
//! assert_eq!((y, arg), ([4.0], [1]));
//! ```
use crate::conv::Geometry;

fn check(g: &Geometry, x: usize, y: usize) {
    assert_eq!(x, g.channels * g.height * g.width, "input length");
    assert_eq!(y, g.channels * g.col_cols(), "output length");
}

/// `y[c][oy][ox]` = the largest input in its window (taps over padding are
/// skipped); `argmax` gets the flat input index of the first largest one. A
/// window holding NaN gives NaN (at its last NaN), as PyTorch's `max_pool2d`.
/// A window with no tap inside the input (only possible when the padding
/// reaches past a dilated tap) gives `−inf` and leaves its `argmax` entry
/// as it was; the pooling layers use no padding, so they never make one.
///
/// # Panics
/// If a slice has the wrong length.
///
/// ```
/// use nn_kernels::{conv::Geometry, pooling::max_pool};
/// let g = Geometry::sequence(1, 4, 2, 2, 0, 1);
/// let (mut y, mut arg) = ([0.0; 2], [0; 2]);
/// max_pool(&g, &[1., 1., -3., -2.], &mut y, &mut arg);
/// assert_eq!((y, arg), ([1., -2.], [0, 3]));
/// ```
pub fn max_pool(g: &Geometry, x: &[f32], y: &mut [f32], argmax: &mut [u32]) {
    assert_eq!(argmax.len(), y.len(), "argmax length");
    max_pool_on(crate::isa::Isa::active(), g, x, y, Some(argmax));
}

/// [`max_pool`] without recording where the maxima are (inference).
///
/// # Panics
/// If a slice has the wrong length.
///
/// ```
/// use nn_kernels::{conv::Geometry, pooling::max_pool_values};
/// let g = Geometry::sequence(1, 4, 2, 2, 0, 1);
/// let mut y = [0.0; 2];
/// max_pool_values(&g, &[1., 1., -3., -2.], &mut y);
/// assert_eq!(y, [1., -2.]);
/// ```
pub fn max_pool_values(g: &Geometry, x: &[f32], y: &mut [f32]) {
    max_pool_on(crate::isa::Isa::active(), g, x, y, None);
}

/// Replaces `best` by `v`, and `at` by `index`, where `v` wins: bit masks,
/// not branches, which mispredict on half of random data.
#[inline(always)]
fn take_max(v: f32, index: usize, best: &mut f32, at: Option<&mut u32>) {
    let wins = (beats(v, *best) as u32).wrapping_neg();
    *best = f32::from_bits(best.to_bits() & !wins | v.to_bits() & wins);
    if let Some(at) = at {
        *at = *at & !wins | index as u32 & wins;
    }
}

/// Whether the windows are 2×2 tiles (stride 2, no padding or dilation),
/// the pooling of nearly every CNN, which [`max_pool_2x2`] runs.
fn is_tiled_2x2(g: &Geometry) -> bool {
    (
        g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.dilation,
    ) == (2, 2, 2, 2, 0, 0, 1)
}

/// Max pooling over 2×2 tiles, output row by output row from the two input
/// rows it covers, the four taps in window order (as the general traversal
/// visits them, so ties and NaNs resolve the same). `y` holds −∞.
#[inline(always)]
fn max_pool_2x2(g: &Geometry, x: &[f32], y: &mut [f32], mut argmax: Option<&mut [u32]>) {
    let (w, ow) = (g.width, g.out_width());
    for (row, out) in y.chunks_exact_mut(ow).enumerate() {
        // Output row `row` of channel c is input rows 2·oy, 2·oy + 1 of c.
        let (c, oy) = (row / g.out_height(), row % g.out_height());
        let top = (c * g.height + 2 * oy) * w;
        let (upper, lower) = (&x[top..top + 2 * ow], &x[top + w..top + w + 2 * ow]);
        let (upper, lower) = (upper.as_chunks::<2>().0, lower.as_chunks::<2>().0);
        let pairs = out.iter_mut().zip(upper.iter().zip(lower));
        match argmax.as_deref_mut() {
            Some(argmax) => {
                let at = &mut argmax[row * ow..(row + 1) * ow];
                for (ox, ((best, (u, l)), at)) in pairs.zip(at).enumerate() {
                    let first = top + 2 * ox;
                    take_max(u[0], first, best, Some(at));
                    take_max(u[1], first + 1, best, Some(at));
                    take_max(l[0], first + w, best, Some(at));
                    take_max(l[1], first + w + 1, best, Some(at));
                }
            }
            None => {
                for (best, (u, l)) in pairs {
                    for v in [u[0], u[1], l[0], l[1]] {
                        take_max(v, 0, best, None);
                    }
                }
            }
        }
    }
}

/// One run of max pooling with stride `S`: output `k` reads `taps[k·S]`,
/// input `first + k·S`.
#[inline(always)]
fn pool_run<const S: usize>(
    taps: &[f32],
    first: usize,
    best: &mut [f32],
    argmax: Option<&mut [u32]>,
) {
    let n = best.len();
    let taps = &taps[..(n * S).min(taps.len())];
    match argmax {
        Some(argmax) => {
            for (k, (b, at)) in best.iter_mut().zip(argmax).enumerate() {
                take_max(taps[k * S], first + k * S, b, Some(at));
            }
        }
        None => {
            for (k, b) in best.iter_mut().enumerate() {
                take_max(taps[k * S], 0, b, None);
            }
        }
    }
}

/// [`pool_run`] for any other stride.
#[inline(always)]
fn pool_run_strided(
    taps: &[f32],
    stride: usize,
    first: usize,
    best: &mut [f32],
    argmax: Option<&mut [u32]>,
) {
    let values = taps.iter().step_by(stride);
    match argmax {
        Some(argmax) => {
            for (k, ((b, at), &v)) in best.iter_mut().zip(argmax).zip(values).enumerate() {
                take_max(v, first + k * stride, b, Some(at));
            }
        }
        None => best
            .iter_mut()
            .zip(values)
            .for_each(|(b, &v)| take_max(v, 0, b, None)),
    }
}

/// Whether `v` replaces `best` as a window's maximum: strictly greater, so
/// the first maximum in window order wins, or NaN, which always wins (the
/// last one, as PyTorch's), so it propagates.
#[inline(always)]
fn beats(v: f32, best: f32) -> bool {
    v > best || v.is_nan()
}

dispatched! {
    /// Max pooling over runs of taps (one tap of every window along an
    /// output row), branch-free: on random data half the comparisons
    /// would mispredict. Records the argmax when `argmax` is given.
    pub fn max_pool_on(g: &Geometry, x: &[f32], y: &mut [f32], argmax: Option<&mut [u32]>) {
        check(g, x.len(), y.len());
        y.fill(f32::NEG_INFINITY);
        if is_tiled_2x2(g) {
            return max_pool_2x2(g, x, y, argmax);
        }
        let (per_channel, ow, w, stride) = (g.col_cols(), g.out_width(), g.width, g.stride_w);
        let mut argmax = argmax;
        for run in g.runs() {
            let (Some(r), (lo, hi)) = (run.input_row, run.cols) else {
                continue;
            };
            let at = run.channel * per_channel + run.out_row * ow;
            let outputs = at + lo..at + hi;
            let first = r * w + g.input_col(&run, lo.min(hi));
            let taps = &x[first.min((r + 1) * w)..(r + 1) * w];
            let best = &mut y[outputs.clone()];
            let argmax = argmax.as_deref_mut().map(|a| &mut a[outputs]);
            // A stride known at compile time lets the strided reads vectorize.
            match stride {
                1 => pool_run::<1>(taps, first, best, argmax),
                2 => pool_run::<2>(taps, first, best, argmax),
                _ => pool_run_strided(taps, stride, first, best, argmax),
            }
        }
    }
}

/// Scatters `values[o]` to `out[index[o]]`, adding: max pooling's backward
/// pass (`dx += dy` at each argmax).
///
/// # Panics
/// If an index is out of `out`'s bounds or the lengths of `values` and
/// `index` differ.
///
/// ```
/// let mut dx = [0.0; 4];
/// nn_kernels::pooling::scatter_add(&[5.0], &[1], &mut dx);
/// assert_eq!(dx, [0.0, 5.0, 0.0, 0.0]);
/// ```
pub fn scatter_add(values: &[f32], index: &[u32], out: &mut [f32]) {
    assert_eq!(values.len(), index.len(), "one index per value");
    for (&v, &i) in values.iter().zip(index) {
        out[i as usize] += v;
    }
}

/// Writes `values[o]` to `out[index[o]]`, in order, so where two indices
/// coincide (overlapping pooling windows that chose the same input) the
/// later value wins: max-unpooling's forward pass, as PyTorch's
/// `max_unpool2d`.
///
/// # Panics
/// If an index is out of `out`'s bounds or the lengths of `values` and
/// `index` differ.
///
/// ```
/// let mut y = [0.0; 3];
/// nn_kernels::pooling::scatter(&[5.0, 7.0], &[1, 1], &mut y);
/// assert_eq!(y, [0.0, 7.0, 0.0]);
/// ```
pub fn scatter(values: &[f32], index: &[u32], out: &mut [f32]) {
    assert_eq!(values.len(), index.len(), "one index per value");
    for (&v, &i) in values.iter().zip(index) {
        out[i as usize] = v;
    }
}

/// `out[o] = values[index[o]]`: max-unpooling's backward pass.
///
/// # Panics
/// If an index is out of `values`' bounds or the lengths of `out` and
/// `index` differ.
///
/// ```
/// let mut dy = [0.0];
/// nn_kernels::pooling::gather(&[1.0, 2.0, 3.0], &[2], &mut dy);
/// assert_eq!(dy, [3.0]);
/// ```
pub fn gather(values: &[f32], index: &[u32], out: &mut [f32]) {
    assert_eq!(out.len(), index.len(), "one index per output");
    for (o, &i) in out.iter_mut().zip(index) {
        *o = values[i as usize];
    }
}

/// `y[c][oy][ox]` = the mean of its window, dividing by the full window size
/// (padding counts as zeros, PyTorch's `count_include_pad`).
///
/// # Panics
/// If a slice has the wrong length.
///
/// ```
/// use nn_kernels::{conv::Geometry, pooling::avg_pool};
/// let mut y = [0.0];
/// avg_pool(&Geometry::square(1, 2, 2, 2, 2, 0, 1), &[1., 2., 3., 6.], &mut y);
/// assert_eq!(y, [3.0]);
/// ```
pub fn avg_pool(g: &Geometry, x: &[f32], y: &mut [f32]) {
    check(g, x.len(), y.len());
    y.fill(0.0);
    let scale = 1.0 / (g.kernel_h * g.kernel_w) as f32;
    g.for_each_window_tap(|i, o| y[o] += scale * x[i]);
}

/// Average pooling's backward pass: `dx += dy / window size` over each window.
///
/// # Panics
/// If a slice has the wrong length.
///
/// ```
/// use nn_kernels::{conv::Geometry, pooling::avg_pool_backward};
/// let mut dx = [0.0; 4];
/// avg_pool_backward(&Geometry::square(1, 2, 2, 2, 2, 0, 1), &[4.0], &mut dx);
/// assert_eq!(dx, [1.0; 4]);
/// ```
pub fn avg_pool_backward(g: &Geometry, dy: &[f32], dx: &mut [f32]) {
    check(g, dx.len(), dy.len());
    let scale = 1.0 / (g.kernel_h * g.kernel_w) as f32;
    g.for_each_window_tap(|i, o| dx[i] += scale * dy[o]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv::im2col;
    use crate::testing::{assert_close, random_vec, rng};
    use rand::Rng;
    use std::vec;
    use std::vec::Vec;

    /// Pooling through the im2col matrix: the taps of window `(c, o)` are
    /// rows `c·K·K ..` of column `o`. Padding taps read 0 there, so the
    /// reference only uses geometries without padding for max.
    fn windows(g: &Geometry, x: &[f32]) -> Vec<Vec<f32>> {
        let mut col = vec![0.0; g.col_rows() * g.col_cols()];
        im2col(g, x, &mut col);
        let (taps, outs) = (g.kernel_h * g.kernel_w, g.col_cols());
        (0..g.channels * outs)
            .map(|co| {
                let (c, o) = (co / outs, co % outs);
                (0..taps).map(|t| col[(c * taps + t) * outs + o]).collect()
            })
            .collect()
    }

    #[test]
    fn pooling_matches_the_im2col_reference() {
        let r = &mut rng(31);
        for _ in 0..if cfg!(miri) { 3 } else { 1000 } {
            let k = r.random_range(1..=4);
            let (h, w) = (r.random_range(k..=9), r.random_range(k..=9));
            let g = Geometry::square(r.random_range(1..=3), h, w, k, r.random_range(1..=3), 0, 1);
            // Coarse values so windows contain ties (the first must win).
            let x: Vec<f32> = random_vec(r, g.channels * h * w)
                .iter()
                .map(|v| (v * 3.0).round())
                .collect();
            let n = g.channels * g.col_cols();
            let (mut y, mut arg) = (vec![0.0; n], vec![0u32; n]);
            max_pool(&g, &x, &mut y, &mut arg);
            for isa in crate::testing::isas() {
                let (mut y_isa, mut arg_isa) = (vec![0.0; n], vec![0u32; n]);
                max_pool_on(isa, &g, &x, &mut y_isa, Some(&mut arg_isa));
                assert_eq!((&y_isa, &arg_isa), (&y, &arg));
                max_pool_on(isa, &g, &x, &mut y_isa, None);
                assert_eq!(y_isa, y);
            }
            let mut avg = vec![0.0; n];
            avg_pool(&g, &x, &mut avg);
            for (o, win) in windows(&g, &x).iter().enumerate() {
                let best = win.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!(y[o], best);
                assert_eq!(x[arg[o] as usize], best);
                let first = win.iter().position(|&v| v == best).unwrap();
                // The argmax is the window's first maximal tap.
                let mut unit = vec![0.0; x.len()];
                unit[arg[o] as usize] = 1.0;
                assert_eq!(windows(&g, &unit)[o][first], 1.0, "first max wins");
                let mean = win.iter().sum::<f32>() / win.len() as f32;
                assert!((avg[o] - mean).abs() < 1e-5);
            }

            // Backward passes are the adjoints: ⟨pool(x), dy⟩ = ⟨x, pool*(dy)⟩.
            let dy = random_vec(r, n);
            let mut dx = vec![0.0; x.len()];
            avg_pool_backward(&g, &dy, &mut dx);
            let lhs: f32 = avg.iter().zip(&dy).map(|(a, b)| a * b).sum();
            let rhs: f32 = x.iter().zip(&dx).map(|(a, b)| a * b).sum();
            assert!((lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()));
            let mut dx = vec![0.0; x.len()];
            scatter_add(&dy, &arg, &mut dx);
            let mut back = vec![0.0; n];
            gather(&dx, &arg, &mut back);
            let routed: Vec<f32> = arg.iter().map(|&i| dx[i as usize]).collect();
            assert_close(&back, &routed, 0.0, "gather");
        }
    }

    #[test]
    fn padded_average_counts_padding_as_zero() {
        let g = Geometry::square(1, 1, 1, 3, 1, 1, 1);
        let mut y = [0.0];
        avg_pool(&g, &[9.0], &mut y);
        assert_eq!(y, [1.0]);
        let (mut y, mut arg) = ([0.0], [7]);
        max_pool(&g, &[-9.0], &mut y, &mut arg);
        assert_eq!((y, arg), ([-9.0], [0]), "padding never wins a max");
    }
}
