//! The layer traits: [`Forward`] for inference (and compile-time chaining),
//! [`Layer`] for training.
//!
//! Shapes are types: a layer is `Forward<In>` only for the input shape it
//! accepts, so a chain whose sizes disagree has no `Forward` impl and fails to
//! compile. Tuples of layers are chains:
//!
//! ```
//! use nn_core::prelude::*;
//! let net = (Linear::<3, 2>::zeroed(), Tanh);
//! assert_eq!(net.forward(&[1.0, 2.0, 3.0]), [0.0, 0.0]);
//! ```
use crate::mem::Zeroable;
use crate::rng::TrainRng;

/// A fixed-size sample shape: plain `f32` data with no padding, so a batch
/// `[S; B]` is one contiguous row-major `B × LEN` matrix.
///
/// ```
/// use nn_core::layer::Shape;
/// assert_eq!(<[f32; 784] as Shape>::LEN, 784);
/// ```
pub trait Shape: bytemuck::Pod {
    /// Number of `f32`s in one sample.
    const LEN: usize;
    /// Channels: the features of a flat vector, the leading dimension of a
    /// sequence or image (PyTorch's dimension 1). Per-channel layers
    /// ([`crate::layers::BatchNorm`], [`crate::layers::PReLU`]) group by it.
    const CHANNELS: usize;
    /// The dimensions, outermost first: `[N]`, `[C, L]` or `[C, H, W]`
    /// (what `network!` reads when a layer's output shape comes from its type).
    const DIMS: &'static [usize];
    /// The same shape of int8 values (quantized inference, [`crate::quant`]).
    type Int8: bytemuck::Pod;
}

/// Dimension `axis` of shape `S` ([`Shape::DIMS`]), for `const` contexts; a
/// shape with fewer dimensions stops compilation.
///
/// ```
/// assert_eq!(nn_core::layer::dim::<[[[f32; 28]; 24]; 3]>(1), 24);
/// ```
pub const fn dim<S: Shape>(axis: usize) -> usize {
    assert!(
        axis < S::DIMS.len(),
        "the shape has fewer dimensions than this layer reads"
    );
    S::DIMS[axis]
}

/// A feature vector.
impl<const N: usize> Shape for [f32; N] {
    type Int8 = [i8; N];
    const LEN: usize = N;
    const CHANNELS: usize = N;
    const DIMS: &'static [usize] = &[N];
}

/// A sequence: `C` channels of length `L` (what `Conv1d` reads).
impl<const C: usize, const L: usize> Shape for [[f32; L]; C] {
    type Int8 = [[i8; L]; C];
    const LEN: usize = C * L;
    const CHANNELS: usize = C;
    const DIMS: &'static [usize] = &[C, L];
}

/// An image: `C` channels of `H` rows of `W` pixels (channel-major, as PyTorch
/// stores `NCHW` batches).
impl<const C: usize, const H: usize, const W: usize> Shape for [[[f32; W]; H]; C] {
    type Int8 = [[[i8; W]; H]; C];
    const LEN: usize = C * H * W;
    const CHANNELS: usize = C;
    const DIMS: &'static [usize] = &[C, H, W];
}

/// Views a batch of samples as one flat slice.
#[inline]
pub(crate) fn flat<S: Shape>(batch: &[S]) -> &[f32] {
    bytemuck::cast_slice(batch)
}

/// Views a batch of samples as one flat mutable slice.
#[inline]
pub(crate) fn flat_mut<S: Shape>(batch: &mut [S]) -> &mut [f32] {
    bytemuck::cast_slice_mut(batch)
}

/// A batch forward pass that is the single-sample [`Forward::forward_into`]
/// on each sample (layers with no batch-level work).
#[inline]
pub(crate) fn forward_each<In: Shape, L: Forward<In>, const B: usize>(
    layer: &L,
    x: &[In; B],
    y: &mut [L::Out; B],
) {
    for (x, y) in x.iter().zip(y.iter_mut()) {
        layer.forward_into(x, y);
    }
}

/// The backward pass of a layer whose output is its input's values
/// (`∂L/∂x = ∂L/∂y`, whatever the two shapes).
#[inline]
pub(crate) fn pass_gradient<S: Shape, T: Shape, const B: usize>(
    dy: &[T; B],
    dx: Option<&mut [S; B]>,
) {
    if let Some(dx) = dx {
        flat_mut(dx).copy_from_slice(flat(dy));
    }
}

/// Inference: a map from one `In` sample to one [`Forward::Out`] sample.
///
/// A layer writes its output into memory the caller owns
/// ([`Forward::forward_into`]), so a network's inference runs in
/// activation buffers it plans once (`network!`'s `infer`) and no layer
/// needs stack space the size of its output; [`Forward::forward`] returns
/// the output by value.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(ReLU.forward(&[-1.0, 1.0]), [0.0, 1.0]);
/// let mut y = [9.0; 2];
/// ReLU.forward_into(&[-1.0, 1.0], &mut y);
/// assert_eq!(y, [0.0, 1.0]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take `{In}` as input",
    label = "this layer's input size differs from what the previous layer produces",
    note = "in a chain, each layer's input must equal the previous layer's output"
)]
pub trait Forward<In: Shape> {
    /// The output shape.
    type Out: Shape;
    /// Runs one sample in evaluation mode (dropout off), writing every
    /// value of `y`.
    fn forward_into(&self, x: &In, y: &mut Self::Out);
    /// Runs one sample in evaluation mode and returns the output.
    #[inline]
    fn forward(&self, x: &In) -> Self::Out {
        let mut y = Self::Out::zeroed();
        self.forward_into(x, &mut y);
        y
    }
}

/// Whether a batch forward pass is training (dropout active) or evaluation.
///
/// ```
/// assert_ne!(nn_core::layer::Mode::Train, nn_core::layer::Mode::Eval);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Stochastic layers sample (dropout masks units).
    Train,
    /// Deterministic inference.
    Eval,
}

/// What a batch pass may use besides the layer itself: the mode, the random
/// source of stochastic layers and the GEMM packing workspace, all owned by the
/// caller (a network's trainer) so layers never allocate.
///
/// ```
/// use nn_core::prelude::*;
/// use rand::SeedableRng;
/// let mut rng = nn_core::rng::TrainRng::seed_from_u64(0);
/// let mut ws = [0.0; nn_kernels::gemm::workspace_len(2)];
/// let ctx = Context { mode: Mode::Eval, rng: &mut rng, workspace: &mut ws, parallel: &nn_kernels::parallel::Serial, rows: usize::MAX };
/// assert_eq!((ctx.mode, ctx.real_rows::<4>()), (Mode::Eval, 4));
/// ```
pub struct Context<'a> {
    /// Train or eval.
    pub mode: Mode,
    /// Random source for stochastic layers.
    pub rng: &'a mut TrainRng,
    /// GEMM packing memory, at least `nn_kernels::gemm::workspace_len(max width)`.
    pub workspace: &'a mut [f32],
    /// Where large products may split their work (`&Serial` for one thread).
    pub parallel: &'a dyn nn_kernels::parallel::Parallel,
    /// How many of the batch's samples are real: the first `rows` (all of
    /// them when `rows` is at least the batch size, e.g. `usize::MAX`). The
    /// rest pad a short last batch; a layer that mixes samples (batch norm)
    /// leaves them out of its statistics and gives them no gradient, and
    /// every layer may compute garbage there.
    pub rows: usize,
}

impl Context<'_> {
    /// The real samples of a batch of `B` ([`Context::rows`], at most `B`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = nn_core::rng::TrainRng::seed_from_u64(0);
    /// let ctx = Context { mode: Mode::Train, rng: &mut rng, workspace: &mut [], parallel: &nn_kernels::parallel::Serial, rows: 3 };
    /// assert_eq!((ctx.real_rows::<8>(), ctx.real_rows::<2>()), (3, 2));
    /// ```
    pub fn real_rows<const B: usize>(&self) -> usize {
        self.rows.min(B)
    }
}

/// A trainable layer: batched forward and backward passes over fixed-size
/// batches, with parameters exposed as one flat slice for the optimizer.
///
/// Every layer type is [`Zeroable`], so whole networks can be built in place
/// by zeroing their memory and then initializing parameters.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(<Linear<3, 2> as Layer<[f32; 3]>>::NUM_PARAMS, 8);
/// assert_eq!(<ReLU as Layer<[f32; 3]>>::NUM_PARAMS, 0);
/// ```
pub trait Layer<In: Shape>: Forward<In> + Zeroable {
    /// What the forward pass must remember for backward, besides the input and
    /// output (e.g. a dropout mask); `()` for most layers.
    type Cache<const B: usize>: Zeroable;
    /// Number of trainable parameters.
    const NUM_PARAMS: usize;
    /// How many of [`Layer::params`] (the leading ones) are weights, which
    /// weight penalties apply to; the rest are biases.
    const NUM_WEIGHTS: usize = 0;
    /// Length of [`Layer::state`]: the parameters, plus statistics the
    /// layer learns without gradients (batch norm's running mean and
    /// variance).
    const STATE_LEN: usize = Self::NUM_PARAMS;
    /// [`Layer::state`] as PyTorch's `state_dict` holds it (names, shapes,
    /// layouts); empty for stateless layers.
    const TORCH: &'static [crate::io::torch::TorchTensor] = &[];
    /// The widest output of any matrix product the layer runs, which sizes
    /// the GEMM workspace of [`Context::workspace`]; 0 if it runs none.
    const GEMM_WIDTH: usize = 0;
    /// Whether a loss after this layer should see its input as well as its
    /// output (see [`Fusion`]); only parameter-free final layers fuse.
    const FUSION: Fusion = Fusion::None;

    /// Forward pass over a batch of `B` samples. Takes `&mut self` because
    /// some layers learn statistics as they see training batches
    /// (batch normalization's running mean and variance).
    fn forward_batch<const B: usize>(
        &mut self,
        x: &[In; B],
        y: &mut [Self::Out; B],
        cache: &mut Self::Cache<B>,
        ctx: &mut Context,
    );

    /// Backward pass: given the input `x`, output `y` and `dy = ∂L/∂y`, writes
    /// `∂L/∂θ` into `grad` (length [`Layer::NUM_PARAMS`], same layout as
    /// [`Layer::params`]) and, if asked, `∂L/∂x` into `dx`. The cache is
    /// mutable so layers can keep their backward scratch memory in it.
    #[allow(clippy::too_many_arguments)]
    fn backward<const B: usize>(
        &self,
        x: &[In; B],
        y: &[Self::Out; B],
        dy: &[Self::Out; B],
        cache: &mut Self::Cache<B>,
        dx: Option<&mut [In; B]>,
        grad: &mut [f32],
        ctx: &mut Context,
    );

    /// The parameters as one flat slice (empty for parameter-free layers).
    fn params(&self) -> &[f32] {
        &[]
    }

    /// The parameters as one flat mutable slice.
    fn params_mut(&mut self) -> &mut [f32] {
        &mut []
    }

    /// Everything the layer persists, as one flat slice: its parameters,
    /// then statistics it learned (batch norm's running mean and variance).
    /// Weights files hold exactly this.
    fn state(&self) -> &[f32] {
        self.params()
    }

    /// Mutable [`Layer::state`].
    fn state_mut(&mut self) -> &mut [f32] {
        self.params_mut()
    }

    /// Draws initial parameters; a no-op for parameter-free layers.
    fn init_params<R: rand::Rng + ?Sized>(&mut self, init: crate::init::Init, rng: &mut R) {
        let _ = (init, rng);
    }
}

/// How a network's last layer combines with its loss.
///
/// When the last layer is a softmax (or sigmoid), the trainer hands the loss
/// the layer's input `z` and output `y` and backpropagates from `∂L/∂z`, so
/// cross-entropy trains on the stable `y − t` instead of a Jacobian product.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::layer::Fusion;
/// assert_eq!(<Softmax as Layer<[f32; 3]>>::FUSION, Fusion::Softmax);
/// assert_eq!(<ReLU as Layer<[f32; 3]>>::FUSION, Fusion::None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fusion {
    /// The loss sees the layer's output only.
    None,
    /// The layer is a softmax: [`crate::loss::Loss::loss_grad_softmax`].
    Softmax,
    /// The layer is a sigmoid: [`crate::loss::Loss::loss_grad_sigmoid`].
    Sigmoid,
}

impl Fusion {
    /// Whether the loss takes over the layer's backward pass.
    ///
    /// ```
    /// assert!(nn_core::layer::Fusion::Softmax.is_fused());
    /// ```
    pub const fn is_fused(self) -> bool {
        !matches!(self, Fusion::None)
    }
}

/// Tuples chain layers: `(A, B)` is `Forward<In>` when `A: Forward<In>` and
/// `B: Forward<A::Out>`, so the compiler checks every joint.
macro_rules! chain {
    ($($prev:ident => $T:ident . $i:tt),+ ; $Last:ident) => {
        impl<In: Shape, A: Forward<In>, $($T: Forward<$prev::Out>),+> Forward<In> for (A, $($T),+) {
            type Out = $Last::Out;
            fn forward_into(&self, x: &In, out: &mut Self::Out) {
                *out = self.forward(x);
            }
            fn forward(&self, x: &In) -> Self::Out {
                let y = self.0.forward(x);
                $(let y = self.$i.forward(&y);)+
                y
            }
        }
    };
}

impl<In: Shape, A: Forward<In>> Forward<In> for (A,) {
    type Out = A::Out;
    fn forward_into(&self, x: &In, y: &mut Self::Out) {
        self.0.forward_into(x, y)
    }
}
chain!(A => B.1; B);
chain!(A => B.1, B => C.2; C);
chain!(A => B.1, B => C.2, C => D.3; D);
chain!(A => B.1, B => C.2, C => D.3, D => E.4; E);
chain!(A => B.1, B => C.2, C => D.3, D => E.4, E => F.5; F);
chain!(A => B.1, B => C.2, C => D.3, D => E.4, E => F.5, F => G.6; G);
chain!(A => B.1, B => C.2, C => D.3, D => E.4, E => F.5, F => G.6, G => H.7; H);
