//! Convolutions: [`Conv2d`], [`Conv1d`] and [`ConvTranspose2d`].
//!
//! All three are one computation on a [`Geometry`]: a batch pass lowers each
//! sample with `im2col` into the layer's one-sample scratch (its cache) and
//! multiplies by the filter matrix with nn-kernels' GEMM; a single-sample
//! [`Forward::forward`] convolves directly, with no scratch at all. A
//! transposed convolution runs the same passes in the adjoint direction.
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
use crate::storage::Zeroable;
use bytemuck::Pod;
use core::slice::{from_mut, from_ref};
use nn_kernels::conv::{
    Geometry, col2im_add, conv_add, conv_adjoint_add, im2col, out_len, transposed_out_len,
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

/// The batch passes of a convolution with `filters` (`CO × R`, `R` =
/// `g.col_rows()`) over `B` samples, using `col` (`R × P`) as scratch.
struct Lowered<'a> {
    g: Geometry,
    filters: &'a [f32],
    bias: &'a [f32],
}

impl Lowered<'_> {
    fn out_channels(&self) -> usize {
        self.bias.len()
    }

    /// `y_b = W · im2col(x_b) + bias` for every sample.
    fn forward(&self, x: &[f32], y: &mut [f32], col: &mut [f32], ctx: &mut Context) {
        let (r, p, co) = (self.g.col_rows(), self.g.col_cols(), self.out_channels());
        let w = MatRef::row_major(self.filters, co, r);
        let in_len = x.len() / (y.len() / (co * p));
        for (x, y) in x.chunks_exact(in_len).zip(y.chunks_exact_mut(co * p)) {
            im2col(&self.g, x, col);
            let col = MatRef::row_major(col, r, p);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                w,
                col,
                MatMut::row_major(y, co, p),
                false,
            );
            add_channel_bias(self.bias, y);
        }
    }

    /// `dW = Σ_b dy_b · im2col(x_b)ᵀ`, `db = Σ dy`, and `dx_b = col2im(Wᵀ · dy_b)`.
    #[allow(clippy::too_many_arguments)]
    fn backward(
        &self,
        x: &[f32],
        dy: &[f32],
        col: &mut [f32],
        mut dx: Option<&mut [f32]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let (r, p, co) = (self.g.col_rows(), self.g.col_cols(), self.out_channels());
        let in_len = x.len() / (dy.len() / (co * p));
        let (dw, db) = grad.split_at_mut(co * r);
        db.fill(0.0);
        let w = MatRef::row_major(self.filters, co, r);
        for (b, (x, dy)) in x
            .chunks_exact(in_len)
            .zip(dy.chunks_exact(co * p))
            .enumerate()
        {
            im2col(&self.g, x, col);
            let dy_m = MatRef::row_major(dy, co, p);
            let col_m = MatRef::row_major(col, r, p);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                dy_m,
                col_m.t(),
                MatMut::row_major(dw, co, r),
                b > 0,
            );
            add_channel_sums(dy, db);
            if let Some(dx) = dx.as_deref_mut() {
                // The im2col of x is spent; its buffer now takes Wᵀ · dy.
                gemm_split(
                    ctx.parallel,
                    ctx.workspace,
                    w.t(),
                    dy_m,
                    MatMut::row_major(col, r, p),
                    false,
                );
                let dx = &mut dx[b * in_len..(b + 1) * in_len];
                dx.fill(0.0);
                col2im_add(&self.g, col, dx);
            }
        }
    }

    /// The transposed convolution's forward pass, `y_b = col2im(Wᵀ · x_b) +
    /// bias`, where `g` describes the *output* as a convolution's input and
    /// the filters are `CI × R`.
    fn transposed_forward(&self, x: &[f32], y: &mut [f32], col: &mut [f32], ctx: &mut Context) {
        let (r, p) = (self.g.col_rows(), self.g.col_cols());
        let ci = self.filters.len() / r;
        let w = MatRef::row_major(self.filters, ci, r);
        let out_len = y.len() / (x.len() / (ci * p));
        for (x, y) in x.chunks_exact(ci * p).zip(y.chunks_exact_mut(out_len)) {
            let x = MatRef::row_major(x, ci, p);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                w.t(),
                x,
                MatMut::row_major(col, r, p),
                false,
            );
            y.fill(0.0);
            col2im_add(&self.g, col, y);
            add_channel_bias(self.bias, y);
        }
    }

    /// The transposed convolution's backward pass: `dx_b = W · im2col(dy_b)`,
    /// `dW = Σ_b x_b · im2col(dy_b)ᵀ`, `db = Σ dy`.
    fn transposed_backward(
        &self,
        x: &[f32],
        dy: &[f32],
        col: &mut [f32],
        mut dx: Option<&mut [f32]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let (r, p) = (self.g.col_rows(), self.g.col_cols());
        let ci = self.filters.len() / r;
        let out_len = dy.len() / (x.len() / (ci * p));
        let (dw, db) = grad.split_at_mut(ci * r);
        db.fill(0.0);
        let w = MatRef::row_major(self.filters, ci, r);
        for (b, (x, dy)) in x
            .chunks_exact(ci * p)
            .zip(dy.chunks_exact(out_len))
            .enumerate()
        {
            im2col(&self.g, dy, col);
            let col_m = MatRef::row_major(col, r, p);
            let x_m = MatRef::row_major(x, ci, p);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                x_m,
                col_m.t(),
                MatMut::row_major(dw, ci, r),
                b > 0,
            );
            add_channel_sums(dy, db);
            if let Some(dx) = dx.as_deref_mut() {
                let dx = &mut dx[b * ci * p..(b + 1) * ci * p];
                gemm_split(
                    ctx.parallel,
                    ctx.workspace,
                    w,
                    col_m,
                    MatMut::row_major(dx, ci, p),
                    false,
                );
            }
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
        in: $in:ty, out: $out:ty, scratch: $col:ty,
        params: $params:expr, weights: $weights:expr,
        fan: ($fan_in:expr, $fan_out:expr),
        passes: $direct:path, $forward:ident, $backward:ident
    ) => {
        // SAFETY: only f32 arrays; all-zero bits are valid.
        unsafe impl<$(const $p: usize),*> Zeroable for $name<$($p),*> {}
        // SAFETY: `repr(C)` of f32 arrays: no padding, any bit pattern is valid.
        unsafe impl<$(const $p: usize),*> Pod for $name<$($p),*> {}

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
                    filters: bytemuck::cast_slice(&self.weight),
                    bias: &self.bias,
                }
            }
        }

        impl<$(const $p: usize,)* $(const $q: usize),*> Forward<$in> for $name<$($p),*> {
            type Out = $out;
            fn forward(&self, x: &$in) -> $out {
                let mut y = <$out as Zeroable>::zeroed();
                let l = self.lowered::<$($q),*>();
                let y_flat = flat_mut(from_mut(&mut y));
                $direct(&l.g, l.filters, flat(from_ref(x)), y_flat);
                add_channel_bias(l.bias, y_flat);
                y
            }
        }

        impl<$(const $p: usize,)* $(const $q: usize),*> Layer<$in> for $name<$($p),*> {
            /// One sample's `im2col` matrix: the batch passes' scratch.
            type Cache<const B: usize> = $col;
            const NUM_PARAMS: usize = $params;
            const NUM_WEIGHTS: usize = $weights;

            fn forward_batch<const B: usize>(
                &mut self,
                x: &[$in; B],
                y: &mut [$out; B],
                col: &mut $col,
                ctx: &mut Context,
            ) {
                let col: &mut [f32] = bytemuck::cast_slice_mut(from_mut(col));
                self.lowered::<$($q),*>().$forward(flat(x), flat_mut(y), col, ctx);
            }

            fn backward<const B: usize>(
                &self,
                x: &[$in; B],
                _y: &[$out; B],
                dy: &[$out; B],
                col: &mut $col,
                dx: Option<&mut [$in; B]>,
                grad: &mut [f32],
                ctx: &mut Context,
            ) {
                let col: &mut [f32] = bytemuck::cast_slice_mut(from_mut(col));
                let dx = dx.map(|d| flat_mut(d));
                self.lowered::<$($q),*>().$backward(flat(x), flat(dy), col, dx, grad, ctx);
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
/// channels with a `K × K` kernel, stride `S`, zero padding `P` and dilation
/// `D`, producing `OH × OW` outputs per channel.
///
/// The weights use PyTorch's layout `[CO][CI][K][K]`. `OH`/`OW` must equal
/// `⌊(n + 2P − D(K − 1) − 1)/S⌋ + 1` for the input's height/width `n`, or the
/// layer does not compile for that input.
///
/// ```
/// use nn_core::prelude::*;
/// let mut conv = Conv2d::<1, 1, 2, 1, 1>::zeroed(); // 2×2 image → 1×1
/// conv.weight = [[[[1.0, 2.0], [3.0, 4.0]]]];
/// conv.bias = [0.5];
/// assert_eq!(conv.forward(&[[[1.0, 1.0], [1.0, 1.0]]]), [[[10.5]]]);
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
> {
    /// `weight[co][ci][i][j]`: tap `(i, j)` of the filter from channel `ci` to `co`.
    pub weight: [[[[f32; K]; K]; CI]; CO],
    /// One bias per output channel.
    pub bias: [f32; CO],
}

convolution!(
    Conv2d<CI, CO, K, OH, OW, S, P, D> on <H, W>,
    in: [[[f32; W]; H]; CI], out: [[[f32; OW]; OH]; CO], scratch: [[[[[f32; OW]; OH]; K]; K]; CI],
    params: CO * CI * K * K + CO, weights: CO * CI * K * K,
    fan: (CI * K * K, CO * K * K),
    passes: conv_add, forward, backward
);

impl<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const OH: usize,
    const OW: usize,
    const S: usize,
    const P: usize,
    const D: usize,
> Conv2d<CI, CO, K, OH, OW, S, P, D>
{
    /// The window over an `H × W` input, checked at compile time when used.
    const fn geometry<const H: usize, const W: usize>() -> Geometry {
        assert!(
            fits(H, K, S, P, D, OH) && fits(W, K, S, P, D, OW),
            "Conv2d: OH×OW must be ⌊(n + 2P − D(K − 1) − 1)/S⌋ + 1 of the input's H×W"
        );
        Geometry::square(CI, H, W, K, S, P, D)
    }
}

/// A 1-D convolution over `CI × L` sequences: `CO` filters of length `K`,
/// stride `S`, zero padding `P`, dilation `D`, output length `OL`.
///
/// The weights use PyTorch's layout `[CO][CI][K]`; `OL` must equal
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
> {
    /// `weight[co][ci][i]`: tap `i` of the filter from channel `ci` to `co`.
    pub weight: [[[f32; K]; CI]; CO],
    /// One bias per output channel.
    pub bias: [f32; CO],
}

convolution!(
    Conv1d<CI, CO, K, OL, S, P, D> on <L>,
    in: [[f32; L]; CI], out: [[f32; OL]; CO], scratch: [[[f32; OL]; K]; CI],
    params: CO * CI * K + CO, weights: CO * CI * K,
    fan: (CI * K, CO * K),
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
> Conv1d<CI, CO, K, OL, S, P, D>
{
    /// The window over a length-`L` input, checked at compile time when used.
    const fn geometry<const L: usize>() -> Geometry {
        assert!(
            fits(L, K, S, P, D, OL),
            "Conv1d: OL must be ⌊(L + 2P − D(K − 1) − 1)/S⌋ + 1 of the input's length L"
        );
        Geometry::sequence(CI, L, K, S, P, D)
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
    in: [[[f32; W]; H]; CI], out: [[[f32; OW]; OH]; CO], scratch: [[[[[f32; W]; H]; K]; K]; CO],
    params: CI * CO * K * K + CO, weights: CI * CO * K * K,
    fan: (CI * K.div_ceil(S) * K.div_ceil(S), CO * K * K),
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
    use rand::{Rng, SeedableRng, rngs::SmallRng};

    /// The batch pass (im2col + GEMM) must agree with the direct
    /// single-sample convolution for every sample.
    fn batch_matches_single<In: Shape, L: Layer<In>, const B: usize>(mut layer: L, seed: u64) {
        let rng = &mut SmallRng::seed_from_u64(seed);
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
            parallel: &nn_kernels::split::Serial,
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
        batch_matches_single::<[[[f32; 28]; 28]; 1], _, 3>(Conv2d::<1, 8, 5, 24, 24>::zeroed(), 1);
        batch_matches_single::<[[[f32; 13]; 11]; 3], _, 2>(
            Conv2d::<3, 4, 3, 6, 7, 2, 1>::zeroed(),
            2,
        );
        batch_matches_single::<[[[f32; 9]; 9]; 2], _, 2>(
            Conv2d::<2, 5, 3, 5, 5, 1, 0, 2>::zeroed(),
            3,
        );
        batch_matches_single::<[[f32; 17]; 3], _, 4>(Conv1d::<3, 2, 4, 8, 2, 1>::zeroed(), 4);
        batch_matches_single::<[[[f32; 7]; 7]; 4], _, 2>(
            ConvTranspose2d::<4, 2, 4, 14, 14, 2, 1>::zeroed(),
            5,
        );
        batch_matches_single::<[[[f32; 5]; 3]; 2], _, 2>(
            ConvTranspose2d::<2, 3, 3, 5, 7, 1>::zeroed(),
            6,
        );
    }
}
