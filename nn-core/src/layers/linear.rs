//! `Linear<I, O>`: `y = xᵀ W + b`.
//!
//! The weights are stored input-major (`weight[i][o]`, the transpose of
//! PyTorch's `nn.Linear.weight`): then the forward product `X·W` and the
//! weight gradient `Xᵀ·dY` — the two large products of a training step — read
//! every operand in place, and batch-1 inference streams `W` row by row.
use crate::init::Init;
use crate::io::torch::TorchTensor;
use crate::layer::{Context, Forward, Layer, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use nn_kernels::gemm::{MatMut, MatRef, gemm_split};
use nn_kernels::{gemv::vec_mat_acc, reduce};

/// A dense (fully connected) layer from `I` to `O` features.
///
/// ```
/// use nn_core::prelude::*;
/// let mut fc = Linear::<2, 1>::zeroed();
/// fc.weight = [[2.0], [3.0]];
/// fc.bias = [1.0];
/// assert_eq!(fc.forward(&[1.0, 1.0]), [6.0]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear<const I: usize, const O: usize> {
    /// `weight[i][o]`: the weight from input `i` to output `o`.
    pub weight: [[f32; O]; I],
    /// One bias per output.
    pub bias: [f32; O],
}

// SAFETY: only f32 arrays; all-zero bits are valid.
unsafe impl<const I: usize, const O: usize> Zeroable for Linear<I, O> {}
// SAFETY: `repr(C)` of f32 arrays: no padding, any bit pattern is valid.
unsafe impl<const I: usize, const O: usize> Plain for Linear<I, O> {}
// SAFETY: `repr(C)` of two f32 arrays: no padding, any bit pattern is valid.
unsafe impl<const I: usize, const O: usize> bytemuck::Pod for Linear<I, O> {}

impl<const I: usize, const O: usize> Linear<I, O> {
    /// Number of parameters: `I·O` weights plus `O` biases.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Linear::<784, 128>::NUM_PARAMS, 100_480);
    /// ```
    pub const NUM_PARAMS: usize = I * O + O;

    /// All weights and biases zero.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Linear::<2, 2>::zeroed().bias, [0.0; 2]);
    /// ```
    pub fn zeroed() -> Self {
        <Self as Zeroable>::zeroed()
    }
}

impl<const I: usize, const O: usize> Forward<[f32; I]> for Linear<I, O> {
    type Out = [f32; O];
    fn forward_into(&self, x: &[f32; I], y: &mut [f32; O]) {
        *y = self.bias;
        vec_mat_acc(x, self.weight.as_flattened(), y);
    }
}

impl<const I: usize, const O: usize> Layer<[f32; I]> for Linear<I, O> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = I * O + O;
    const NUM_WEIGHTS: usize = I * O;
    const GEMM_WIDTH: usize = nn_shape::max(I, O);
    const TORCH: &'static [TorchTensor] = &[
        TorchTensor::transposed("weight", 0, O, I),
        TorchTensor::new("bias", I * O, &[O]),
    ];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[f32; I]; B],
        y: &mut [[f32; O]; B],
        _: &mut (),
        ctx: &mut Context,
    ) {
        if B == 1 {
            // Batch 1 is a matrix-vector product: packing would cost more than it saves.
            y[0] = self.forward(&x[0]);
            return;
        }
        let w = MatRef::row_major(self.weight.as_flattened(), I, O);
        let x = MatRef::row_major(flat(x), B, I);
        let y = flat_mut(y);
        gemm_split(
            ctx.parallel,
            ctx.workspace,
            x,
            w,
            MatMut::row_major(y, B, O),
            false,
        );
        reduce::add_bias_rows(&self.bias, y);
    }

    fn backward<const B: usize>(
        &self,
        x: &[[f32; I]; B],
        _y: &[[f32; O]; B],
        dy: &[[f32; O]; B],
        _: &mut (),
        dx: Option<&mut [[f32; I]; B]>,
        grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let dy_flat = flat(dy);
        let dy = MatRef::row_major(dy_flat, B, O);
        let (dw, db) = grad.split_at_mut(I * O);
        // dW = Xᵀ · dY, db = column sums of dY.
        gemm_split(
            ctx.parallel,
            ctx.workspace,
            MatRef::row_major(flat(x), B, I).t(),
            dy,
            MatMut::row_major(dw, I, O),
            false,
        );
        reduce::col_sums(dy_flat, db);
        if let Some(dx) = dx {
            // dX = dY · Wᵀ.
            let w = MatRef::row_major(self.weight.as_flattened(), I, O);
            gemm_split(
                ctx.parallel,
                ctx.workspace,
                dy,
                w.t(),
                MatMut::row_major(flat_mut(dx), B, I),
                false,
            );
        }
    }

    fn params(&self) -> &[f32] {
        bytemuck::cast_slice(core::slice::from_ref(self))
    }

    fn params_mut(&mut self) -> &mut [f32] {
        bytemuck::cast_slice_mut(core::slice::from_mut(self))
    }

    fn init_params<R: rand::Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        init.fill(self.weight.as_flattened_mut(), I, O, rng);
        self.bias = [0.0; O];
    }
}
