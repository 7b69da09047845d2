//! Convolutions: [`Conv2d`], [`Conv1d`] and [`ConvTranspose2d`].
//!
//! All three are one computation on a [`Geometry`]. A dense convolution's
//! batch pass lowers each sample with `im2col` into the layer's one-sample
//! scratch (its cache; in wide rows, one run of the input per tap, when
//! strides are 1 and there is no padding) and multiplies by the filter
//! matrix with nn-kernels' GEMM; grouped and depthwise ones convolve
//! directly. A single-sample [`Forward::forward`] convolves directly
//! (register-blocked), with no scratch at all. A transposed convolution
//! lowers its whole batch and runs the passes in the adjoint direction.
//!
//! Sizes are types. The spatial output size is a type parameter (`OH`, `OW`,
//! `OL`), and using a layer on an input it does not fit is a compile-time
//! error: the formula `⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1` (or `s(n − 1) + k − 2p`
//! for a transposed convolution) is evaluated by the compiler when the layer
//! is used. `network!` computes these parameters for you.
//!
//! ```
//! use nn_core::prelude::*;
//! // 1 → 2 channels, 3×3 kernel, 4×4 output from a 6×6 image.
//! let conv = Conv2d::<1, 2, 3, 4, 4>::zeroed();
//! let y: [[[f32; 4]; 4]; 2] = conv.forward(&[[[1.0; 6]; 6]; 1]);
//! assert_eq!(y, [[[0.0; 4]; 4]; 2]);
//! ```
//!
//! ```compile_fail
//! use nn_core::prelude::*;
//! // A 3×3 kernel on a 6×6 image gives 4×4, not 5×5.
//! let conv = Conv2d::<1, 2, 3, 5, 5>::zeroed();
//! let y = conv.forward(&[[[1.0; 6]; 6]; 1]);
//! ```
use crate::init::Init;
use crate::layer::{Context, Forward, Layer, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use bytemuck::Pod;
use core::slice::{from_mut, from_ref};
use nn_kernels::conv::{
    Geometry, PaddingMode, col2im_add, col2im_add_strided, col2im_wide_add, conv_add,
    conv_adjoint_add, conv_weights_add, im2col, im2col_strided, im2col_wide, out_len,
    transposed_out_len,
};
use nn_kernels::gemm::{MatMut, MatRef, gemm_split};

/// Whether a window of `k` taps fits an axis of `n` with output length `out`.
pub(super) const fn fits(n: usize, k: usize, s: usize, p: usize, d: usize, out: usize) -> bool {
    matches!(out_len(n, k, s, p, d), Some(o) if o == out)
}

/// Whether a transposed window maps an axis of `n` to `out`.
const fn fits_transposed(n: usize, k: usize, s: usize, p: usize, out: usize) -> bool {
    matches!(transposed_out_len(n, k, s, p), Some(o) if o == out)
}

/// Adds `bias[c]` to every entry of channel `c` of one sample.
fn add_channel_bias(bias: &[f32], y: &mut [f32]) {
    let per_channel = y.len() / bias.len();
    for (row, b) in y.chunks_exact_mut(per_channel).zip(bias) {
        row.iter_mut().for_each(|v| *v += b);
    }
}

/// `db[c] += Σ dy[c][·]` for one sample.
fn add_channel_sums(dy: &[f32], db: &mut [f32]) {
    let per_channel = dy.len() / db.len();
    for (row, g) in dy.chunks_exact(per_channel).zip(db) {
        *g += row.iter().sum::<f32>();
    }
}

/// Copies a batch from sample-major `[B][C][N]` to channel-major `[C][B][N]`,
/// where the whole batch is one `C × B·N` matrix.
fn to_channel_major(samples: &[f32], channels: &mut [f32], c: usize, batch: usize) {
    let n = samples.len() / (c * batch);
    for (s, sample) in samples.chunks_exact(c * n).enumerate() {
        for (ch, row) in sample.chunks_exact(n).enumerate() {
            channels[(ch * batch + s) * n..][..n].copy_from_slice(row);
        }
    }
}

/// The inverse of [`to_channel_major`], adding `bias[c]` to channel `c` if given.
fn to_sample_major(
    channels: &[f32],
    samples: &mut [f32],
    c: usize,
    batch: usize,
    bias: Option<&[f32]>,
) {
    let n = samples.len() / (c * batch);
    for (s, sample) in samples.chunks_exact_mut(c * n).enumerate() {
        for (ch, row) in sample.chunks_exact_mut(n).enumerate() {
            let from = &channels[(ch * batch + s) * n..][..n];
            let b = bias.map_or(0.0, |b| b[ch]);
            row.iter_mut().zip(from).for_each(|(d, v)| *d = v + b);
        }
    }
}

/// The scratch of a convolution's batch passes, the four buffers of its
/// [`Layer::Cache`]: a convolution uses `col` (one sample's `im2col`) or,
/// with unit strides and no padding, `wide` and `wide_out` (its
/// [`im2col_wide`] and output in wide rows), and `dwt` for the filter
/// gradient transposed; a transposed convolution uses `col` (the batch's
/// `im2col`) and `wide` (its input channel-major).
struct Scratch<'s> {
    col: &'s mut [f32],
    wide: &'s mut [f32],
    wide_out: &'s mut [f32],
    dwt: &'s mut [f32],
}

/// The batch passes of a convolution in `groups` groups whose `filters`
/// form a `CO × R/G` matrix (`R = g.col_rows()`, `P = g.col_cols()` windows
/// per sample). A convolution works sample by sample in a one-sample
/// `im2col` (`R × P`, small enough to stay in cache); a transposed one
/// lowers the whole batch at once, `cols` (`R × B·P`) holding every
/// sample's `im2col` side by side and `channels` (`C × B·N`) the batch
/// channel-major, so each product is one GEMM.
struct Lowered<'a> {
    g: Geometry,
    groups: usize,
    filters: &'a [f32],
    bias: &'a [f32],
}

impl Lowered<'_> {
    /// `(R, P, B·P, B)` for a batch whose channel-major buffer has `len` values in `rows` rows.
    fn sizes(&self, len: usize, rows: usize) -> (usize, usize, usize, usize) {
        let (r, p) = (self.g.col_rows(), self.g.col_cols());
        let bp = len / rows;
        (r, p, bp, bp / p)
    }

    /// Whether every window is one input pixel (a 1×1 kernel, stride 1, no
    /// padding): then `im2col(x)` is `x` itself and the products read it in place.
    fn is_pointwise(&self) -> bool {
        let g = &self.g;
        (
            g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w,
        ) == (1, 1, 1, 1, 0, 0)
    }

    /// One sample's `im2col` (`R × P`): `x` itself for a pointwise
    /// convolution, else written into `col`.
    fn windows<'c>(&self, x: &'c [f32], col: &'c mut [f32]) -> &'c [f32] {
        if self.is_pointwise() {
            x
        } else {
            im2col(&self.g, x, col);
            col
        }
    }

    /// Whether the products work in wide rows ([`im2col_wide`]): a dense
    /// convolution with unit strides and no padding, whose im2col rows are
    /// then single runs of the input. They compute `W/OW` more columns than
    /// needed (the ignored ones) and save copying `OH` short runs per tap.
    fn in_wide_rows(&self) -> bool {
        self.groups == 1 && self.g.is_unit_stride_unpadded() && !self.is_pointwise()
    }

    /// `y = W · im2col(x) + bias`, sample by sample. A dense convolution
    /// (one group) multiplies each sample's `im2col` (one sample's, which
    /// stays in cache and which the GEMM reads in place) into the sample's
    /// output, or in wide rows into `wide_out`, whose valid columns are then
    /// the output; a grouped or depthwise one, whose per-group products are
    /// too small for a GEMM, convolves directly.
    fn forward(&self, x: &[f32], y: &mut [f32], scratch: Scratch, ctx: &mut Context) {
        let (co, r, p) = (self.bias.len(), self.g.col_rows(), self.g.col_cols());
        let (batch, filters) = (
            y.len() / (co * p),
            MatRef::row_major(self.filters, co, r / self.groups),
        );
        let (ow, n) = (self.g.out_width(), self.g.wide_cols());
        for (x, y) in x
            .chunks_exact(x.len() / batch)
            .zip(y.chunks_exact_mut(co * p))
        {
            if self.in_wide_rows() {
                im2col_wide(&self.g, x, scratch.wide);
                let (col, out) = (
                    MatRef::row_major(scratch.wide, r, n),
                    MatMut::row_major(scratch.wide_out, co, n),
                );
                gemm_split(ctx.parallel, ctx.workspace, filters, col, out, false);
                let rows = scratch
                    .wide_out
                    .chunks_exact(self.g.width)
                    .map(|row| &row[..ow]);
                for (y, wide) in y.chunks_exact_mut(ow).zip(rows) {
                    y.copy_from_slice(wide);
                }
            } else if self.groups == 1 {
                let col = MatRef::row_major(self.windows(x, scratch.col), r, p);
                gemm_split(
                    ctx.parallel,
                    ctx.workspace,
                    filters,
                    col,
                    MatMut::row_major(y, co, p),
                    false,
                );
            } else {
                y.fill(0.0);
                conv_add(&self.g, self.groups, self.filters, x, y);
            }
            add_channel_bias(self.bias, y);
        }
    }

    /// `dW = Σ dY · im2col(x)ᵀ`, `db = Σ dY`, `dx = col2im(Wᵀ · dY)`, sample
    /// by sample, rebuilding each `im2col` rather than keeping the batch's.
    /// A dense convolution accumulates `dWᵀ = Σ im2col(x) · dYᵀ` in `dwt`
    /// (`R × CO`: that product reads `im2col` in place, where `dW`'s would
    /// transpose it) and transposes it once; in wide rows, `dY` is spread
    /// over `wide_out` with zeros in the ignored columns, so they add
    /// nothing. Grouped and depthwise convolutions run the direct kernels.
    fn backward(
        &self,
        x: &[f32],
        dy: &[f32],
        scratch: Scratch,
        mut dx: Option<&mut [f32]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let (co, r, p) = (self.bias.len(), self.g.col_rows(), self.g.col_cols());
        let rg = r / self.groups;
        let (dw, db) = grad.split_at_mut(co * rg);
        db.fill(0.0);
        dw.fill(0.0);
        scratch.dwt.fill(0.0);
        let batch = dy.len() / (co * p);
        let x_len = x.len() / batch;
        let (ow, wide) = (self.g.out_width(), self.in_wide_rows());
        let samples = x.chunks_exact(x_len).zip(dy.chunks_exact(co * p));
        for (s, (x, dy)) in samples.enumerate() {
            add_channel_sums(dy, db);
            let dx = dx.as_deref_mut().map(|dx| &mut dx[s * x_len..][..x_len]);
            if self.groups > 1 {
                conv_weights_add(&self.g, self.groups, x, dy, dw);
                if let Some(dx) = dx {
                    dx.fill(0.0);
                    conv_adjoint_add(&self.g, self.groups, self.filters, dy, dx);
                }
                continue;
            }
            // The sample's im2col and output gradient, as wide rows or not.
            let (col, dy, n): (&mut [f32], &[f32], usize) = if wide {
                im2col_wide(&self.g, x, scratch.wide);
                let rows = scratch.wide_out.chunks_exact_mut(self.g.width);
                for (row, dy) in rows.zip(dy.chunks_exact(ow)) {
                    row[..ow].copy_from_slice(dy);
                    row[ow..].fill(0.0);
                }
                (&mut *scratch.wide, &*scratch.wide_out, self.g.wide_cols())
            } else {
                if !self.is_pointwise() {
                    im2col(&self.g, x, scratch.col);
                }
                (&mut *scratch.col, dy, p)
            };
            let dy_m = MatRef::row_major(dy, co, n);
            let w_t = MatRef::row_major(self.filters, co, r).t();
            let (par, ws) = (ctx.parallel, &mut *ctx.workspace);
            let windows = if self.is_pointwise() { x } else { &*col };
            let dwt = MatMut::row_major(scratch.dwt, r, co);
            gemm_split(
                par,
                ws,
                MatRef::row_major(windows, r, n),
                dy_m.t(),
                dwt,
                true,
            );
            match dx {
                Some(dx) if self.is_pointwise() => {
                    gemm_split(par, ws, w_t, dy_m, MatMut::row_major(dx, r, n), false);
                }
                Some(dx) => {
                    // The sample's im2col is spent; its buffer now takes Wᵀ · dY.
                    gemm_split(par, ws, w_t, dy_m, MatMut::row_major(col, r, n), false);
                    dx.fill(0.0);
                    if wide {
                        col2im_wide_add(&self.g, col, dx);
                    } else {
                        col2im_add(&self.g, col, dx);
                    }
                }
                None => {}
            }
        }
        if self.groups == 1 {
            for (k, row) in scratch.dwt.chunks_exact(co).enumerate() {
                for (o, v) in row.iter().enumerate() {
                    dw[o * r + k] = *v;
                }
            }
        }
    }

    /// The transposed convolution's forward pass, `y = col2im(Wᵀ · x) +
    /// bias`, where `g` describes the *output* as a convolution's input,
    /// the filters are `CI × R` and `x_channels` keeps `x` for backward.
    fn transposed_forward(&self, x: &[f32], y: &mut [f32], scratch: Scratch, ctx: &mut Context) {
        let (cols, x_channels) = (scratch.col, scratch.wide);
        let r = self.g.col_rows();
        let ci = self.filters.len() / r;
        let (_, p, bp, batch) = self.sizes(x_channels.len(), ci);
        to_channel_major(x, x_channels, ci, batch);
        let w = MatRef::row_major(self.filters, ci, r);
        let x_m = MatRef::row_major(x_channels, ci, bp);
        gemm_split(
            ctx.parallel,
            ctx.workspace,
            w.t(),
            x_m,
            MatMut::row_major(cols, r, bp),
            false,
        );
        for (s, y) in y.chunks_exact_mut(y.len() / batch).enumerate() {
            y.fill(0.0);
            col2im_add_strided(&self.g, &cols[s * p..], bp, y);
            add_channel_bias(self.bias, y);
        }
    }

    /// The transposed convolution's backward pass: `dW = X · im2col(dY)ᵀ`,
    /// `db = Σ dY`, `dx = W · im2col(dY)`, with `x_channels` as the forward
    /// pass left it.
    #[allow(clippy::too_many_arguments)]
    fn transposed_backward(
        &self,
        _x: &[f32],
        dy: &[f32],
        scratch: Scratch,
        dx: Option<&mut [f32]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let (cols, x_channels) = (scratch.col, scratch.wide);
        let r = self.g.col_rows();
        let ci = self.filters.len() / r;
        let (_, p, bp, batch) = self.sizes(x_channels.len(), ci);
        let (dw, db) = grad.split_at_mut(ci * r);
        db.fill(0.0);
        for (s, dy) in dy.chunks_exact(dy.len() / batch).enumerate() {
            im2col_strided(&self.g, dy, &mut cols[s * p..], bp);
            add_channel_sums(dy, db);
        }
        let cols_m = MatRef::row_major(cols, r, bp);
        let x_m = MatRef::row_major(x_channels, ci, bp);
        gemm_split(
            ctx.parallel,
            ctx.workspace,
            x_m,
            cols_m.t(),
            MatMut::row_major(dw, ci, r),
            false,
        );
        if let Some(dx) = dx {
            // x is spent; its buffer now takes W · im2col(dY).
            let w = MatRef::row_major(self.filters, ci, r);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                w,
                cols_m,
                MatMut::row_major(x_channels, ci, bp),
                false,
            );
            to_sample_major(x_channels, dx, ci, batch, None);
        }
    }
}

/// Implements what every convolution shares, given its type, the input
/// spatial parameters of its impls, its sample shapes and scratch, and
/// which direction it runs: `Zeroable`/`Pod`, `zeroed`, initialization, the
/// direct single-sample [`Forward`] and the lowered batch [`Layer`] passes.
macro_rules! convolution {
    (
        $name:ident < $($p:ident),* > on < $($q:ident),* >,
        in: $in:ty, out: $out:ty, scratch: ($($scratch:ty),+),
        params: $params:expr, weights: $weights:expr, torch_weight: [$($dim:expr),*],
        fan: ($fan_in:expr, $fan_out:expr), gemm_width: $gemm_width:expr, groups: $groups:expr,
        passes: $direct:path, $forward:ident, $backward:ident
    ) => {
        // SAFETY: only f32 arrays; all-zero bits are valid.
        unsafe impl<$(const $p: usize),*> Zeroable for $name<$($p),*> {}
        // SAFETY: `repr(C)` of f32 arrays: no padding, any bit pattern is valid.
        unsafe impl<$(const $p: usize),*> Pod for $name<$($p),*> {}
        // SAFETY: as above; f32s only, so its size is a multiple of 4.
        unsafe impl<$(const $p: usize),*> Plain for $name<$($p),*> {}

        impl<$(const $p: usize),*> $name<$($p),*> {
            /// All weights and biases zero.
            ///
            /// ```
            /// use nn_core::prelude::*;
            #[doc = concat!("let layer = ", stringify!($name), "::<1, 1, 1, 1, 1>::zeroed();")]
            /// assert!(layer.bias.iter().all(|&b| b == 0.0));
            /// ```
            pub fn zeroed() -> Self {
                <Self as Zeroable>::zeroed()
            }

            /// The batch passes at one input size (its geometry is checked
            /// at compile time).
            fn lowered<$(const $q: usize),*>(&self) -> Lowered<'_> {
                Lowered {
                    g: const { Self::geometry::<$($q),*>() },
                    groups: $groups,
                    filters: bytemuck::cast_slice(&self.weight),
                    bias: &self.bias,
                }
            }
        }

        impl<$(const $p: usize,)* $(const $q: usize),*> Forward<$in> for $name<$($p),*> {
            type Out = $out;
            fn forward_into(&self, x: &$in, y: &mut $out) {
                let l = self.lowered::<$($q),*>();
                let y = flat_mut(from_mut(y));
                y.fill(0.0);
                $direct(&l.g, l.groups, l.filters, flat(from_ref(x)), y);
                add_channel_bias(l.bias, y);
            }
        }

        impl<$(const $p: usize,)* $(const $q: usize),*> Layer<$in> for $name<$($p),*> {
            /// The batch passes' scratch (see `Scratch`).
            type Cache<const B: usize> = ($($scratch),+);
            const NUM_PARAMS: usize = $params;
            const NUM_WEIGHTS: usize = $weights;
            const GEMM_WIDTH: usize = $gemm_width;
            const TORCH: &'static [crate::io::torch::TorchTensor] = &[
                crate::io::torch::TorchTensor::new("weight", 0, &[$($dim),*]),
                crate::io::torch::TorchTensor::new("bias", $weights, &[$params - $weights]),
            ];

            fn forward_batch<const B: usize>(
                &mut self,
                x: &[$in; B],
                y: &mut [$out; B],
                (col, wide, wide_out, dwt): &mut ($($scratch),+),
                ctx: &mut Context,
            ) {
                let scratch = Scratch {
                    col: bytemuck::cast_slice_mut(from_mut(col)),
                    wide: bytemuck::cast_slice_mut(from_mut(wide)),
                    wide_out: bytemuck::cast_slice_mut(from_mut(wide_out)),
                    dwt: bytemuck::cast_slice_mut(from_mut(dwt)),
                };
                self.lowered::<$($q),*>().$forward(flat(x), flat_mut(y), scratch, ctx);
            }

            fn backward<const B: usize>(
                &self,
                x: &[$in; B],
                _y: &[$out; B],
                dy: &[$out; B],
                (col, wide, wide_out, dwt): &mut ($($scratch),+),
                dx: Option<&mut [$in; B]>,
                grad: &mut [f32],
                ctx: &mut Context,
            ) {
                let scratch = Scratch {
                    col: bytemuck::cast_slice_mut(from_mut(col)),
                    wide: bytemuck::cast_slice_mut(from_mut(wide)),
                    wide_out: bytemuck::cast_slice_mut(from_mut(wide_out)),
                    dwt: bytemuck::cast_slice_mut(from_mut(dwt)),
                };
                let dx = dx.map(|d| flat_mut(d));
                self.lowered::<$($q),*>().$backward(flat(x), flat(dy), scratch, dx, grad, ctx);
            }

            fn params(&self) -> &[f32] {
                bytemuck::cast_slice(from_ref(self))
            }

            fn params_mut(&mut self) -> &mut [f32] {
                bytemuck::cast_slice_mut(from_mut(self))
            }

            fn init_params<R: rand::Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
                let weights = bytemuck::cast_slice_mut(from_mut(&mut self.weight));
                init.fill(weights, $fan_in, $fan_out, rng);
                self.bias.fill(0.0);
            }
        }
    };
}

/// A 2-D convolution (cross-correlation, as in PyTorch) from `CI` to `CO`
/// channels with a `K × KW` kernel (`KW = K` unless given), strides `S`
/// down and `SW` across (`SW = S`), padding `P` above and below and
/// `PW` left and right (`PW = P`) filled as padding mode `PM` says (0
/// zeros, 1 reflect, 2 replicate, 3 circular: [`PaddingMode`]'s
/// discriminants), dilation `D`, and `G` groups of `CIG = CI / G` input
/// channels each, producing `OH × OW` outputs per channel.
///
/// This is PyTorch's `Conv2d(CI, CO, (K, KW), (S, SW), (P, PW), D, G,
/// padding_mode=…)`:
/// filter `co` reads the `CIG` channels of group `co / (CO / G)`, so `G = 1`
/// is a dense convolution and `G = CI = CO` a depthwise one (see
/// [`DepthwiseConv2d`]). The weights use PyTorch's layout `[CO][CIG][K][KW]`.
/// `OH`/`OW` must equal `⌊(n + 2p − D(k − 1) − 1)/s⌋ + 1` for the input's
/// height/width `n` and that axis's kernel, stride and padding, `CIG · G`
/// must be `CI` and `G` must divide `CO`, or the layer does not compile for
/// that input. `network!` works all of these out.
///
/// ```
/// use nn_core::prelude::*;
/// let mut conv = Conv2d::<1, 1, 2, 1, 1>::zeroed(); // 2×2 image → 1×1
/// conv.weight = [[[[1.0, 2.0], [3.0, 4.0]]]];
/// conv.bias = [0.5];
/// assert_eq!(conv.forward(&[[[1.0, 1.0], [1.0, 1.0]]]), [[[10.5]]]);
///
/// // A 1×3 kernel with stride 2 along rows only: 3×5 → 3×2.
/// let mut wide = Conv2d::<1, 1, 1, 3, 2, 1, 0, 1, 1, 1, 3, 2>::zeroed();
/// wide.weight = [[[[1.0, 1.0, 1.0]]]];
/// let y = wide.forward(&[[[1.0, 2.0, 3.0, 4.0, 5.0]; 3]]);
/// assert_eq!(y, [[[6.0, 12.0]; 3]]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2d<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize = 1,
    const P: usize = 0,
    const D: usize = 1,
    const G: usize = 1,
    const CIG: usize = CI,
    const KW: usize = K,
    const SW: usize = S,
    const PW: usize = P,
    const PM: usize = 0,
> {
    /// `weight[co][ci][i][j]`: tap `(i, j)` of the filter from channel
    /// `ci` of its group to `co`.
    pub weight: [[[[f32; KW]; K]; CIG]; CO],
    /// One bias per output channel.
    pub bias: [f32; CO],
}

/// A depthwise 2-D convolution: `C` channels, each convolved with its own
/// `K × KW` filter — [`Conv2d`] with `G = CI = CO = C` (PyTorch's
/// `Conv2d(C, C, k, groups=C)`, Keras' `DepthwiseConv2D`), the spatial half
/// of the depthwise-separable blocks in MobileNet and DS-CNN.
///
/// ```
/// use nn_core::prelude::*;
/// let mut dw = DepthwiseConv2d::<2, 1, 2, 2>::zeroed(); // 1×1 kernels
/// dw.weight = [[[[2.0]]], [[[-1.0]]]];
/// let y = dw.forward(&[[[1.0, 2.0], [3.0, 4.0]], [[1.0; 2]; 2]]);
/// assert_eq!(y, [[[2.0, 4.0], [6.0, 8.0]], [[-1.0; 2]; 2]]);
/// ```
pub type DepthwiseConv2d<
    const C: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize = 1,
    const P: usize = 0,
    const D: usize = 1,
    const KW: usize = K,
    const SW: usize = S,
    const PW: usize = P,
    const PM: usize = 0,
> = Conv2d<C, C, K, OH, OW, S, P, D, C, 1, KW, SW, PW, PM>;

convolution!(
    Conv2d<CI, CO, K, OH, OW, S, P, D, G, CIG, KW, SW, PW, PM> on <H, W>,
    in: [[[f32; W]; H]; CI], out: [[[f32; OW]; OH]; CO],
    scratch: (
        [[[[[f32; OW]; OH]; KW]; K]; CIG],
        [[[[[f32; W]; OH]; KW]; K]; CIG],
        [[[f32; W]; OH]; CO],
        [[[[f32; CO]; KW]; K]; CIG]
    ),
    params: CO * CIG * K * KW + CO, weights: CO * CIG * K * KW, torch_weight: [CO, CIG, K, KW],
    fan: (CIG * K * KW, CO * K * KW), gemm_width: nn_shape::max(OH * OW, CIG * K * KW), groups: G,
    passes: conv_add, forward, backward
);

/// Whether `G` groups of `cig` channels make `ci` input channels and divide `co` filters.
const fn groups_fit(ci: usize, co: usize, g: usize, cig: usize) -> bool {
    g > 0 && cig * g == ci && co.is_multiple_of(g)
}

impl<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const P: usize,
    const D: usize,
    const G: usize,
    const CIG: usize,
    const KW: usize,
    const SW: usize,
    const PW: usize,
    const PM: usize,
> Conv2d<CI, CO, K, OH, OW, S, P, D, G, CIG, KW, SW, PW, PM>
{
    /// The window over an `H × W` input, checked at compile time when used.
    pub(crate) const fn geometry<const H: usize, const W: usize>() -> Geometry {
        assert!(
            fits(H, K, S, P, D, OH) && fits(W, KW, SW, PW, D, OW),
            "Conv2d: OH×OW must be ⌊(n + 2p − D(k − 1) − 1)/s⌋ + 1 of the input's H×W"
        );
        assert!(
            groups_fit(CI, CO, G, CIG),
            "Conv2d: CIG·G must be CI and G must divide CO"
        );
        let mode = PaddingMode::from_index(PM);
        assert!(
            mode.fits(H, P) && mode.fits(W, PW),
            "Conv2d: reflect padding must be smaller than the input (P < H, PW < W), circular at most its size"
        );
        Geometry::new(CI, [H, W], [K, KW], [S, SW], [P, PW], D).with_padding_mode(mode)
    }
}

/// A 1-D convolution over `CI × L` sequences: `CO` filters of length `K`,
/// stride `S`, padding `P` in padding mode `PM` (as [`Conv2d`]'s), dilation
/// `D`, in `G` groups of `CIG = CI / G` input channels each, output length
/// `OL` — PyTorch's `Conv1d(CI, CO, K, S, P, D, G, padding_mode=…)`.
///
/// The weights use PyTorch's layout `[CO][CIG][K]`; `OL` must equal
/// `⌊(L + 2P − D(K − 1) − 1)/S⌋ + 1`.
///
/// ```
/// use nn_core::prelude::*;
/// let mut conv = Conv1d::<1, 1, 2, 2>::zeroed(); // length 3 → 2
/// conv.weight = [[[1.0, -1.0]]];
/// assert_eq!(conv.forward(&[[1.0, 4.0, 9.0]]), [[-3.0, -5.0]]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv1d<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OL: usize,
    const S: usize = 1,
    const P: usize = 0,
    const D: usize = 1,
    const G: usize = 1,
    const CIG: usize = CI,
    const PM: usize = 0,
> {
    /// `weight[co][ci][i]`: tap `i` of the filter from channel `ci` of its group to `co`.
    pub weight: [[[f32; K]; CIG]; CO],
    /// One bias per output channel.
    pub bias: [f32; CO],
}

convolution!(
    Conv1d<CI, CO, K, OL, S, P, D, G, CIG, PM> on <L>,
    in: [[f32; L]; CI], out: [[f32; OL]; CO],
    scratch: ([[[f32; OL]; K]; CIG], [[[f32; L]; K]; CIG], [[f32; L]; CO], [[[f32; CO]; K]; CIG]),
    params: CO * CIG * K + CO, weights: CO * CIG * K, torch_weight: [CO, CIG, K],
    fan: (CIG * K, CO * K), gemm_width: nn_shape::max(OL, CIG * K), groups: G,
    passes: conv_add, forward, backward
);

impl<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OL: usize,
    const S: usize,
    const P: usize,
    const D: usize,
    const G: usize,
    const CIG: usize,
    const PM: usize,
> Conv1d<CI, CO, K, OL, S, P, D, G, CIG, PM>
{
    /// The window over a length-`L` input, checked at compile time when used.
    const fn geometry<const L: usize>() -> Geometry {
        assert!(
            fits(L, K, S, P, D, OL),
            "Conv1d: OL must be ⌊(L + 2P − D(K − 1) − 1)/S⌋ + 1 of the input's length L"
        );
        assert!(
            groups_fit(CI, CO, G, CIG),
            "Conv1d: CIG·G must be CI and G must divide CO"
        );
        let mode = PaddingMode::from_index(PM);
        assert!(
            mode.fits(L, P),
            "Conv1d: reflect padding must be smaller than the input (P < L), circular at most its size"
        );
        Geometry::sequence(CI, L, K, S, P, D).with_padding_mode(mode)
    }
}

/// A transposed 2-D convolution ("deconvolution") from `CI` to `CO` channels:
/// the adjoint of a [`Conv2d`] with the same kernel `K`, stride `S` and
/// padding `P`, mapping an `H × W` input to `OH × OW` with
/// `OH = S(H − 1) + K − 2P` (likewise `OW`). Decoders use it to upsample.
///
/// The weights use PyTorch's `ConvTranspose2d` layout `[CI][CO][K][K]`.
///
/// ```
/// use nn_core::prelude::*;
/// let mut up = ConvTranspose2d::<1, 1, 2, 2, 2, 2>::zeroed(); // 1×1 → 2×2
/// up.weight = [[[[1.0, 2.0], [3.0, 4.0]]]];
/// assert_eq!(up.forward(&[[[2.0]]]), [[[2.0, 4.0], [6.0, 8.0]]]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConvTranspose2d<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize = 1,
    const P: usize = 0,
> {
    /// `weight[ci][co][i][j]`: tap `(i, j)` from input channel `ci` to output channel `co`.
    pub weight: [[[[f32; K]; K]; CO]; CI],
    /// One bias per output channel.
    pub bias: [f32; CO],
}

// Each output sums about CI·⌈K/S⌉² inputs (its fan-in).
convolution!(
    ConvTranspose2d<CI, CO, K, OH, OW, S, P> on <H, W>,
    in: [[[f32; W]; H]; CI], out: [[[f32; OW]; OH]; CO],
    scratch: ([[[[[[f32; W]; H]; B]; K]; K]; CO], [[[[f32; W]; H]; B]; CI], [f32; 0], [f32; 0]),
    params: CI * CO * K * K + CO, weights: CI * CO * K * K, torch_weight: [CI, CO, K, K],
    fan: (CI * K.div_ceil(S) * K.div_ceil(S), CO * K * K), gemm_width: nn_shape::max(H * W, CO * K * K), groups: 1,
    passes: conv_adjoint_add, transposed_forward, transposed_backward
);

impl<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const P: usize,
> ConvTranspose2d<CI, CO, K, OH, OW, S, P>
{
    /// The matching convolution's window over the `OH × OW` output (whose
    /// windows are the `H × W` input pixels), checked at compile time.
    const fn geometry<const H: usize, const W: usize>() -> Geometry {
        assert!(
            fits_transposed(H, K, S, P, OH) && fits_transposed(W, K, S, P, OW),
            "ConvTranspose2d: OH×OW must be S(n − 1) + K − 2P of the input's H×W"
        );
        Geometry::square(CO, OH, OW, K, S, P, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Mode, Shape};
    use crate::rng::TrainRng;
    use rand::{Rng, SeedableRng};

    /// The batch pass (im2col + GEMM) must agree with the direct
    /// single-sample convolution for every sample.
    fn batch_matches_single<In: Shape, L: Layer<In>, const B: usize>(mut layer: L, seed: u64) {
        let rng = &mut TrainRng::seed_from_u64(seed);
        layer
            .params_mut()
            .iter_mut()
            .for_each(|p| *p = rng.random_range(-1.0..1.0));
        let mut x = <[In; B]>::zeroed();
        flat_mut(&mut x)
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-1.0..1.0));
        let mut y = <[L::Out; B]>::zeroed();
        let mut cache = L::Cache::<B>::zeroed();
        let mut ws = std::vec![0.0; nn_kernels::gemm::workspace_len(usize::MAX)];
        let mut ctx = Context {
            mode: Mode::Train,
            rng,
            workspace: &mut ws,
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        };
        layer.forward_batch(&x, &mut y, &mut cache, &mut ctx);
        for (x, y) in x.iter().zip(&y) {
            let single = layer.forward(x);
            for (a, b) in flat(from_ref(&single)).iter().zip(flat(from_ref(y))) {
                assert!((a - b).abs() < 1e-5, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn batch_passes_match_direct_convolution() {
        // The MNIST-sized case takes minutes under Miri; the others cover the same code.
        if !cfg!(miri) {
            batch_matches_single::<[[[f32; 28]; 28]; 1], _, 3>(
                Conv2d::<1, 8, 5, 24, 24>::zeroed(),
                1,
            );
        }
        batch_matches_single::<[[[f32; 13]; 11]; 3], _, 2>(
            Conv2d::<3, 4, 3, 6, 7, 2, 1>::zeroed(),
            2,
        );
        batch_matches_single::<[[[f32; 9]; 9]; 2], _, 2>(
            Conv2d::<2, 5, 3, 5, 5, 1, 0, 2>::zeroed(),
            3,
        );
        batch_matches_single::<[[f32; 17]; 3], _, 4>(Conv1d::<3, 2, 4, 8, 2, 1>::zeroed(), 4);
        // Grouped, depthwise and rectangular (DS-CNN's first layer, smaller).
        batch_matches_single::<[[[f32; 7]; 6]; 4], _, 3>(
            Conv2d::<4, 6, 3, 6, 3, 1, 1, 1, 2, 2, 2, 2, 0>::zeroed(),
            7,
        );
        batch_matches_single::<[[[f32; 9]; 8]; 3], _, 2>(
            DepthwiseConv2d::<3, 3, 4, 5, 2, 1>::zeroed(),
            8,
        );
        batch_matches_single::<[[[f32; 10]; 13]; 1], _, 2>(
            Conv2d::<1, 4, 10, 7, 5, 2, 5, 1, 1, 1, 4, 2, 1>::zeroed(),
            9,
        );
        batch_matches_single::<[[f32; 11]; 6], _, 2>(
            Conv1d::<6, 3, 3, 11, 1, 1, 1, 3, 2>::zeroed(),
            10,
        );
        // Reflect, replicate and circular padding (PyTorch's `padding_mode`).
        batch_matches_single::<[[[f32; 6]; 5]; 2], _, 2>(
            Conv2d::<2, 3, 3, 5, 8, 1, 1, 1, 1, 2, 3, 1, 2, 1>::zeroed(),
            11,
        );
        batch_matches_single::<[[[f32; 4]; 3]; 2], _, 2>(
            Conv2d::<2, 2, 3, 2, 4, 2, 1, 1, 1, 2, 3, 1, 1, 2>::zeroed(),
            12,
        );
        batch_matches_single::<[[f32; 5]; 2], _, 3>(
            Conv1d::<2, 3, 3, 7, 1, 2, 1, 1, 2, 3>::zeroed(),
            13,
        );
        batch_matches_single::<[[[f32; 7]; 7]; 4], _, 2>(
            ConvTranspose2d::<4, 2, 4, 14, 14, 2, 1>::zeroed(),
            5,
        );
        batch_matches_single::<[[[f32; 5]; 3]; 2], _, 2>(
            ConvTranspose2d::<2, 3, 3, 5, 7, 1>::zeroed(),
            6,
        );
    }

    /// What the border modes are for: circular padding makes a convolution
    /// commute with cyclic shifts of a periodic signal, and reflect or
    /// replicate padding keeps a blur of a flat image flat up to its edges,
    /// where zero padding darkens them.
    #[test]
    fn circular_padding_commutes_with_cyclic_shifts_and_mirrored_borders_do_not_darken() {
        let mut conv = Conv1d::<1, 2, 3, 8, 1, 1, 1, 1, 1, 3>::zeroed();
        conv.weight = [[[0.5, -1.0, 2.0]], [[1.0, 0.25, 0.0]]];
        let x = [[1.0f32, 3.0, -2.0, 0.5, 4.0, -1.0, 2.0, 0.0]];
        let roll = |v: &[f32; 8]| -> [f32; 8] { core::array::from_fn(|i| v[(i + 7) % 8]) };
        let shifted = conv.forward(&[roll(&x[0])]);
        let y = conv.forward(&x);
        assert_eq!(shifted, [roll(&y[0]), roll(&y[1])]);

        /// A 3×3 box blur of a flat 4×4 image, padded in mode `PM`.
        fn blur<const PM: usize>() -> [[[f32; 4]; 4]; 1] {
            let mut c = Conv2d::<1, 1, 3, 4, 4, 1, 1, 1, 1, 1, 3, 1, 1, PM>::zeroed();
            c.weight = [[[[1.0 / 9.0; 3]; 3]]];
            c.forward(&[[[1.0f32; 4]; 4]; 1])
        }
        for flat in [blur::<1>(), blur::<2>()] {
            assert!(
                flat.as_flattened()
                    .as_flattened()
                    .iter()
                    .all(|v| (v - 1.0).abs() < 1e-6)
            );
        }
        let zeros = blur::<0>();
        assert!((zeros[0][0][0] - 4.0 / 9.0).abs() < 1e-6 && (zeros[0][1][1] - 1.0).abs() < 1e-6);
    }
}
