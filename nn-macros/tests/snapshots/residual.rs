// network! { Block = < Input<4>, Residual<Linear<4, 4>, ReLU>, Linear<4, 2>, Softmax > }
// Refresh: NN_BLESS=1 cargo test -p nn-macros

///Model parameters of `Block` (4 features → 2 features): `residual0_linear0` → `residual0_relu1` → `linear1` → `softmax2`. Train it with [`BlockTrainer`].
#[derive(Clone, Debug, PartialEq)]
struct Block {
    ///Layer `residual0_linear0`: 4 features → 4 features.
    pub residual0_linear0: ::nn::layers::Linear<4usize, 4usize>,
    ///Layer `residual0_relu1`: 4 features → 4 features.
    pub residual0_relu1: ::nn::layers::ReLU,
    ///Layer `linear1`: 4 features → 2 features.
    pub linear1: ::nn::layers::Linear<4usize, 2usize>,
    ///Layer `softmax2`: 2 features → 2 features.
    pub softmax2: ::nn::layers::Softmax,
}
unsafe impl ::nn::__private::Zeroable for Block {}
const _: () = {
    ::nn::__private::assert_zeroable::<::nn::layers::Linear<4usize, 4usize>>();
    ::nn::__private::assert_zeroable::<::nn::layers::ReLU>();
    ::nn::__private::assert_zeroable::<::nn::layers::Linear<4usize, 2usize>>();
    ::nn::__private::assert_zeroable::<::nn::layers::Softmax>();
    ::nn::__private::assert_same::<
        <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Forward<[f32; 4usize]>>::Out,
        [f32; 4usize],
    >();
    ::nn::__private::assert_same::<
        <::nn::layers::ReLU as ::nn::__private::Forward<[f32; 4usize]>>::Out,
        [f32; 4usize],
    >();
    assert!(
        < ::nn::layers::ReLU as ::nn::__private::Layer < [f32; 4usize] >> ::NUM_PARAMS ==
        0 && < ::nn::layers::ReLU as ::nn::__private::Layer < [f32; 4usize] >>
        ::STATE_LEN == 0
    );
    ::nn::__private::assert_same::<
        <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Forward<[f32; 4usize]>>::Out,
        [f32; 2usize],
    >();
    ::nn::__private::assert_same::<
        <::nn::layers::Softmax as ::nn::__private::Forward<[f32; 2usize]>>::Out,
        [f32; 2usize],
    >();
    assert!(
        < ::nn::layers::Softmax as ::nn::__private::Layer < [f32; 2usize] >> ::NUM_PARAMS
        == 0 && < ::nn::layers::Softmax as ::nn::__private::Layer < [f32; 2usize] >>
        ::STATE_LEN == 0
    );
};
impl Block {
    /// Number of trainable parameters (weights and biases of every layer).
    pub const NUM_PARAMS: usize = 0
        + <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
        + <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS;
    /// Values per input sample.
    pub const INPUTS: usize = 4usize;
    /// Values per output sample.
    pub const OUTPUTS: usize = 2usize;
    /// Bytes of model state (what inference needs besides stack temporaries).
    pub const MODEL_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Runs one sample through the network in evaluation mode.
    #[inline]
    pub fn forward(&self, x: &[f32; 4usize]) -> [f32; 2usize] {
        let b0 = x;
        let b1 = &<::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Forward<
            [f32; 4usize],
        >>::forward(&self.residual0_linear0, b0);
        let b2 = &<::nn::layers::ReLU as ::nn::__private::Forward<
            [f32; 4usize],
        >>::forward(&self.residual0_relu1, b1);
        let b3 = &::nn::__private::add_samples(b2, b0);
        let b4 = &<::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Forward<[f32; 4usize]>>::forward(&self.linear1, b3);
        let b5 = &<::nn::layers::Softmax as ::nn::__private::Forward<
            [f32; 2usize],
        >>::forward(&self.softmax2, b4);
        *b5
    }
    /// The parameters of each layer that has any, in layer order, each
    /// as one flat slice (for a `Linear`, its weights row by row, then
    /// its biases).
    pub fn params(&self) -> [&[f32]; 2usize] {
        [
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::params(&self.residual0_linear0),
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::params(&self.linear1),
        ]
    }
    /// Mutable [`Self::params`].
    pub fn params_mut(&mut self) -> [&mut [f32]; 2usize] {
        [
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<
                [f32; 4usize],
            >>::params_mut(&mut self.residual0_linear0),
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::params_mut(&mut self.linear1),
        ]
    }
    /// The architecture as weights files identify it: the input
    /// shape and every layer's full type and settings.
    pub const SIGNATURE: &'static str = "[f32;4]|Residual<Linear<4,4>|ReLU>|Linear<4,2>|Softmax";
    /// Values a weights file holds: every parameter, plus batch
    /// norm's running statistics.
    pub const STATE_LEN: usize = 0
        + <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Layer<[f32; 4usize]>>::STATE_LEN
        + <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Layer<[f32; 4usize]>>::STATE_LEN;
    /// Size of this network's weights file (`Model::save_to`).
    pub const WEIGHTS_BYTES: usize = ::nn::io::weights::encoded_len(Self::STATE_LEN);
    /// What the layers persist (each layer's `Layer::state`), in order.
    pub fn state(&self) -> [&[f32]; 2usize] {
        [
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::state(&self.residual0_linear0),
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::state(&self.linear1),
        ]
    }
    /// Mutable [`Self::state`].
    pub fn state_mut(&mut self) -> [&mut [f32]; 2usize] {
        [
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<
                [f32; 4usize],
            >>::state_mut(&mut self.residual0_linear0),
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::state_mut(&mut self.linear1),
        ]
    }
}
impl ::nn::__private::Parameters for Block {
    fn zip_tensors(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        for (mine, theirs) in self.params_mut().into_iter().zip(other.params()) {
            f(mine, theirs);
        }
    }
}
impl ::nn::__private::Model for Block {
    const SIGNATURE: &'static str = Block::SIGNATURE;
    const NUM_PARAMS: usize = Block::NUM_PARAMS;
    const STATE_LEN: usize = Block::STATE_LEN;
    const TORCH: &'static [(&'static str, &'static [::nn::__private::TorchTensor])] = &[
        (
            "0.main.0",
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::TORCH,
        ),
        (
            "1",
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::TORCH,
        ),
    ];
    fn param_tensors(&self) -> impl AsRef<[&[f32]]> {
        self.params()
    }
    fn param_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
        self.params_mut()
    }
    fn state_tensors(&self) -> impl AsRef<[&[f32]]> {
        self.state()
    }
    fn state_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
        self.state_mut()
    }
    type Input = [f32; 4usize];
    type Output = [f32; 2usize];
    fn run(&self, x: &[f32; 4usize]) -> [f32; 2usize] {
        self.forward(x)
    }
    fn reset<R: ::nn::__private::Rng + ?Sized>(
        &mut self,
        init: ::nn::__private::Init,
        rng: &mut R,
    ) {
        let this = self;
        <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::init_params(&mut this.residual0_linear0, init, rng);
        <::nn::layers::ReLU as ::nn::__private::Layer<
            [f32; 4usize],
        >>::init_params(&mut this.residual0_relu1, init, rng);
        <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::init_params(&mut this.linear1, init, rng);
        <::nn::layers::Softmax as ::nn::__private::Layer<
            [f32; 2usize],
        >>::init_params(&mut this.softmax2, init, rng);
    }
}
#[doc(hidden)]
type __BlockTrainerModel = Block;
///Training state of [`Block`] for batches of `B` samples with optimizer `O`: the model plus fixed-size gradients, optimizer state, activations, backward buffers and GEMM workspace. A training step allocates nothing.
struct BlockTrainer<
    O: ::nn::__private::Optimizer = ::nn::__private::Sgd,
    const B: usize = 32,
> {
    /// The model being trained.
    pub model: __BlockTrainerModel,
    /// The optimizer (its hyperparameters may be changed between steps).
    pub optimizer: O,
    /// Weight penalties and gradient clipping applied before each
    /// update (all off when built).
    pub regularization: ::nn::__private::Regularization,
    rng: ::nn::__private::TrainRng,
    seed: u64,
    step: u64,
    parallel: &'static dyn ::nn::__private::Parallel,
    workspace: [f32; ::nn::__private::workspace_len(
        ::nn::__private::shape::max(
            ::nn::__private::shape::max(
                ::nn::__private::shape::max(
                    ::nn::__private::shape::max(
                        1usize,
                        <::nn::layers::Linear<
                            4usize,
                            4usize,
                        > as ::nn::__private::Layer<[f32; 4usize]>>::GEMM_WIDTH,
                    ),
                    <::nn::layers::ReLU as ::nn::__private::Layer<
                        [f32; 4usize],
                    >>::GEMM_WIDTH,
                ),
                <::nn::layers::Linear<
                    4usize,
                    2usize,
                > as ::nn::__private::Layer<[f32; 4usize]>>::GEMM_WIDTH,
            ),
            <::nn::layers::Softmax as ::nn::__private::Layer<[f32; 2usize]>>::GEMM_WIDTH,
        ),
    )],
    grad_residual0_linear0: [f32; <::nn::layers::Linear<
        4usize,
        4usize,
    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS],
    state_residual0_linear0: <O as ::nn::__private::Optimizer>::State<
        {
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
        },
    >,
    grad_linear1: [f32; <::nn::layers::Linear<
        4usize,
        2usize,
    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS],
    state_linear1: <O as ::nn::__private::Optimizer>::State<
        {
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
        },
    >,
    cache_residual0_linear0: <::nn::layers::Linear<
        4usize,
        4usize,
    > as ::nn::__private::Layer<[f32; 4usize]>>::Cache<{ B }>,
    cache_residual0_relu1: <::nn::layers::ReLU as ::nn::__private::Layer<
        [f32; 4usize],
    >>::Cache<{ B }>,
    cache_linear1: <::nn::layers::Linear<
        4usize,
        2usize,
    > as ::nn::__private::Layer<[f32; 4usize]>>::Cache<{ B }>,
    cache_softmax2: <::nn::layers::Softmax as ::nn::__private::Layer<
        [f32; 2usize],
    >>::Cache<{ B }>,
    act1: [[f32; 4usize]; B],
    delta1: [[f32; 4usize]; B],
    act2: [[f32; 4usize]; B],
    delta2: [[f32; 4usize]; B],
    act3: [[f32; 4usize]; B],
    delta3: [[f32; 4usize]; B],
    act4: [[f32; 2usize]; B],
    delta4: [[f32; 2usize]; B],
    act5: [[f32; 2usize]; B],
    delta5: [[f32; 2usize]; B],
}
impl<O: ::nn::__private::Optimizer, const B: usize> BlockTrainer<O, { B }> {
    /// Bytes of the whole training state.
    pub const TRAIN_STATE_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Samples per training batch.
    pub const BATCH: usize = B;
    /// Builds the trainer in `slot` without a stack temporary. `seed`
    /// drives parameter initialization and dropout: the same seed gives
    /// bit-identical training.
    pub fn init_in_place<'slot>(
        slot: &'slot mut ::core::mem::MaybeUninit<Self>,
        init: ::nn::__private::Init,
        optimizer: O,
        seed: u64,
    ) -> &'slot mut Self {
        ::nn::__private::assert_zeroable::<__BlockTrainerModel>();
        ::nn::__private::assert_zeroable::<::nn::__private::Regularization>();
        ::nn::__private::assert_zeroable::<u64>();
        ::nn::__private::assert_zeroable::<
            [f32; ::nn::__private::workspace_len(
                ::nn::__private::shape::max(
                    ::nn::__private::shape::max(
                        ::nn::__private::shape::max(
                            ::nn::__private::shape::max(
                                1usize,
                                <::nn::layers::Linear<
                                    4usize,
                                    4usize,
                                > as ::nn::__private::Layer<[f32; 4usize]>>::GEMM_WIDTH,
                            ),
                            <::nn::layers::ReLU as ::nn::__private::Layer<
                                [f32; 4usize],
                            >>::GEMM_WIDTH,
                        ),
                        <::nn::layers::Linear<
                            4usize,
                            2usize,
                        > as ::nn::__private::Layer<[f32; 4usize]>>::GEMM_WIDTH,
                    ),
                    <::nn::layers::Softmax as ::nn::__private::Layer<
                        [f32; 2usize],
                    >>::GEMM_WIDTH,
                ),
            )],
        >();
        ::nn::__private::assert_zeroable::<
            [f32; <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS],
        >();
        ::nn::__private::assert_zeroable::<
            <O as ::nn::__private::Optimizer>::State<
                {
                    <::nn::layers::Linear<
                        4usize,
                        4usize,
                    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
                },
            >,
        >();
        ::nn::__private::assert_zeroable::<
            [f32; <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS],
        >();
        ::nn::__private::assert_zeroable::<
            <O as ::nn::__private::Optimizer>::State<
                {
                    <::nn::layers::Linear<
                        4usize,
                        2usize,
                    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
                },
            >,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Linear<
                4usize,
                4usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::ReLU as ::nn::__private::Layer<[f32; 4usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Linear<
                4usize,
                2usize,
            > as ::nn::__private::Layer<[f32; 4usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Softmax as ::nn::__private::Layer<
                [f32; 2usize],
            >>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 4usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 2usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 2usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 2usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 2usize]; B]>();
        let ptr = slot.as_mut_ptr();
        unsafe {
            ptr.write_bytes(0, 1);
            ::core::ptr::addr_of_mut!((* ptr).optimizer).write(optimizer);
            ::core::ptr::addr_of_mut!((* ptr).rng)
                .write(
                    <::nn::__private::TrainRng as ::nn::__private::SeedableRng>::seed_from_u64(
                        seed,
                    ),
                );
            ::core::ptr::addr_of_mut!((* ptr).seed).write(seed);
            ::core::ptr::addr_of_mut!((* ptr).parallel).write(&::nn::__private::Serial);
        }
        let this = unsafe { slot.assume_init_mut() };
        ::nn::__private::Model::reset(&mut this.model, init, &mut this.rng);
        this
    }
    /// Lets large products split across `parallel`'s threads (e.g.
    /// `nn::kernels::parallel::global()`); `&Serial`, the default,
    /// keeps every step on the calling thread.
    pub fn set_parallel(&mut self, parallel: &'static dyn ::nn::__private::Parallel) {
        self.parallel = parallel;
    }
    /// Runs a batch forward in `mode`, filling the activation buffers.
    fn run_forward(&mut self, x: &[[f32; 4usize]; B], mode: ::nn::__private::Mode) {
        let mut ctx = ::nn::__private::Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: self.parallel,
        };
        <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::forward_batch(
            &mut self.model.residual0_linear0,
            x,
            &mut self.act1,
            &mut self.cache_residual0_linear0,
            &mut ctx,
        );
        <::nn::layers::ReLU as ::nn::__private::Layer<
            [f32; 4usize],
        >>::forward_batch(
            &mut self.model.residual0_relu1,
            &self.act1,
            &mut self.act2,
            &mut self.cache_residual0_relu1,
            &mut ctx,
        );
        ::nn::__private::add_batches(
            ::nn::__private::as_slice(&self.act2),
            ::nn::__private::as_slice(x),
            ::nn::__private::as_slice_mut(&mut self.act3),
        );
        <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::forward_batch(
            &mut self.model.linear1,
            &self.act3,
            &mut self.act4,
            &mut self.cache_linear1,
            &mut ctx,
        );
        <::nn::layers::Softmax as ::nn::__private::Layer<
            [f32; 2usize],
        >>::forward_batch(
            &mut self.model.softmax2,
            &self.act4,
            &mut self.act5,
            &mut self.cache_softmax2,
            &mut ctx,
        );
    }
    /// Forward in `mode`, the mean loss over the batch, and
    /// backpropagation into the gradient buffers. Returns the loss.
    fn backprop<T, L: ::nn::__private::Loss<2usize, T>>(
        &mut self,
        x: &[[f32; 4usize]; B],
        targets: &[T; B],
        loss: &L,
        mode: ::nn::__private::Mode,
    ) -> f32 {
        const { assert!(B > 0, "the batch size B must be at least 1") };
        self.run_forward(x, mode);
        let inv_b = 1.0 / B as f32;
        let mut total = 0.0f32;
        let mut ctx = ::nn::__private::Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: self.parallel,
        };
        if <::nn::layers::Softmax as ::nn::__private::Layer<[f32; 2usize]>>::FUSION
            .is_fused()
        {
            for b in 0..B {
                total
                    += loss
                        .loss_grad_after(
                            <::nn::layers::Softmax as ::nn::__private::Layer<
                                [f32; 2usize],
                            >>::FUSION,
                            ::nn::__private::as_vector(&self.act4[b]),
                            ::nn::__private::as_vector(&self.act5[b]),
                            &targets[b],
                            Some(::nn::__private::as_vector_mut(&mut self.delta4[b])),
                        );
            }
            ::nn::__private::scale(
                inv_b,
                ::nn::__private::as_slice_mut(&mut self.delta4),
            );
        } else {
            for b in 0..B {
                total
                    += loss
                        .loss_grad(
                            ::nn::__private::as_vector(&self.act5[b]),
                            &targets[b],
                            Some(::nn::__private::as_vector_mut(&mut self.delta5[b])),
                        );
            }
            ::nn::__private::scale(
                inv_b,
                ::nn::__private::as_slice_mut(&mut self.delta5),
            );
            <::nn::layers::Softmax as ::nn::__private::Layer<
                [f32; 2usize],
            >>::backward(
                &self.model.softmax2,
                &self.act4,
                &self.act5,
                &self.delta5,
                &mut self.cache_softmax2,
                Some(&mut self.delta4),
                &mut [],
                &mut ctx,
            );
        }
        <::nn::layers::Linear<
            4usize,
            2usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::backward(
            &self.model.linear1,
            &self.act3,
            &self.act4,
            &self.delta4,
            &mut self.cache_linear1,
            Some(&mut self.delta3),
            &mut self.grad_linear1,
            &mut ctx,
        );
        ::nn::__private::as_slice_mut(&mut self.delta2)
            .copy_from_slice(::nn::__private::as_slice(&self.delta3));
        <::nn::layers::ReLU as ::nn::__private::Layer<
            [f32; 4usize],
        >>::backward(
            &self.model.residual0_relu1,
            &self.act1,
            &self.act2,
            &self.delta2,
            &mut self.cache_residual0_relu1,
            Some(&mut self.delta1),
            &mut [],
            &mut ctx,
        );
        <::nn::layers::Linear<
            4usize,
            4usize,
        > as ::nn::__private::Layer<
            [f32; 4usize],
        >>::backward(
            &self.model.residual0_linear0,
            x,
            &self.act1,
            &self.delta1,
            &mut self.cache_residual0_linear0,
            None,
            &mut self.grad_residual0_linear0,
            &mut ctx,
        );
        total * inv_b
    }
    /// One training step on a batch: forward, mean loss over the batch,
    /// backward, optimizer update. Returns the mean loss.
    pub fn train_step<T, L: ::nn::__private::Loss<2usize, T>>(
        &mut self,
        x: &[[f32; 4usize]; B],
        targets: &[T; B],
        loss: &L,
    ) -> f32 {
        self.rng = <::nn::__private::TrainRng as ::nn::__private::SeedableRng>::seed_from_u64(
            ::nn::__private::step_seed(self.seed, self.step),
        );
        self.step += 1;
        let mean = self.backprop(x, targets, loss, ::nn::__private::Mode::Train);
        if self.regularization.is_active() {
            self.regularization
                .apply(
                    &mut [
                        (
                            <::nn::layers::Linear<
                                4usize,
                                4usize,
                            > as ::nn::__private::Layer<
                                [f32; 4usize],
                            >>::params(&self.model.residual0_linear0),
                            &mut self.grad_residual0_linear0[..],
                            <::nn::layers::Linear<
                                4usize,
                                4usize,
                            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_WEIGHTS,
                        ),
                        (
                            <::nn::layers::Linear<
                                4usize,
                                2usize,
                            > as ::nn::__private::Layer<
                                [f32; 4usize],
                            >>::params(&self.model.linear1),
                            &mut self.grad_linear1[..],
                            <::nn::layers::Linear<
                                4usize,
                                2usize,
                            > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_WEIGHTS,
                        ),
                    ],
                );
        }
        self.optimizer
            .update::<
                {
                    <::nn::layers::Linear<
                        4usize,
                        4usize,
                    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
                },
            >(
                <::nn::layers::Linear<
                    4usize,
                    4usize,
                > as ::nn::__private::Layer<
                    [f32; 4usize],
                >>::params_mut(&mut self.model.residual0_linear0),
                &self.grad_residual0_linear0,
                &mut self.state_residual0_linear0,
            );
        self.optimizer
            .update::<
                {
                    <::nn::layers::Linear<
                        4usize,
                        2usize,
                    > as ::nn::__private::Layer<[f32; 4usize]>>::NUM_PARAMS
                },
            >(
                <::nn::layers::Linear<
                    4usize,
                    2usize,
                > as ::nn::__private::Layer<
                    [f32; 4usize],
                >>::params_mut(&mut self.model.linear1),
                &self.grad_linear1,
                &mut self.state_linear1,
            );
        mean
    }
    /**The gradient of [`Self::eval_loss`] with respect to every parameter, written to `grad` in [`Block::params`] order (layer by layer, each tensor flat); returns the loss. Evaluation mode, no penalties, no update: the deterministic full-batch objective that second-order methods and gradient checks need.

# Panics
If `grad.len()` is not [`Block::NUM_PARAMS`].*/
    pub fn gradient<T, L: ::nn::__private::Loss<2usize, T>>(
        &mut self,
        x: &[[f32; 4usize]; B],
        targets: &[T; B],
        loss: &L,
        grad: &mut [f32],
    ) -> f32 {
        assert_eq!(
            grad.len(), __BlockTrainerModel::NUM_PARAMS,
            "one gradient value per parameter"
        );
        let mean = self.backprop(x, targets, loss, ::nn::__private::Mode::Eval);
        let rest = grad;
        let (tensor, rest) = rest.split_at_mut(self.grad_residual0_linear0.len());
        tensor.copy_from_slice(&self.grad_residual0_linear0);
        let (tensor, rest) = rest.split_at_mut(self.grad_linear1.len());
        tensor.copy_from_slice(&self.grad_linear1);
        let _ = rest;
        mean
    }
    /// Training steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }
    /// Evaluation-mode forward pass of a batch; returns the outputs.
    pub fn forward_batch(&mut self, x: &[[f32; 4usize]; B]) -> &[[f32; 2usize]; B] {
        self.run_forward(x, ::nn::__private::Mode::Eval);
        &self.act5
    }
    /// Mean loss of a batch in evaluation mode (no update).
    pub fn eval_loss<T, L: ::nn::__private::Loss<2usize, T>>(
        &mut self,
        x: &[[f32; 4usize]; B],
        targets: &[T; B],
        loss: &L,
    ) -> f32 {
        const { assert!(B > 0, "the batch size B must be at least 1") };
        self.run_forward(x, ::nn::__private::Mode::Eval);
        let mut total = 0.0f32;
        for b in 0..B {
            total
                += loss
                    .loss_grad_after(
                        <::nn::layers::Softmax as ::nn::__private::Layer<
                            [f32; 2usize],
                        >>::FUSION,
                        ::nn::__private::as_vector(&self.act4[b]),
                        ::nn::__private::as_vector(&self.act5[b]),
                        &targets[b],
                        None,
                    );
        }
        total / B as f32
    }
}
::nn::__private::with_std! {
    impl < O : ::nn::__private::Optimizer, const B : usize > ::nn::__private::Checkpoint
    for BlockTrainer < O, { B } > { type Model = __BlockTrainerModel; fn
    checkpoint_signature() -> u64 {
    ::nn::io::weights::signature_hash(__BlockTrainerModel::SIGNATURE) ^
    ::nn::io::weights::signature_hash(::core::any::type_name:: < O > ()).rotate_left(1) }
    fn trained(& self) -> & __BlockTrainerModel { & self.model } fn seed_and_step(& self)
    -> (u64, u64) { (self.seed, self.step) } fn optimizer_bytes(& self) -> impl AsRef <
    [& [u8]] > { [::nn::__private::bytemuck::bytes_of(& self.state_residual0_linear0),
    ::nn::__private::bytemuck::bytes_of(& self.state_linear1)] } fn restore_targets(& mut
    self) -> (impl AsMut < [& mut [f32]] >, impl AsMut < [& mut [u8]] >, & mut u64, & mut
    u64) { (self.model.state_mut(), [::nn::__private::bytemuck::bytes_of_mut(& mut self
    .state_residual0_linear0), ::nn::__private::bytemuck::bytes_of_mut(& mut self
    .state_linear1)], & mut self.seed, & mut self.step,) } }
}
::nn::__private::with_alloc! {
    impl < O : ::nn::__private::Optimizer, const B : usize > BlockTrainer < O, { B } > {
    #[doc = r" Allocates a trainer on the heap, built in place (no stack"] #[doc =
    r" temporary of its size, every byte written once)."] pub fn new_boxed(init :
    ::nn::__private::Init, optimizer : O, seed : u64) -> ::nn::__private::Box < Self > {
    ::nn::__private::boxed_in_place(| slot | Self::init_in_place(slot, init, optimizer,
    seed)) } }
}
